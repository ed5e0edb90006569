/**
 * The stream a transfer hands its reader (n8n's binary data service), fed chunk by chunk
 * as the bytes arrive. Knows nothing of n8n or DingTalk.
 *
 * Why not `for await (const chunk of body)` and `Readable.from(generator)`: a readable's
 * async iterator calls `read()`, which joins every chunk buffered so far into a freshly
 * allocated buffer. On a fast link that copied and re-allocated most of the file (a
 * third of the node's CPU time in `npm run bench -- --profile`), doubling the garbage the
 * collector has to catch up with. Here a response body is relayed by its 'data' events,
 * one network chunk at a time, and paused while the reader is full.
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
export async function relayBody(body: Readable, onChunk: (chunk: Buffer) => boolean | void): Promise<void> {
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

	/**
	 * @param produce writes the content (with `relay` and `write`); starts at the first read.
	 *   When it resolves the stream ends; when it rejects the stream fails with its error.
	 * @param onClose called once when the stream closes, for whatever reason.
	 */
	constructor(
		private readonly produce: (outlet: Outlet) => Promise<void>,
		onClose: () => void,
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

	/** Bytes handed to the reader so far. */
	get bytesOut(): number {
		return this.bytes;
	}

	private onRead(): void {
		if (!this.started) {
			this.started = true;
			this.markFirstRead();
			this.produce(this).then(
				() => {
					if (!this.closed) this.stream.push(null);
				},
				(error: unknown) => this.stream.destroy(error instanceof Error ? error : new Error(String(error))),
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
		this.bytes += chunk.length;
		if (this.stream.push(chunk)) return;
		await new Promise<void>((resolve) => (this.waiting = resolve));
		if (this.closed) throw new OutletClosedError();
	}

	/**
	 * Relays a response body to the reader, chunk by chunk, until the body ends. `check`
	 * sees each chunk first and may throw to refuse it (the body is then dropped).
	 */
	async relay(body: Readable, check: (chunk: Buffer) => void): Promise<void> {
		try {
			await relayBody(body, (chunk) => {
				check(chunk);
				this.bytes += chunk.length;
				if (this.stream.push(chunk)) return true;
				this.pausedBody = body;
				return false;
			});
		} finally {
			if (this.pausedBody === body) this.pausedBody = undefined;
		}
	}
}
