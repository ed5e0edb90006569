import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { listAllVersions } from '../../../shared/storage/listing';
import { readLimit, readScope, returnAllAndLimit } from '../common/parameters';
import type { StorageOperation } from '../types';

/** File → List Versions: one item per version, newest first (each can be downloaded with the Version option). */
export const listVersions: StorageOperation = {
	parallel: true,
	properties: returnAllAndLimit('file', 'listVersions'),
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const limit = readLimit(ctx, itemIndex);
		const file = await locateItem(
			ctx,
			'dentryId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'file' },
		);
		const versions = await listAllVersions(client, { spaceId, dentryId: file.id, unionId }, limit);
		return versions.map((version) => ({ json: dentryJson(version) }));
	},
};
