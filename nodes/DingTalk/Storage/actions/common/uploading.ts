import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { readTimeouts } from '../../../n8n/download';
import { CONNECT_TIMEOUT_OPTION, responseTimeoutOption } from '../../../n8n/downloadOptions';
import { InputError } from '../../../shared/errors';
import { wholeNumber } from '../../../shared/helpers/validate';
import type { DingTalkClient } from '../../../shared/api/client';
import type { Dentry, ConflictStrategy } from '../../../shared/storage/types';
import {
	commitUpload,
	getPartSignatures,
	getUploadInfo,
	initMultipartUpload,
	type UploadTarget,
} from '../../../shared/storage/upload';
import {
	DEFAULT_PART_SIZE,
	DEFAULT_UPLOAD_CONNECTIONS,
	MAX_PART_SIZE,
	MIN_PART_SIZE,
	MULTIPART_THRESHOLD,
	uploadFile,
	type UploadResult,
	type UploadSource,
} from '../../../shared/transfer/upload';
import type { Timeouts } from '../../../shared/transport/http';
import type { ItemContext } from '../types';
import { CREATE_MISSING_FOLDERS_OPTION } from './folderPaths';
import { conflictStrategyOption, optionsCollection } from './parameters';

/**
 * What Upload, Create from Text and Update Content share: the transfer options, checked
 * before anything is read or sent, and one upload through the engine (shared/transfer).
 */

// The defaults below are literals (the n8n lint rules read them); a unit test keeps them
// equal to DEFAULT_PART_SIZE and DEFAULT_UPLOAD_CONNECTIONS.
export const TRANSFER_OPTIONS: INodeProperties[] = [
	CONNECT_TIMEOUT_OPTION,
	{
		displayName: 'Idle Timeout (Ms)',
		name: 'idleTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60000,
		description: "Longest pause allowed in DingTalk's or the storage's answers, in milliseconds",
	},
	{
		displayName: 'Parallel Connections',
		name: 'parallelConnections',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 16, numberPrecision: 0 },
		default: 4,
		description:
			'For a large file (32 MiB and more, sent in parts): how many parts to upload at the same time. Each part in flight is held in memory.',
	},
	{
		displayName: 'Part Size (Bytes)',
		name: 'partSize',
		type: 'number',
		typeOptions: { minValue: 102400, numberPrecision: 0 },
		default: 8388608,
		description:
			'For a large file (32 MiB and more): the size of each part, from 100 KB (default 8 MiB). A file has at most 10,000 parts. Part Size × (Parallel Connections + 1) must stay within 512 MiB: that much is held in memory.',
	},
	{
		displayName: 'Prefer Intranet',
		name: 'preferIntranet',
		type: 'boolean',
		default: false,
		description:
			'Whether to ask DingTalk for intranet upload URLs. Only works when dedicated storage intranet transmission is set up for your organization.',
	},
	responseTimeoutOption(
		'How long to wait for DingTalk or its storage to answer, in milliseconds. While bytes are being sent, it bounds a stall (no progress), not the whole upload.',
	),
];

/** The most memory one upload's part buffers may take: Part Size × (Parallel Connections + 1). */
const MAX_PART_MEMORY = 512 * 1024 * 1024;

/**
 * A multipart upload holds one buffer per part in flight and one being read ahead, so the
 * two options together decide its memory; refused up front, before anything is read or sent
 * (a worker with many uploads at once would run out, and Node 20 cannot hold a Buffer over 4 GiB).
 */
function requirePartMemoryWithinBound(partSize: number, parallelConnections: number): void {
	const held = partSize * (parallelConnections + 1);
	if (held <= MAX_PART_MEMORY) return;
	const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 100) / 100} MiB`;
	throw new InputError(
		'partSize',
		`Part Size (${mib(partSize)}) × (Parallel Connections (${parallelConnections}) + 1) is ${mib(held)} of part buffers, more than the ${mib(MAX_PART_MEMORY)} one upload may hold`,
		`Lower "Part Size" or "Parallel Connections" so that Part Size × (Parallel Connections + 1) stays within ${mib(MAX_PART_MEMORY)}; for example ${mib(Math.floor(MAX_PART_MEMORY / (parallelConnections + 1)))} parts with ${parallelConnections} connections.`,
	);
}

export interface TransferSettings {
	partSize: number;
	parallelConnections: number;
	preferIntranet: boolean;
	timeouts: Timeouts;
}

/** The transfer options of an item, checked. */
export function readTransferSettings(options: IDataObject): TransferSettings {
	const parallelConnections = wholeNumber(
		'parallelConnections',
		options.parallelConnections,
		DEFAULT_UPLOAD_CONNECTIONS,
		1,
		16,
	);
	const partSize = wholeNumber(
		'partSize',
		options.partSize,
		DEFAULT_PART_SIZE,
		MIN_PART_SIZE,
		MAX_PART_SIZE,
	);
	requirePartMemoryWithinBound(partSize, parallelConnections);
	return {
		partSize,
		parallelConnections,
		preferIntranet: options.preferIntranet === true,
		timeouts: readTimeouts(options),
	};
}

/** Where the file goes and under what name. */
export interface Destination {
	spaceId: string;
	parentId: string;
	unionId: string;
	name: string;
	conflictStrategy: ConflictStrategy;
	/** A new version of this file (Update Content). */
	overwriteDentryId?: string;
}

/**
 * One file sent and committed: one signed PUT, or (32 MiB and more) a multipart upload;
 * then the commit, the only step that makes a file, so a failed or cancelled upload leaves
 * nothing behind.
 */
export async function sendFile(
	item: Pick<ItemContext, 'signal'>,
	client: DingTalkClient,
	settings: TransferSettings,
	destination: Destination,
	source: UploadSource,
): Promise<UploadResult<Dentry>> {
	const { conflictStrategy, ...rest } = destination;
	const target: UploadTarget = {
		...rest,
		size: source.size,
		preferIntranet: settings.preferIntranet,
	};
	return await uploadFile({
		source,
		partSize: settings.partSize,
		parallelConnections: settings.parallelConnections,
		multipartThreshold: MULTIPART_THRESHOLD,
		timeouts: settings.timeouts,
		signal: item.signal,
		steps: {
			uploadInfo: async () => await getUploadInfo(client, target),
			initMultipart: async () => await initMultipartUpload(client, target),
			partSignatures: async (uploadKey, partNumbers) =>
				await getPartSignatures(client, {
					unionId: target.unionId,
					uploadKey,
					partNumbers,
					preferIntranet: target.preferIntranet,
				}),
			commit: async (uploadKey) => await commitUpload(client, target, uploadKey, conflictStrategy),
		},
	});
}

/**
 * The Options of an operation that makes a new file in a folder (Upload, Create From Text):
 * Conflict Strategy (Auto Rename by default: never overwrite silently), Create Missing
 * Folders, the operation's own, and the transfer options; by name, as n8n's linter wants.
 */
export function newFileOptions(operation: string, own: INodeProperties[] = []): INodeProperties {
	return optionsCollection(
		'file',
		[operation],
		[
			conflictStrategyOption('AUTO_RENAME', 'the folder'),
			CREATE_MISSING_FOLDERS_OPTION,
			...own,
			...TRANSFER_OPTIONS,
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	);
}
