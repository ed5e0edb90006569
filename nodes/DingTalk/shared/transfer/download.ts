// A Node built-in, deliberately: file bodies are streamed, never buffered.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { Readable } from 'node:stream';

import type { DownloadInfo } from '../storage/downloadInfo';
import { DownloadError } from '../errors';
import {
	formatRange,
	isSatisfiable,
	parseContentRange,
	servedMatches,
	type ByteRange,
	type ServedRange,
} from '../helpers/range';
import { discard, type HttpResponse, type Timeouts } from '../transport/http';
import { handOffFor, Outlet, OutletClosedError } from './outlet';
import { startParallelRanges } from './parallelRanges';
import { relayResumed, type ResumeContext } from './resume';
import { cancelled, contentLength, UrlFailover, UrlFailure, type Answer } from './urlFailover';

/**
 * Fetches a file from DingTalk's storage through the signed URLs of a download-info
 * answer, and hands back a stream that yields exactly the file's bytes, or fails.
 * Knows nothing of n8n. Which URL answers is urlFailover.ts's business, a body that
 * breaks off resume.ts's, a whole file over several connections parallelRanges.ts's.
 */
export interface TransferOptions {
	info: DownloadInfo;
	/** Asks DingTalk for fresh download info (new URLs, new signature). */
	refreshInfo: () => Promise<DownloadInfo>;
	range?: ByteRange;
	signal?: AbortSignal;
	timeouts: Timeouts;
	maxRedirects?: number;
	/** How many times a body that broke off is resumed from the byte reached. */
	maxResumes?: number;
	/**
	 * Connections for one whole-file download: above 1, the file is fetched as ranges of
	 * CHUNK_BYTES over that many connections and streamed out in order (when the storage
	 * honours ranges and the file spans more than one chunk).
	 */
	parallelConnections?: number;
}

export interface OpenedDownload {
	statusCode: number;
	/** The URL that answered (after redirects), for a file-name fallback. */
	url: string;
	contentType?: string;
	contentDisposition?: string;
	/** Set when a range was served (206). */
	served?: ServedRange;
	contentRange?: string;
	/** How many bytes the stream will yield, when the storage said (Content-Length or Content-Range). */
	size?: number;
	/** The stream of the file's bytes. It errors rather than end short. */
	stream: Readable;
	/** Settles when the consumer first reads from the stream, or when it closes unread. */
	firstRead: Promise<void>;
	/** Bytes the stream has yielded so far. */
	bytesReceived: () => number;
}

class Transfer {
	/** Aborts this transfer's requests: the execution was cancelled, or the stream closed. */
	private readonly stop = new AbortController();
	private readonly context: ResumeContext;

	constructor(private readonly options: TransferOptions) {
		this.context = {
			urls: new UrlFailover({
				info: options.info,
				refreshInfo: options.refreshInfo,
				timeouts: options.timeouts,
				maxRedirects: options.maxRedirects ?? 5,
				signal: this.stop.signal,
			}),
			signal: this.stop.signal,
			maxResumes: options.maxResumes ?? 3,
		};
		const { signal } = options;
		if (signal?.aborted) this.stop.abort();
		signal?.addEventListener('abort', this.onCancel, { once: true });
	}

	private readonly onCancel = () => this.stop.abort();

	/** Ends this transfer: its requests are aborted, and it stops listening for cancellation. */
	private end(): void {
		this.stop.abort();
		this.options.signal?.removeEventListener('abort', this.onCancel);
	}

	async open(): Promise<OpenedDownload> {
		try {
			const { range } = this.options;
			if (!range && (this.options.parallelConnections ?? 1) > 1) return await this.openParallel();
			return await this.openSingle(range);
		} catch (error) {
			this.end();
			throw error;
		}
	}

	private async openSingle(range: ByteRange | undefined): Promise<OpenedDownload> {
		let expectedLength: number | undefined;
		let served: ServedRange | undefined;

		const accept = (response: HttpResponse) => {
			const { statusCode } = response;
			if (statusCode === 200 || statusCode === 206) {
				expectedLength = contentLength(response);
				if (range && statusCode === 200) {
					discard(response.body);
					throw this.rangeIgnored(range, expectedLength);
				}
				if (!range && statusCode === 206) {
					discard(response.body);
					throw new UrlFailure('answered 206 Partial Content to a request for the whole file', 206);
				}
				if (range) {
					served = parseContentRange(response.headers['content-range']);
					const length = served ? served.end - served.start + 1 : undefined;
					if (
						!served ||
						!servedMatches(range, served) ||
						(expectedLength !== undefined && expectedLength !== length)
					) {
						discard(response.body);
						throw new DownloadError(
							`The storage sent a different part of the file than asked for: asked ${formatRange(range)}, got "${response.headers['content-range'] ?? 'no Content-Range'}"`,
							{
								code: 'rangeMismatch',
								httpCode: 206,
								description:
									'Nothing was emitted. Try again; if it persists, report it with this message.',
							},
						);
					}
					expectedLength = length;
				}
				return;
			}
			discard(response.body);
			if (statusCode === 416 && range) {
				const total = /\/(\d+)\s*$/.exec(response.headers['content-range'] ?? '')?.[1];
				throw this.rangeIgnored(range, total === undefined ? undefined : Number(total));
			}
			throw new UrlFailure(`HTTP ${statusCode}`, statusCode);
		};

		const first = await this.context.urls.firstAnswer(range, accept);
		return this.streamFrom(first, served, expectedLength);
	}

	/** Whole file over several connections, as the reader sees it: the whole file (200). */
	private async openParallel(): Promise<OpenedDownload> {
		const { first, served, size, produce } = await startParallelRanges(
			this.context,
			this.options.parallelConnections ?? 1,
		);
		const whole = this.streamFrom(first, served, size, produce);
		return { ...whole, statusCode: 200, served: undefined, contentRange: undefined };
	}

	/**
	 * The reader's stream, fed by `produce` from its first read; closing it ends the
	 * transfer. Chunks are handed on as suits the link (`url`) and the runtime.
	 */
	private outlet(produce: (outlet: Outlet) => Promise<void>, url: string): Outlet {
		const { passThroughBytes, gatherBytes } = handOffFor(url);
		return new Outlet(
			async (outlet) => {
				try {
					await produce(outlet);
				} catch (error) {
					if (error instanceof OutletClosedError || this.stop.signal.aborted)
						throw cancelled(error);
					throw error;
				}
			},
			() => this.end(),
			passThroughBytes,
			gatherBytes,
		);
	}

	/**
	 * The download of one answered request, as the reader sees it; its bytes come from
	 * `produce` (by default, that answer's body, resumed as needed).
	 */
	private streamFrom(
		first: Answer,
		served: ServedRange | undefined,
		expectedLength: number | undefined,
		produce = async (out: Outlet) =>
			await relayResumed(this.context, out, first, served, expectedLength),
	): OpenedDownload {
		const outlet = this.outlet(produce, first.url);
		const headers = first.response.headers;
		return {
			statusCode: first.response.statusCode,
			url: first.url,
			contentType: headers['content-type'],
			contentDisposition: headers['content-disposition'],
			served,
			contentRange: served ? headers['content-range'] : undefined,
			size: expectedLength,
			stream: outlet.stream,
			firstRead: outlet.firstRead,
			bytesReceived: () => outlet.bytesOut,
		};
	}

	private rangeIgnored(range: ByteRange, size: number | undefined): DownloadError {
		const asked = formatRange(range);
		if (size !== undefined && !isSatisfiable(range, size)) {
			return new DownloadError(
				`The range ${asked} lies beyond the end of the file: the file is ${size} bytes`,
				{
					code: 'rangeNotSatisfiable',
					httpCode: 416,
					description: `Choose a range that starts below ${size}, or leave "Range" empty to download the whole file.`,
				},
			);
		}
		return new DownloadError(
			`The storage ignored the range ${asked} and sent the whole file${size === undefined ? '' : ` (${size} bytes)`}; nothing was emitted`,
			{
				code: 'rangeIgnored',
				httpCode: 200,
				description: 'Leave "Range" empty to download the whole file.',
			},
		);
	}
}

export async function openDownload(options: TransferOptions): Promise<OpenedDownload> {
	return await new Transfer(options).open();
}
