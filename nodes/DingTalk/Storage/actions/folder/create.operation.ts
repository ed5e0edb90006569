import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { oneOf, requireName } from '../../../shared/helpers/validate';
import { createFolder } from '../../../shared/storage/dentries';
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
 * nightly job creating "2026-11" twice gets the same folder.
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
			placeholder: "e.g. {{ $now.toFormat('yyyy-MM') }}",
			description:
				'The new folder\'s name. May not contain / or * " &lt; &gt; ` and may not end with a dot.',
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
		const name = requireName('name', ctx.getNodeParameter('name', itemIndex));
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
		return {
			json: dentryJson(
				await createFolder(
					client,
					{ spaceId, dentryId: parent.id, unionId },
					name,
					conflictStrategy,
				),
			),
		};
	},
};
