import { RateLimiter } from '../../nodes/DingTalkStorageDownload/dingtalk/rateLimiter';

describe('RateLimiter', () => {
	test('no window ever holds more grants than the budget, and callers are served in order', async () => {
		const limiter = new RateLimiter(5, 100);
		const grants: Array<{ caller: number; at: number }> = [];
		await Promise.all(
			Array.from({ length: 17 }, async (_, caller) => {
				await limiter.acquire();
				grants.push({ caller, at: Date.now() });
			}),
		);
		expect(grants.map((g) => g.caller)).toEqual(Array.from({ length: 17 }, (_, i) => i));
		for (const grant of grants) {
			const inWindow = grants.filter((other) => other.at >= grant.at && other.at < grant.at + 100);
			expect(inWindow.length).toBeLessThanOrEqual(5);
		}
	});

	test('a cancelled waiter gives up its turn without blocking the others', async () => {
		const limiter = new RateLimiter(1, 200);
		await limiter.acquire();
		const cancel = new AbortController();
		const cancelled = limiter.acquire(cancel.signal);
		cancel.abort();
		await expect(cancelled).rejects.toThrow();
		await expect(limiter.acquire()).resolves.toBeUndefined();
	});
});
