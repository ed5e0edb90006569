import type { IDataObject } from 'n8n-workflow';

import { requireId } from '../../../shared/helpers/validate';
import { listAllOrgSpaces } from '../../../shared/storage/listing';
import { readLimit, returnAllAndLimit } from '../common/parameters';
import type { StorageOperation } from '../types';

/** Space → List: the organization's Drive spaces, one item each. */
export const list: StorageOperation = {
	parallel: true,
	properties: returnAllAndLimit('space', 'list'),
	async execute({ ctx, itemIndex, client }) {
		const unionId = requireId('unionId', ctx.getNodeParameter('unionId', itemIndex));
		const spaces = await listAllOrgSpaces(client, unionId, readLimit(ctx, itemIndex));
		return spaces.map((space) => ({ json: space as IDataObject }));
	},
};
