import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { clientFor } from '../n8n/credentials';
import { dingTalkApiTest } from '../n8n/credentialTest';
import {
	downloadInfoItem,
	downloadItem,
	readFileRequest,
	readInMemoryLimit,
	readRunOptions,
} from '../n8n/download';
import { runItems } from '../n8n/itemPool';
import { dentryJson } from '../n8n/items';
import { locate } from '../n8n/locators';
import { errorItemFields, toNodeError } from '../n8n/nodeErrors';
import {
	CONTENT_LEFT_OUT,
	downloadInfoRefused,
	forModel,
	refuseModelChosenFields,
	runsAsTool,
} from '../n8n/toolMode';
import { getDentry } from '../shared/storage/dentries';
import { PathResolver } from '../shared/storage/listing';
import { requireFieldName, requireId } from '../shared/helpers/validate';
import { nodeProperties } from './description';

/** "DingTalk Storage Download": one file by its IDs, as binary data or as its download info. */
export class DingTalkStorageDownload implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Storage Download',
		name: 'dingTalkStorageDownload',
		icon: {
			light: 'file:../../../icons/dingtalk.svg',
			dark: 'file:../../../icons/dingtalk.dark.svg',
		},
		group: ['input'],
		version: 1,
		subtitle:
			'={{$parameter["operation"] === "getDownloadInfo" ? "Get download info" : "Download file"}}',
		description: 'Download files from DingTalk storage (Drive, Knowledge Base) as binary data',
		defaults: { name: 'DingTalk Storage Download' },
		// As an AI agent's tool: no Get Download Info, and Download returns the file's details
		// only (n8n/toolMode.ts, README "AI agents").
		usableAsTool: {
			replacements: {
				description:
					"Look up a DingTalk file by its spaceId and dentryId: returns its details (name, type, size, path, modifiedTime). The file's content and download links are never passed to the agent.",
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' }],
		properties: nodeProperties,
	};

	methods = { credentialTest: { dingTalkApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as 'download' | 'getDownloadInfo';
		const credentials = await this.getCredentials('dingTalkApi');
		const continueOnFail = this.continueOnFail();
		const { concurrency, requestsPerSecond } = readRunOptions(this);
		const asTool = runsAsTool(this.getNode());
		refuseModelChosenFields(this.getNode());

		const { results, failure } = await runItems(
			items.length,
			async (itemIndex, signal) => {
				const file = {
					spaceId: requireId('spaceId', this.getNodeParameter('spaceId', itemIndex)),
					dentryId: requireId('dentryId', this.getNodeParameter('dentryId', itemIndex)),
					unionId: requireId('unionId', this.getNodeParameter('unionId', itemIndex)),
				};
				if (asTool && operation === 'getDownloadInfo') throw downloadInfoRefused();
				const request = readFileRequest(this, itemIndex, file, operation === 'download', signal);
				const client = clientFor(credentials, request.timeouts, {
					signal,
					requestsPerSecond,
					logger: this.logger,
				});
				if (asTool)
					return {
						json: forModel({ ...dentryJson(await getDentry(client, file)), ...CONTENT_LEFT_OUT }),
						pairedItem: { item: itemIndex },
					};
				if (operation === 'getDownloadInfo')
					return await downloadInfoItem(itemIndex, request, client);
				// Every option is checked before the first request.
				requireFieldName(
					'binaryPropertyName',
					this.getNodeParameter('binaryPropertyName', itemIndex),
				);
				readInMemoryLimit(this.getNodeParameter('options', itemIndex, {}) as IDataObject);
				// A folder is refused by name before anything is fetched (its details also name the file).
				const where = {
					client,
					paths: new PathResolver(),
					spaceId: file.spaceId,
					unionId: file.unionId,
				};
				const checked = await locate({ mode: 'id', value: file.dentryId }, 'dentryId', where, {
					kind: 'file',
					unreadableOk: true,
				});
				return await downloadItem(this, itemIndex, { ...request, details: checked.dentry }, client);
			},
			{ concurrency, stopOnFailure: !continueOnFail, signal: this.getExecutionCancelSignal?.() },
		);
		if (failure) throw toNodeError(this.getNode(), failure.error, failure.index);
		return [
			results.map((result, itemIndex) =>
				result && 'value' in result
					? result.value
					: { json: errorItemFields(result?.error), pairedItem: { item: itemIndex } },
			),
		];
	}
}
