import { dentryJson } from '../../../n8n/items';
import { checkedLocator, locate, locateItem, wrongKind } from '../../../n8n/locators';
import { isFolderEntry } from '../../../shared/helpers/paging';
import { propertiesOf } from '../../../shared/storage/appProperties';
import { getDentry } from '../../../shared/storage/dentries';
import { INCLUDE_PROPERTIES_OPTIONS, propertyAppIds } from '../common/appProperties';
import { optionsCollection, readOptions, readScope } from '../common/parameters';
import type { StorageOperation } from '../types';

/** File → Get: the file's details (the dentry), optionally with this app's properties on it. */
export const get: StorageOperation = {
	parallel: true,
	properties: [optionsCollection('file', ['get'], INCLUDE_PROPERTIES_OPTIONS)],
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const options = readOptions(ctx, itemIndex);
		const appIds =
			options.includeAppProperties === true ? propertyAppIds(client, options.appIds) : undefined;
		const expected = { kind: 'file' as const, instead: 'Folder → List' };
		if (appIds) {
			// The properties come only with a details call that asks for them: by ID, that call
			// also tells the kind (one call, not two).
			const value = checkedLocator(ctx, 'dentryId', itemIndex);
			const id =
				value.mode === 'path'
					? (await locate(value, 'dentryId', { client, paths, spaceId, unionId }, expected)).id
					: String(value.value);
			const dentry = await getDentry(client, { spaceId, dentryId: id, unionId }, appIds);
			if (isFolderEntry(dentry)) throw wrongKind('dentryId', id, dentry, expected);
			return {
				json: {
					...dentryJson(dentry),
					appPropertyValues: propertiesOf(dentry.appProperties, appIds),
				},
			};
		}
		const file = await locateItem(
			ctx,
			'dentryId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			expected,
		);
		// Its details were read to check its kind (or came with its path): no second call.
		const dentry =
			file.dentry ?? (await getDentry(client, { spaceId, dentryId: file.id, unionId }));
		return { json: dentryJson(dentry) };
	},
};
