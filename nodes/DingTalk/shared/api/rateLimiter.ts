// A Node built-in, deliberately: an abortable timer that keeps this module free of n8n.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Keeps calls under DingTalk's per-app, per-API rate limit (20 requests per second by
 * default) on the client side, so a run of hundreds of items goes as fast as DingTalk
 * allows without drawing its QPS errors. A sliding window: no span of `windowMs` ever
 * holds more grants than the budget, which also holds for DingTalk's fixed windows.
 *
 * The budget comes with each call, because callers with different settings (two nodes
 * of one workflow, say) share one window: each waits until the traffic of everyone in
 * the window is under its own budget, so no setting is ever exceeded by the total.
 */
export class RateLimiter {
	private readonly grants: number[] = [];
	private queue: Promise<void> = Promise.resolve();

	constructor(
		private readonly windowMs = 1000,
		private readonly now: () => number = Date.now,
	) {}

	/** Resolves when one more call may go out under `budget`. Callers are served in arrival order. */
	async acquire(budget: number, signal?: AbortSignal): Promise<void> {
		const turn = this.queue.then(async () => await this.waitForSlot(budget, signal));
		// A cancelled waiter must not block the ones behind it.
		this.queue = turn.catch(() => undefined);
		await turn;
	}

	private async waitForSlot(budget: number, signal?: AbortSignal): Promise<void> {
		const allowed = Math.max(1, Math.floor(budget));
		for (;;) {
			signal?.throwIfAborted();
			const now = this.now();
			while (this.grants.length > 0 && this.grants[0] <= now - this.windowMs) this.grants.shift();
			if (this.grants.length < allowed) {
				this.grants.push(now);
				return;
			}
			// The grant that must leave the window before this call may go.
			const blocking = this.grants[this.grants.length - allowed];
			await delay(blocking + this.windowMs - now + 1, undefined, { signal });
		}
	}
}

const limiters = new Map<string, RateLimiter>();

/**
 * The process-wide limiter of one app (or token) and one API, whichever node or execution
 * asks. Bounded: the least recently used limiters are forgotten past a few hundred keys.
 */
export function limiterFor(key: string): RateLimiter {
	let limiter = limiters.get(key);
	if (limiter) {
		limiters.delete(key);
	} else {
		// A little longer than DingTalk's second, for the jitter between here and DingTalk.
		limiter = new RateLimiter(1050);
	}
	limiters.set(key, limiter);
	if (limiters.size > 256) limiters.delete(limiters.keys().next().value as string);
	return limiter;
}
