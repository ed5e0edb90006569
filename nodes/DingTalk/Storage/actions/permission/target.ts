import type { INodeProperties } from 'n8n-workflow';

import { itemLocatorModes, readLocator } from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { requireId } from '../../../shared/helpers/validate';
import { ROOT_FOLDER_ID } from '../../../shared/storage/types';
import { show } from '../common/parameters';
import type { ItemContext } from '../types';

/** The file or folder whose permissions an operation reads or changes. */
export const permissionItemProperty: INodeProperties = {
	displayName: 'File or Folder',
	name: 'dentryId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		"The file or folder: pick it, or give its ID (0: the space's root, the whole space) or its path",
	displayOptions: show('permission', [
		'add',
		'update',
		'remove',
		'list',
		'getInheritance',
		'setInheritance',
	]),
	modes: itemLocatorModes('searchItems', 'Select a file or folder...'),
};

export interface PermissionTarget {
	spaceId: string;
	unionId: string;
	dentryId: string;
	dentryUuid: string;
}

/**
 * The item (either kind: permissions apply to both) and its UUID, storage 2.0's address
 * for it: one call per item and execution.
 */
/** The refusal of a space's root where inheritance is asked for. */
export function rootRefused(): InputError {
	return new InputError(
		'dentryId',
		"the space's root folder inherits from nothing",
		'Pick a file or folder inside the space.',
	);
}

export async function locateTarget(
	item: Pick<ItemContext, 'ctx' | 'itemIndex' | 'client' | 'paths'>,
	scope: { spaceId: string; unionId: string },
	options: { refuseRoot?: boolean } = {},
): Promise<PermissionTarget> {
	const { ctx, itemIndex, client, paths } = item;
	const value = readLocator(ctx, 'dentryId', itemIndex);
	let dentryId: string;
	if (value.mode === 'path') {
		if (typeof value.value !== 'string' || value.value.trim() === '')
			throw new InputError(
				'dentryId',
				'the path is empty',
				"Write the path from the space's root, for example /合同/2026.",
			);
		const resolved = await paths.resolve(
			client,
			scope.spaceId,
			scope.unionId,
			value.value,
			'dentryId',
		);
		dentryId = resolved.kind === 'root' ? ROOT_FOLDER_ID : resolved.id;
	} else {
		dentryId = requireId('dentryId', value.value);
	}
	if (options.refuseRoot && dentryId === ROOT_FOLDER_ID) throw rootRefused();
	const dentryUuid = await paths.uuid(client, { ...scope, dentryId });
	return { ...scope, dentryId, dentryUuid };
}
