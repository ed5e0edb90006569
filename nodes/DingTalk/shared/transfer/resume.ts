/**
 * Resuming a body that broke off: the rest of it asked for as a range from the byte
 * reached, checked to be exactly that part of the same file, after a short but growing
 * pause, a bounded number of times. Knows nothing of n8n.
 */
import { DingTalkStorageError, DownloadError } from '../errors';
import {
	formatRange,
	parseContentRange,
	remainderOf,
	servedMatches,
	type ByteRange,
	type ServedRange,
} from '../helpers/range';
import { Backoff, type BackoffPolicy } from '../helpers/retry';
import { bodyError, discard, type HttpResponse, type TransportError } from '../transport/http';
import type { Outlet } from './outlet';
import { cancelled, UrlFailure, type Answer, type UrlFailover } from './urlFailover';

/** What resuming needs of the transfer it serves. */
export interface ResumeContext {
	urls: UrlFailover;
	/** Aborts the transfer's requests and pauses. */
	signal: AbortSignal;
	/** How many times a body that broke off is resumed from the byte reached. */
	maxResumes: number;
}

/**
 * The pause before each resume of a body that broke off (and before each new try of a
 * chunk): short, as most breaks are one-offs, but growing, so that a struggling storage is
 * not asked again and again at once. (A break carries no Retry-After to honour.)
 */
const RESUME_BACKOFF: BackoffPolicy = { firstDelayMs: 250, maxDelayMs: 4000, jitter: 'full' };

/** The pauses before one body's successive resumes; a cancellation ends a pause at once. */
export function resumePauses(signal: AbortSignal): () => Promise<void> {
	const backoff = new Backoff(RESUME_BACKOFF);
	return async () => {
		await backoff.wait({ signal, cancelled: () => cancelled(undefined) });
	};
}

/**
 * Why a body stopped, when it broke off (to be resumed); anything else goes on up: the
 * package's own errors, and a cancellation.
 */
export function bodyBreak(error: unknown): TransportError {
	if (error instanceof DingTalkStorageError) throw error;
	const transportError = bodyError(error);
	if (transportError.kind === 'aborted') throw cancelled(transportError);
	return transportError;
}

/**
 * Checks an answer to a request for part of the file (a resume, or a chunk): it must be a
 * 206 serving exactly `part`, of the same file (same ETag, when both have one).
 */
export function acceptPart(part: ByteRange, etag: string | undefined) {
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

/**
 * Relays one answered request's body to the reader, checked against its announced
 * length, resumed with a range from the byte reached when the connection breaks off.
 */
export async function relayResumed(
	context: ResumeContext,
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
	const pause = resumePauses(context.signal);
	for (let resumes = 0; ; resumes++) {
		let failure: string;
		try {
			await outlet.relay(body, check);
			if (expectedLength === undefined || received === expectedLength) return;
			failure = `the connection ended after ${received} of ${expectedLength} bytes`;
		} catch (error) {
			failure = `the transfer broke off after ${received} bytes (${bodyBreak(error).message})`;
		}
		if (resumes >= context.maxResumes) {
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
		await pause();
		try {
			body = (await context.urls.firstAnswer(rest, acceptPart(rest, etag), first.urlIndex)).response
				.body;
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
