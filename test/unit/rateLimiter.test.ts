/**
 * The client-side rate window, on a fake clock: nothing waits for real, and every grant's
 * time is exact. The expected schedules follow from the sliding window alone: a grant counts
 * for `windowMs` after it is made, and a caller over its budget is granted 1 ms after the
 * grant that blocks it has left the window.
 */
import { limiterFor, RateLimiter } from '../../nodes/DingTalk/shared/api/rateLimiter';
import { FakeClock } from '../helpers/fakeClock';

/** The most grants in any span of `windowMs` (a span holds `at` up to, not including, `at + windowMs`). */
function busiestSpan(grants: number[], windowMs: number): number {
	return Math.max(
		...grants.map((at) => grants.filter((other) => other >= at && other < at + windowMs).length),
	);
}

describe('RateLimiter', () => {
	test('no window ever holds more grants than the budget, and callers are served in order', async () => {
		const clock = new FakeClock(0);
		const limiter = new RateLimiter(100, clock);
		const grants: Array<{ caller: number; at: number }> = [];
		await clock.run(
			Promise.all(
				Array.from({ length: 17 }, async (_, caller) => {
					await limiter.acquire(5);
					grants.push({ caller, at: clock.now() });
				}),
			),
		);
		expect(grants.map((g) => g.caller)).toEqual(Array.from({ length: 17 }, (_, i) => i));
		// 5 at once, then 5 more each time the window has moved on (100 ms + 1).
		expect(grants.map((g) => g.at)).toEqual([
			0, 0, 0, 0, 0, 101, 101, 101, 101, 101, 202, 202, 202, 202, 202, 303, 303,
		]);
		expect(
			busiestSpan(
				grants.map((g) => g.at),
				100,
			),
		).toBe(5);
		// One wait per full window, none in between.
		expect(clock.slept).toEqual([101, 101, 101]);
	});

	test('callers with different budgets share one window: the total never exceeds the budget of whoever is served', async () => {
		const clock = new FakeClock(0);
		const limiter = new RateLimiter(150, clock);
		const grants: Array<{ budget: number; at: number }> = [];
		const take = async (budget: number) => {
			await limiter.acquire(budget);
			grants.push({ budget, at: clock.now() });
		};
		await clock.run(
			Promise.all([
				...Array.from({ length: 8 }, async () => await take(6)),
				...Array.from({ length: 4 }, async () => await take(2)),
			]),
		);
		expect(grants).toEqual([
			...Array.from({ length: 6 }, () => ({ budget: 6, at: 0 })),
			// The window is full at 6: the next two go once it has moved on.
			{ budget: 6, at: 151 },
			{ budget: 6, at: 151 },
			// Two in the window already: a budget of 2 waits for both to leave, each time.
			{ budget: 2, at: 302 },
			{ budget: 2, at: 302 },
			{ budget: 2, at: 453 },
			{ budget: 2, at: 453 },
		]);
		// When each was granted, the window it closed (itself included) held at most its budget.
		grants.forEach(({ budget, at }, index) => {
			const inWindow = grants.slice(0, index + 1).filter((other) => other.at > at - 150);
			expect(inWindow.length).toBeLessThanOrEqual(budget);
		});
		expect(
			busiestSpan(
				grants.map((g) => g.at),
				150,
			),
		).toBe(6);
	});

	test('a caller with a smaller budget sleeps once, until just enough grants have left the window', async () => {
		const clock = new FakeClock(0);
		const limiter = new RateLimiter(100, clock);
		for (const at of [0, 40, 60]) {
			await clock.advance(at - clock.now());
			await limiter.acquire(3);
		}
		// Grants at 0, 40 and 60; a budget of 2 needs the one at 40 gone: at 140, so 141.
		await clock.run(limiter.acquire(2));
		expect(clock.now()).toBe(141);
		expect(clock.slept).toEqual([81]);
	});

	test('a cancelled waiter gives up its turn at once, without blocking the others', async () => {
		const clock = new FakeClock(0);
		const limiter = new RateLimiter(200, clock);
		await limiter.acquire(1);
		const cancel = new AbortController();
		const cancelled = limiter.acquire(1, cancel.signal);
		// Queued behind the cancelled one, and cancelled before its turn comes.
		const alsoCancelled = new AbortController();
		const queued = limiter.acquire(1, alsoCancelled.signal);
		await clock.advance(50);
		expect(clock.pending).toBe(1);
		cancel.abort();
		alsoCancelled.abort();
		await expect(cancelled).rejects.toThrow();
		await expect(queued).rejects.toThrow();
		// Neither waited for the clock.
		expect(clock.now()).toBe(50);
		expect(clock.pending).toBe(0);
		// The next caller waits only for the window: the first grant leaves it at 200.
		await clock.run(limiter.acquire(1));
		expect(clock.now()).toBe(201);
	});

	test('an already cancelled call is refused without taking a grant', async () => {
		const clock = new FakeClock(0);
		const limiter = new RateLimiter(200, clock);
		await expect(limiter.acquire(1, AbortSignal.abort())).rejects.toThrow();
		await limiter.acquire(1);
		expect(clock.slept).toEqual([]);
		expect(clock.now()).toBe(0);
	});

	test('one limiter per app and API in the whole process, whoever asks for it', () => {
		expect(limiterFor('app-a\ndentries.list')).toBe(limiterFor('app-a\ndentries.list'));
		expect(limiterFor('app-a\ndentries.list')).not.toBe(limiterFor('app-a\ndownloadInfos.query'));
		expect(limiterFor('app-a\ndentries.list')).not.toBe(limiterFor('app-b\ndentries.list'));
	});
});
