// A Node built-in, deliberately: file bodies are streamed, never buffered.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { Readable } from 'node:stream';

import type { DingTalkClient } from '../api/client';
import { getDentry } from '../storage/dentries';
import { getDownloadInfo as queryDownloadInfo, type DownloadInfo } from '../storage/downloadInfo';
import type { Dentry, DentryRef } from '../storage/types';
import { DingTalkApiError, DownloadError } from '../errors';
import { cleanFileName, fileNameFromContentDisposition } from '../helpers/contentDisposition';
import { chooseMimeType } from '../helpers/mime';
import type { ByteRange, ServedRange } from '../helpers/range';
import type { Timeouts } from '../transport/http';
import { openDownload } from './download';

/**
 * One file from DingTalk storage, start to finish: download info, the transfer, and the
 * file's name and type. Knows nothing of n8n; the node turns the result into an item.
 */
export interface FileRequest {
	file: DentryRef;
	version?: number;
	preferIntranet: boolean;
	range?: ByteRange;
	/** The user's own name for the file, which wins over every other source. */
	fileName?: string;
	timeouts: Timeouts;
	signal?: AbortSignal;
	/** Connections for one whole-file download (ranges fetched in parallel). */
	parallelConnections?: number;
	/** The file's details when the caller has read them already (its name, without a second call). */
	details?: Dentry;
}

export interface StartedFile {
	fileName: string;
	mimeType: string;
	statusCode: number;
	region?: string;
	served?: ServedRange;
	contentRange?: string;
	/** The bytes the stream will yield, when the storage announced them. */
	size?: number;
	/** Yields exactly the file's (or range's) bytes, or errors. */
	stream: Readable;
	/** Settles when the consumer first reads from the stream, or when it closes unread. */
	firstRead: Promise<void>;
	bytesReceived: () => number;
}

export async function getDownloadInfo(
	client: DingTalkClient,
	request: FileRequest,
): Promise<DownloadInfo> {
	return await queryDownloadInfo(client, request.file, {
		version: request.version,
		preferIntranet: request.preferIntranet,
	});
}

function lastPathSegment(url: string): string | undefined {
	try {
		const segment = new URL(url).pathname.split('/').pop() ?? '';
		return cleanFileName(decodeURIComponent(segment));
	} catch {
		return undefined;
	}
}

/**
 * The file name, in order: the user's option, Content-Disposition, DingTalk's file details
 * (skipped quietly when the app may not read them), the URL's last segment, the dentry ID.
 */
async function resolveFileName(
	client: DingTalkClient,
	request: FileRequest,
	contentDisposition: string | undefined,
	url: string,
): Promise<string> {
	const fromHeader = fileNameFromContentDisposition(contentDisposition);
	if (fromHeader) return fromHeader;
	try {
		const dentry = request.details ?? (await getDentry(client, request.file));
		const fromDetails = typeof dentry.name === 'string' ? cleanFileName(dentry.name) : undefined;
		if (fromDetails) return fromDetails;
	} catch (error) {
		// The name is a nicety: a missing Storage.File.Read permission (or any API refusal)
		// must not fail a download that is already under way. Cancellation still stops it.
		if (!(error instanceof DingTalkApiError) || error.code === 'cancelled') throw error;
	}
	return lastPathSegment(url) ?? request.file.dentryId;
}

export async function startFile(
	client: DingTalkClient,
	request: FileRequest,
): Promise<StartedFile> {
	const info = await getDownloadInfo(client, request);
	const download = await openDownload({
		info,
		refreshInfo: async () => await getDownloadInfo(client, request),
		range: request.range,
		signal: request.signal,
		timeouts: request.timeouts,
		parallelConnections: request.parallelConnections,
	});
	let fileName: string;
	try {
		fileName =
			(request.fileName && cleanFileName(request.fileName)) ||
			(await resolveFileName(client, request, download.contentDisposition, download.url));
	} catch (error) {
		download.stream.destroy();
		throw error instanceof DownloadError || error instanceof DingTalkApiError
			? error
			: new DownloadError(
					'The download was interrupted',
					{ code: 'interrupted' },
					{ cause: error },
				);
	}
	return {
		fileName,
		mimeType: chooseMimeType(download.contentType, fileName),
		statusCode: download.statusCode,
		region: info.region,
		served: download.served,
		contentRange: download.contentRange,
		size: download.size,
		stream: download.stream,
		firstRead: download.firstRead,
		bytesReceived: download.bytesReceived,
	};
}
