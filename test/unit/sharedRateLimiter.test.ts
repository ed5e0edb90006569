/**
 * The shared rate budget when its store fails: each process goes back to its own window,
 * and says so once per outage (not once per call, nor once per app and API).
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

describe('falling back from the shared budget', () => {
	afterEach(() => shareBudgetsThrough(undefined));

	test('warns once for many calls, then again only after the store came back and failed anew', async () => {
		const { state, store } = switchableStore();
		const warn = jest.fn();
		let now = 1_000_000;
		const limiter = new SharedRateLimiter('app\nspaces.list', store, new RateLimiter(1050), {
			fallbackMs: 30_000,
			outage: new OutageWarning(warn),
			now: () => now,
		});

		for (let call = 0; call < 10; call++) await limiter.acquire(20);
		expect(warn).toHaveBeenCalledTimes(1);
		expect(warn).toHaveBeenCalledWith('Redis: no answer within 2000 ms', 30_000);
		// The fallback window: the store is left alone.
		expect(state.takes).toBe(1);

		// Still down when the fallback ends: the same outage, no second warning.
		now += 31_000;
		for (let call = 0; call < 5; call++) await limiter.acquire(20);
		expect(state.takes).toBe(2);
		expect(warn).toHaveBeenCalledTimes(1);

		// Back: grants come from the store again.
		state.down = false;
		now += 31_000;
		for (let call = 0; call < 5; call++) await limiter.acquire(20);
		expect(state.takes).toBe(7);
		expect(warn).toHaveBeenCalledTimes(1);

		// A new outage: a new warning.
		state.down = true;
		for (let call = 0; call < 5; call++) await limiter.acquire(20);
		expect(warn).toHaveBeenCalledTimes(2);
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
