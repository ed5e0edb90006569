// A Node built-in, deliberately: see setMaxListeners below.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { setMaxListeners } from 'node:events';

/**
 * Runs one task per item with at most `concurrency` at a time, keeping results in item
 * order. With `stopOnFailure`, the first failure stops scheduling and aborts the tasks
 * still running (their own abort errors are not failures of theirs); the failure reported
 * is the genuine one with the lowest item index.
 */
export type Settled<T> = { value: T } | { error: unknown };

export interface PoolOptions {
	concurrency: number;
	stopOnFailure: boolean;
	/** Cancels everything (the execution's cancel signal). */
	signal?: AbortSignal;
}

export interface PoolOutcome<T> {
	/** One entry per item; undefined for items never started after a stop. */
	results: Array<Settled<T> | undefined>;
	failure?: { index: number; error: unknown };
}

export async function runItems<T>(
	count: number,
	task: (index: number, signal: AbortSignal) => Promise<T>,
	options: PoolOptions,
): Promise<PoolOutcome<T>> {
	const stop = new AbortController();
	// Every running task listens on this signal several times over (its transfer, its HTTP
	// requests, a rate-limit wait): many listeners by design, not a leak.
	setMaxListeners(Math.max(10, options.concurrency * 8), stop.signal);
	const onCancel = () => stop.abort();
	if (options.signal?.aborted) stop.abort();
	options.signal?.addEventListener('abort', onCancel, { once: true });

	const results: Array<Settled<T> | undefined> = new Array(count).fill(undefined);
	let failure: PoolOutcome<T>['failure'];
	let next = 0;
	const stoppedByUs = () => stop.signal.aborted && !options.signal?.aborted;

	const worker = async () => {
		while (next < count && !(options.stopOnFailure && failure)) {
			const index = next++;
			try {
				results[index] = { value: await task(index, stop.signal) };
			} catch (error) {
				results[index] = { error };
				if (!options.stopOnFailure) continue;
				// A task aborted because another one failed is not a failure of its own.
				if (stoppedByUs() && failure) continue;
				if (!failure || index < failure.index) failure = { index, error };
				stop.abort();
			}
		}
	};
	try {
		await Promise.all(
			Array.from({ length: Math.max(1, Math.min(options.concurrency, count)) }, worker),
		);
	} finally {
		options.signal?.removeEventListener('abort', onCancel);
	}
	return { results, failure };
}
