// undici is this package's one runtime dependency (see transport/http.ts): its proxy-aware
// agent carries the WebSocket handshake, so HTTP(S)_PROXY / NO_PROXY apply to it as well.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { EnvHttpProxyAgent } from 'undici';
// Timers of the connection's own bookkeeping (a retired socket's grace time, closing).
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { clearTimeout, setTimeout } from 'node:timers';

import { DingTalkApiError, DingTalkStorageError } from '../errors';
import {
	Backoff,
	pause,
	SYSTEM_CLOCK,
	type BackoffPolicy,
	type RetryClock,
} from '../helpers/retry';
import { DEFAULT_TIMEOUTS, type Timeouts } from '../transport/http';
import type { StreamFrame } from './frames';
import { requestTicket, type StreamApp } from './gateway';
import { DEFAULT_REMEMBERED_EVENTS, RecentIds } from './recentIds';
import { GatewaySocket, type GatewaySession, type SocketHandlers } from './socket';
import { readStorageEvent, type StorageEvent } from './storageEvents';

/**
 * One app's Stream mode connection for as long as anyone listens: a ticket, a WebSocket, and
 * again when it ends. DingTalk's gateway gives each event to one of the app's open
 * connections, so a process keeps one per app (see registry.ts) and everything it receives
 * goes to one listener, which shares it out.
 *
 * - The gateway's `disconnect` (it retires connections from time to time): a new connection is
 *   opened at once while the old one stays open, so that messages still sent on it are taken
 *   and acknowledged, until the gateway closes it (or `disconnectGraceMs` has passed).
 * - A dropped socket or a failed attempt: a new attempt after an exponential back-off with
 *   jitter; the back-off starts again from its first step after a connection that stayed up
 *   for `stableAfterMs`.
 * - The same event twice (a redelivery, the same event on the old and the new connection):
 *   recognised by its eventId among the last `rememberedEvents`, and passed on once.
 * The connection never gives up on its own: it reports its state (with the last error), and
 * whoever owns it decides; `close()` ends it.
 */

export interface StreamState {
	/**
	 * connecting: the first attempt is under way. connected: a socket is open. reconnecting: the
	 * last socket ended or the last attempt failed, and another is waited for or under way.
	 * closed: the connection was closed.
	 */
	status: 'connecting' | 'connected' | 'reconnecting' | 'closed';
	/** While reconnecting: why the last socket ended or the last attempt failed. */
	lastError?: DingTalkStorageError;
	/** Attempts in a row that failed or did not stay up (0 while connected, and after a connection that stayed up). */
	failures: number;
	/** While reconnecting: the wait before the next attempt, in ms (0: at once). */
	retryInMs?: number;
}

export interface ConnectionOptions {
	/** Of the ticket request, and the WebSocket's TCP connect. */
	timeouts: Timeouts;
	/** The waits between attempts. */
	backoff: BackoffPolicy;
	/** A connection that stayed up this long resets the back-off. */
	stableAfterMs: number;
	/** How often the socket is checked for signs of life (see socket.ts). */
	heartbeatMs: number;
	/** The WebSocket handshake's time limit. */
	openTimeoutMs: number;
	/** How long an old socket is kept for the gateway to close after its `disconnect`. */
	disconnectGraceMs: number;
	/** How many event IDs are remembered to drop duplicates. */
	rememberedEvents: number;
	/** Time and chance of the back-off (tests replace them). */
	clock: RetryClock;
}

export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
	timeouts: DEFAULT_TIMEOUTS,
	// From 0.5-1 s up to 30-60 s ('equal' jitter: half a step to a step), so that every client
	// of a gateway that restarts does not come back at the same moment.
	backoff: { firstDelayMs: 1000, factor: 2, maxDelayMs: 60_000, jitter: 'equal' },
	stableAfterMs: 30_000,
	heartbeatMs: 20_000,
	openTimeoutMs: 30_000,
	disconnectGraceMs: 30_000,
	rememberedEvents: DEFAULT_REMEMBERED_EVENTS,
	// The waits between attempts hold the process like an open socket does: a connection that
	// is reconnecting is as alive as one that is connected.
	clock: SYSTEM_CLOCK,
};

export interface ConnectionListener {
	/** A storage event, once per eventId, in arrival order. Must not block: take it and return. */
	onEvent(event: StorageEvent): void;
	onState(state: StreamState): void;
	/** Something received was ignored (a storage event without IDs, an unreadable frame). */
	onWarning(message: string): void;
}

/** Opens one socket (a ticket, then its WebSocket). Tests replace it. */
export type SessionOpener = (
	handlers: SocketHandlers,
	signal: AbortSignal,
) => Promise<GatewaySession>;

/** How long `close()` waits for sockets to finish their closing handshake. */
const CLOSE_WAIT_MS = 5_000;

function asStorageError(error: unknown): DingTalkStorageError {
	if (error instanceof DingTalkStorageError) return error;
	return new DingTalkApiError(
		`Receiving DingTalk storage events (Stream mode) failed: ${error instanceof Error ? error.message : String(error)}`,
		{
			code: 'streamFailed',
			retryable: true,
		},
	);
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([
		promise.catch(() => undefined),
		new Promise((resolve) => (timer = setTimeout(resolve, ms))),
	]);
	clearTimeout(timer);
}

export class StreamConnection {
	private readonly options: ConnectionOptions;
	private readonly stopping = new AbortController();
	private readonly stopped: Promise<'stopped'>;
	private readonly recent: RecentIds;
	private readonly openSession: SessionOpener;
	private current?: GatewaySession;
	private readonly draining = new Set<GatewaySession>();
	private stateValue: StreamState = { status: 'connecting', failures: 0 };
	private running?: Promise<void>;
	private closing?: Promise<void>;
	private dispatcher?: EnvHttpProxyAgent;

	constructor(
		private readonly app: StreamApp,
		private readonly listener: ConnectionListener,
		options: Partial<ConnectionOptions> = {},
		openSession?: SessionOpener,
	) {
		this.options = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
		this.recent = new RecentIds(this.options.rememberedEvents);
		this.openSession =
			openSession ?? (async (handlers, signal) => await this.openGatewaySocket(handlers, signal));
		this.stopped = new Promise((resolve) =>
			this.stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
		);
	}

	get state(): StreamState {
		return { ...this.stateValue };
	}

	/** Starts connecting (once). */
	start(): void {
		this.running ??= this.run();
	}

	/**
	 * Ends the connection: no new attempt, every socket closed. Resolves once they are (within a
	 * few seconds: a socket whose peer is gone is left to the operating system).
	 */
	async close(): Promise<void> {
		this.closing ??= (async () => {
			this.stopping.abort();
			for (const session of [...this.draining, ...(this.current ? [this.current] : [])])
				session.close();
			await this.running;
			// The loop has retired its last socket too, even one that opened as this began.
			await atMost(
				Promise.all([...this.draining].map(async (session) => await session.ended)),
				CLOSE_WAIT_MS,
			);
			await this.dispatcher?.destroy().catch(() => undefined);
			this.setState({ status: 'closed', failures: 0 });
		})();
		await this.closing;
	}

	private async openGatewaySocket(
		handlers: SocketHandlers,
		signal: AbortSignal,
	): Promise<GatewaySession> {
		const ticket = await requestTicket(this.app, this.options.timeouts, signal);
		this.dispatcher ??= new EnvHttpProxyAgent({
			connect: { timeout: this.options.timeouts.connectMs },
		});
		return await GatewaySocket.open(
			ticket,
			handlers,
			{
				openTimeoutMs: this.options.openTimeoutMs,
				heartbeatMs: this.options.heartbeatMs,
				dispatcher: this.dispatcher,
			},
			signal,
		);
	}

	private setState(state: StreamState): void {
		this.stateValue = state;
		this.listener.onState(this.state);
	}

	private async run(): Promise<void> {
		const { clock } = this.options;
		const signal = this.stopping.signal;
		let backoff = new Backoff(this.options.backoff, clock);
		let failures = 0;
		while (!signal.aborted) {
			let requestDisconnect!: () => void;
			const disconnect = new Promise<'disconnect'>(
				(resolve) => (requestDisconnect = () => resolve('disconnect')),
			);
			let session: GatewaySession | undefined;
			let openedAt: number | undefined;
			let reason: DingTalkStorageError | undefined;
			let planned = false;
			try {
				session = await this.openSession(
					{
						onMessage: (frame) => this.deliver(frame),
						onDisconnectRequested: () => requestDisconnect(),
						onUnreadableFrame: () =>
							this.listener.onWarning(
								'A message from the DingTalk Stream gateway could not be read (not a JSON frame) and was ignored.',
							),
					},
					signal,
				);
			} catch (error) {
				reason = asStorageError(error);
			}
			if (session) {
				this.current = session;
				openedAt = clock.now();
				if (!signal.aborted) this.setState({ status: 'connected', failures: 0 });
				const outcome = await Promise.race([session.ended, disconnect, this.stopped]);
				this.current = undefined;
				if (outcome === 'stopped') {
					this.retire(session, true);
					break;
				}
				if (outcome === 'disconnect') {
					planned = true;
					this.retire(session, false);
					reason = new DingTalkApiError(
						'The DingTalk Stream gateway asked for a new connection (it retires connections from time to time)',
						{
							code: 'streamDisconnect',
							retryable: true,
						},
					);
				} else {
					reason = outcome;
				}
			}
			if (signal.aborted) break;
			const stable = openedAt !== undefined && clock.now() - openedAt >= this.options.stableAfterMs;
			if (stable) {
				backoff = new Backoff(this.options.backoff, clock);
				failures = 0;
			} else {
				failures++;
			}
			// The gateway's own request after a good connection is no failure: the old socket is
			// still open, so the new one is opened at once. Anything else waits its back-off.
			const delay = planned && stable ? 0 : backoff.nextDelay();
			this.setState({ status: 'reconnecting', lastError: reason, failures, retryInMs: delay });
			try {
				await pause(delay, signal, () => new Error('closed'), clock);
			} catch {
				break;
			}
		}
	}

	/**
	 * A socket that is no longer the current one: closed now (the connection is closing), or
	 * kept open for what the gateway still sends on it after its `disconnect`, until the gateway
	 * closes it or the grace time has passed.
	 */
	private retire(session: GatewaySession, closeNow: boolean): void {
		this.draining.add(session);
		const timer = closeNow
			? undefined
			: setTimeout(() => session.close(), this.options.disconnectGraceMs).unref();
		if (closeNow) session.close();
		void session.ended.then(() => {
			clearTimeout(timer);
			this.draining.delete(session);
		});
	}

	private deliver(frame: StreamFrame): void {
		if (frame.type !== 'EVENT') return;
		const reading = readStorageEvent(frame);
		if (reading.kind === 'other') return;
		if (reading.kind === 'invalid') {
			this.listener.onWarning(
				`A ${reading.eventType} event from DingTalk was ignored: ${reading.problem}.`,
			);
			return;
		}
		if (!this.recent.add(reading.event.eventId)) return;
		this.listener.onEvent(reading.event);
	}
}
