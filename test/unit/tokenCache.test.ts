import { TokenCache, type IssuedToken } from '../../nodes/DingTalk/shared/api/tokenCache';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import { waitFor } from '../helpers/waitFor';

/** An issue function whose one request the test answers (or fails) when it likes. */
function controlledIssue() {
	let settle:
		{ resolve: (issued: IssuedToken) => void; reject: (error: Error) => void } | undefined;
	const control = {
		calls: 0,
		answer: (token: string) => settle!.resolve({ token, expireIn: 7200 }),
		fail: (error: Error) => settle!.reject(error),
	};
	const issue = async () =>
		await new Promise<IssuedToken>((resolve, reject) => {
			control.calls++;
			settle = { resolve, reject };
		});
	return { control, issue };
}

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
		const { control, issue } = controlledIssue();
		const tokens = Promise.all(Array.from({ length: 50 }, async () => await cache.get('k', issue)));
		// Every caller has asked while the one request is still out; then it is answered.
		await waitFor(() => control.calls > 0, { what: 'the token request' });
		expect(control.calls).toBe(1);
		control.answer('shared');
		expect(new Set(await tokens)).toEqual(new Set(['shared']));
		expect(control.calls).toBe(1);
	});

	test('a failed request is not cached', async () => {
		const cache = new TokenCache();
		await expect(cache.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow(
			'down',
		);
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
		for (const key of ['a', 'b', 'c'])
			await cache.get(key, async () => ({ token: key, expireIn: 7200 }));
		await cache.get('a', async () => ({ token: 'unused', expireIn: 7200 }));
		await cache.get('d', async () => ({ token: 'd', expireIn: 7200 }));
		expect(cache.size).toBe(3);
		expect(await cache.get('b', async () => ({ token: 'b2', expireIn: 7200 }))).toBe('b2');
		expect(await cache.get('a', async () => ({ token: 'a2', expireIn: 7200 }))).toBe('a');
	});

	describe('each caller waits with its own cancellation', () => {
		test('cancelling A while the shared request is in flight rejects A at once; B gets the token; one request', async () => {
			const cache = new TokenCache();
			const { control, issue } = controlledIssue();
			const a = new AbortController();
			const b = new AbortController();
			const waitA = cache.get('k', issue, a.signal);
			const waitB = cache.get('k', issue, b.signal);
			a.abort();
			// A settles while the request is still unanswered: it did not wait for it.
			const failure = await waitA.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(DingTalkApiError);
			expect(failure).toMatchObject({ code: 'cancelled' });
			control.answer('shared');
			expect(await waitB).toBe('shared');
			expect(control.calls).toBe(1);
			// The token was cached: the next caller sends nothing.
			expect(await cache.get('k', issue)).toBe('shared');
			expect(control.calls).toBe(1);
		});

		test('the first caller cancelling does not stop the request: a caller without a signal still gets it, and it is cached', async () => {
			const cache = new TokenCache();
			const { control, issue } = controlledIssue();
			const first = new AbortController();
			const waitFirst = cache.get('k', issue, first.signal);
			first.abort();
			await expect(waitFirst).rejects.toMatchObject({ code: 'cancelled' });
			// Joins the request the cancelled caller started.
			const waitLater = cache.get('k', issue);
			control.answer('t1');
			expect(await waitLater).toBe('t1');
			expect(control.calls).toBe(1);
		});

		test('a caller already cancelled gets the cancellation at once and starts no request', async () => {
			const cache = new TokenCache();
			const { control, issue } = controlledIssue();
			await expect(cache.get('k', issue, AbortSignal.abort())).rejects.toMatchObject({
				code: 'cancelled',
			});
			expect(control.calls).toBe(0);
		});

		test('a request that fails after every caller left is not cached and raises no unhandled rejection; the next caller tries again', async () => {
			const cache = new TokenCache();
			const { control, issue } = controlledIssue();
			const only = new AbortController();
			const wait = cache.get('k', issue, only.signal);
			only.abort();
			await expect(wait).rejects.toMatchObject({ code: 'cancelled' });
			// Nobody waits for it any more: unhandled, this rejection would end the test process.
			control.fail(new Error('down'));
			await new Promise((resolve) => setImmediate(resolve));
			const retry = cache.get('k', issue);
			control.answer('after-failure');
			expect(await retry).toBe('after-failure');
			expect(control.calls).toBe(2);
		});

		test('a failure reaches every caller still waiting, and is not cached', async () => {
			const cache = new TokenCache();
			const { control, issue } = controlledIssue();
			const waits = [cache.get('k', issue, new AbortController().signal), cache.get('k', issue)];
			control.fail(new Error('down'));
			for (const wait of waits) await expect(wait).rejects.toThrow('down');
			const retry = cache.get('k', issue);
			control.answer('ok');
			expect(await retry).toBe('ok');
			expect(control.calls).toBe(2);
		});
	});
});
