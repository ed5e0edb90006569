import {
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { DingTalkClient } from '../shared/api/client';
import { DEFAULT_REQUESTS_PER_SECOND } from '../shared/api/callPolicy';
import { parseRange } from '../shared/helpers/range';
import {
	optionalVersion,
	positiveTimeout,
	requireFieldName,
	wholeNumber,
} from '../shared/helpers/validate';
import type { DentryRef } from '../shared/storage/types';
import { getDownloadInfo, startFile, type FileRequest } from '../shared/transfer/fetchFile';
import { DEFAULT_TIMEOUTS, type Timeouts } from '../shared/transport/http';
import { DEFAULT_CONCURRENCY, DEFAULT_PARALLEL_CONNECTIONS } from './downloadOptions';
import { capacityFor, DEFAULT_IN_MEMORY_LIMIT_MIB, limitStream, tooLarge } from './binaryCapacity';
import { storeBinary, withBinaryFolderLock, type BinaryContext } from './partialBinary';
import { n8nSetting } from './settings';

/**
 * A download as both nodes offer it (the "DingTalk Storage Download" node and the
 * "DingTalk Storage" node's File → Download): the options read and checked, the file
 * streamed into n8n's binary data, the item built.
 */

/**
 * The three timeouts from the node's options. Response Timeout also bounds silence in the
 * middle of a body unless Idle Timeout is set, as n8n's HTTP Request node's Timeout does.
 */
export function readTimeouts(options: IDataObject): Timeouts {
	const unset = (value: unknown) => value === undefined || value === null || value === '';
	const responseMs = positiveTimeout('timeout', options.timeout, DEFAULT_TIMEOUTS.responseMs);
	return {
		connectMs: positiveTimeout(
			'connectTimeout',
			options.connectTimeout,
			DEFAULT_TIMEOUTS.connectMs,
		),
		responseMs,
		idleMs:
			unset(options.idleTimeout) && !unset(options.timeout)
				? responseMs
				: positiveTimeout('idleTimeout', options.idleTimeout, DEFAULT_TIMEOUTS.idleMs),
	};
}

/** Reads and checks one item's download options; throws InputError before any request. */
export function readFileRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	file: DentryRef,
	withContent: boolean,
	signal?: AbortSignal,
): FileRequest {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const range =
		withContent && typeof options.range === 'string' && options.range.trim() !== ''
			? parseRange(options.range)
			: undefined;
	return {
		file,
		version: optionalVersion(options.version),
		preferIntranet: options.preferIntranet === true,
		range,
		fileName:
			typeof options.fileName === 'string' && options.fileName.trim() !== ''
				? options.fileName.trim()
				: undefined,
		timeouts: readTimeouts(options),
		signal,
		parallelConnections: wholeNumber(
			'parallelConnections',
			options.parallelConnections,
			DEFAULT_PARALLEL_CONNECTIONS,
			1,
			16,
		),
	};
}

/** Settings for the whole run of a download, read from the first item. */
export function readRunOptions(ctx: IExecuteFunctions): {
	concurrency: number;
	requestsPerSecond: number;
} {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency =
		options.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(options.concurrency);
	const requestsPerSecond =
		options.requestsPerSecond === undefined
			? DEFAULT_REQUESTS_PER_SECOND
			: Number(options.requestsPerSecond);
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "concurrency": ${String(options.concurrency)} is not a whole number from 1 to 64`,
		);
	}
	if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid "requestsPerSecond": ${String(options.requestsPerSecond)} is not a positive number`,
		);
	}
	return { concurrency, requestsPerSecond };
}

/** The node option "In-Memory Size Limit (MiB)", in bytes. */
export function readInMemoryLimit(options: IDataObject): number {
	return (
		wholeNumber(
			'inMemoryLimit',
			options.inMemoryLimit,
			DEFAULT_IN_MEMORY_LIMIT_MIB,
			1,
			1024 * 1024,
		) *
		1024 *
		1024
	);
}

/**
 * Downloads one file into n8n's binary data: the binary and what to say of it. The stream
 * errors instead of ending short, so a broken transfer rejects here and never becomes
 * something that looks whole; what n8n had written of it is removed. A file larger than
 * n8n's binary data mode can hold is refused before its body is read (see binaryCapacity).
 */
export async function fetchToBinary(
	ctx: BinaryContext,
	request: FileRequest,
	client: DingTalkClient,
	inMemoryLimitBytes = DEFAULT_IN_MEMORY_LIMIT_MIB * 1024 * 1024,
): Promise<{ binary: IBinaryData; json: IDataObject }> {
	const file = await startFile(client, request);
	let stream = file.stream;
	try {
		const capacity = await capacityFor(
			ctx.helpers,
			file.size,
			inMemoryLimitBytes,
			n8nSetting,
			async (store) => await withBinaryFolderLock(ctx, store),
		);
		if (
			capacity?.maxBytes !== undefined &&
			file.size !== undefined &&
			file.size > capacity.maxBytes
		)
			throw tooLarge(capacity, file.size, true);
		if (capacity && file.size === undefined) stream = limitStream(file.stream, capacity);
	} catch (error) {
		file.stream.destroy();
		throw error;
	}
	const binary = await storeBinary(
		ctx,
		{ stream, firstRead: file.firstRead },
		file.fileName,
		file.mimeType,
	);
	const json: IDataObject = {
		spaceId: request.file.spaceId,
		dentryId: request.file.dentryId,
		fileName: file.fileName,
		mimeType: file.mimeType,
		size: file.bytesReceived(),
		statusCode: file.statusCode,
		region: file.region ?? null,
	};
	if (request.version !== undefined) json.version = request.version;
	if (file.served) {
		json.contentRange = file.contentRange ?? null;
		json.totalSize = file.served.total ?? null;
	}
	return { binary, json };
}

/** Downloads one file into n8n's binary data and returns its item. */
export async function downloadItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: FileRequest,
	client: DingTalkClient,
): Promise<INodeExecutionData> {
	const binaryPropertyName = requireFieldName(
		'binaryPropertyName',
		ctx.getNodeParameter('binaryPropertyName', itemIndex),
	);
	const inMemoryLimit = readInMemoryLimit(
		ctx.getNodeParameter('options', itemIndex, {}) as IDataObject,
	);
	const { binary, json } = await fetchToBinary(ctx, request, client, inMemoryLimit);
	return { json, binary: { [binaryPropertyName]: binary }, pairedItem: { item: itemIndex } };
}

/** The signed download URLs and headers, for a user who asked for exactly that. */
export async function downloadInfoItem(
	itemIndex: number,
	request: FileRequest,
	client: DingTalkClient,
): Promise<INodeExecutionData> {
	const info = await getDownloadInfo(client, request);
	const expiresAt =
		info.expirationSeconds === undefined
			? null
			: new Date(info.receivedAt + info.expirationSeconds * 1000).toISOString();
	return {
		json: {
			spaceId: request.file.spaceId,
			dentryId: request.file.dentryId,
			protocol: info.protocol,
			resourceUrls: info.resourceUrls,
			// The user asked for exactly this: the signed headers are the point of the operation.
			headers: info.headers,
			expirationSeconds: info.expirationSeconds ?? null,
			expiresAt,
			region: info.region ?? null,
			internalResourceUrls: info.internalResourceUrls,
		},
		pairedItem: { item: itemIndex },
	};
}
