import { searchResultJson } from '../../../n8n/items';
import { InputError } from '../../../shared/errors';
import { instantOf } from '../../../shared/helpers/time';
import { requireId, textList } from '../../../shared/helpers/validate';
import { searchFiles } from '../../../shared/storage/search';
import {
	optionsCollection,
	readLimit,
	readOptions,
	returnAllAndLimit,
	show,
} from '../common/parameters';
import type { StorageOperation } from '../types';

/**
 * File → Search: DingTalk's search by name across the spaces the operator can see. Each
 * result carries spaceId and dentryId (DingTalk answers UUIDs; each is looked up), so it
 * chains into Download, Get, Move...
 */
export const search: StorageOperation = {
	parallel: true,
	properties: [
		{
			displayName: 'Search Keyword',
			name: 'keyword',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 合同',
			description:
				'Words in the names of the files and folders to find (DingTalk searches names, in every space the operator can see)',
			displayOptions: show('file', ['search']),
		},
		...returnAllAndLimit('file', 'search'),
		optionsCollection(
			'file',
			['search'],
			[
				{
					displayName: 'Categories',
					name: 'categories',
					type: 'string',
					default: '',
					placeholder: 'e.g. alidoc',
					description:
						"DingTalk's own file categories to search in (option dentryCategories), comma-separated, passed as given: for example alidoc for DingTalk online documents",
				},
				{
					displayName: 'Created After',
					name: 'createdAfter',
					type: 'dateTime',
					default: '',
					description: 'Only items created at or after this time (DingTalk filters)',
				},
				{
					displayName: 'Created Before',
					name: 'createdBefore',
					type: 'dateTime',
					default: '',
					description: 'Only items created at or before this time (DingTalk filters)',
				},
				{
					displayName: 'File Types',
					name: 'fileTypes',
					type: 'string',
					default: '',
					placeholder: 'e.g. pdf, docx',
					description:
						'Only files with these extensions, comma-separated (folders are left out). DingTalk has no such filter: hits are checked as they come, so a rare type may cost more pages.',
				},
				{
					displayName: 'Include Details',
					name: 'details',
					type: 'boolean',
					default: true,
					description:
						"Whether to add each result's details (type, size, path, version...): one more API call per space for every 30 results",
				},
				{
					displayName: 'Modified After',
					name: 'modifiedAfter',
					type: 'dateTime',
					default: '',
					description:
						'Only items last changed at or after this time. DingTalk has no such filter: hits are checked as they come.',
				},
				{
					displayName: 'Modified Before',
					name: 'modifiedBefore',
					type: 'dateTime',
					default: '',
					description:
						'Only items last changed at or before this time. DingTalk has no such filter: hits are checked as they come.',
				},
				{
					displayName: 'Space IDs',
					name: 'spaceIds',
					type: 'string',
					default: '',
					placeholder: 'e.g. 22563543011, 22563543012',
					description:
						'Only in these spaces, comma-separated numeric space IDs (empty: every space the operator can see)',
				},
			],
		),
	],
	async execute({ ctx, itemIndex, client }) {
		const unionId = requireId('unionId', ctx.getNodeParameter('unionId', itemIndex));
		const keyword = requireId('keyword', ctx.getNodeParameter('keyword', itemIndex));
		const limit = readLimit(ctx, itemIndex);
		const options = readOptions(ctx, itemIndex);
		const zone = ctx.getTimezone();
		const spaceIds = textList('spaceIds', options.spaceIds);
		for (const spaceId of spaceIds) {
			if (!/^\d{1,15}$/.test(spaceId))
				throw new InputError(
					'spaceIds',
					`"${spaceId}" is not a numeric space ID`,
					'Give the space IDs as numbers, separated by commas.',
				);
		}
		const fileTypes = textList('fileTypes', options.fileTypes).map((type) =>
			type.replace(/^\*?\./, '').toLowerCase(),
		);
		const createdAfter = instantOf('createdAfter', options.createdAfter, zone);
		const createdBefore = instantOf('createdBefore', options.createdBefore, zone);
		const modifiedAfter = instantOf('modifiedAfter', options.modifiedAfter, zone);
		const modifiedBefore = instantOf('modifiedBefore', options.modifiedBefore, zone);
		if (createdAfter !== undefined && createdBefore !== undefined && createdAfter > createdBefore) {
			throw new InputError('createdBefore', 'it is earlier than "createdAfter"');
		}
		if (
			modifiedAfter !== undefined &&
			modifiedBefore !== undefined &&
			modifiedAfter > modifiedBefore
		) {
			throw new InputError('modifiedBefore', 'it is earlier than "modifiedAfter"');
		}
		const results = await searchFiles(client, {
			unionId,
			keyword,
			limit,
			details: options.details !== false,
			option: {
				spaceIds,
				categories: textList('categories', options.categories),
				createdAfter,
				createdBefore,
			},
			filter: { extensions: fileTypes, modifiedAfter, modifiedBefore, spaceIds },
		});
		return results.map((result) => ({ json: searchResultJson(result) }));
	},
};
