import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

import { clientFor } from './credentialData';
import { DEFAULT_REQUESTS_PER_SECOND, type DingTalkClient } from './dingtalk/client';
import { DEFAULT_CONCURRENCY, DEFAULT_PARALLEL_CONNECTIONS, nodeProperties } from './description';
import { DingTalkStorageError, InputError } from './errors';
import { parseRange } from './helpers/range';
import { optionalVersion, positiveTimeout, requireFieldName, requireId, wholeNumber } from './helpers/validate';
import { runItems } from './helpers/itemPool';
import { storeBinary } from './partialBinary';
import { getDownloadInfo, startFile, type FileRequest } from './transfer/fetchFile';
import { DEFAULT_TIMEOUTS } from './transport/http';

type Operation = 'download' | 'getDownloadInfo';

/** Reads and checks one item's parameters; throws InputError before any request. */
function readRequest(ctx: IExecuteFunctions, itemIndex: number, operation: Operation, signal?: AbortSignal): FileRequest {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const range = operation === 'download' && typeof options.range === 'string' && options.range.trim() !== ''
		? parseRange(options.range)
		: undefined;
	return {
		file: {
			spaceId: requireId('spaceId', ctx.getNodeParameter('spaceId', itemIndex)),
			dentryId: requireId('dentryId', ctx.getNodeParameter('dentryId', itemIndex)),
			unionId: requireId('unionId', ctx.getNodeParameter('unionId', itemIndex)),
		},
		version: optionalVersion(options.version),
		preferIntranet: options.preferIntranet === true,
		range,
		fileName: typeof options.fileName === 'string' && options.fileName.trim() !== '' ? options.fileName.trim() : undefined,
		timeouts: {
			connectMs: positiveTimeout('connectTimeout', options.connectTimeout, DEFAULT_TIMEOUTS.connectMs),
			responseMs: positiveTimeout('timeout', options.timeout, DEFAULT_TIMEOUTS.responseMs),
			idleMs: positiveTimeout('idleTimeout', options.idleTimeout, DEFAULT_TIMEOUTS.idleMs),
		},
		signal,
		parallelConnections: wholeNumber('parallelConnections', options.parallelConnections, DEFAULT_PARALLEL_CONNECTIONS, 1, 16),
	};
}

async function downloadItem(ctx: IExecuteFunctions, itemIndex: number, request: FileRequest, client: DingTalkClient): Promise<INodeExecutionData> {
	const binaryPropertyName = requireFieldName('binaryPropertyName', ctx.getNodeParameter('binaryPropertyName', itemIndex));
	const file = await startFile(client, request);
	// The stream errors instead of ending short, so a broken transfer rejects here and
	// never becomes an item that looks whole; what n8n had written of it is removed.
	const binary = await storeBinary(ctx, file, file.fileName, file.mimeType);
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
	return { json, binary: { [binaryPropertyName]: binary }, pairedItem: { item: itemIndex } };
}

async function downloadInfoItem(itemIndex: number, request: FileRequest, client: DingTalkClient): Promise<INodeExecutionData> {
	const info = await getDownloadInfo(client, request);
	const expiresAt =
		info.expirationSeconds === undefined ? null : new Date(info.receivedAt + info.expirationSeconds * 1000).toISOString();
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

/** The error's fields for an error item or an n8n error; never a secret. */
function errorFields(error: DingTalkStorageError): IDataObject {
	const fields: IDataObject = { error: error.message, code: error.code };
	if (error.httpCode !== undefined) fields.httpCode = error.httpCode;
	if (error.requestId) fields.requestId = error.requestId;
	if (error.description) fields.description = error.description;
	if (error instanceof InputError) fields.field = error.field;
	return fields;
}

/** Fields of an error item under Continue On Fail. */
function errorItemFields(error: unknown): IDataObject {
	if (error instanceof DingTalkStorageError) return errorFields(error);
	return { error: error instanceof Error ? error.message : String(error) };
}

/** The n8n error for a failure that stops the node. */
function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError | NodeApiError {
	if (error instanceof InputError) {
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.description });
	}
	if (error instanceof DingTalkStorageError) {
		return new NodeApiError(ctx.getNode(), errorFields(error) as JsonObject, {
			message: error.message,
			description: error.description,
			httpCode: error.httpCode === undefined ? undefined : String(error.httpCode),
			itemIndex,
		});
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/** Settings for the whole run, read from the first item. */
function readRunOptions(ctx: IExecuteFunctions): { concurrency: number; requestsPerSecond: number } {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(options.concurrency);
	const requestsPerSecond = options.requestsPerSecond === undefined ? DEFAULT_REQUESTS_PER_SECOND : Number(options.requestsPerSecond);
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
		throw new NodeOperationError(ctx.getNode(), `Invalid "concurrency": ${String(options.concurrency)} is not a whole number from 1 to 64`);
	}
	if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
		throw new NodeOperationError(ctx.getNode(), `Invalid "requestsPerSecond": ${String(options.requestsPerSecond)} is not a positive number`);
	}
	return { concurrency, requestsPerSecond };
}

export class DingTalkStorageDownload implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Storage Download',
		name: 'dingTalkStorageDownload',
		icon: { light: 'file:dingtalk.svg', dark: 'file:dingtalk.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "getDownloadInfo" ? "Get download info" : "Download file"}}',
		description: 'Download files from DingTalk storage (Drive, Knowledge Base) as binary data',
		defaults: { name: 'DingTalk Storage Download' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' }],
		properties: nodeProperties,
	};

	methods = {
		credentialTest: {
			/** Really calls DingTalk: a wrong App Secret or a dead token fails, a working one passes. */
			async dingTalkApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				try {
					await clientFor(credential.data ?? {}, { ...DEFAULT_TIMEOUTS, responseMs: 15_000 }).verifyCredential();
					return { status: 'OK', message: 'Connection successful: DingTalk accepted the credential' };
				} catch (error) {
					const message = error instanceof DingTalkStorageError ? error.message : 'The credential could not be checked';
					return { status: 'Error', message };
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const credentials = await this.getCredentials('dingTalkApi');
		const continueOnFail = this.continueOnFail();
		const { concurrency, requestsPerSecond } = readRunOptions(this);

		const { results, failure } = await runItems(
			items.length,
			async (itemIndex, signal) => {
				const request = readRequest(this, itemIndex, operation, signal);
				const client = clientFor(credentials, request.timeouts, signal, requestsPerSecond);
				return operation === 'getDownloadInfo'
					? await downloadInfoItem(itemIndex, request, client)
					: await downloadItem(this, itemIndex, request, client);
			},
			{ concurrency, stopOnFailure: !continueOnFail, signal: this.getExecutionCancelSignal?.() },
		);
		if (failure) throw toNodeError(this, failure.error, failure.index);
		return [
			results.map((result, itemIndex) =>
				result && 'value' in result ? result.value : { json: errorItemFields(result?.error), pairedItem: { item: itemIndex } },
			),
		];
	}
}
