import type { INodeProperties } from 'n8n-workflow';

/**
 * The options of a download, shared by the "DingTalk Storage Download" node and the
 * "DingTalk Storage" node's File → Download, so both offer exactly the same thing.
 */

/** Items downloaded at the same time, by default. */
export const DEFAULT_CONCURRENCY = 4;

/** Connections per file, by default (1: one stream; see docs/performance.md). */
export const DEFAULT_PARALLEL_CONNECTIONS = 1;

// The timeout defaults below are literals (the n8n lint rules read them) and equal
// DEFAULT_TIMEOUTS in shared/transport/http.ts; a unit test keeps the two in step.

/** "Put Output File in Field", shown where a download happens. */
export function binaryPropertyParameter(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
		displayOptions,
	};
}

/** Connect Timeout: the same for every transfer (downloads and uploads). */
export const CONNECT_TIMEOUT_OPTION: INodeProperties = {
	displayName: 'Connect Timeout (Ms)',
	name: 'connectTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 10000,
	description:
		'How long to wait for a connection to DingTalk or its storage to open, in milliseconds',
};

/** Response Timeout, with what it means for this kind of transfer. */
export function responseTimeoutOption(description: string): INodeProperties {
	return {
		displayName: 'Response Timeout (Ms)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60000,
		description,
	};
}

export const DOWNLOAD_OPTIONS: INodeProperties[] = [
	CONNECT_TIMEOUT_OPTION,
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
			'Longest pause allowed between two pieces of data while a file downloads, in milliseconds. Not a limit on the total time: a large file on a slow link is fine as long as data keeps flowing. When not set, the Response Timeout applies to pauses too.',
	},
	{
		displayName: 'In-Memory Size Limit (MiB)',
		name: 'inMemoryLimit',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 256,
		description:
			"Largest file to download when n8n keeps binary data in memory (binary data mode default, s3 or azure), which holds the whole file in memory first. Larger files are refused before they are downloaded. Not used in filesystem mode, which streams to disk; database mode uses n8n's own N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE.",
		displayOptions: { show: { '/operation': ['download'] } },
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
	responseTimeoutOption(
		'How long to wait for DingTalk or its storage to start answering a request, in milliseconds. As in the HTTP Request node, it also ends a download that goes silent for this long, unless Idle Timeout is set.',
	),
	{
		displayName: 'Version',
		name: 'version',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 1,
		description:
			'Which version of the file to download. Leave this option out for the latest version.',
	},
];
