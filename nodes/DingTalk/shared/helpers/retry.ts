/**
 * Waiting before trying again, the same way everywhere (the API's rate-limit back-off, task
 * polling, download resumes, upload PUTs): exponential steps with jitter and a cap, a
 * server's Retry-After honoured, and cancellation ending the wait at once.
 */

export interface BackoffPolicy {
	/** The step before the first retry (before jitter). */
	firstDelayMs: number;
	/** Each step is the previous one times this (default 2). */
	factor?: number;
	/** No wait is longer than this, a Retry-After included (default 30 s). */
	maxDelayMs?: number;
	/**
	 * How a wait is spread around its step, so that clients refused together do not all come
	 * back together: 'full', anywhere from 0 to the step; 'equal', from half the step to the
	 * step; 'none', the step itself (a polling schedule).
	 */
	jitter: 'full' | 'equal' | 'none';
}

/** What a wait depends on; tests replace it. */
export interface RetryClock {
	now(): number;
	random(): number;
	/** Resolves after `ms`, or rejects at once when `signal` aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * Rejects with the signal's reason when it aborts (the caller turns that into its own error).
 * The global timers, deliberately: n8n-workflow's sleepWithAbort is not for this n8n-free
 * folder, and tests fake these timers to run long waits in an instant.
 */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals
			clearTimeout(timer);
			reject(signal!.reason);
		};
		// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export const SYSTEM_CLOCK: RetryClock = {
	now: () => Date.now(),
	random: () => Math.random(),
	sleep: abortableSleep,
};

/**
 * A Retry-After header in milliseconds from `now`: delay-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT", a date in the past being 0). Undefined when absent or
 * not one of those (a wrong header is ignored, not obeyed).
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
	const value = header?.trim();
	if (!value) return undefined;
	if (/^\d+$/.test(value)) return Number(value) * 1000;
	// Every HTTP date form (IMF-fixdate, RFC 850, asctime) starts with the day's name;
	// Date.parse alone would take "1.5" for a date.
	if (!/^[A-Za-z]{3,9},? /.test(value)) return undefined;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits `ms`; a cancellation ends the wait at once and rejects with `cancelled()`. */
export async function pause(
	ms: number,
	signal: AbortSignal | undefined,
	cancelled: () => Error,
	clock: RetryClock = SYSTEM_CLOCK,
): Promise<void> {
	if (signal?.aborted) throw cancelled();
	try {
		await clock.sleep(Math.max(0, ms), signal);
	} catch {
		throw cancelled();
	}
}

/**
 * The waits of one retry loop. Each `wait` (or `nextDelay`) is one retry: the loop counts
 * its retries with `retries` and decides itself when to give up.
 */
export class Backoff {
	/** Retries waited for so far. */
	retries = 0;

	constructor(
		private readonly policy: BackoffPolicy,
		private readonly clock: RetryClock = SYSTEM_CLOCK,
	) {}

	/**
	 * The next wait: what the server asked for with Retry-After (up to the cap), or else the
	 * next exponential step (up to the cap), jittered.
	 */
	nextDelay(retryAfter?: string): number {
		const cap = this.policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
		const step = Math.min(
			this.policy.firstDelayMs * (this.policy.factor ?? 2) ** this.retries,
			cap,
		);
		this.retries++;
		const asked = retryAfterMs(retryAfter, this.clock.now());
		if (asked !== undefined) return Math.min(asked, cap);
		switch (this.policy.jitter) {
			case 'full':
				return this.clock.random() * step;
			case 'equal':
				return step / 2 + (this.clock.random() * step) / 2;
			default:
				return step;
		}
	}

	/**
	 * Waits before the next try; a cancellation ends the wait at once with the caller's
	 * error. Resolves with the time waited.
	 */
	async wait(options: {
		signal?: AbortSignal;
		cancelled: () => Error;
		retryAfter?: string;
	}): Promise<number> {
		const ms = this.nextDelay(options.retryAfter);
		await pause(ms, options.signal, options.cancelled, this.clock);
		return ms;
	}
}
