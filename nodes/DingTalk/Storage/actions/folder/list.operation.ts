import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { oneOf, wholeNumber } from '../../../shared/helpers/validate';
import { DEFAULT_MAX_DEPTH, listFolder } from '../../../shared/storage/listing';
import { propertiesOf } from '../../../shared/storage/appProperties';
import { ORDER_BY } from '../../../shared/storage/types';
import { INCLUDE_PROPERTIES_OPTIONS, propertyAppIds } from '../common/appProperties';
import {
	optionsCollection,
	readLimit,
	readOptions,
	readScope,
	returnAllAndLimit,
} from '../common/parameters';
import type { StorageOperation } from '../types';

/**
 * Folder → List: one item per entry, a page of 50 at a time (DingTalk's largest), with
 * Recursive walking sub-folders breadth first; each entry carries its path.
 */
export const list: StorageOperation = {
	parallel: true,
	properties: [
		...returnAllAndLimit('folder', 'list'),
		optionsCollection(
			'folder',
			['list'],
			[
				...INCLUDE_PROPERTIES_OPTIONS,
				{
					displayName: 'Max Depth',
					name: 'maxDepth',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
					default: DEFAULT_MAX_DEPTH,
					description:
						"With Recursive: how many levels to return. 1 is the folder's own entries, 2 adds what is in its sub-folders, and so on.",
				},
				{
					displayName: 'Order',
					name: 'order',
					type: 'options',
					default: 'DESC',
					options: [
						{ name: 'Descending', value: 'DESC' },
						{ name: 'Ascending', value: 'ASC' },
					],
					description: 'The order within each folder',
				},
				{
					displayName: 'Order By',
					name: 'orderBy',
					type: 'options',
					default: 'MODIFIED_TIME',
					options: [
						{ name: 'Created Time', value: 'CREATE_TIME' },
						{ name: 'Modified Time', value: 'MODIFIED_TIME' },
						{ name: 'Name', value: 'NAME' },
						{ name: 'Size', value: 'SIZE' },
					],
					description: 'How DingTalk sorts the entries of each folder',
				},
				{
					displayName: 'Recursive',
					name: 'recursive',
					type: 'boolean',
					default: false,
					description:
						'Whether to list the sub-folders too, level by level (see Max Depth). Every folder costs at least one API call.',
				},
				{
					displayName: 'Type',
					name: 'type',
					type: 'options',
					default: 'all',
					options: [
						{ name: 'Files and Folders', value: 'all' },
						{ name: 'Files Only', value: 'file' },
						{ name: 'Folders Only', value: 'folder' },
					],
					description:
						'Which entries to output (with Recursive, sub-folders are walked either way)',
				},
			],
		),
	],
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const limit = readLimit(ctx, itemIndex);
		const options = readOptions(ctx, itemIndex);
		// Listings carry the properties (DingTalk's appProperties) at no extra call: the option
		// adds them as name → value for the apps asked for.
		const appIds =
			options.includeAppProperties === true ? propertyAppIds(client, options.appIds) : undefined;
		const listing = {
			recursive: options.recursive === true,
			maxDepth: wholeNumber('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH, 1, 100),
			kind: oneOf('type', options.type, ['all', 'file', 'folder'] as const, 'all'),
			orderBy: oneOf('orderBy', options.orderBy, ORDER_BY, 'MODIFIED_TIME'),
			order: oneOf('order', options.order, ['ASC', 'DESC'] as const, 'DESC'),
		};
		const folder = await locateItem(
			ctx,
			'folderId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'folder', instead: 'File → Get' },
		);
		const entries = await listFolder(client, {
			spaceId,
			unionId,
			folderId: folder.id,
			limit,
			folderPath: folder.dentry?.path,
			...listing,
		});
		return entries.map((entry) => ({
			json: appIds
				? { ...dentryJson(entry), appPropertyValues: propertiesOf(entry.appProperties, appIds) }
				: dentryJson(entry),
		}));
	},
};
