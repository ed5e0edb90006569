/**
 * The one place where this package talks HTTP. Everything else (the DingTalk client,
 * the transfer engine) goes through `send()`, so timeouts, proxies and connection reuse
 * are decided here once.
 */
// undici is this package's one runtime dependency, chosen deliberately: it streams
// bodies with backpressure, exposes separate header and body-inactivity timeouts,
// and honours HTTP(S)_PROXY / NO_PROXY through EnvHttpProxyAgent.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
// A Node built-in, deliberately: file bodies are streamed, never buffered.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { Readable } from 'node:stream';

export type HttpHeaders = Record<string, string>;

/** Separate limits for each phase, so a slow but flowing transfer never times out. */
export interface Timeouts {
	/** Establishing the TCP (and TLS) connection. */
	connectMs: number;
	/** From sending the request until the response headers have arrived. */
	responseMs: number;
	/** Longest gap between two chunks of the body (not a total-time limit). */
	idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, responseMs: 60_000, idleMs: 60_000 };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
	url: string;
	method: HttpMethod;
	headers: HttpHeaders;
	/**
	 * A JSON text, or the bytes of an upload: a buffer, or a stream
	 * sent with backpressure, for which the caller sets Content-Length.
	 */
	body?: string | Buffer | Readable;
	signal?: AbortSignal;
	timeouts: Timeouts;
	/**
	 * The request changes nothing, or sending it twice does no harm (a read, a query sent
	 * as POST, the token request). Such a request whose connection drops before any answer
	 * arrives is sent once more, at once, on a new connection (see `send`). A stream body
	 * cannot be sent twice, so it never is.
	 */
	idempotent?: boolean;
}

export interface HttpResponse {
	statusCode: number;
	headers: Record<string, string | undefined>;
	body: Readable;
}

/** A failure before any response arrived: refused, reset, timed out, DNS, TLS... */
export class TransportError extends Error {
	/**
	 * Whether the server may have received the request: false only when no connection was
	 * made (refused, DNS, connect timeout), so that a write is known not to have happened.
	 */
	readonly mayHaveArrived: boolean;

	constructor(
		message: string,
		readonly kind: 'connect' | 'timeout' | 'aborted' | 'network',
		options?: { cause?: unknown },
	) {
		super(message, options);
		this.name = 'TransportError';
		const code = (options?.cause as { code?: string } | undefined)?.code;
		this.mayHaveArrived = kind !== 'connect' && code !== 'UND_ERR_CONNECT_TIMEOUT';
	}
}

/** Connection pools by connect timeout (in practice one or two), shared process-wide. */
const dispatchers = new Map<number, Dispatcher>();

/**
 * A connection pool reused across items and executions. The connect timeout is a
 * property of undici's connector, hence one pool per value. Created lazily, so proxy
 * variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) set before the first request apply.
 */
function dispatcher(connectTimeoutMs: number): Dispatcher {
	let pool = dispatchers.get(connectTimeoutMs);
	if (!pool) {
		if (dispatchers.size >= 8) dispatchers.clear();
		pool = new EnvHttpProxyAgent({
			connect: { timeout: connectTimeoutMs },
			keepAliveTimeout: 10_000,
			keepAliveMaxTimeout: 60_000,
		});
		dispatchers.set(connectTimeoutMs, pool);
	}
	return pool;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>) {
	const headers: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(raw)) {
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

/**
 * The connection broke before the answer's headers were in: the server closed or reset it,
 * or writing to it failed. This is how a pooled keep-alive connection that the server has
 * just closed (its idle timeout, a restart) fails the next request sent on it.
 */
const DROPPED_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

function droppedConnection(error: unknown): boolean {
	const code = (error as { code?: string } | undefined)?.code ?? '';
	const message = (error as { message?: string } | undefined)?.message ?? '';
	return DROPPED_CONNECTION_CODES.has(code) || message.includes('other side closed');
}

/** `beforeAnswer`: the request failed before the answer's headers arrived (not while its body streamed). */
function classify(error: unknown, beforeAnswer = false): TransportError {
	const code = (error as { code?: string } | undefined)?.code ?? '';
	const name = (error as { name?: string } | undefined)?.name ?? '';
	if (name === 'AbortError' || code === 'UND_ERR_ABORTED') {
		return new TransportError('the request was cancelled', 'aborted', { cause: error });
	}
	const timeouts: Record<string, string> = {
		UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
		UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response to start',
		UND_ERR_BODY_TIMEOUT: 'timed out: no data arrived for longer than the idle timeout',
	};
	if (timeouts[code]) return new TransportError(timeouts[code], 'timeout', { cause: error });
	if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return new TransportError(`could not connect (${code})`, 'connect', { cause: error });
	}
	if (beforeAnswer && droppedConnection(error)) {
		return new TransportError(
			`the connection was closed before an answer arrived (${code || 'other side closed'})`,
			'network',
			{ cause: error },
		);
	}
	return new TransportError(`network error (${code || name || 'unknown'})`, 'network', {
		cause: error,
	});
}

async function requestOn(pool: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
	const response = await request(req.url, {
		dispatcher: pool,
		method: req.method,
		headers: req.headers,
		body: req.body,
		signal: req.signal,
		headersTimeout: req.timeouts.responseMs,
		bodyTimeout: req.timeouts.idleMs,
		highWaterMark: 256 * 1024,
	});
	return {
		statusCode: response.statusCode,
		headers: flattenHeaders(response.headers),
		body: response.body,
	};
}

/**
 * Sends the request on a connection of its own, opened for it and closed after its answer:
 * never one from the pool, where the other idle connections to that server may be as stale
 * as the one that just failed.
 */
async function sendOnNewConnection(req: HttpRequest): Promise<HttpResponse> {
	const oneOff = new EnvHttpProxyAgent({ connect: { timeout: req.timeouts.connectMs } });
	const release = () => void oneOff.destroy().catch(() => undefined);
	let response: HttpResponse;
	try {
		response = await requestOn(oneOff, req);
	} catch (error) {
		release();
		throw error;
	}
	response.body.once('close', release);
	return response;
}

/**
 * Sends one request and returns once the response headers are in. The body is a stream
 * the caller must consume or destroy. Redirects are NOT followed here: callers decide,
 * because a redirect may cross to a host that must not see the request's headers.
 *
 * A keep-alive connection closed by the server just as the next request goes out on it is
 * ordinary (servers and gateways close idle connections on their own schedule), and undici
 * does not say whether a failed request went out on a reused connection. So an idempotent
 * request whose connection drops before any answer arrives is sent once more, at once, on
 * a new connection; a second drop is reported. Anything else (a write, a stream body, a
 * refused connection, a timeout, a cancellation) is reported as it is: a write may have
 * reached the server, and sending it again could do it twice.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
	try {
		return await requestOn(dispatcher(req.timeouts.connectMs), req);
	} catch (error) {
		const replayable =
			req.idempotent === true &&
			(req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body));
		if (!replayable || !droppedConnection(error) || req.signal?.aborted)
			throw classify(error, true);
	}
	try {
		return await sendOnNewConnection(req);
	} catch (error) {
		throw classify(error, true);
	}
}

/** Normalises an error raised while a response body was streaming. */
export function bodyError(error: unknown): TransportError {
	return error instanceof TransportError ? error : classify(error);
}

/**
 * Reads a (small) response body as text, refusing to hold more than `maxBytes`:
 * an API answer of several megabytes is a fault, not something to buffer.
 */
export async function readText(body: Readable, maxBytes: number): Promise<string> {
	const chunks: Buffer[] = [];
	let total = 0;
	try {
		for await (const chunk of body) {
			const buffer = chunk as Buffer;
			total += buffer.length;
			if (total > maxBytes) {
				body.destroy();
				throw new ResponseTooLargeError(maxBytes);
			}
			chunks.push(buffer);
		}
	} catch (error) {
		if (error instanceof ResponseTooLargeError) throw error;
		throw bodyError(error);
	}
	return Buffer.concat(chunks).toString('utf8');
}

export class ResponseTooLargeError extends Error {
	constructor(readonly limit: number) {
		super(`the response body is larger than ${limit} bytes`);
		this.name = 'ResponseTooLargeError';
	}
}

/** Lets go of a body we are not going to read, without letting errors escape. */
export function discard(body: Readable): void {
	body.on('error', () => undefined);
	body.destroy();
}
