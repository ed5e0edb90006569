import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	downloadInfoItem,
	downloadItem,
	readFileRequest,
	readInMemoryLimit,
} from '../n8n/download';
import type { EachItem } from '../n8n/eachItem';
import { dentryJson } from '../n8n/items';
import { linkNotAccepted, locate, locatorValue } from '../n8n/locators';
import { CONTENT_LEFT_OUT, downloadInfoRefused, runsAsTool } from '../n8n/toolMode';
import { requireFieldName, requireId } from '../shared/helpers/validate';
import { getDentry } from '../shared/storage/dentries';
import { PathResolver } from '../shared/storage/listing';

/**
 * One item of the node: the file named by its IDs, as binary data (`download`), as its signed
 * download info (`getDownloadInfo`), or, for an AI agent, as its details only (the model never
 * gets the content or a signed link). Every parameter it uses is checked before the first request.
 */
/** An ID of this node: a link is refused by name (the DingTalk Storage node reads links). */
function plainId(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(name, itemIndex);
	if (locatorValue(value).mode === 'url') throw linkNotAccepted(name);
	return requireId(name, value);
}

export async function fileItem(
	ctx: IExecuteFunctions,
	operation: string,
	{ itemIndex, signal, clientWith }: EachItem,
): Promise<INodeExecutionData> {
	const file = {
		spaceId: plainId(ctx, 'spaceId', itemIndex),
		dentryId: plainId(ctx, 'dentryId', itemIndex),
		unionId: requireId('unionId', ctx.getNodeParameter('unionId', itemIndex)),
	};
	const asTool = runsAsTool(ctx.getNode());
	if (asTool && operation === 'getDownloadInfo') throw downloadInfoRefused();
	const request = readFileRequest(ctx, itemIndex, file, operation === 'download', signal);
	const client = clientWith(request.timeouts);
	if (asTool)
		return { json: { ...dentryJson(await getDentry(client, file)), ...CONTENT_LEFT_OUT } };
	if (operation === 'getDownloadInfo') return await downloadInfoItem(itemIndex, request, client);
	requireFieldName('binaryPropertyName', ctx.getNodeParameter('binaryPropertyName', itemIndex));
	readInMemoryLimit(ctx.getNodeParameter('options', itemIndex, {}) as IDataObject);
	// A folder is refused by name before anything is fetched (its details also name the file).
	// Each item reads its file's details afresh, as this node always has: no resolver is shared.
	const checked = await locate(
		{ mode: 'id', value: file.dentryId },
		'dentryId',
		{ client, paths: new PathResolver(), spaceId: file.spaceId, unionId: file.unionId },
		{ kind: 'file', unreadableOk: true },
	);
	return await downloadItem(ctx, itemIndex, { ...request, details: checked.dentry }, client);
}
