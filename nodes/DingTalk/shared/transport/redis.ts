/**
 * The smallest Redis client that the shared rate limit needs: one connection, commands
 * pipelined in order, RESP2 replies, AUTH and SELECT on connect, TLS when asked. Written
 * here rather than taken as a dependency (undici stays the only one): a few commands, no
 * pub/sub, no cluster.
 *
 * The socket never keeps the process alive (unref'd), closes itself after a quiet spell,
 * and every command has a deadline: a Redis that stops answering fails the command, which
 * the caller handles by going without.
 */
// Node built-ins, deliberately: Redis speaks its own protocol over TCP.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { connect as connectTcp, type Socket } from 'node:net';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { connect as connectTls } from 'node:tls';
// Deadlines on a socket that is not an HTTP request: plain timers, always unref'd.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { clearTimeout, setTimeout } from 'node:timers';

export interface RedisOptions {
	host: string;
	port: number;
	db?: number;
	username?: string;
	password?: string;
	tls?: boolean;
	/** Deadline of connecting and of each command, in milliseconds. */
	timeoutMs?: number;
	/** Close the connection after this long without commands, in milliseconds. */
	idleMs?: number;
}

export type RedisReply = string | number | null | RedisReply[];

/** Redis answered with an error (`-ERR ...`, `-NOSCRIPT ...`). */
export class RedisReplyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RedisReplyError';
	}
}

/** One command in RESP: an array of bulk strings. */
export function encodeCommand(args: Array<string | number>): Buffer {
	const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
	for (const arg of args) {
		const value = Buffer.from(String(arg));
		parts.push(Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n'));
	}
	return Buffer.concat(parts);
}

/**
 * Reads one reply from `buffer` at `offset`: the reply and where the next begins, or
 * undefined when the buffer does not hold a whole reply yet.
 */
export function parseReply(buffer: Buffer, offset = 0): { reply: RedisReply | RedisReplyError; next: number } | undefined {
	const lineEnd = buffer.indexOf('\r\n', offset);
	if (lineEnd === -1) return undefined;
	const type = String.fromCharCode(buffer[offset]);
	const line = buffer.toString('utf8', offset + 1, lineEnd);
	const after = lineEnd + 2;
	switch (type) {
		case '+':
			return { reply: line, next: after };
		case '-':
			return { reply: new RedisReplyError(line), next: after };
		case ':':
			return { reply: Number(line), next: after };
		case '$': {
			const length = Number(line);
			if (length < 0) return { reply: null, next: after };
			if (buffer.length < after + length + 2) return undefined;
			return { reply: buffer.toString('utf8', after, after + length), next: after + length + 2 };
		}
		case '*': {
			const count = Number(line);
			if (count < 0) return { reply: null, next: after };
			const items: RedisReply[] = [];
			let next = after;
			for (let index = 0; index < count; index++) {
				const item = parseReply(buffer, next);
				if (!item) return undefined;
				if (item.reply instanceof RedisReplyError) throw item.reply;
				items.push(item.reply);
				next = item.next;
			}
			return { reply: items, next };
		}
		default:
			throw new Error(`Redis sent something that is not RESP (${JSON.stringify(type)})`);
	}
}

interface Pending {
	resolve: (reply: RedisReply) => void;
	reject: (error: Error) => void;
}

export class RedisConnection {
	private socket?: Socket;
	private ready?: Promise<void>;
	private pending: Pending[] = [];
	private received: Buffer = Buffer.alloc(0);
	private idleTimer?: ReturnType<typeof setTimeout>;

	constructor(private readonly options: RedisOptions) {}

	/** Sends one command and resolves with its reply (rejects with RedisReplyError on `-ERR`). */
	async command(args: Array<string | number>): Promise<RedisReply> {
		await this.connected();
		return await this.send(args);
	}

	/** Closes the connection now; the next command opens a new one. */
	close(reason = 'the connection was closed'): void {
		const socket = this.socket;
		this.socket = undefined;
		this.ready = undefined;
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = undefined;
		const waiting = this.pending;
		this.pending = [];
		this.received = Buffer.alloc(0);
		for (const each of waiting) each.reject(new Error(`Redis: ${reason}`));
		socket?.destroy();
	}

	private async connected(): Promise<void> {
		this.ready ??= this.open().catch((error: unknown) => {
			this.close(error instanceof Error ? error.message : String(error));
			throw error;
		});
		await this.ready;
	}

	private async open(): Promise<void> {
		const { host, port } = this.options;
		const timeoutMs = this.options.timeoutMs ?? 2000;
		const socket = this.options.tls ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
		this.socket = socket;
		socket.setNoDelay(true);
		socket.unref();
		socket.on('data', (chunk: Buffer) => this.onData(chunk));
		socket.on('error', (error) => this.close(error.message));
		socket.on('close', () => {
			if (this.socket === socket) this.close('the connection closed');
		});
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`Redis: no connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
			timer.unref();
			socket.once(this.options.tls ? 'secureConnect' : 'connect', () => {
				clearTimeout(timer);
				resolve();
			});
			socket.once('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
		});
		if (this.options.password !== undefined && this.options.password !== '') {
			await this.send(this.options.username ? ['AUTH', this.options.username, this.options.password] : ['AUTH', this.options.password]);
		}
		if (this.options.db) await this.send(['SELECT', this.options.db]);
	}

	private async send(args: Array<string | number>): Promise<RedisReply> {
		const socket = this.socket;
		if (!socket) throw new Error('Redis: not connected');
		this.touch();
		const timeoutMs = this.options.timeoutMs ?? 2000;
		return await new Promise<RedisReply>((resolve, reject) => {
			const timer = setTimeout(() => this.close(`no answer within ${timeoutMs} ms`), timeoutMs);
			timer.unref();
			this.pending.push({
				resolve: (reply) => {
					clearTimeout(timer);
					resolve(reply);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			});
			socket.write(encodeCommand(args));
		});
	}

	private onData(chunk: Buffer): void {
		this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
		let offset = 0;
		try {
			for (;;) {
				const parsed = parseReply(this.received, offset);
				if (!parsed) break;
				offset = parsed.next;
				const waiting = this.pending.shift();
				if (!waiting) continue;
				if (parsed.reply instanceof RedisReplyError) waiting.reject(parsed.reply);
				else waiting.resolve(parsed.reply);
			}
		} catch (error) {
			this.close(error instanceof Error ? error.message : String(error));
			return;
		}
		this.received = offset >= this.received.length ? Buffer.alloc(0) : this.received.subarray(offset);
	}

	/** Closes the connection once it has been quiet for `idleMs`. */
	private touch(): void {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = setTimeout(() => {
			if (this.pending.length === 0) this.close('idle');
		}, this.options.idleMs ?? 30_000);
		this.idleTimer.unref();
	}
}
