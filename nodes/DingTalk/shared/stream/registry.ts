// A caller's own time limit on waiting for the connection.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { clearTimeout, setTimeout } from 'node:timers';

import { TokenCache } from '../api/tokenCache';
import { DingTalkApiError, InputError } from '../errors';
import { requireBaseUrl } from '../helpers/validate';
import {
	StreamConnection,
	type ConnectionListener,
	type ConnectionOptions,
	type SessionOpener,
	type StreamState,
} from './connection';
import type { StreamApp } from './gateway';
import type { StorageEvent } from './storageEvents';

/**
 * One Stream mode connection per app per process, shared by everyone who listens to that
 * app's storage events. DingTalk's gateway gives each event to ONE of an app's open
 * connections: a connection per listener (per workflow) would leave each with only part of
 * the events. Here the app's single connection hands every event to every subscriber; it is
 * opened with the first subscriber and closed when the last one leaves.
 *
 * An app is its base URL, App Key and a hash of its App Secret (the secret itself is never a
 * key), so two credentials for the same app with different secrets do not share a connection.
 */

export interface StreamSubscriber {
	/**
	 * A storage event of the app, once per eventId, in arrival order. Take it (queue it) and
	 * return: the event is acknowledged to DingTalk when every subscriber has taken it. Work
	 * done with it later, and its failures, are the subscriber's business; an exception thrown
	 * here is passed to `onWarning` and the event still counts as handed over.
	 */
	onEvent(event: StorageEvent): void;
	/** The shared connection's state changed (connected; reconnecting, with the last error; ...). */
	onStateChange?(state: StreamState): void;
	/** Something received was ignored, or `onEvent` threw: for the log. */
	onWarning?(message: string): void;
}

export interface StreamSubscription {
	/** The shared connection's state now. */
	readonly state: StreamState;
	/**
	 * Resolves when the connection is open (at once if it is). Rejects with the error of the
	 * next attempt that fails (a refused App Key or Secret, an unreachable gateway...), when
	 * `timeoutMs` passes first, or when `signal` aborts or the subscription ends.
	 */
	waitUntilConnected(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
	/** Stops receiving events. The last subscriber of an app closes its connection: resolves once it is closed. */
	unsubscribe(): Promise<void>;
}

interface AppConnection {
	connection: StreamConnection;
	subscribers: Set<Subscription>;
}

function waitEnded(action: string): DingTalkApiError {
	return new DingTalkApiError(`Waiting for the DingTalk Stream mode connection: ${action}`, {
		code: 'cancelled',
	});
}

class Subscription implements StreamSubscription {
	private left = false;
	private readonly waiters = new Set<(state: StreamState | 'left') => void>();

	constructor(
		readonly subscriber: StreamSubscriber,
		private readonly shared: AppConnection,
		private readonly leave: (subscription: Subscription) => Promise<void>,
	) {}

	get state(): StreamState {
		return this.shared.connection.state;
	}

	/** The connection's state changed: subscriber first, then whoever waits for it. */
	stateChanged(state: StreamState): void {
		try {
			this.subscriber.onStateChange?.(state);
		} catch {
			// A subscriber's logging is not the connection's concern.
		}
		for (const waiter of [...this.waiters]) waiter(state);
	}

	warn(message: string): void {
		try {
			this.subscriber.onWarning?.(message);
		} catch {
			// As above.
		}
	}

	async waitUntilConnected(
		options: { signal?: AbortSignal; timeoutMs?: number } = {},
	): Promise<void> {
		if (this.left) throw waitEnded('the subscription has ended');
		if (this.state.status === 'connected') return;
		const { signal, timeoutMs } = options;
		if (signal?.aborted) throw waitEnded('cancelled');
		await new Promise<void>((resolve, reject) => {
			const finish = (error?: Error) => {
				this.waiters.delete(waiter);
				clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
				if (error) reject(error);
				else resolve();
			};
			const waiter = (state: StreamState | 'left') => {
				if (state === 'left') finish(waitEnded('the subscription has ended'));
				else if (state.status === 'connected') finish();
				else if (state.status === 'closed') finish(waitEnded('the connection was closed'));
				// The gateway retiring a good connection is no failure; anything else is.
				else if (state.lastError && state.lastError.code !== 'streamDisconnect')
					finish(state.lastError);
			};
			const onAbort = () => finish(waitEnded('cancelled'));
			const timer =
				timeoutMs === undefined
					? undefined
					: setTimeout(() => {
							const last = this.state.lastError;
							finish(
								new DingTalkApiError(
									`The DingTalk Stream mode connection did not open within ${Math.ceil(timeoutMs / 1000)} s${last ? `: ${last.message}` : ''}`,
									{
										code: last?.code ?? 'streamConnectTimeout',
										retryable: true,
										description:
											last?.description ??
											'Check the network and any proxy (HTTPS_PROXY / NO_PROXY) between n8n and DingTalk.',
									},
								),
							);
						}, timeoutMs);
			this.waiters.add(waiter);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	async unsubscribe(): Promise<void> {
		if (this.left) return;
		this.left = true;
		for (const waiter of [...this.waiters]) waiter('left');
		await this.leave(this);
	}
}

export class StreamRegistry {
	private readonly connections = new Map<string, AppConnection>();

	/**
	 * `options` apply to every connection this registry opens; `openSession` replaces how a
	 * socket is opened (tests).
	 */
	constructor(
		private readonly options: Partial<ConnectionOptions> = {},
		private readonly openSession?: (app: StreamApp) => SessionOpener,
	) {}

	/** How many apps have a connection (open, or reconnecting). */
	get connectionCount(): number {
		return this.connections.size;
	}

	/**
	 * Receives `app`'s storage events: through its existing connection, or a new one. Throws an
	 * InputError for a missing App Key or Secret or an unusable base URL.
	 */
	subscribe(app: StreamApp, subscriber: StreamSubscriber): StreamSubscription {
		const checked = checkedApp(app);
		const key = TokenCache.keyFor(checked.baseUrl, checked.appKey, checked.appSecret);
		let shared = this.connections.get(key);
		if (!shared) {
			const subscribers = new Set<Subscription>();
			const listener: ConnectionListener = {
				onEvent: (event) => {
					// A copy: a subscriber may leave (or another join) while the event is handed out.
					for (const subscription of [...subscribers]) {
						try {
							subscription.subscriber.onEvent(event);
						} catch (error) {
							subscription.warn(
								`Handling DingTalk event ${event.eventId} failed: ${error instanceof Error ? error.message : String(error)}`,
							);
						}
					}
				},
				onState: (state) => {
					for (const subscription of [...subscribers]) subscription.stateChanged(state);
				},
				onWarning: (message) => {
					for (const subscription of [...subscribers]) subscription.warn(message);
				},
			};
			shared = {
				connection: new StreamConnection(
					checked,
					listener,
					this.options,
					this.openSession?.(checked),
				),
				subscribers,
			};
			this.connections.set(key, shared);
		}
		const subscription = new Subscription(
			subscriber,
			shared,
			async (leaving) => await this.leave(key, shared, leaving),
		);
		shared.subscribers.add(subscription);
		shared.connection.start();
		return subscription;
	}

	/** Closes every connection (a process shutting down, a test's end). */
	async closeAll(): Promise<void> {
		const all = [...this.connections.values()];
		this.connections.clear();
		await Promise.all(all.map(async (shared) => await shared.connection.close()));
	}

	private async leave(
		key: string,
		shared: AppConnection,
		subscription: Subscription,
	): Promise<void> {
		shared.subscribers.delete(subscription);
		if (shared.subscribers.size > 0) return;
		// Gone from the map at once: a subscriber arriving now gets a new connection, not one closing.
		if (this.connections.get(key) === shared) this.connections.delete(key);
		await shared.connection.close();
	}
}

function checkedApp(app: StreamApp): StreamApp {
	for (const field of ['appKey', 'appSecret'] as const) {
		if (typeof app[field] !== 'string' || app[field].trim() === '') {
			throw new InputError(
				field,
				'it is empty',
				'Stream mode signs in with the App Key and App Secret of the "DingTalk API" credential (an access token cannot open it).',
			);
		}
	}
	return {
		baseUrl: requireBaseUrl(app.baseUrl),
		appKey: app.appKey.trim(),
		appSecret: app.appSecret,
	};
}

/** The process's registry: every trigger of every workflow in this process uses it. */
export const sharedStreamRegistry = new StreamRegistry();
