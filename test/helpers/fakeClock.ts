import type { LimiterClock } from '../../nodes/DingTalk/shared/api/rateLimiter';

interface Sleeper {
	at: number;
	wake: () => void;
}

/** Lets every promise callback that is ready run (they all run before the next turn). */
async function settle(): Promise<void> {
	await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when a test moves it: `now()` reads it, and `sleep` resolves when
 * it has been moved past the sleep's end (or rejects at once when its signal aborts). Tests
 * of timing run on it in an instant, and the times they see are exact.
 */
export class FakeClock implements LimiterClock {
	private time: number;
	private readonly sleepers = new Set<Sleeper>();
	/** Every sleep asked for, in milliseconds, in order. */
	readonly slept: number[] = [];

	constructor(start = 1_000_000) {
		this.time = start;
	}

	now = (): number => this.time;

	sleep = async (ms: number, signal?: AbortSignal): Promise<void> =>
		await new Promise<void>((resolve, reject) => {
			if (signal?.aborted) {
				reject(signal.reason);
				return;
			}
			this.slept.push(ms);
			const onAbort = () => {
				this.sleepers.delete(sleeper);
				reject(signal!.reason);
			};
			const sleeper: Sleeper = {
				at: this.time + Math.max(0, ms),
				wake: () => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
			};
			this.sleepers.add(sleeper);
			signal?.addEventListener('abort', onAbort, { once: true });
		});

	/** How many sleeps are waiting for the clock. */
	get pending(): number {
		return this.sleepers.size;
	}

	/** Moves the clock on by `ms`, waking each sleeper at its time and letting it run before the next. */
	async advance(ms: number): Promise<void> {
		const end = this.time + ms;
		for (;;) {
			await settle();
			const next = this.earliest();
			if (!next || next.at > end) break;
			this.wake(next);
		}
		this.time = end;
		await settle();
	}

	/**
	 * Waits for `work`, moving the clock on to the next sleeper's end whenever nothing else
	 * can run. Rejects when the work waits for something that is not the clock.
	 */
	async run<T>(work: Promise<T>): Promise<T> {
		let done = false;
		work.then(
			() => (done = true),
			() => (done = true),
		);
		for (;;) {
			await settle();
			if (done) return await work;
			const next = this.earliest();
			if (!next)
				throw new Error('FakeClock.run: the work waits for something other than the clock');
			this.wake(next);
		}
	}

	private earliest(): Sleeper | undefined {
		let first: Sleeper | undefined;
		// Sets iterate in insertion order: of sleepers due together, the first to sleep wakes first.
		for (const sleeper of this.sleepers) if (!first || sleeper.at < first.at) first = sleeper;
		return first;
	}

	private wake(sleeper: Sleeper): void {
		this.sleepers.delete(sleeper);
		this.time = sleeper.at;
		sleeper.wake();
	}
}
