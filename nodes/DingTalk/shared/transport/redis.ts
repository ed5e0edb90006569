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
import { connect as connectTcp, isIP, type Socket } from 'node:net';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
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

/**
 * A reply. An error is a value only inside an array (EXEC's replies, a script's table):
 * there it is one element among others; a reply that is an error rejects its command.
 */
export type RedisReply = string | number | null | Array<RedisReply | RedisReplyError>;

/** Redis answered with an error (`-ERR ...`, `-NOSCRIPT ...`). */
export class RedisReplyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RedisReplyError';
	}
}

/**
 * The largest reply taken. This client's own are a few bytes; one this large means a
 * server that is not the Redis it expects, and must not fill the process's memory.
 */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** One command in RESP: an array of bulk strings. */
export function encodeCommand(args: Array<string | number>): Buffer {
	const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
	for (const arg of args) {
		const value = Buffer.from(String(arg));
		parts.push(Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n'));
	}
	return Buffer.concat(parts);
}

/** A reply read whole, and where the next begins. */
export interface ParsedReply {
	reply: RedisReply | RedisReplyError;
	next: number;
}

/** A reply not whole yet: it cannot be before the buffer holds `need` bytes. */
export interface PartialReply {
	need: number;
}

function notResp(what: string): Error {
	return new Error(`Redis sent something that is not RESP (${JSON.stringify(what.slice(0, 20))})`);
}

/** The length of a bulk string or the count of an array. */
function lengthOf(line: string): number {
	if (!/^-?\d{1,12}$/.test(line)) throw notResp(line);
	return Number(line);
}

/** Reads one reply from `buffer` at `offset`, or says how much of the buffer it needs first. */
export function parseReply(buffer: Buffer, offset = 0): ParsedReply | PartialReply {
	const lineEnd = buffer.indexOf('\r\n', offset);
	// A line not ended yet: any byte more may end it.
	if (lineEnd === -1) return { need: buffer.length + 1 };
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
			const length = lengthOf(line);
			if (length < 0) return { reply: null, next: after };
			const next = after + length + 2;
			if (buffer.length < next) return { need: next };
			return { reply: buffer.toString('utf8', after, after + length), next };
		}
		case '*': {
			const count = lengthOf(line);
			if (count < 0) return { reply: null, next: after };
			const items: Array<RedisReply | RedisReplyError> = [];
			let next = after;
			for (let index = 0; index < count; index++) {
				const item = parseReply(buffer, next);
				if ('need' in item) return item;
				items.push(item.reply);
				next = item.next;
			}
			return { reply: items, next };
		}
		default:
			throw notResp(buffer.toString('utf8', offset, lineEnd));
	}
}

/**
 * Turns the socket's chunks into replies. Chunks are kept aside until a whole reply may be
 * there, then joined once: a large reply costs one copy, not one per chunk (re-joining on
 * every chunk is quadratic: seconds for 16 MiB). Throws on what is not RESP and on a reply
 * larger than MAX_REPLY_BYTES.
 */
export class ReplyReader {
	private chunks: Buffer[] = [];
	private size = 0;
	/** Bytes needed before the reply at the front may be whole. */
	private need = 1;

	constructor(private readonly onReply: (reply: RedisReply | RedisReplyError) => void) {}

	push(chunk: Buffer): void {
		this.chunks.push(chunk);
		this.size += chunk.length;
		if (this.size > MAX_REPLY_BYTES) throw tooLarge(this.size);
		// Every reply ends with "\r\n": none is whole before a chunk brings a '\n' and all
		// the bytes a bulk string announced.
		if (this.size < this.need || !chunk.includes(0x0a)) return;
		const buffer =
			this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
		let offset = 0;
		for (;;) {
			const parsed = parseReply(buffer, offset);
			if ('need' in parsed) {
				this.need = parsed.need - offset;
				break;
			}
			offset = parsed.next;
			this.onReply(parsed.reply);
		}
		const rest = buffer.subarray(offset);
		this.chunks = rest.length > 0 ? [rest] : [];
		this.size = rest.length;
		// A bulk string announced larger than the cap is refused before its bytes arrive.
		if (this.need > MAX_REPLY_BYTES) throw tooLarge(this.need);
	}
}

function tooLarge(bytes: number): Error {
	return new Error(
		`a reply of at least ${bytes} bytes: more than the ${MAX_REPLY_BYTES / 1024 / 1024} MiB this client takes`,
	);
}

/**
 * TLS options for `host`. The host name also goes as the server name (SNI), but only a
 * name: an IP address there is not allowed by RFC 6066 (Node warns, DEP0123); the
 * certificate is checked against `host` either way.
 */
export function tlsOptions(host: string, port: number): ConnectionOptions {
	return isIP(host) === 0 ? { host, port, servername: host } : { host, port };
}

interface Pending {
	resolve: (reply: RedisReply) => void;
	reject: (error: Error) => void;
}

export class RedisConnection {
	private socket?: Socket;
	private ready?: Promise<void>;
	private pending: Pending[] = [];
	private reader = this.newReader();
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
		this.reader = this.newReader();
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
		const socket = this.options.tls
			? connectTls(tlsOptions(host, port))
			: connectTcp({ host, port });
		this.socket = socket;
		socket.setNoDelay(true);
		socket.unref();
		socket.on('data', (chunk: Buffer) => this.onData(chunk));
		// Only the current socket's end concerns this connection (an old one may still report).
		socket.on('error', (error) => {
			if (this.socket === socket) this.close(error.message);
		});
		socket.on('close', () => {
			if (this.socket === socket) this.close('the server closed the connection');
		});
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`Redis: no connection to ${host}:${port} within ${timeoutMs} ms`)),
				timeoutMs,
			);
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
			await this.send(
				this.options.username
					? ['AUTH', this.options.username, this.options.password]
					: ['AUTH', this.options.password],
			);
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

	private newReader(): ReplyReader {
		return new ReplyReader((reply) => {
			const waiting = this.pending.shift();
			if (reply instanceof RedisReplyError) waiting?.reject(reply);
			else waiting?.resolve(reply);
		});
	}

	private onData(chunk: Buffer): void {
		try {
			this.reader.push(chunk);
		} catch (error) {
			// Out of step with the server (not RESP, or far too large): no later reply can be trusted.
			this.close(error instanceof Error ? error.message : String(error));
		}
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
