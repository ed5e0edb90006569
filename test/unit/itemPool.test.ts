import { runItems } from '../../nodes/DingTalk/n8n/itemPool';
import { waitFor } from '../helpers/waitFor';

/** Work that takes a few milliseconds (uneven, so tasks end out of order): not a wait for anything. */
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runItems', () => {
	test('keeps item order and never runs more than `concurrency` at once', async () => {
		let running = 0;
		let peak = 0;
		const { results, failure } = await runItems(
			20,
			async (index) => {
				running++;
				peak = Math.max(peak, running);
				await tick((20 - index) % 7);
				running--;
				return index * 10;
			},
			{ concurrency: 4, stopOnFailure: true },
		);
		expect(failure).toBeUndefined();
		expect(results).toEqual(Array.from({ length: 20 }, (_, i) => ({ value: i * 10 })));
		expect(peak).toBe(4);
	});

	test('without stopOnFailure every item settles, failures in place', async () => {
		const { results, failure } = await runItems(
			5,
			async (index) => {
				if (index % 2) throw new Error(`bad ${index}`);
				return index;
			},
			{ concurrency: 3, stopOnFailure: false },
		);
		expect(failure).toBeUndefined();
		expect(results.map((r) => (r && 'value' in r ? r.value : (r?.error as Error).message))).toEqual(
			[0, 'bad 1', 2, 'bad 3', 4],
		);
	});

	test('with stopOnFailure the first failure stops scheduling, aborts the running tasks and is the one reported', async () => {
		const started: number[] = [];
		const { failure, results } = await runItems(
			50,
			async (index, signal) => {
				started.push(index);
				if (index === 2) {
					// Fails while the others run: once all four of the first batch have started.
					await waitFor(() => started.length >= 4, { what: 'the first four tasks' });
					throw new Error('genuine');
				}
				// Would end after a second; the failure's abort ends it long before.
				await new Promise((resolve, reject) => {
					const timer = setTimeout(resolve, 1000);
					signal.addEventListener('abort', () => {
						clearTimeout(timer);
						reject(new Error('aborted'));
					});
				});
				return index;
			},
			{ concurrency: 4, stopOnFailure: true },
		);
		expect(failure?.index).toBe(2);
		expect((failure?.error as Error).message).toBe('genuine');
		expect(started.length).toBeLessThan(10);
		expect(results.filter((r) => r === undefined).length).toBeGreaterThan(40);
	});

	test('the execution cancel signal aborts every task', async () => {
		const cancel = new AbortController();
		let listening = 0;
		const run = runItems(
			3,
			async (_index, signal) =>
				await new Promise((_resolve, reject) => {
					signal.addEventListener('abort', () => reject(new Error('cancelled')));
					listening++;
				}),
			{ concurrency: 3, stopOnFailure: false, signal: cancel.signal },
		);
		// Cancelled once every task is running.
		await waitFor(() => listening === 3, { what: 'all three tasks to run' });
		cancel.abort();
		const { results } = await run;
		expect(results).toHaveLength(3);
		expect(results.every((r) => r && 'error' in r)).toBe(true);
	});
});
