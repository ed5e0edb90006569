// A Node built-in, deliberately: file bodies are streamed, never buffered.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { Readable } from 'node:stream';

import type { DownloadInfo } from '../storage/downloadInfo';
import { DingTalkStorageError, DownloadError, describeUrl } from '../errors';
import { Backoff, type BackoffPolicy } from '../helpers/retry';
import {
	formatRange,
	isSatisfiable,
	parseContentRange,
	remainderOf,
	servedMatches,
	type ByteRange,
	type ServedRange,
} from '../helpers/range';
import {
	bodyError,
	discard,
	send,
	TransportError,
	type HttpHeaders,
	type HttpResponse,
	type Timeouts,
} from '../transport/http';
import { handOffFor, Outlet, OutletClosedError, relayBody } from './outlet';

/**
 * Fetches a file from DingTalk's storage through the signed URLs of a download-info
 * answer, and hands back a stream that yields exactly the file's bytes, or fails.
 * Knows nothing of n8n.
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

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The pause before each resume of a body that broke off (and before each new try of a
 * chunk): short, as most breaks are one-offs, but growing, so that a struggling storage is
 * not asked again and again at once. (A break carries no Retry-After to honour.)
 */
const RESUME_BACKOFF: BackoffPolicy = { firstDelayMs: 250, maxDelayMs: 4000, jitter: 'full' };

interface Answer {
	response: HttpResponse;
	url: string;
	urlIndex: number;
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

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

interface Attempt {
	url: string;
	problem: string;
}

function isHttpUrl(url: string): boolean {
	try {
		const { protocol } = new URL(url);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}

function contentLength(response: HttpResponse): number | undefined {
	const header = response.headers['content-length'];
	if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
	const value = Number(header);
	return Number.isSafeInteger(value) ? value : undefined;
}

/** A storage answer that ends the attempt at this URL but lets the next URL try. */
class UrlFailure extends Error {
	constructor(
		readonly problem: string,
		readonly status?: number,
	) {
		super(problem);
	}
}

/**
 * Checks an answer to a request for part of the file (a resume, or a chunk): it must be a
 * 206 serving exactly `part`, of the same file (same ETag, when both have one).
 */
function acceptPart(part: ByteRange, etag: string | undefined) {
	return (answer: HttpResponse) => {
		const served = parseContentRange(answer.headers['content-range']);
		const sameFile = !etag || !answer.headers.etag || answer.headers.etag === etag;
		if (answer.statusCode === 206 && served && servedMatches(part, served) && sameFile) return;
		discard(answer.body);
		throw new UrlFailure(
			sameFile
				? `could not get ${formatRange(part)} (HTTP ${answer.statusCode})`
				: 'the file changed while it was being downloaded',
			answer.statusCode,
		);
	};
}

class Transfer {
	private info: DownloadInfo;
	private refreshed = false;
	private readonly maxRedirects: number;
	private readonly maxResumes: number;
	/** Aborts this transfer's requests: the execution was cancelled, or the stream closed. */
	private readonly stop = new AbortController();

	constructor(private readonly options: TransferOptions) {
		this.info = options.info;
		this.maxRedirects = options.maxRedirects ?? 5;
		this.maxResumes = options.maxResumes ?? 3;
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

	/**
	 * One GET, following redirects ourselves: only to http(s), a bounded number of
	 * times, and never carrying the signed headers to another origin.
	 */
	private async get(
		url: string,
		range: ByteRange | undefined,
	): Promise<{ response: HttpResponse; url: string }> {
		const extra: HttpHeaders = { 'accept-encoding': 'identity' };
		if (range) extra.range = formatRange(range);
		const origin = new URL(url).origin;
		let current = url;
		for (let hop = 0; ; hop++) {
			const sameOrigin = new URL(current).origin === origin;
			const response = await send({
				url: current,
				method: 'GET',
				headers: sameOrigin ? { ...this.info.headers, ...extra } : extra,
				signal: this.stop.signal,
				timeouts: this.options.timeouts,
				// A GET of stored bytes: sent again on a new connection if a pooled one was stale.
				idempotent: true,
			});
			const location = response.headers.location;
			if (!REDIRECT_STATUSES.has(response.statusCode) || !location)
				return { response, url: current };
			discard(response.body);
			if (hop >= this.maxRedirects) {
				throw new UrlFailure(`more than ${this.maxRedirects} redirects`, response.statusCode);
			}
			let next: string;
			try {
				next = new URL(location, current).toString();
			} catch {
				throw new UrlFailure('redirected to an invalid URL', response.statusCode);
			}
			if (!isHttpUrl(next)) {
				throw new UrlFailure(
					`redirected to a non-HTTP URL (${new URL(next).protocol})`,
					response.statusCode,
				);
			}
			current = next;
		}
	}

	/**
	 * Tries the download URLs in priority order until one answers with the content.
	 * A 403 (signature expired or rejected) fetches fresh download info once and
	 * starts over; connection errors, timeouts, 5xx and other refusals move on.
	 */
	private async firstAnswer(
		range: ByteRange | undefined,
		accept: (response: HttpResponse) => void,
		preferredUrlIndex = 0,
	): Promise<Answer> {
		const attempts: Attempt[] = [];
		for (;;) {
			let forbidden = false;
			const urls = this.info.resourceUrls;
			const order = urls.map((_, i) => (i + preferredUrlIndex) % urls.length);
			for (const urlIndex of order) {
				const url = urls[urlIndex];
				if (!isHttpUrl(url)) {
					attempts.push({ url, problem: 'not an http(s) URL, refused' });
					continue;
				}
				try {
					const { response, url: finalUrl } = await this.get(url, range);
					if (response.statusCode === 403) {
						discard(response.body);
						forbidden = true;
						attempts.push({ url, problem: 'HTTP 403 (signature expired or rejected)' });
						continue;
					}
					accept(response);
					return { response, url: finalUrl, urlIndex };
				} catch (error) {
					if (error instanceof TransportError && error.kind === 'aborted') throw cancelled(error);
					if (error instanceof DingTalkStorageError) throw error;
					const problem =
						error instanceof UrlFailure || error instanceof TransportError
							? error.message
							: String(error);
					attempts.push({ url, problem });
				}
			}
			if (forbidden && !this.refreshed) {
				this.refreshed = true;
				this.info = await this.options.refreshInfo();
				continue;
			}
			throw new DownloadError(
				`The file could not be downloaded from any of the ${urls.length} storage URL(s): ${attempts
					.map((a) => `${describeUrl(a.url)}: ${a.problem}`)
					.join('; ')}`,
				{
					code: forbidden ? 'storageForbidden' : 'allUrlsFailed',
					retryable: !forbidden,
					httpCode: forbidden ? 403 : undefined,
					description: forbidden
						? 'The storage refused the signed request even with fresh download info. Check that the machine clock is right and that nothing between n8n and the storage (a proxy) changes the request headers.'
						: 'Check the network path from n8n to DingTalk storage (firewall, proxy: HTTPS_PROXY / NO_PROXY). If you chose "Prefer Intranet", intranet transmission must be set up for your organization.',
				},
			);
		}
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

		const first = await this.firstAnswer(range, accept);
		return this.streamFrom(first, served, expectedLength);
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
	 * Relays one answered request's body to the reader, checked against its announced
	 * length, resumed with a range from the byte reached when the connection breaks off.
	 */
	private async relayAnswer(
		outlet: Outlet,
		first: Answer,
		served: ServedRange | undefined,
		expectedLength: number | undefined,
	): Promise<void> {
		const etag = first.response.headers.etag;
		const start = served?.start ?? 0;
		const end = served?.end ?? (expectedLength === undefined ? undefined : expectedLength - 1);
		let received = 0;
		const check = (chunk: Buffer) => {
			received += chunk.length;
			if (expectedLength !== undefined && received > expectedLength) {
				throw new DownloadError(
					`The storage sent more bytes than announced (${received} > ${expectedLength}); the file was not emitted`,
					{
						code: 'bodyTooLong',
					},
				);
			}
		};
		let body = first.response.body;
		const backoff = new Backoff(RESUME_BACKOFF);
		for (let resumes = 0; ; resumes++) {
			let failure: string;
			try {
				await outlet.relay(body, check);
				if (expectedLength === undefined || received === expectedLength) return;
				failure = `the connection ended after ${received} of ${expectedLength} bytes`;
			} catch (error) {
				if (error instanceof DingTalkStorageError) throw error;
				const transportError = bodyError(error);
				if (transportError.kind === 'aborted') throw cancelled(transportError);
				failure = `the transfer broke off after ${received} bytes (${transportError.message})`;
			}
			if (resumes >= this.maxResumes) {
				throw new DownloadError(
					`The download is incomplete: ${failure}; gave up after ${resumes} resume attempt(s)`,
					{
						code: 'incompleteBody',
						retryable: true,
						description:
							'Nothing was emitted for this file. The connection to DingTalk storage is unstable: try again, or raise the timeout.',
					},
				);
			}
			const rest: ByteRange =
				end === undefined
					? { kind: 'from', start: start + received }
					: remainderOf({ start, end }, received);
			await backoff.wait({ signal: this.stop.signal, cancelled: () => cancelled(undefined) });
			try {
				body = (await this.firstAnswer(rest, acceptPart(rest, etag), first.urlIndex)).response.body;
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				throw new DownloadError(
					`The download is incomplete: ${failure}, and resuming failed: ${reason}`,
					{
						code: 'incompleteBody',
						retryable: true,
						description:
							'Nothing was emitted for this file. Try again; if it persists, check the network path to DingTalk storage.',
					},
				);
			}
		}
	}

	/**
	 * The download of one answered request, as the reader sees it; its bytes come from
	 * `produce` (by default, that answer's body, resumed as needed).
	 */
	private streamFrom(
		first: Answer,
		served: ServedRange | undefined,
		expectedLength: number | undefined,
		produce = async (out: Outlet) => await this.relayAnswer(out, first, served, expectedLength),
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

	/**
	 * Whole file over several connections. The first chunk is asked for as a range: a 206
	 * says ranges work and gives the size; a 200 (ranges ignored) is simply the whole file,
	 * streamed as usual. Chunks are fetched ahead (at most `parallelConnections` at once,
	 * so at most that many chunks are held) and streamed out in order, each one verified
	 * against its Content-Range and resumed on its own.
	 */
	private async openParallel(): Promise<OpenedDownload> {
		const connections = this.options.parallelConnections ?? 1;
		const probeRange: ByteRange = { kind: 'from', start: 0, end: CHUNK_BYTES - 1 };
		let served: ServedRange | undefined;
		let length: number | undefined;
		const first = await this.firstAnswer(probeRange, (response) => {
			length = contentLength(response);
			if (response.statusCode === 200) return;
			served = parseContentRange(response.headers['content-range']);
			if (
				response.statusCode !== 206 ||
				!served ||
				served.start !== 0 ||
				served.total === undefined ||
				!servedMatches(probeRange, served)
			) {
				discard(response.body);
				throw new UrlFailure(
					`answered a range request with HTTP ${response.statusCode} ${response.headers['content-range'] ?? ''}`.trim(),
					response.statusCode,
				);
			}
		});
		const total = served?.total;
		if (!served || total === undefined || total <= CHUNK_BYTES) {
			// Ranges ignored, or the file fits in one chunk: one stream is all there is.
			const single = this.streamFrom(first, served, served ? served.end + 1 : length);
			return { ...single, statusCode: 200, served: undefined, contentRange: undefined };
		}

		const etag = first.response.headers.etag;
		const spans: Array<{ start: number; end: number }> = [];
		for (let start = CHUNK_BYTES; start < total; start += CHUNK_BYTES)
			spans.push({ start, end: Math.min(total, start + CHUNK_BYTES) - 1 });
		let firstChunkDone = false;
		const pending = new Map<number, Promise<Buffer[]>>();
		let nextSpan = 0;
		const launch = () => {
			// While the first chunk streams, it holds one of the connections.
			const slots = Math.max(1, connections - (firstChunkDone ? 0 : 1));
			while (nextSpan < spans.length && pending.size < slots) {
				const fetching = this.fetchSpan(spans[nextSpan], etag, first.urlIndex);
				fetching.catch(() => undefined); // awaited in order below; no unhandled rejection meanwhile
				pending.set(nextSpan, fetching);
				nextSpan++;
			}
		};
		// The whole file (200) as the reader sees it, though the first answer was a 206.
		const whole = this.streamFrom(first, undefined, total, async (out) => {
			launch();
			await this.relayAnswer(out, first, served, served!.end + 1);
			firstChunkDone = true;
			for (let index = 0; index < spans.length; index++) {
				launch();
				const chunks = await pending.get(index)!;
				pending.delete(index);
				launch();
				for (const chunk of chunks) await out.write(chunk);
			}
			if (out.bytesOut !== total) {
				throw new DownloadError(
					`The download is incomplete: ${out.bytesOut} of ${total} bytes arrived`,
					{ code: 'incompleteBody', retryable: true },
				);
			}
		});
		return { ...whole, statusCode: 200 };
	}

	/**
	 * One chunk of the file into memory (as the network delivered it, no copy), verified,
	 * resumed where it broke off.
	 */
	private async fetchSpan(
		span: { start: number; end: number },
		etag: string | undefined,
		preferredUrlIndex: number,
	): Promise<Buffer[]> {
		const size = span.end - span.start + 1;
		const chunks: Buffer[] = [];
		let filled = 0;
		let lastProblem = '';
		const backoff = new Backoff(RESUME_BACKOFF);
		for (let attempt = 0; attempt <= this.maxResumes; attempt++) {
			if (attempt > 0)
				await backoff.wait({ signal: this.stop.signal, cancelled: () => cancelled(undefined) });
			const rest: ByteRange = { kind: 'from', start: span.start + filled, end: span.end };
			const { response } = await this.firstAnswer(rest, acceptPart(rest, etag), preferredUrlIndex);
			try {
				await relayBody(response.body, (piece) => {
					if (filled + piece.length > size) {
						throw new DownloadError(
							`The storage sent more bytes than the range ${formatRange(rest)} holds; the file was not emitted`,
							{ code: 'bodyTooLong' },
						);
					}
					chunks.push(piece);
					filled += piece.length;
				});
				if (filled === size) return chunks;
				lastProblem = `the connection ended after ${filled} of ${size} bytes of a chunk`;
			} catch (error) {
				if (error instanceof DingTalkStorageError) throw error;
				const transportError = bodyError(error);
				if (transportError.kind === 'aborted') throw cancelled(transportError);
				lastProblem = `a chunk broke off after ${filled} bytes (${transportError.message})`;
			}
		}
		throw new DownloadError(
			`The download is incomplete: ${lastProblem}; gave up after ${this.maxResumes} resume attempt(s)`,
			{
				code: 'incompleteBody',
				retryable: true,
				description:
					'Nothing was emitted for this file. The connection to DingTalk storage is unstable: try again, or use fewer parallel connections.',
			},
		);
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

function cancelled(cause: unknown): DownloadError {
	return new DownloadError('The download was cancelled', { code: 'cancelled' }, { cause });
}

export async function openDownload(options: TransferOptions): Promise<OpenedDownload> {
	return await new Transfer(options).open();
}
