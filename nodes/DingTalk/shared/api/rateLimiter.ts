// A Node built-in, deliberately: an abortable timer that keeps this module free of n8n.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { setTimeout as delay } from 'node:timers/promises';

/** Runs waits one at a time, in the order they came; a cancelled one does not block the rest. */
class ArrivalOrder {
	private tail: Promise<void> = Promise.resolve();

	async run(wait: () => Promise<void>): Promise<void> {
		const turn = this.tail.then(wait);
		this.tail = turn.catch(() => undefined);
		await turn;
	}
}

/** The time a limiter reads and waits on: the real one, unless a test gives its own. */
export interface LimiterClock {
	now(): number;
	/** Resolves after `ms`; rejects at once when `signal` aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const REAL_CLOCK: LimiterClock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await delay(ms, undefined, { signal }),
};

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
	private readonly order = new ArrivalOrder();

	constructor(
		private readonly windowMs = 1000,
		private readonly clock: LimiterClock = REAL_CLOCK,
	) {}

	/** Resolves when one more call may go out under `budget`. Callers are served in arrival order. */
	async acquire(budget: number, signal?: AbortSignal): Promise<void> {
		await this.order.run(async () => await this.waitForSlot(budget, signal));
	}

	private async waitForSlot(budget: number, signal?: AbortSignal): Promise<void> {
		const allowed = Math.max(1, Math.floor(budget));
		for (;;) {
			signal?.throwIfAborted();
			const now = this.clock.now();
			while (this.grants.length > 0 && this.grants[0] <= now - this.windowMs) this.grants.shift();
			if (this.grants.length < allowed) {
				this.grants.push(now);
				return;
			}
			// The grant that must leave the window before this call may go.
			const blocking = this.grants[this.grants.length - allowed];
			await this.clock.sleep(blocking + this.windowMs - now + 1, signal);
		}
	}
}

/**
 * A rate budget kept outside this process, shared by every process that uses it (n8n's
 * main and workers in queue mode, through their Redis: see sharedBudget.ts).
 */
export interface BudgetStore {
	/**
	 * Takes one grant of `budget` per `windowMs` for `key`: 0 when granted, otherwise how
	 * many milliseconds until one may be. Rejects when the store cannot be reached.
	 */
	take(key: string, budget: number, windowMs: number): Promise<number>;
}

/** What callers wait on: a RateLimiter, or one that shares its budget through a store. */
export interface Limiter {
	acquire(budget: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Told when the shared budget cannot be reached, with the reason: this process then keeps
 * its own window for `fallbackMs`, so the processes together may exceed the app's limit.
 */
export type FallbackWarning = (reason: string, fallbackMs: number) => void;

/**
 * Tells of each outage of a shared store once, however many limiters meet it and however
 * often they try again during it: the first failure warns, and the next warning waits for
 * a grant from the store (it came back) and a new failure.
 */
export class OutageWarning {
	private ongoing = false;

	constructor(private readonly warn: FallbackWarning) {}

	failed(error: unknown, fallbackMs: number): void {
		if (this.ongoing) return;
		this.ongoing = true;
		this.warn(error instanceof Error ? error.message : String(error), fallbackMs);
	}

	succeeded(): void {
		this.ongoing = false;
	}
}

export interface SharedRateLimiterOptions {
	/** The shared window, a little longer than DingTalk's second. */
	windowMs?: number;
	/** How long this process keeps its own window after the store failed. */
	fallbackMs?: number;
	/** Warns of the store's outages (one per outage, shared by the limiters of one store). */
	outage?: OutageWarning;
	clock?: LimiterClock;
}

/**
 * The budget of one app and API shared through a BudgetStore, so that n8n's workers
 * together stay under DingTalk's per-app limit (each process's own window cannot see the
 * others). Callers of this process still queue in arrival order, so one of them at a time
 * asks the store. When the store fails, this process falls back to its own window for a
 * while (`fallbackMs`) rather than fail or stall the call, and says so once (`outage`);
 * DingTalk's QPS answers are still retried behind it.
 */
export class SharedRateLimiter implements Limiter {
	private readonly order = new ArrivalOrder();
	private storeDownUntil = 0;
	private readonly windowMs: number;
	private readonly fallbackMs: number;
	private readonly outage?: OutageWarning;
	private readonly clock: LimiterClock;

	constructor(
		private readonly key: string,
		private readonly store: BudgetStore,
		private readonly local: RateLimiter,
		options: SharedRateLimiterOptions = {},
	) {
		this.windowMs = options.windowMs ?? 1050;
		this.fallbackMs = options.fallbackMs ?? 30_000;
		this.outage = options.outage;
		this.clock = options.clock ?? REAL_CLOCK;
	}

	async acquire(budget: number, signal?: AbortSignal): Promise<void> {
		await this.order.run(async () => await this.waitForGrant(budget, signal));
	}

	private async waitForGrant(budget: number, signal?: AbortSignal): Promise<void> {
		const allowed = Math.max(1, Math.floor(budget));
		for (;;) {
			signal?.throwIfAborted();
			if (this.clock.now() < this.storeDownUntil) return await this.local.acquire(allowed, signal);
			let waitMs: number;
			try {
				waitMs = await this.store.take(this.key, allowed, this.windowMs);
			} catch (error) {
				this.storeDownUntil = this.clock.now() + this.fallbackMs;
				this.outage?.failed(error, this.fallbackMs);
				continue;
			}
			this.outage?.succeeded();
			if (waitMs <= 0) return;
			await this.clock.sleep(Math.min(waitMs, this.windowMs), signal);
		}
	}
}

let sharedStore: BudgetStore | undefined;
let sharedOutage: OutageWarning | undefined;

/**
 * Shares every app's budget through `store` from now on (undefined: each process keeps
 * its own); `onFallback` hears of each outage of the store once. Called once by the n8n
 * layer when n8n runs in queue mode.
 */
export function shareBudgetsThrough(
	store: BudgetStore | undefined,
	options: { onFallback?: FallbackWarning } = {},
): void {
	sharedStore = store;
	sharedOutage = store && options.onFallback ? new OutageWarning(options.onFallback) : undefined;
	shared.clear();
}

const limiters = new Map<string, RateLimiter>();
const shared = new Map<string, SharedRateLimiter>();

/** Keeps a map to its few hundred most recently used keys. */
function remember<T>(map: Map<string, T>, key: string, make: () => T): T {
	let value = map.get(key);
	if (value !== undefined) map.delete(key);
	else value = make();
	map.set(key, value);
	if (map.size > 256) map.delete(map.keys().next().value as string);
	return value;
}

/**
 * Forgets every window of this process (what the next calls wait for starts empty). For the
 * test suites, where one emulated app makes hundreds of unrelated calls in a row: each test
 * starts with DingTalk's whole second, as a fresh process would.
 */
export function forgetRateWindows(): void {
	limiters.clear();
	shared.clear();
}

/**
 * The limiter of one app (or token) and one API, whichever node or execution asks: this
 * process's own window, or, when budgets are shared, one that draws on the shared budget
 * (with this process's window as its fallback).
 */
export function limiterFor(key: string): Limiter {
	// A little longer than DingTalk's second, for the jitter between here and DingTalk.
	const local = remember(limiters, key, () => new RateLimiter(1050));
	const store = sharedStore;
	if (!store) return local;
	const outage = sharedOutage;
	return remember(shared, key, () => new SharedRateLimiter(key, store, local, { outage }));
}
