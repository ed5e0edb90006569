import type { IDataObject } from 'n8n-workflow';

import { binaryPropertyParameter, DOWNLOAD_OPTIONS } from '../../../n8n/downloadOptions';
import { downloadItem, readFileRequest, readInMemoryLimit } from '../../../n8n/download';
import { dentryJson } from '../../../n8n/items';
import { checkedLocator, locate } from '../../../n8n/locators';
import { requireFieldName } from '../../../shared/helpers/validate';
import { CONTENT_LEFT_OUT, runsAsTool } from '../../../n8n/toolMode';
import { getDentry } from '../../../shared/storage/dentries';
import { optionsCollection, readScope, show } from '../common/parameters';
import type { StorageOperation } from '../types';

/**
 * File → Download: the same engine and options as the "DingTalk Storage Download" node. As
 * an AI agent's tool: the file's details only (see n8n/toolMode.ts).
 */
export const download: StorageOperation = {
	parallel: true,
	properties: [
		binaryPropertyParameter(show('file', ['download'])),
		optionsCollection('file', ['download'], DOWNLOAD_OPTIONS),
	],
	async execute({ ctx, itemIndex, client, clientWith, paths, signal }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const asTool = runsAsTool(ctx.getNode());
		const named = checkedLocator(ctx, 'dentryId', itemIndex);
		// Every option is checked before the first request.
		const options = asTool
			? undefined
			: readFileRequest(ctx, itemIndex, { spaceId, dentryId: '', unionId }, true, signal);
		if (!asTool) {
			requireFieldName('binaryPropertyName', ctx.getNodeParameter('binaryPropertyName', itemIndex));
			readInMemoryLimit(ctx.getNodeParameter('options', itemIndex, {}) as IDataObject);
		}
		const file = await locate(
			named,
			'dentryId',
			{ client, paths, spaceId, unionId },
			{ kind: 'file', unreadableOk: true },
		);
		if (!options) {
			// An agent's model gets text only: the details, never the content or a signed link.
			const dentry =
				file.dentry ?? (await getDentry(client, { spaceId, dentryId: file.id, unionId }));
			return { json: { ...dentryJson(dentry), ...CONTENT_LEFT_OUT } };
		}
		const request = {
			...options,
			file: { spaceId, dentryId: file.id, unionId },
			details: file.dentry,
		};
		return await downloadItem(ctx, itemIndex, request, clientWith(request.timeouts));
	},
};
