import { binaryPropertyParameter, DOWNLOAD_OPTIONS } from '../../../n8n/downloadOptions';
import { downloadItem, readFileRequest } from '../../../n8n/download';
import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
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
		const file = await locateItem(ctx, 'dentryId', itemIndex, { client, paths, spaceId, unionId }, 'file');
		if (runsAsTool(ctx.getNode())) {
			// An agent's model gets text only: the details, never the content or a signed link.
			const dentry = file.dentry ?? (await getDentry(client, { spaceId, dentryId: file.id, unionId }));
			return { json: { ...dentryJson(dentry), ...CONTENT_LEFT_OUT } };
		}
		const request = readFileRequest(ctx, itemIndex, { spaceId, dentryId: file.id, unionId }, true, signal);
		return await downloadItem(ctx, itemIndex, request, clientWith(request.timeouts));
	},
};
