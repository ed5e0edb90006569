/**
 * A watch's work, one task at a time in arrival order (events, reconciles), with a bound on
 * what may wait: a burst larger than `maxWaiting` (a mass upload, a backlog after a pause)
 * is not held in memory. The tasks beyond the bound are dropped and `overflowed` says so;
 * the owner answers with a reconcile, which finds every change the dropped events were for.
 */
export class WorkQueue<T> {
	private readonly waiting: T[] = [];
	private running = false;
	private stopped = false;
	private idleWaiters: Array<() => void> = [];
	/** Tasks dropped since the last `takeOverflow()`. */
	private dropped = 0;

	constructor(
		private readonly run: (task: T) => Promise<void>,
		/** A task that failed: the queue goes on with the next one. */
		private readonly onError: (error: unknown, task: T) => void,
		private readonly maxWaiting = 10_000,
		/** Called when a task is dropped for the bound. */
		private readonly onOverflow?: () => void,
	) {}

	/** Tasks waiting (the running one not included). */
	get length(): number {
		return this.waiting.length;
	}

	/** Adds a task at the end; false when it was dropped (the bound, or the queue stopped). */
	push(task: T): boolean {
		if (this.stopped) return false;
		if (this.waiting.length >= this.maxWaiting) {
			this.dropped++;
			this.onOverflow?.();
			return false;
		}
		this.waiting.push(task);
		this.drain();
		return true;
	}

	/** Adds a task to run before every waiting one (a reconcile that supersedes them). */
	pushFront(task: T): void {
		if (this.stopped) return;
		this.waiting.unshift(task);
		this.drain();
	}

	/** How many tasks were dropped since the last call, and starts counting again. */
	takeOverflow(): number {
		const dropped = this.dropped;
		this.dropped = 0;
		return dropped;
	}

	/** Resolves when nothing runs and nothing waits. */
	async idle(): Promise<void> {
		if (!this.running && this.waiting.length === 0) return;
		await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
	}

	/** Drops what waits and takes no more; the running task finishes (or is cancelled by its owner). */
	stop(): void {
		this.stopped = true;
		this.waiting.length = 0;
	}

	private drain(): void {
		if (this.running) return;
		this.running = true;
		void (async () => {
			while (this.waiting.length > 0 && !this.stopped) {
				const task = this.waiting.shift() as T;
				try {
					await this.run(task);
				} catch (error) {
					try {
						this.onError(error, task);
					} catch {
						// The owner's report of a failure must not stop the queue.
					}
				}
			}
			this.running = false;
			const waiters = this.idleWaiters;
			this.idleWaiters = [];
			for (const resolve of waiters) resolve();
		})();
	}
}
