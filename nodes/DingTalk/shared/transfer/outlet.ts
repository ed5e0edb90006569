/**
 * The stream a transfer hands its reader (n8n's binary data service), fed as the bytes
 * arrive. Knows nothing of n8n or DingTalk.
 *
 * Why not `for await (const chunk of body)` and `Readable.from(generator)`: a readable's
 * async iterator calls `read()`, which joins every chunk buffered so far into a freshly
 * allocated buffer, at unpredictable sizes. On a fast link that was about a fifth of the
 * node's busy time in `npm run bench -- --profile`. Here a response body is relayed by its
 * 'data' events and paused while the reader is full.
 *
 * Why chunks are gathered: n8n writes a binary with one `write` per chunk it is given,
 * and a write's cost is mostly fixed; socket reads are at most 64 KiB, and over HTTPS (how
 * DingTalk's storage serves files) TLS records of 16-40 KiB. So chunks are copied into
 * 1 MiB buffers, except full 64 KiB reads of a plain-HTTP body on Node 22+ (n8n 2.x),
 * which pass through as they are: there every extra fresh byte costs garbage-collector
 * work on n8n's large heap, more than the write it saves. See `handOffFor` and
 * `npm run bench:gather` (docs/performance.md).
 */
// A Node built-in, deliberately: file bodies are streamed, never buffered.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { finished, Readable } from 'node:stream';

/** The reader closed the stream (it finished early, failed or was cancelled). */
export class OutletClosedError extends Error {
	constructor() {
		super('the reader closed the stream');
		this.name = 'OutletClosedError';
	}
}

/**
 * Passes a body's chunks to `onChunk` one by one, as they arrive, until the body ends.
 * `onChunk` may return false to pause the body (the caller resumes it), or throw to stop:
 * the body is then destroyed and the promise rejects with what was thrown. Rejects with
 * the body's own error, or when it closes before its end (ERR_STREAM_PREMATURE_CLOSE).
 */
export async function relayBody(
	body: Readable,
	onChunk: (chunk: Buffer) => boolean | void,
): Promise<void> {
	return await new Promise<void>((resolve, reject) => {
		let settled = false;
		// finished() also reports a body that ended, failed or closed before we got here
		// (a connection cut while the stream was not read yet): that is easy to miss.
		const stopWatching = finished(body, (error) => settle(error ?? undefined));
		const settle = (error?: unknown) => {
			if (settled) return;
			settled = true;
			stopWatching();
			body.off('data', onData);
			if (error === undefined) resolve();
			else reject(error);
		};
		const onData = (chunk: Buffer) => {
			if (settled) return;
			let more: boolean | void;
			try {
				more = onChunk(chunk);
			} catch (error) {
				body.on('error', () => undefined);
				body.destroy();
				settle(error);
				return;
			}
			if (more === false) body.pause();
		};
		body.on('data', onData);
	});
}

/** The size of the buffers chunks are gathered into (the last one may be shorter). */
export const OUTLET_BUFFER_BYTES = 1024 * 1024;
/** A full socket read (libuv reads at most 64 KiB): where it is handed over as it is, no copy. */
export const OUTLET_PASS_THROUGH_BYTES = 64 * 1024;
/**
 * Full socket reads pass through uncopied from this Node major version on, over plain HTTP
 * only: over TLS, chunks are records smaller than a full read, and every one is gathered.
 * (Exported, like the two sizes, for `npm run bench:gather`, which rewrites them.)
 */
export const OUTLET_PASS_THROUGH_FROM_NODE = 22;

/**
 * How the bytes of a body from `url` are handed to the reader on this runtime, from
 * `npm run bench:gather` in real n8n (docs/performance.md): every chunk gathered into
 * 1 MiB buffers, except that on Node 22 and later (n8n 2.x) full 64 KiB socket reads of a
 * plain-HTTP body pass through uncopied, because there every extra fresh byte costs the
 * garbage collector more (marks of n8n's whole heap) than the write it saves.
 */
export function handOffFor(
	url: string,
	// Which runtime n8n runs on decides the hand-off (its collector's costs differ), so the
	// version is read here; no other process-wide state is read or touched.
	// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals
	nodeVersion = process.versions.node,
): { passThroughBytes: number; gatherBytes: number } {
	const major = Number(nodeVersion.split('.')[0]);
	const passThrough = major >= OUTLET_PASS_THROUGH_FROM_NODE && !/^https:/i.test(url);
	return {
		gatherBytes: OUTLET_BUFFER_BYTES,
		passThroughBytes: passThrough ? OUTLET_PASS_THROUGH_BYTES : Number.POSITIVE_INFINITY,
	};
}

export class Outlet {
	readonly stream: Readable;
	/** Settles when the reader first asks for data, or when the stream closes unread. */
	readonly firstRead: Promise<void>;
	private markFirstRead!: () => void;
	private started = false;
	private closed = false;
	private bytes = 0;
	/** A body paused because the reader was full; resumed when it asks for more. */
	private pausedBody?: Readable;
	private waiting?: () => void;
	/** Bytes gathered for the next buffer to the reader. */
	private gathering?: Buffer;
	private gathered = 0;

	/**
	 * @param produce writes the content (with `relay` and `write`); starts at the first read.
	 *   When it resolves the stream ends; when it rejects the stream fails with its error.
	 * @param onClose called once when the stream closes, for whatever reason.
	 */
	constructor(
		private readonly produce: (outlet: Outlet) => Promise<void>,
		onClose: () => void,
		/** Chunks at least this large pass through uncopied; smaller ones are gathered. */
		private readonly passThroughBytes = OUTLET_PASS_THROUGH_BYTES,
		private readonly gatherBytes = OUTLET_BUFFER_BYTES,
	) {
		this.firstRead = new Promise((resolve) => (this.markFirstRead = resolve));
		this.stream = new Readable({ read: () => this.onRead() });
		this.stream.once('close', () => {
			this.closed = true;
			this.markFirstRead();
			this.wake();
			onClose();
		});
	}

	/** Bytes accepted for the reader so far. */
	get bytesOut(): number {
		return this.bytes;
	}

	/**
	 * Takes a chunk for the reader: copied into the buffer being gathered, which goes to
	 * the reader when full. Returns false when the reader has no room for more.
	 */
	private put(chunk: Buffer): boolean {
		this.bytes += chunk.length;
		if (chunk.length >= this.passThroughBytes) {
			const room = this.flushGathered();
			return this.stream.push(chunk) && room;
		}
		let room = true;
		for (let offset = 0; offset < chunk.length;) {
			this.gathering ??= Buffer.allocUnsafe(this.gatherBytes);
			const copied = chunk.copy(this.gathering, this.gathered, offset);
			offset += copied;
			this.gathered += copied;
			if (this.gathered === this.gatherBytes) {
				room = this.stream.push(this.gathering) && room;
				this.gathering = undefined;
				this.gathered = 0;
			}
		}
		return room;
	}

	/** Hands the reader what was gathered so far, if anything. */
	private flushGathered(): boolean {
		if (!this.gathering || this.gathered === 0) return true;
		const part = this.gathering.subarray(0, this.gathered);
		this.gathering = undefined;
		this.gathered = 0;
		return this.stream.push(part);
	}

	/** Hands the reader what was gathered, then the end of the stream. */
	private finish(): void {
		if (this.closed) return;
		this.flushGathered();
		this.stream.push(null);
	}

	private onRead(): void {
		if (!this.started) {
			this.started = true;
			this.markFirstRead();
			this.produce(this).then(
				() => this.finish(),
				(error: unknown) =>
					this.stream.destroy(error instanceof Error ? error : new Error(String(error))),
			);
			return;
		}
		const body = this.pausedBody;
		this.pausedBody = undefined;
		body?.resume();
		this.wake();
	}

	private wake(): void {
		const waiting = this.waiting;
		this.waiting = undefined;
		waiting?.();
	}

	/** Hands one buffer to the reader; resolves once the reader has room for more. */
	async write(chunk: Buffer): Promise<void> {
		if (this.closed) throw new OutletClosedError();
		if (this.put(chunk)) return;
		await new Promise<void>((resolve) => (this.waiting = resolve));
		if (this.closed) throw new OutletClosedError();
	}

	/**
	 * Relays a response body to the reader until the body ends. `check`
	 * sees each chunk first and may throw to refuse it (the body is then dropped).
	 */
	async relay(body: Readable, check: (chunk: Buffer) => void): Promise<void> {
		try {
			await relayBody(body, (chunk) => {
				check(chunk);
				if (this.put(chunk)) return true;
				this.pausedBody = body;
				return false;
			});
		} finally {
			if (this.pausedBody === body) this.pausedBody = undefined;
		}
	}
}
