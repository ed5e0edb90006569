import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { oneOf, requireName } from '../../../shared/helpers/validate';
import { splitDrivePath } from '../../../shared/helpers/paging';
import { createFolder } from '../../../shared/storage/dentries';
import { createFolderPath } from '../../../shared/storage/folderPath';
import { CONFLICT_STRATEGIES } from '../../../shared/storage/types';
import {
	conflictStrategyOption,
	optionsCollection,
	readOptions,
	readScope,
	show,
} from '../common/parameters';
import type { StorageOperation } from '../types';

/**
 * Folder → Create: by default a folder that exists already is returned as it is, so a
 * nightly job creating "2026-11" twice gets the same folder. A path ("报表/2026/12") creates
 * its missing levels, one call per level.
 */
export const create: StorageOperation = {
	parallel: false,
	properties: [
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			required: true,
			placeholder: "e.g. {{ $now.toFormat('yyyy-MM') }} or 报表/2026/12",
			description:
				'The new folder\'s name, or a path of folders under the parent (报表/2026/12): each missing level is created, one that exists is used, and the deepest folder is output. A name may not contain * " &lt; &gt; ` and may not end with a dot.',
			displayOptions: show('folder', ['create']),
		},
		optionsCollection(
			'folder',
			['create'],
			[conflictStrategyOption('RETURN_DENTRY_IF_EXISTS', 'the parent folder')],
		),
	],
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const rawName = ctx.getNodeParameter('name', itemIndex);
		// A name with slashes is a path: every level is checked before anything is created.
		const names =
			typeof rawName === 'string' && rawName.includes('/')
				? splitDrivePath(rawName, 'name').map((name) => requireName('name', name))
				: [requireName('name', rawName)];
		if (names.length === 0) throw new InputError('name', `"${String(rawName)}" names no folder`);
		const conflictStrategy = oneOf(
			'conflictStrategy',
			readOptions(ctx, itemIndex).conflictStrategy,
			CONFLICT_STRATEGIES,
			'RETURN_DENTRY_IF_EXISTS',
		);
		const parent = await locateItem(
			ctx,
			'folderId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'folder' },
		);
		const folder =
			names.length === 1
				? await createFolder(
						client,
						{ spaceId, dentryId: parent.id, unionId },
						names[0],
						conflictStrategy,
					)
				: await createFolderPath(
						client,
						{ spaceId, unionId, parentId: parent.id },
						names,
						conflictStrategy,
						'name',
					);
		return { json: dentryJson(folder) };
	},
};
