import { createHash } from 'node:crypto';

import { DingTalkApiError } from '../errors';

interface CachedToken {
	token: string;
	/** When to stop using it: a margin before DingTalk's `expireIn` runs out. */
	refreshAt: number;
}

export interface IssuedToken {
	token: string;
	/** Lifetime DingTalk announced, in seconds. */
	expireIn: number;
}

const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * In-process cache of app access tokens, shared by every execution in this n8n process.
 * - Keyed by base URL + app key + a hash of the app secret, so two credentials (or an
 *   edited secret) never share a token, and the secret itself is never kept as a key.
 * - Single flight: concurrent callers wanting the same token wait for one request. That
 *   request belongs to none of them: it runs under its own time limit (the issuer's), never
 *   under a caller's cancellation, and each caller waits with its own. Cancelling one
 *   execution ends that execution's wait at once and nobody else's; the request goes on,
 *   and its token is cached for whoever asks next. A request that fails is not cached.
 * - Bounded: the least recently used entries are dropped beyond `maxEntries`.
 */
export class TokenCache {
	private readonly entries = new Map<string, CachedToken>();
	private readonly inFlight = new Map<string, Promise<string>>();

	constructor(
		private readonly maxEntries = 64,
		private readonly now: () => number = Date.now,
	) {}

	static keyFor(baseUrl: string, appKey: string, appSecret: string): string {
		const secretHash = createHash('sha256').update(appSecret).digest('hex');
		return createHash('sha256').update(`${baseUrl}\n${appKey}\n${secretHash}`).digest('hex');
	}

	get size(): number {
		return this.entries.size;
	}

	/**
	 * The cached token for `key`, or the one `issue` fetches (shared with every concurrent
	 * caller). `signal` is this caller's cancellation: it ends this caller's wait only.
	 */
	async get(key: string, issue: () => Promise<IssuedToken>, signal?: AbortSignal): Promise<string> {
		// Someone already gone starts nothing, not even a request others would share.
		if (signal?.aborted) throw cancelled();
		const cached = this.entries.get(key);
		if (cached && cached.refreshAt > this.now()) {
			// Re-insert to keep the map in least-recently-used order.
			this.entries.delete(key);
			this.entries.set(key, cached);
			return cached.token;
		}
		return await waitUnlessCancelled(this.inFlight.get(key) ?? this.request(key, issue), signal);
	}

	/** Forgets `token` if it is still the cached one (DingTalk said it is no longer valid). */
	invalidate(key: string, token: string): void {
		if (this.entries.get(key)?.token === token) this.entries.delete(key);
	}

	/** Starts the one shared request for `key`; it outlives any caller that stops waiting. */
	private request(key: string, issue: () => Promise<IssuedToken>): Promise<string> {
		const request = issue().then(({ token, expireIn }) => {
			const lifetimeMs = Math.max(0, expireIn) * 1000;
			const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 2);
			this.entries.delete(key);
			this.entries.set(key, { token, refreshAt: this.now() + lifetimeMs - margin });
			while (this.entries.size > this.maxEntries) {
				const oldest = this.entries.keys().next().value as string;
				this.entries.delete(oldest);
			}
			return token;
		});
		this.inFlight.set(key, request);
		// Settled, it is no longer shared: the next caller finds the cached token, or (after
		// a failure) starts a new request. Handling the rejection here also keeps a failure
		// that every caller stopped waiting for from becoming an unhandled rejection.
		const settled = () => {
			if (this.inFlight.get(key) === request) this.inFlight.delete(key);
		};
		request.then(settled, settled);
		return request;
	}
}

function cancelled(): DingTalkApiError {
	return new DingTalkApiError('Getting an access token failed: the request was cancelled', {
		code: 'cancelled',
	});
}

/** `work`'s result, unless `signal` fires first: then a cancellation error at once (`work` goes on). */
async function waitUnlessCancelled<T>(
	work: Promise<T>,
	signal: AbortSignal | undefined,
): Promise<T> {
	if (!signal) return await work;
	return await new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(cancelled());
		signal.addEventListener('abort', onAbort, { once: true });
		work.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

/** The one cache of this process: every node and execution of the package shares it. */
export const sharedTokenCache = new TokenCache();
