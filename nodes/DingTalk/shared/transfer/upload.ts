// A Node built-in, deliberately: file bodies are streamed, never buffered whole.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { Readable } from 'node:stream';

import { DingTalkStorageError, UploadError, describeUrl } from '../errors';
import { Backoff } from '../helpers/retry';
import type { SignedPut, SingleUploadInfo } from '../storage/upload';
import { MAX_PARTS_PER_SIGNATURE_CALL } from '../storage/upload';
import {
	discard,
	readText,
	send,
	TransportError,
	type HttpHeaders,
	type Timeouts,
} from '../transport/http';

/**
 * Sends a file to DingTalk's storage: one signed PUT, or a multipart upload whose parts go
 * several at a time, each retried on its own; then the commit, which alone makes the file.
 * Nothing is committed unless every byte was accepted. Knows nothing of n8n: the bytes come
 * from an UploadSource, the DingTalk calls from UploadSteps.
 */

/**
 * The bytes to upload, with their exact size (the bytes read must match it): in memory
 * already (parts are slices of the buffer, no copy), or a stream opened afresh from the
 * first byte each time it is needed (a retried single PUT reads it again).
 */
export type UploadSource =
	{ size: number; buffer: Buffer } | { size: number; open(): Promise<Readable> };

/** The DingTalk calls an upload makes, bound to its target. */
export interface UploadSteps<T> {
	/** Upload info for one PUT: a new key and signature each time. */
	uploadInfo(): Promise<SingleUploadInfo>;
	/** A multipart upload's key. */
	initMultipart(): Promise<string>;
	/** Signatures for these parts (at most 30). */
	partSignatures(uploadKey: string, partNumbers: number[]): Promise<Map<number, SignedPut>>;
	/** Makes the file from what was uploaded under this key. */
	commit(uploadKey: string): Promise<T>;
}

export interface UploadOptions<T> {
	source: UploadSource;
	steps: UploadSteps<T>;
	/** Bytes per part of a multipart upload. */
	partSize: number;
	/** Parts uploaded at the same time. */
	parallelConnections: number;
	/** Files of at least this many bytes go as a multipart upload. */
	multipartThreshold: number;
	timeouts: Timeouts;
	signal?: AbortSignal;
	/** Tries per PUT after a connection error or a 5xx (default 4). */
	maxAttempts?: number;
	/** First pause between tries, doubled each time, with jitter (default 500 ms); a Retry-After of the answer wins. */
	retryDelayMs?: number;
}

export interface UploadResult<T> {
	committed: T;
	uploadedBytes: number;
	multipart: boolean;
	/** Parts sent (1 for a single PUT). */
	parts: number;
}

/** OSS's own limits on a multipart upload. */
export const MIN_PART_SIZE = 100 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;
/** A single PUT is refused above 5 GB. */
export const MAX_SINGLE_PUT = 5 * 1024 ** 3;

/** Bytes per part by default: 4 parts in flight and one being read hold 40 MiB. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Parts in flight by default. */
export const DEFAULT_UPLOAD_CONNECTIONS = 4;
/**
 * Files of this size and above go as multipart uploads (see docs/performance.md for the
 * measurements behind it): below it one PUT is as fast and makes fewer API calls.
 */
export const MULTIPART_THRESHOLD = 32 * 1024 * 1024;

/** A signature this close to expiry (or a quarter of its life, when shorter) is not used for a new PUT. */
const EXPIRY_MARGIN_MS = 60_000;
/**
 * The storage dates a signature in whole seconds (`x-oss-date`) and counts its life from
 * there, so it can expire up to a second before the life the answer gives, counted from when
 * the answer arrived, says.
 */
const SIGNATURE_DATE_GRANULARITY_MS = 1_000;

function isFresh(signed: SignedPut | undefined): signed is SignedPut {
	if (signed === undefined) return false;
	if (signed.expiresAt === undefined) return true;
	const margin = Math.min(EXPIRY_MARGIN_MS, (signed.expiresAt - signed.receivedAt) / 4);
	return Date.now() < signed.expiresAt - SIGNATURE_DATE_GRANULARITY_MS - margin;
}

/** Reading the input failed or gave the wrong number of bytes: never retried. */
class SourceProblem extends UploadError {}

/** How one PUT ended. */
type PutOutcome =
	| { kind: 'accepted' }
	| { kind: 'forbidden'; problem: string; code: string; status: number }
	| { kind: 'retryable'; problem: string; status?: number; code?: string; retryAfter?: string }
	| { kind: 'refused'; problem: string; status: number; code: string };

/** OSS's error answer, `<Error><Code>…</Code><Message>…</Message>…`: only the code and the message (the rest may echo the signature). */
async function ossError(body: Readable): Promise<{ code: string; message: string }> {
	let text = '';
	try {
		text = await readText(body, 16 * 1024);
	} catch {
		// An unreadable error body says nothing more than its status.
	}
	const field = (name: string) =>
		new RegExp(`<${name}>([^<]{0,300})</${name}>`).exec(text)?.[1]?.trim() ?? '';
	return { code: field('Code'), message: field('Message') };
}

function describeStatus(status: number, error: { code: string; message: string }): string {
	const detail = [error.code, error.message].filter((part) => part !== '').join(': ');
	return `HTTP ${status}${detail ? ` (${detail})` : ''}`;
}

function hasHeader(headers: HttpHeaders, name: string): boolean {
	return Object.keys(headers).some((header) => header.toLowerCase() === name);
}

/** Streams a source's bytes, counting them: more or fewer than its size is an error, never a short file. */
function counted(stream: Readable, size: number, onChunk?: (bytes: number) => void): Readable {
	async function* relay() {
		let seen = 0;
		try {
			for await (const chunk of stream) {
				const buffer = chunk as Buffer;
				seen += buffer.length;
				if (seen > size) throw sizeMismatch(`more than the ${size} bytes it was said to have`);
				onChunk?.(buffer.length);
				yield buffer;
			}
		} catch (error) {
			if (error instanceof SourceProblem) throw error;
			throw readFailure(error);
		} finally {
			stream.destroy();
		}
		if (seen !== size) throw sizeMismatch(`${seen} bytes instead of ${size}`);
	}
	return Readable.from(relay(), { objectMode: false });
}

function sizeMismatch(problem: string): SourceProblem {
	return new SourceProblem(`The input binary gave ${problem}; nothing was committed`, {
		code: 'sizeMismatch',
		description:
			"The binary data changed or was cut short while it was read. Check the node that produced it (n8n's binary data folder may have been cleaned).",
	});
}

function readFailure(error: unknown): SourceProblem {
	return new SourceProblem(
		`Reading the input binary failed: ${error instanceof Error ? error.message : String(error)}; nothing was committed`,
		{
			code: 'sourceReadFailed',
			description:
				"Check that n8n's binary data is still there (filesystem mode keeps it in the n8n folder) and readable.",
		},
		{ cause: error },
	);
}

function cancelled(cause?: unknown): UploadError {
	return new UploadError(
		'The upload was cancelled; nothing was committed',
		{ code: 'cancelled' },
		{ cause },
	);
}

/** Reads a stream in parts of exact sizes, one part in memory at a time. */
class PartReader {
	private readonly iterator: AsyncIterator<unknown>;
	private leftover: Buffer | undefined;
	private position = 0;

	constructor(
		private readonly stream: Readable,
		private readonly size: number,
	) {
		this.iterator = stream[Symbol.asyncIterator]();
	}

	private async nextChunk(): Promise<Buffer | undefined> {
		if (this.leftover) {
			const chunk = this.leftover;
			this.leftover = undefined;
			return chunk;
		}
		try {
			const { value, done } = await this.iterator.next();
			return done ? undefined : (value as Buffer);
		} catch (error) {
			throw readFailure(error);
		}
	}

	/** The next `length` bytes, copied into `into` (a buffer of at least that size); returns the filled part. */
	async read(length: number, into: Buffer): Promise<Buffer> {
		const part = into.subarray(0, length);
		let filled = 0;
		while (filled < length) {
			const chunk = await this.nextChunk();
			if (!chunk) throw sizeMismatch(`${this.position + filled} bytes instead of ${this.size}`);
			const take = Math.min(chunk.length, length - filled);
			chunk.copy(part, filled, 0, take);
			filled += take;
			if (take < chunk.length) this.leftover = chunk.subarray(take);
		}
		this.position += length;
		return part;
	}

	/** After the last part: the stream must have nothing more. */
	async finish(): Promise<void> {
		for (let chunk = await this.nextChunk(); chunk; chunk = await this.nextChunk()) {
			if (chunk.length > 0)
				throw sizeMismatch(`more than the ${this.size} bytes it was said to have`);
		}
	}

	close(): void {
		this.stream.destroy();
	}
}

class Upload<T> {
	/** Aborts every request of this upload: the execution was cancelled, or a part failed for good. */
	private readonly stop = new AbortController();
	private readonly maxAttempts: number;
	private readonly retryDelayMs: number;
	private sent = 0;

	constructor(private readonly options: UploadOptions<T>) {
		this.maxAttempts = options.maxAttempts ?? 4;
		this.retryDelayMs = options.retryDelayMs ?? 500;
	}

	private readonly onCancel = () => this.stop.abort();

	private get cancelledByUser(): boolean {
		return this.options.signal?.aborted === true;
	}

	async run(): Promise<UploadResult<T>> {
		const { signal } = this.options;
		if (signal?.aborted) throw cancelled();
		signal?.addEventListener('abort', this.onCancel, { once: true });
		try {
			const { size } = this.options.source;
			const multipart = size > 0 && size >= this.options.multipartThreshold;
			const { uploadKey, parts } = multipart ? await this.multipart() : await this.single();
			if (this.sent !== size) {
				throw new UploadError(
					`Only ${this.sent} of ${size} bytes were accepted; nothing was committed`,
					{ code: 'incompleteUpload', retryable: true },
				);
			}
			if (this.cancelledByUser) throw cancelled();
			const committed = await this.options.steps.commit(uploadKey);
			return { committed, uploadedBytes: this.sent, multipart, parts };
		} catch (error) {
			if (this.cancelledByUser && !(error instanceof UploadError && error.code === 'cancelled'))
				throw cancelled(error);
			throw error;
		} finally {
			this.stop.abort();
			signal?.removeEventListener('abort', this.onCancel);
		}
	}

	/** One PUT of some bytes to one URL, exactly the signed headers plus Content-Length. */
	private async put(
		signed: SignedPut,
		urlIndex: number,
		body: Buffer | Readable,
		length: number,
	): Promise<PutOutcome> {
		const url = signed.urls[urlIndex % signed.urls.length];
		const headers: HttpHeaders = { ...signed.headers };
		if (!hasHeader(headers, 'content-length')) headers['content-length'] = String(length);
		const where = describeUrl(url);
		let response;
		try {
			if (!/^https?:\/\//i.test(url))
				return {
					kind: 'refused',
					problem: `${where} is not an http(s) URL`,
					status: 0,
					code: 'invalidUrl',
				};
			response = await send({
				url,
				method: 'PUT',
				headers,
				body,
				signal: this.stop.signal,
				timeouts: this.options.timeouts,
			});
		} catch (error) {
			const source =
				error instanceof SourceProblem ? error : (error as { cause?: unknown } | undefined)?.cause;
			if (source instanceof SourceProblem) throw source;
			if (this.cancelledByUser) throw cancelled(error);
			if (error instanceof TransportError && error.kind === 'aborted') throw cancelled(error);
			const problem =
				error instanceof TransportError
					? error.message
					: `network error (${(error as Error)?.message ?? String(error)})`;
			return { kind: 'retryable', problem: `${where}: ${problem}` };
		}
		const status = response.statusCode;
		if (status >= 200 && status < 300) {
			discard(response.body);
			return { kind: 'accepted' };
		}
		const answer = await ossError(response.body);
		const problem = `${where} answered ${describeStatus(status, answer)}`;
		if (status === 403)
			return { kind: 'forbidden', problem, code: answer.code || 'AccessDenied', status };
		if (status >= 500 || status === 408 || status === 429)
			return {
				kind: 'retryable',
				problem,
				status,
				code: answer.code,
				retryAfter: response.headers['retry-after'],
			};
		return { kind: 'refused', problem, status, code: answer.code || `http${status}` };
	}

	/**
	 * Sends one piece (the whole file, or a part) until storage accepts it: a connection
	 * error or 5xx is retried after a pause, on the next URL; a 403 gets a fresh signature
	 * once. `body` gives the bytes afresh for each try. A PUT of the same bytes under the
	 * same key is idempotent at OSS, so sending it again is safe; the commit alone makes
	 * the file, and it is never retried.
	 */
	private async send(
		what: string,
		length: number,
		body: () => Promise<Buffer | Readable>,
		signature: () => SignedPut,
		refresh: () => Promise<void>,
	): Promise<void> {
		let refreshed = false;
		let failures = 0;
		let urlIndex = 0;
		const backoff = new Backoff({ firstDelayMs: this.retryDelayMs, jitter: 'equal' });
		const stopped = () =>
			this.cancelledByUser
				? cancelled()
				: new UploadError(`${what} was stopped`, { code: 'stopped' });
		for (;;) {
			if (this.stop.signal.aborted) throw stopped();
			// A retry after a pause may find its signature about to expire: renew it first.
			if (failures > 0 && !isFresh(signature())) await refresh();
			const outcome = await this.put(signature(), urlIndex, await body(), length);
			if (outcome.kind === 'accepted') {
				this.sent += length;
				return;
			}
			if (outcome.kind === 'forbidden' && !refreshed) {
				refreshed = true;
				await refresh();
				continue;
			}
			if (outcome.kind === 'forbidden') {
				throw new UploadError(
					`${what} failed: storage refused the signed request even with a fresh signature: ${outcome.problem}`,
					{
						code: outcome.code,
						httpCode: outcome.status,
						description:
							'Nothing was committed. Check that the machine clock is right, and that nothing between n8n and the storage (a proxy) adds or changes request headers.',
					},
				);
			}
			if (outcome.kind === 'refused') {
				throw new UploadError(`${what} failed: ${outcome.problem}`, {
					code: outcome.code,
					httpCode: outcome.status || undefined,
					description:
						'Nothing was committed. DingTalk storage refused the bytes; if it persists, report it with this message.',
				});
			}
			failures++;
			if (failures >= this.maxAttempts) {
				throw new UploadError(`${what} failed after ${failures} tries: ${outcome.problem}`, {
					code: outcome.code || (outcome.status ? `http${outcome.status}` : 'connectionFailed'),
					httpCode: outcome.status,
					retryable: true,
					description:
						'Nothing was committed. The connection to DingTalk storage is unstable: try again, or raise the timeouts. If you chose "Prefer Intranet", intranet transmission must be set up for your organization.',
				});
			}
			urlIndex++;
			await backoff.wait({
				signal: this.stop.signal,
				retryAfter: outcome.retryAfter,
				cancelled: stopped,
			});
		}
	}

	/** The whole file in one PUT, streamed; a retry reads it again from the start. */
	private async single(): Promise<{ uploadKey: string; parts: number }> {
		const { source, steps } = this.options;
		if (source.size > MAX_SINGLE_PUT) {
			throw new UploadError(
				`A single upload is limited to 5 GB; this file is ${source.size} bytes`,
				{ code: 'fileTooLarge' },
			);
		}
		let info = await steps.uploadInfo();
		let open: Readable | undefined;
		try {
			await this.send(
				'Uploading the file',
				source.size,
				async () => {
					open?.destroy();
					if ('buffer' in source) return source.buffer;
					open = counted(await source.open(), source.size);
					return open;
				},
				() => info,
				async () => {
					// A new upload info is a new key: the bytes go, and are committed, under it.
					info = await steps.uploadInfo();
				},
			);
		} finally {
			open?.destroy();
		}
		return { uploadKey: info.uploadKey, parts: 1 };
	}

	/** Parts read in order and sent `parallelConnections` at a time; signatures fetched in batches as the upload proceeds. */
	private async multipart(): Promise<{ uploadKey: string; parts: number }> {
		const { source, steps, partSize } = this.options;
		const count = Math.ceil(source.size / partSize);
		if (count > MAX_PARTS) {
			throw new UploadError(
				`A multipart upload has at most ${MAX_PARTS} parts; ${source.size} bytes in parts of ${partSize} would make ${count}`,
				{
					code: 'tooManyParts',
					description: `Set Part Size to at least ${Math.ceil(source.size / MAX_PARTS)} bytes.`,
				},
			);
		}
		const uploadKey = await steps.initMultipart();
		const signatures = new Map<number, SignedPut>();
		const fetchSignatures = async (partNumbers: number[]) => {
			for (const [partNumber, signed] of await steps.partSignatures(uploadKey, partNumbers))
				signatures.set(partNumber, signed);
		};
		const ensureSignature = async (partNumber: number) => {
			if (isFresh(signatures.get(partNumber))) return;
			const batch: number[] = [];
			for (let n = partNumber; n <= count && batch.length < MAX_PARTS_PER_SIGNATURE_CALL; n++)
				if (!isFresh(signatures.get(n))) batch.push(n);
			await fetchSignatures(batch);
		};

		const reader =
			'buffer' in source ? undefined : new PartReader(await source.open(), source.size);
		// Part buffers are reused: at most parallelConnections in flight plus the one being read.
		const spare: Buffer[] = [];
		const inFlight = new Set<Promise<void>>();
		let failure: unknown;
		try {
			for (let partNumber = 1; partNumber <= count && failure === undefined; partNumber++) {
				const start = (partNumber - 1) * partSize;
				const length = Math.min(partSize, source.size - start);
				// The next part is read while the others are being sent.
				const buffer = reader ? (spare.pop() ?? Buffer.allocUnsafe(partSize)) : undefined;
				const bytes =
					'buffer' in source
						? source.buffer.subarray(start, start + length)
						: await reader!.read(length, buffer!);
				await ensureSignature(partNumber);
				while (inFlight.size >= this.options.parallelConnections && failure === undefined)
					await Promise.race(inFlight);
				if (failure !== undefined) break;
				const number = partNumber;
				const task: Promise<void> = this.send(
					`Uploading part ${number} of ${count}`,
					length,
					async () => bytes,
					() => signatures.get(number)!,
					async () => await fetchSignatures([number]),
				).then(
					() => {
						inFlight.delete(task);
						if (buffer) spare.push(buffer);
					},
					(error: unknown) => {
						inFlight.delete(task);
						failure ??= error;
						this.stop.abort();
					},
				);
				inFlight.add(task);
			}
			if (failure === undefined) await reader?.finish();
		} catch (error) {
			failure ??= error;
			this.stop.abort();
		} finally {
			await Promise.all(inFlight);
			reader?.close();
		}
		if (failure !== undefined) {
			if (failure instanceof DingTalkStorageError) throw failure;
			throw this.cancelledByUser ? cancelled(failure) : failure;
		}
		return { uploadKey, parts: count };
	}
}

/** Uploads a file and commits it; throws (having committed nothing) unless every byte was accepted. */
export async function uploadFile<T>(options: UploadOptions<T>): Promise<UploadResult<T>> {
	return await new Upload(options).run();
}
