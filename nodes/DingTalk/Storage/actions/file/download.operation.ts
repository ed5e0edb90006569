import { binaryPropertyParameter, DOWNLOAD_OPTIONS } from '../../../n8n/downloadOptions';
import { downloadItem, readFileRequest } from '../../../n8n/download';
import { locateItem } from '../../../n8n/locators';
import { optionsCollection, readScope, show } from '../common/parameters';
import type { StorageOperation } from '../types';

/** File → Download: the same engine and options as the "DingTalk Storage Download" node. */
export const download: StorageOperation = {
	parallel: true,
	properties: [
		binaryPropertyParameter(show('file', ['download'])),
		optionsCollection('file', ['download'], DOWNLOAD_OPTIONS),
	],
	async execute({ ctx, itemIndex, client, clientWith, paths, signal }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const file = await locateItem(ctx, 'dentryId', itemIndex, { client, paths, spaceId, unionId }, 'file');
		const request = readFileRequest(ctx, itemIndex, { spaceId, dentryId: file.id, unionId }, true, signal);
		return await downloadItem(ctx, itemIndex, request, clientWith(request.timeouts));
	},
};
