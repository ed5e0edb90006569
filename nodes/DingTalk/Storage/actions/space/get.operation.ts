import type { IDataObject } from 'n8n-workflow';

import { getSpace } from '../../../shared/storage/spaces';
import { readScope } from '../common/parameters';
import type { StorageOperation } from '../types';

/** Space → Get: the space's details (name, quota, used quota...), with `spaceId`. */
export const get: StorageOperation = {
	parallel: true,
	properties: [],
	async execute({ ctx, itemIndex, client }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		return { json: (await getSpace(client, spaceId, unionId)) as IDataObject };
	},
};
