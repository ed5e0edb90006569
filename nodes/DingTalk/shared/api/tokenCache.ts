import { createHash } from 'node:crypto';

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
 * - Single flight: concurrent callers wanting the same token wait for one request.
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

	async get(key: string, issue: () => Promise<IssuedToken>): Promise<string> {
		const cached = this.entries.get(key);
		if (cached && cached.refreshAt > this.now()) {
			// Re-insert to keep the map in least-recently-used order.
			this.entries.delete(key);
			this.entries.set(key, cached);
			return cached.token;
		}
		const pending = this.inFlight.get(key);
		if (pending) return await pending;

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
		try {
			return await request;
		} finally {
			this.inFlight.delete(key);
		}
	}

	/** Forgets `token` if it is still the cached one (DingTalk said it is no longer valid). */
	invalidate(key: string, token: string): void {
		if (this.entries.get(key)?.token === token) this.entries.delete(key);
	}
}

/** The one cache of this process: every node and execution of the package shares it. */
export const sharedTokenCache = new TokenCache();
