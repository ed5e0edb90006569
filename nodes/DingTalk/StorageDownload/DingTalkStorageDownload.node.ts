import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { dingTalkApiTest } from '../n8n/credentialTest';
import { readRunOptions } from '../n8n/download';
import { runForEachItem } from '../n8n/eachItem';
import { refuseModelChosenFields } from '../n8n/toolMode';
import { nodeProperties } from './description';
import { fileItem } from './fileItem';

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
		const operation = this.getNodeParameter('operation', 0) as string;
		const credentials = await this.getCredentials('dingTalkApi');
		const { concurrency, requestsPerSecond } = readRunOptions(this);
		refuseModelChosenFields(this.getNode());
		return await runForEachItem(
			this,
			{ credentials, concurrency, requestsPerSecond },
			async (item) => await fileItem(this, operation, item),
		);
	}
}
