import { limiterFor, RateLimiter } from '../../nodes/DingTalk/shared/api/rateLimiter';

/** Times are taken when each caller resumes, a little after its grant: windows are checked with that slack. */
const SLACK_MS = 30;

function grantsPerWindow(grants: number[], windowMs: number): number {
	return Math.max(
		...grants.map(
			(at) => grants.filter((other) => other >= at && other < at + windowMs - SLACK_MS).length,
		),
	);
}

describe('RateLimiter', () => {
	test('no window ever holds more grants than the budget, and callers are served in order', async () => {
		const limiter = new RateLimiter(100);
		const grants: Array<{ caller: number; at: number }> = [];
		await Promise.all(
			Array.from({ length: 17 }, async (_, caller) => {
				await limiter.acquire(5);
				grants.push({ caller, at: Date.now() });
			}),
		);
		expect(grants.map((g) => g.caller)).toEqual(Array.from({ length: 17 }, (_, i) => i));
		expect(
			grantsPerWindow(
				grants.map((g) => g.at),
				100,
			),
		).toBeLessThanOrEqual(5);
	});

	test('callers with different budgets share one window: the total never exceeds the budget of whoever is served', async () => {
		const limiter = new RateLimiter(150);
		const strict: number[] = [];
		const all: number[] = [];
		await Promise.all([
			...Array.from({ length: 8 }, async () => {
				await limiter.acquire(6);
				all.push(Date.now());
			}),
			...Array.from({ length: 4 }, async () => {
				await limiter.acquire(2);
				const at = Date.now();
				strict.push(at);
				all.push(at);
			}),
		]);
		expect(all).toHaveLength(12);
		expect(grantsPerWindow(all, 150)).toBeLessThanOrEqual(6);
		// Each strict grant saw at most one other grant in the window before it.
		for (const at of strict)
			expect(
				all.filter((other) => other > at - 150 + SLACK_MS && other < at).length,
			).toBeLessThanOrEqual(1);
	});

	test('a cancelled waiter gives up its turn without blocking the others', async () => {
		const limiter = new RateLimiter(200);
		await limiter.acquire(1);
		const cancel = new AbortController();
		const cancelled = limiter.acquire(1, cancel.signal);
		cancel.abort();
		await expect(cancelled).rejects.toThrow();
		await expect(limiter.acquire(1)).resolves.toBeUndefined();
	});

	test('one limiter per app and API in the whole process, whoever asks for it', () => {
		expect(limiterFor('app-a\ndentries.list')).toBe(limiterFor('app-a\ndentries.list'));
		expect(limiterFor('app-a\ndentries.list')).not.toBe(limiterFor('app-a\ndownloadInfos.query'));
		expect(limiterFor('app-a\ndentries.list')).not.toBe(limiterFor('app-b\ndentries.list'));
	});
});
