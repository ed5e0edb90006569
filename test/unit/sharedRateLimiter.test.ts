/**
 * The shared rate budget: waiting as its store says, and when the store fails, going back to
 * this process's own window and saying so once per outage (not once per call, nor once per
 * app and API). Timed cases run on a fake clock: nothing waits for real.
 */
import { createServer, type Server } from 'node:net';

import { shareRateLimitsInQueueMode } from '../../nodes/DingTalk/n8n/sharedRateLimit';
import {
	type BudgetStore,
	limiterFor,
	OutageWarning,
	RateLimiter,
	shareBudgetsThrough,
	SharedRateLimiter,
} from '../../nodes/DingTalk/shared/api/rateLimiter';
import { FakeClock } from '../helpers/fakeClock';

/** A store that fails while `down` is set, and grants at once otherwise. */
function switchableStore() {
	const state = { down: true, takes: 0 };
	const store: BudgetStore = {
		async take() {
			state.takes++;
			if (state.down) throw new Error('Redis: no answer within 2000 ms');
			return 0;
		},
	};
	return { state, store };
}

/** A store that answers from a list (a wait in ms, or an error), then grants at once. */
function scriptedStore(answers: Array<number | Error>) {
	const takes: Array<{ key: string; budget: number; windowMs: number }> = [];
	const store: BudgetStore = {
		async take(key, budget, windowMs) {
			takes.push({ key, budget, windowMs });
			const answer = answers.shift() ?? 0;
			if (answer instanceof Error) throw answer;
			return answer;
		},
	};
	return { takes, store };
}

describe('waiting on the shared budget', () => {
	test('waits as long as the store says, at most one window each time, and asks again', async () => {
		const clock = new FakeClock(0);
		const { takes, store } = scriptedStore([300, 5_000, 0]);
		const limiter = new SharedRateLimiter('app\nspaces.list', store, new RateLimiter(1050, clock), {
			windowMs: 1050,
			clock,
		});
		await clock.run(limiter.acquire(20));
		expect(clock.slept).toEqual([300, 1050]);
		expect(clock.now()).toBe(1350);
		expect(takes).toEqual(
			Array.from({ length: 3 }, () => ({ key: 'app\nspaces.list', budget: 20, windowMs: 1050 })),
		);
	});

	test('a budget that is not a whole number is rounded down, and never below one', async () => {
		const clock = new FakeClock(0);
		const { takes, store } = scriptedStore([]);
		const limiter = new SharedRateLimiter('k', store, new RateLimiter(1050, clock), { clock });
		await limiter.acquire(7.9);
		await limiter.acquire(0.5);
		expect(takes.map((take) => take.budget)).toEqual([7, 1]);
	});

	test('a cancelled wait ends at once, and the next caller is served without waiting for it', async () => {
		const clock = new FakeClock(0);
		const { takes, store } = scriptedStore([800]);
		const limiter = new SharedRateLimiter('k', store, new RateLimiter(1050, clock), { clock });
		const cancel = new AbortController();
		const cancelled = limiter.acquire(10, cancel.signal);
		await clock.advance(100);
		expect(clock.pending).toBe(1);
		cancel.abort();
		await expect(cancelled).rejects.toThrow();
		await clock.run(limiter.acquire(10));
		expect(clock.now()).toBe(100);
		expect(takes).toHaveLength(2);
	});

	test("while the store is down, this process's own window limits the calls", async () => {
		const clock = new FakeClock(0);
		const { takes, store } = scriptedStore([new Error('Redis: no answer within 2000 ms')]);
		const limiter = new SharedRateLimiter('k', store, new RateLimiter(1050, clock), {
			fallbackMs: 30_000,
			clock,
		});
		const grants: number[] = [];
		for (let call = 0; call < 3; call++) {
			await clock.run(limiter.acquire(2));
			grants.push(clock.now());
		}
		// Two per 1050 ms window, as the local window allows; the store was asked once.
		expect(grants).toEqual([0, 0, 1051]);
		expect(takes).toHaveLength(1);
	});
});

describe('falling back from the shared budget', () => {
	afterEach(() => shareBudgetsThrough(undefined));

	test('warns once for many calls, then again only after the store came back and failed anew', async () => {
		const { state, store } = switchableStore();
		const warn = jest.fn();
		const clock = new FakeClock();
		const limiter = new SharedRateLimiter('app\nspaces.list', store, new RateLimiter(1050, clock), {
			fallbackMs: 30_000,
			outage: new OutageWarning(warn),
			clock,
		});

		for (let call = 0; call < 10; call++) await limiter.acquire(20);
		expect(warn).toHaveBeenCalledTimes(1);
		expect(warn).toHaveBeenCalledWith('Redis: no answer within 2000 ms', 30_000);
		// The fallback window: the store is left alone.
		expect(state.takes).toBe(1);

		// Still down when the fallback ends: the same outage, no second warning.
		await clock.advance(31_000);
		for (let call = 0; call < 5; call++) await limiter.acquire(20);
		expect(state.takes).toBe(2);
		expect(warn).toHaveBeenCalledTimes(1);

		// Back: grants come from the store again.
		state.down = false;
		await clock.advance(31_000);
		for (let call = 0; call < 5; call++) await limiter.acquire(20);
		expect(state.takes).toBe(7);
		expect(warn).toHaveBeenCalledTimes(1);

		// A new outage: a new warning.
		state.down = true;
		for (let call = 0; call < 5; call++) await limiter.acquire(20);
		expect(warn).toHaveBeenCalledTimes(2);
		// Twenty calls in all on the local window (budget 20): none had to wait.
		expect(clock.slept).toEqual([]);
	});

	test("one warning per outage for all of a store's limiters (every app and API)", async () => {
		const { store } = switchableStore();
		const warn = jest.fn();
		shareBudgetsThrough(store, { onFallback: warn });
		await limiterFor('app-a\nspaces.list').acquire(20);
		await limiterFor('app-a\ndownloadInfos.query').acquire(20);
		await limiterFor('app-b\nspaces.list').acquire(20);
		expect(warn).toHaveBeenCalledTimes(1);
	});
});

describe("the warning through n8n's logger", () => {
	let server: Server;
	let port: number;

	beforeAll(async () => {
		// A Redis that refuses every password.
		server = createServer((socket) => {
			socket.on('error', () => undefined);
			socket.on('data', () =>
				socket.write('-WRONGPASS invalid username-password pair or user is disabled.\r\n'),
			);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as { port: number }).port;
	});
	afterAll(async () => {
		shareBudgetsThrough(undefined);
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	test('names the Redis and the reason, says what it means, and never shows the password', async () => {
		const password = 'queue-redis-password-LOOK-FOR-ME';
		const settings: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(port),
			QUEUE_BULL_REDIS_PASSWORD: password,
		};
		const logger = { warn: jest.fn() };
		shareRateLimitsInQueueMode(logger, (name) => settings[name]);
		for (let call = 0; call < 5; call++) await limiterFor('app\nspaces.list').acquire(20);
		expect(logger.warn).toHaveBeenCalledTimes(1);
		const [message] = logger.warn.mock.calls[0] as [string];
		expect(message).toBe(
			`DingTalk rate limit: the queue's Redis at 127.0.0.1:${port} failed (WRONGPASS invalid username-password pair or user is disabled.); ` +
				"each n8n process now keeps its own budget for 30 s, so main and workers together may exceed the app's limit until Redis answers again",
		);
		expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(password);
	});
});
