import type { INodeProperties } from 'n8n-workflow';

import { binaryPropertyParameter, DOWNLOAD_OPTIONS } from '../n8n/downloadOptions';
import { operatorProperty } from '../n8n/locators';
import { operationPickers } from '../n8n/operationTexts';

/** The node's parameters: public since 0.1.0, kept stable (test/unit/interfaces.test.ts). */
export const nodeProperties: INodeProperties[] = [
	...operationPickers(
		[
			{
				name: 'Download File',
				value: 'download',
				description: 'Download the file and output it as binary data',
				action: 'Download a file',
				agent: {
					description: "Get the file's details; its content is not passed to the agent",
					action:
						'Look up a DingTalk file by spaceId and dentryId: returns its details, never its content',
				},
			},
			// An AI agent is never offered Get Download Info: its answer opens the file.
			{
				name: 'Get Download Info',
				value: 'getDownloadInfo',
				description: 'Return the signed download URLs and headers without downloading',
				action: 'Get download info for a file',
			},
		],
		'download',
	),
	{
		displayName: 'Space ID',
		name: 'spaceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 22563543011',
		description: 'ID of the DingTalk space (Drive or Knowledge Base) that holds the file',
	},
	{
		displayName: 'File (Dentry) ID',
		name: 'dentryId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 118459735262',
		description: "The file's dentry ID in that space",
	},
	operatorProperty('the file is read', false),
	binaryPropertyParameter({ show: { operation: ['download'] } }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: DOWNLOAD_OPTIONS,
	},
];
