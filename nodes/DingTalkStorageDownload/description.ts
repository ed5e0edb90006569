import type { INodeProperties } from 'n8n-workflow';

/** Items downloaded at the same time, by default. */
export const DEFAULT_CONCURRENCY = 4;

/** Connections per file, by default (1: one stream; see README "Performance"). */
export const DEFAULT_PARALLEL_CONNECTIONS = 1;

// The timeout defaults below are literals (the n8n lint rules read them) and equal
// DEFAULT_TIMEOUTS in transport/http.ts; a unit test keeps the two in step.

export const nodeProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Download File',
				value: 'download',
				description: 'Download the file and output it as binary data',
				action: 'Download a file',
			},
			{
				name: 'Get Download Info',
				value: 'getDownloadInfo',
				description: 'Return the signed download URLs and headers without downloading',
				action: 'Get download info for a file',
			},
		],
		default: 'download',
	},
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
	{
		displayName: 'Operator Union ID',
		name: 'unionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. iPsAiSxxxxxxxxxxxxiEiE',
		description: 'Union ID of the DingTalk user on whose behalf the file is read; that user must be able to access the file',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { operation: ['download'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Connect Timeout (Ms)',
				name: 'connectTimeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 10000,
				description: 'How long to wait for a connection to DingTalk or its storage to open, in milliseconds',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description:
					"Name to give the downloaded file. By default it comes from the storage's Content-Disposition header, then from DingTalk's file details.",
				displayOptions: { show: { '/operation': ['download'] } },
			},
			{
				displayName: 'Idle Timeout (Ms)',
				name: 'idleTimeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60000,
				description:
					'Longest pause allowed between two pieces of data while a file downloads, in milliseconds. Not a limit on the total time: a large file on a slow link is fine as long as data keeps flowing.',
			},
			{
				displayName: 'Items in Parallel',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 64, numberPrecision: 0 },
				default: 4,
				description:
					'How many items to download at the same time. Output order and item linking stay the same. Read from the first item.',
			},
			{
				displayName: 'Parallel Connections',
				name: 'parallelConnections',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 16, numberPrecision: 0 },
				default: 1,
				description:
					'Fetch one large file over this many connections at once, in 4 MiB ranges streamed out in order (at most this many ranges held in memory). Helps on links that cap each connection. Falls back to one connection when the storage does not honour ranges.',
				displayOptions: { show: { '/operation': ['download'] } },
			},
			{
				displayName: 'Prefer Intranet',
				name: 'preferIntranet',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask DingTalk for intranet download URLs. Only works when dedicated storage intranet transmission is set up for your organization.',
			},
			{
				displayName: 'Range',
				name: 'range',
				type: 'string',
				default: '',
				placeholder: 'e.g. bytes=0-499',
				description:
					'Download only these bytes: "bytes=0-499" or "0-499" (first 500 bytes), "500-" (from byte 500 to the end), "-500" (last 500 bytes)',
				displayOptions: { show: { '/operation': ['download'] } },
			},
			{
				displayName: 'Requests per Second',
				name: 'requestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 20,
				description:
					"Most DingTalk API calls per second per app and API, shared by every execution in this n8n process. DingTalk's standard limit is 20; raise it only if DingTalk raised yours. Read from the first item.",
			},
			{
				displayName: 'Response Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60000,
				description: 'How long to wait for DingTalk or its storage to start answering a request, in milliseconds',
			},
			{
				displayName: 'Version',
				name: 'version',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 0 },
				default: 1,
				description: 'Which version of the file to download. Leave this option out for the latest version.',
			},
		],
	},
];
