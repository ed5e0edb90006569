// A Node built-in, deliberately: an abortable timer that keeps this module free of n8n.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Keeps calls under DingTalk's per-app, per-API rate limit (20 requests per second by
 * default) on the client side, so a run of hundreds of files goes as fast as DingTalk
 * allows without drawing its QPS errors. A sliding window: no span of `windowMs` ever
 * holds more than `perWindow` grants, which also holds for DingTalk's fixed windows.
 */
export class RateLimiter {
	private readonly grants: number[] = [];
	private queue: Promise<void> = Promise.resolve();

	constructor(
		readonly perWindow: number,
		private readonly windowMs = 1000,
		private readonly now: () => number = Date.now,
	) {}

	/** Resolves when one more call may go out. Callers are served in arrival order. */
	async acquire(signal?: AbortSignal): Promise<void> {
		const turn = this.queue.then(async () => await this.waitForSlot(signal));
		// A cancelled waiter must not block the ones behind it.
		this.queue = turn.catch(() => undefined);
		await turn;
	}

	private async waitForSlot(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const now = this.now();
			while (this.grants.length > 0 && this.grants[0] <= now - this.windowMs) this.grants.shift();
			if (this.grants.length < this.perWindow) {
				this.grants.push(now);
				return;
			}
			await delay(this.grants[0] + this.windowMs - now + 1, undefined, { signal });
		}
	}
}

const limiters = new Map<string, RateLimiter>();

/**
 * The process-wide limiter for one app (or token) and one API at a given budget.
 * Bounded: the oldest limiters are forgotten past a few hundred keys.
 */
export function limiterFor(key: string, perSecond: number): RateLimiter {
	const id = `${key}\n${perSecond}`;
	let limiter = limiters.get(id);
	if (!limiter) {
		// A little under the budget per second, for the jitter between here and DingTalk.
		limiter = new RateLimiter(perSecond, 1050);
		limiters.set(id, limiter);
		if (limiters.size > 256) limiters.delete(limiters.keys().next().value as string);
	}
	return limiter;
}
