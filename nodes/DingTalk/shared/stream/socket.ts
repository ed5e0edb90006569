// Node built-ins, deliberately: undici reports the pongs of a WebSocket only on this channel.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { subscribe } from 'node:diagnostics_channel';

// undici is this package's one runtime dependency; its WebSocket client is the standard one
// (the same as Node 22's global WebSocket), here on Node 20 as well, with a dispatcher that
// honours HTTP(S)_PROXY / NO_PROXY like every other request of the package.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { ping, WebSocket, type Dispatcher } from 'undici';
// Deadlines and heartbeats of a socket that is not an HTTP request: plain timers, unref'd
// where the socket itself keeps the process alive.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';

import { DingTalkApiError, type DingTalkStorageError } from '../errors';
import {
	acknowledgement,
	headerOf,
	parseFrame,
	pingAnswer,
	SYSTEM_TOPICS,
	type StreamFrame,
} from './frames';
import type { Ticket } from './gateway';

/**
 * One WebSocket to the Stream gateway (one ticket): the protocol's duties on it. Pings are
 * answered, each EVENT message is handed over and then acknowledged on this socket, the
 * gateway's `disconnect` is passed on. A socket that shows no sign of life for two heartbeats
 * (no frame, no answer to a WebSocket ping) is taken for dead: a NAT or proxy can drop an idle
 * connection without either side hearing of it.
 */

export interface SocketHandlers {
	/** An EVENT (or CALLBACK) message. Its acknowledgement is sent when this returns. */
	onMessage(frame: StreamFrame): void;
	/** The gateway is about to close this socket and wants a new connection opened. */
	onDisconnectRequested(): void;
	/** A frame that could not be read (not JSON, no type): ignored, and said. */
	onUnreadableFrame(): void;
}

export interface SocketOptions {
	/** The WebSocket handshake must complete within this. */
	openTimeoutMs: number;
	/** A WebSocket ping is sent this often; two without any sign of life end the socket. */
	heartbeatMs: number;
	dispatcher?: Dispatcher;
}

/** What an open socket offers to the connection that owns it. */
export interface GatewaySession {
	/**
	 * Settles when the socket has closed: with the reason it ended (dropped, closed by the
	 * gateway, no sign of life), or undefined when this side closed it.
	 */
	readonly ended: Promise<DingTalkStorageError | undefined>;
	close(): void;
}

const ACTION = 'Receiving DingTalk storage events (Stream mode)';

/** undici publishes every WebSocket's pongs on one channel: each socket registers here. */
const pongListeners = new WeakMap<object, () => void>();
let listeningForPongs = false;

function onPong(websocket: object, listener: () => void): void {
	if (!listeningForPongs) {
		subscribe('undici:websocket:pong', (message) => {
			const source = (message as { websocket?: object } | undefined)?.websocket;
			if (source) pongListeners.get(source)?.();
		});
		listeningForPongs = true;
	}
	pongListeners.set(websocket, listener);
}

function textOf(data: unknown): string | undefined {
	if (typeof data === 'string') return data;
	if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
	return undefined;
}

export class GatewaySocket implements GatewaySession {
	readonly ended: Promise<DingTalkStorageError | undefined>;
	private finish!: (reason: DingTalkStorageError | undefined) => void;
	private closedByUs = false;
	private closed = false;
	private alive = true;
	private heartbeat?: NodeJS.Timeout;

	private constructor(
		private readonly ws: WebSocket,
		private readonly endpoint: string,
		private readonly handlers: SocketHandlers,
	) {
		this.ended = new Promise((resolve) => (this.finish = resolve));
		// Listening from the start: the gateway's first frames (and even its close) can come in
		// the same read as the handshake's answer, before open() has resumed its caller.
		ws.addEventListener('message', (event) => this.receive(event.data));
		ws.addEventListener('close', (event) => {
			this.closed = true;
			this.stopHeartbeat();
			pongListeners.delete(ws);
			this.finish(
				this.closedByUs
					? undefined
					: new DingTalkApiError(
							event.code === 1006
								? `${ACTION}: the connection to ${this.endpoint} was lost`
								: `${ACTION}: the gateway closed the connection (close code ${event.code})`,
							{ code: 'streamConnectionLost', retryable: true },
						),
			);
		});
	}

	/**
	 * Opens the WebSocket for `ticket`. Resolves once it is open; rejects (retryable) when the
	 * handshake fails or takes longer than `openTimeoutMs`, and (code cancelled) when `signal`
	 * aborts first.
	 */
	static async open(
		ticket: Ticket,
		handlers: SocketHandlers,
		options: SocketOptions,
		signal?: AbortSignal,
	): Promise<GatewaySocket> {
		if (signal?.aborted) throw cancelled();
		const ws = new WebSocket(
			ticket.url,
			options.dispatcher ? { dispatcher: options.dispatcher } : undefined,
		);
		ws.binaryType = 'arraybuffer';
		const socket = new GatewaySocket(ws, ticket.endpoint, handlers);
		await new Promise<void>((resolve, reject) => {
			const settle = (error?: DingTalkStorageError) => {
				clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
				ws.removeEventListener('open', onOpen);
				ws.removeEventListener('close', onFailure);
				if (error) {
					ws.close();
					reject(error);
				} else {
					resolve();
				}
			};
			const onOpen = () => settle();
			const onFailure = () =>
				settle(
					new DingTalkApiError(
						`${ACTION} failed: the gateway's WebSocket endpoint ${ticket.endpoint} did not accept the connection`,
						{
							code: 'streamConnectFailed',
							retryable: true,
							description:
								'The endpoint was unreachable, refused the connection, or did not take the ticket. A new ticket is asked for on the next attempt. Check the network and any proxy (HTTPS_PROXY / NO_PROXY) between n8n and DingTalk; a proxy must allow WebSocket connections.',
						},
					),
				);
			const onAbort = () => settle(cancelled());
			const timer = setTimeout(
				() =>
					settle(
						new DingTalkApiError(
							`${ACTION} failed: the WebSocket connection to ${ticket.endpoint} did not open within ${Math.ceil(options.openTimeoutMs / 1000)} s`,
							{
								code: 'streamConnectTimeout',
								retryable: true,
								description:
									'Check the network and any proxy (HTTPS_PROXY / NO_PROXY) between n8n and DingTalk; a proxy must allow WebSocket connections.',
							},
						),
					),
				options.openTimeoutMs,
			);
			timer.unref();
			ws.addEventListener('open', onOpen);
			ws.addEventListener('close', onFailure);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
		socket.startHeartbeat(options.heartbeatMs);
		return socket;
	}

	/** Closes the socket (code 1000); `ended` settles with undefined once it is closed. */
	close(): void {
		this.closedByUs = true;
		this.stopHeartbeat();
		this.ws.close(1000);
	}

	private startHeartbeat(heartbeatMs: number): void {
		if (this.closed) return;
		onPong(this.ws, () => (this.alive = true));
		this.heartbeat = setInterval(() => {
			if (!this.alive) {
				this.stopHeartbeat();
				this.finish(
					new DingTalkApiError(
						`${ACTION}: no sign of life from ${this.endpoint} for about ${Math.ceil((2 * heartbeatMs) / 1000)} s`,
						{
							code: 'streamConnectionSilent',
							retryable: true,
							description:
								'The connection is given up and a new one opened. A firewall, NAT or proxy may drop idle connections.',
						},
					),
				);
				// A dead TCP connection may never finish the closing handshake: the socket is
				// left to the operating system's own timeouts, and nothing here waits for it.
				this.closedByUs = true;
				this.ws.close(1000);
				return;
			}
			this.alive = false;
			ping(this.ws);
		}, heartbeatMs);
		this.heartbeat.unref();
	}

	private stopHeartbeat(): void {
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = undefined;
	}

	private send(text: string): void {
		// A socket already closing drops what is sent: the gateway delivers the message again.
		if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
	}

	private receive(data: unknown): void {
		this.alive = true;
		const text = textOf(data);
		const frame = text === undefined ? undefined : parseFrame(text);
		if (!frame) {
			this.handlers.onUnreadableFrame();
			return;
		}
		if (frame.type === 'SYSTEM') {
			const topic = headerOf(frame, 'topic');
			if (topic === SYSTEM_TOPICS.ping) this.send(pingAnswer(frame));
			else if (topic === SYSTEM_TOPICS.disconnect) this.handlers.onDisconnectRequested();
			// CONNECTED, REGISTERED, KEEPALIVE: signs of life, nothing to answer.
			return;
		}
		if (frame.type !== 'EVENT' && frame.type !== 'CALLBACK') return;
		try {
			this.handlers.onMessage(frame);
		} catch {
			// The owner reports its receivers' failures itself; nothing may escape an event
			// listener, where it would become an uncaught exception of the whole process.
		}
		// Acknowledged once handed over: what the receivers do with it is their business, and a
		// message left unacknowledged would only come again, to every receiver.
		const messageId = headerOf(frame, 'messageId');
		if (messageId !== undefined) this.send(acknowledgement(messageId));
	}
}

function cancelled(): DingTalkApiError {
	return new DingTalkApiError(`${ACTION}: the connection was closed while it was opening`, {
		code: 'cancelled',
	});
}
