import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { getDentry } from '../../../shared/storage/dentries';
import { readScope } from '../common/parameters';
import type { StorageOperation } from '../types';

/** File → Get: the file's details (the dentry). */
export const get: StorageOperation = {
	parallel: true,
	properties: [],
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const file = await locateItem(
			ctx,
			'dentryId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'file', instead: 'Folder → List' },
		);
		// Its details were read to check its kind (or came with its path): no second call.
		const dentry =
			file.dentry ?? (await getDentry(client, { spaceId, dentryId: file.id, unionId }));
		return { json: dentryJson(dentry) };
	},
};
