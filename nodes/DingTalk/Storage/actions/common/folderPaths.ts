import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { locate, readLocator, type LocatedItem } from '../../../n8n/locators';
import type { DingTalkClient } from '../../../shared/api/client';
import { splitDrivePath } from '../../../shared/helpers/paging';
import { requireName } from '../../../shared/helpers/validate';
import { createFolderPath } from '../../../shared/storage/folderPath';
import { ROOT_FOLDER_ID } from '../../../shared/storage/types';
import type { ItemContext } from '../types';

/** Upload's (and Create from Text's) option: a parent folder given by path is made when missing. */
export const CREATE_MISSING_FOLDERS_OPTION: INodeProperties = {
	displayName: 'Create Missing Folders',
	name: 'createMissingFolders',
	type: 'boolean',
	default: false,
	description:
		'Whether to create the folders of a Parent Folder given By Path that do not exist yet (each level, like Folder → Create). Costs one call per level of the path for each item.',
};

/**
 * The parent folder of a new file (`folderId`): by ID, from the list, or by path; with
 * Create Missing Folders on, a path's missing levels are created first.
 */
export async function locateParentFolder(
	item: Pick<ItemContext, 'ctx' | 'itemIndex' | 'paths'>,
	client: DingTalkClient,
	scope: { spaceId: string; unionId: string },
	options: IDataObject,
): Promise<LocatedItem> {
	const value = readLocator(item.ctx, 'folderId', item.itemIndex);
	if (options.createMissingFolders === true && value.mode === 'path') {
		// Every level checked by DingTalk's naming rules before anything is created.
		const names = splitDrivePath(String(value.value ?? ''), 'folderId').map((name) =>
			requireName('folderId', name),
		);
		if (names.length === 0) return { id: ROOT_FOLDER_ID };
		const folder = await createFolderPath(
			client,
			{ ...scope, parentId: ROOT_FOLDER_ID },
			names,
			'RETURN_DENTRY_IF_EXISTS',
			'folderId',
		);
		return { id: folder.id, dentry: folder };
	}
	return await locate(
		value,
		'folderId',
		{ client, paths: item.paths, ...scope },
		{ kind: 'folder' },
	);
}
