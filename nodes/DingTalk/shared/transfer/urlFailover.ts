/**
 * Which of a download-info answer's storage URLs answers a request for the file's bytes:
 * the URLs in priority order, redirects followed by hand (to http(s) only, a bounded number
 * of times, the signed headers never carried to another origin), and fresh download info
 * once when the storage refuses the signature. Knows nothing of n8n.
 */
import type { DownloadInfo } from '../storage/downloadInfo';
import { DingTalkStorageError, DownloadError, describeUrl } from '../errors';
import { formatRange, type ByteRange } from '../helpers/range';
import {
	discard,
	send,
	TransportError,
	type HttpHeaders,
	type HttpResponse,
	type Timeouts,
} from '../transport/http';

export interface UrlFailoverOptions {
	info: DownloadInfo;
	/** Asks DingTalk for fresh download info (new URLs, new signature). */
	refreshInfo: () => Promise<DownloadInfo>;
	timeouts: Timeouts;
	maxRedirects: number;
	/** Aborts every request: the transfer was cancelled or closed. */
	signal: AbortSignal;
}

/** A storage answer with the content, and where it came from. */
export interface Answer {
	response: HttpResponse;
	/** The URL that answered (after redirects). */
	url: string;
	/** Which of the download info's URLs it was (asked first again when resuming). */
	urlIndex: number;
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

export function contentLength(response: HttpResponse): number | undefined {
	const header = response.headers['content-length'];
	if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
	const value = Number(header);
	return Number.isSafeInteger(value) ? value : undefined;
}

/** A storage answer that ends the attempt at this URL but lets the next URL try. */
export class UrlFailure extends Error {
	constructor(
		readonly problem: string,
		readonly status?: number,
	) {
		super(problem);
	}
}

/** The error of a transfer stopped by its caller, whichever step it was at. */
export function cancelled(cause: unknown): DownloadError {
	return new DownloadError('The download was cancelled', { code: 'cancelled' }, { cause });
}

export class UrlFailover {
	private info: DownloadInfo;
	private refreshed = false;

	constructor(private readonly options: UrlFailoverOptions) {
		this.info = options.info;
	}

	/**
	 * Tries the download URLs in priority order (from `preferredUrlIndex` on) until one
	 * answers with what `accept` takes. A 403 (signature expired or rejected) fetches fresh
	 * download info once and starts over; connection errors, timeouts, 5xx and other
	 * refusals move on.
	 */
	async firstAnswer(
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

	/**
	 * One GET, following redirects ourselves: only to http(s), a bounded number of
	 * times, and never carrying the signed headers to another origin.
	 */
	private async get(
		url: string,
		range: ByteRange | undefined,
	): Promise<{ response: HttpResponse; url: string }> {
		const { maxRedirects } = this.options;
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
				signal: this.options.signal,
				timeouts: this.options.timeouts,
				// A GET of stored bytes: sent again on a new connection if a pooled one was stale.
				idempotent: true,
			});
			const location = response.headers.location;
			if (!REDIRECT_STATUSES.has(response.statusCode) || !location)
				return { response, url: current };
			discard(response.body);
			if (hop >= maxRedirects) {
				throw new UrlFailure(`more than ${maxRedirects} redirects`, response.statusCode);
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
}
