import { TokenCache } from '../../nodes/DingTalk/shared/api/tokenCache';

describe('TokenCache', () => {
	test('keys never collide across base URL, app key or secret, and do not contain the secret', () => {
		const keys = new Set([
			TokenCache.keyFor('https://api.dingtalk.com', 'app', 'secret'),
			TokenCache.keyFor('https://api.dingtalk.io', 'app', 'secret'),
			TokenCache.keyFor('https://api.dingtalk.com', 'app2', 'secret'),
			TokenCache.keyFor('https://api.dingtalk.com', 'app', 'secret2'),
		]);
		expect(keys.size).toBe(4);
		for (const key of keys) expect(key).not.toContain('secret');
	});

	test('caches until shortly before expiry, then refreshes', async () => {
		let now = 0;
		const cache = new TokenCache(10, () => now);
		let issued = 0;
		const issue = async () => ({ token: `t${++issued}`, expireIn: 7200 });
		expect(await cache.get('k', issue)).toBe('t1');
		now = 6000 * 1000;
		expect(await cache.get('k', issue)).toBe('t1');
		// 5 minutes before the 2 hours run out, it is renewed.
		now = (7200 - 299) * 1000;
		expect(await cache.get('k', issue)).toBe('t2');
	});

	test('concurrent callers share one token request (single flight)', async () => {
		const cache = new TokenCache();
		let calls = 0;
		const issue = () =>
			new Promise<{ token: string; expireIn: number }>((resolve) => {
				calls++;
				setTimeout(() => resolve({ token: 'shared', expireIn: 7200 }), 20);
			});
		const tokens = await Promise.all(Array.from({ length: 50 }, async () => await cache.get('k', issue)));
		expect(new Set(tokens)).toEqual(new Set(['shared']));
		expect(calls).toBe(1);
	});

	test('a failed request is not cached', async () => {
		const cache = new TokenCache();
		await expect(cache.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
		expect(await cache.get('k', async () => ({ token: 'ok', expireIn: 60 }))).toBe('ok');
	});

	test('invalidating forgets only the token that failed, not a newer one', async () => {
		const cache = new TokenCache();
		await cache.get('k', async () => ({ token: 'old', expireIn: 7200 }));
		cache.invalidate('k', 'someone-elses');
		expect(await cache.get('k', async () => ({ token: 'new', expireIn: 7200 }))).toBe('old');
		cache.invalidate('k', 'old');
		expect(await cache.get('k', async () => ({ token: 'new', expireIn: 7200 }))).toBe('new');
	});

	test('holds a bounded number of entries, dropping the least recently used', async () => {
		const cache = new TokenCache(3);
		for (const key of ['a', 'b', 'c']) await cache.get(key, async () => ({ token: key, expireIn: 7200 }));
		await cache.get('a', async () => ({ token: 'unused', expireIn: 7200 }));
		await cache.get('d', async () => ({ token: 'd', expireIn: 7200 }));
		expect(cache.size).toBe(3);
		expect(await cache.get('b', async () => ({ token: 'b2', expireIn: 7200 }))).toBe('b2');
		expect(await cache.get('a', async () => ({ token: 'a2', expireIn: 7200 }))).toBe('a');
	});
});
