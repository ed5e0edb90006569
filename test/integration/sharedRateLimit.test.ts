/**
 * The rate budget shared through Redis, as n8n's main and workers share it in queue mode:
 * two "processes" (each its own connection, store and local window) against a real
 * redis-server from Debian's packages, started here on a free port.
 */
import { setTimeout as delay } from 'node:timers/promises';

import {
	type LimiterClock,
	OutageWarning,
	RateLimiter,
	SharedRateLimiter,
} from '../../nodes/DingTalk/shared/api/rateLimiter';
import { KEY_PREFIX, RedisBudgetStore } from '../../nodes/DingTalk/shared/api/sharedBudget';
import { RedisConnection } from '../../nodes/DingTalk/shared/transport/redis';

const queue = require('../../scripts/e2e/queue') as typeof import('../../scripts/e2e/queue');

type Redis = Awaited<ReturnType<typeof queue.startRedis>>;

/** The most grants any `spanMs` holds. */
function busiest(times: number[], spanMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let start = 0, end = 0; end < sorted.length; end++) {
		while (sorted[end] - sorted[start] >= spanMs) start++;
		most = Math.max(most, end - start + 1);
	}
	return most;
}

/** One process's view: its own connection, store and fallback window. */
function processLimiter(
	port: number,
	key: string,
	options: { timeoutMs?: number; fallbackMs?: number; warn?: jest.Mock; clock?: LimiterClock } = {},
) {
	const connection = new RedisConnection({
		host: '127.0.0.1',
		port,
		timeoutMs: options.timeoutMs ?? 1000,
	});
	const outage = options.warn ? new OutageWarning(options.warn) : undefined;
	return {
		connection,
		limiter: new SharedRateLimiter(
			key,
			new RedisBudgetStore(connection),
			new RateLimiter(1050, options.clock),
			{ fallbackMs: options.fallbackMs, outage, clock: options.clock },
		),
	};
}

/** The real clock, which the test may move ahead (to end a fallback without waiting it out). */
function skewedClock() {
	let aheadMs = 0;
	const clock: LimiterClock = {
		now: () => Date.now() + aheadMs,
		sleep: async (ms, signal) => await delay(ms, undefined, { signal }),
	};
	return { clock, skip: (ms: number) => (aheadMs += ms) };
}

describe('rate budget shared through Redis', () => {
	let redis: Redis;
	const opened: RedisConnection[] = [];
	const open = (...args: Parameters<typeof processLimiter>) => {
		const made = processLimiter(...args);
		opened.push(made.connection);
		return made.limiter;
	};

	beforeAll(async () => {
		redis = await queue.startRedis();
	});
	afterEach(() => {
		for (const connection of opened.splice(0)) connection.close();
	});
	afterAll(async () => {
		await redis?.stop();
	});

	test('two processes together stay within one budget (each alone would allow it in full)', async () => {
		const key = 'app-identity-hash\ndownloadInfos.query';
		const one = open(redis.port, key);
		const two = open(redis.port, key);
		const grants: number[] = [];
		const take = async (limiter: SharedRateLimiter) => {
			await limiter.acquire(10);
			grants.push(Date.now());
		};
		await Promise.all(
			Array.from({ length: 40 }, async (_, index) => await take(index % 2 === 0 ? one : two)),
		);
		expect(grants).toHaveLength(40);
		// 40 grants at 10 per second: never more than 10 in any second, so about 3 s at least.
		expect(busiest(grants, 1000)).toBeLessThanOrEqual(10);
		expect(Math.max(...grants) - Math.min(...grants)).toBeGreaterThanOrEqual(3000);
	});

	test("Redis holds only a hash of the key, under the package's prefix, expiring", async () => {
		const limiter = open(redis.port, 'dingtalk-app-key-LOOK-FOR-ME\nspaces.list');
		await limiter.acquire(20);
		const keys = redis.cli(['--scan', '--pattern', '*']).split('\n').filter(Boolean);
		expect(keys.length).toBeGreaterThan(0);
		for (const key of keys) {
			expect(key.startsWith(KEY_PREFIX)).toBe(true);
			expect(key).not.toContain('LOOK-FOR-ME');
			expect(Number(redis.cli(['PTTL', key]))).toBeGreaterThan(0);
		}
	});

	test('with a password (AUTH) and a database number (SELECT)', async () => {
		const secured = await queue.startRedis(['--requirepass', 'redis-test-password']);
		const connection = new RedisConnection({
			host: '127.0.0.1',
			port: secured.port,
			password: 'redis-test-password',
			db: 3,
			timeoutMs: 1000,
		});
		try {
			await new SharedRateLimiter('k', new RedisBudgetStore(connection), new RateLimiter()).acquire(
				5,
			);
			expect(secured.cli(['-a', 'redis-test-password', '-n', '3', 'DBSIZE'])).toBe('1');
			// Refused (wrong password): the store fails, the call is not failed.
			const wrong = new RedisConnection({
				host: '127.0.0.1',
				port: secured.port,
				password: 'nope',
				timeoutMs: 1000,
			});
			await expect(new RedisBudgetStore(wrong).take('k', 5, 1050)).rejects.toThrow(
				/WRONGPASS|invalid password/i,
			);
			wrong.close();
		} finally {
			connection.close();
			await secured.stop();
		}
	});

	test('when Redis cannot be reached, the process falls back to its own window at once, and warns once', async () => {
		const port = await queue.freePort();
		const warn = jest.fn();
		const limiter = open(port, 'k', { warn });
		const started = Date.now();
		const grants: number[] = [];
		for (let index = 0; index < 12; index++) {
			await limiter.acquire(10);
			grants.push(Date.now());
		}
		expect(busiest(grants, 1000)).toBeLessThanOrEqual(10);
		// One refused connection, then the local window: no per-call waiting on Redis.
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(warn).toHaveBeenCalledTimes(1);
		expect(warn).toHaveBeenCalledWith(expect.stringMatching(/ECONNREFUSED/), 30_000);
	});

	test('Redis stalling warns once while it lasts, and again when it stalls anew after answering', async () => {
		const warn = jest.fn();
		const { clock, skip } = skewedClock();
		const limiter = open(redis.port, 'stall', { timeoutMs: 200, fallbackMs: 100, warn, clock });
		await limiter.acquire(50);
		expect(warn).not.toHaveBeenCalled();

		// CLIENT PAUSE WRITE holds every script (and lets CLIENT UNPAUSE through): the script
		// misses its 200 ms deadline until the test unpauses Redis.
		redis.cli(['CLIENT', 'PAUSE', '60000', 'WRITE']);
		try {
			await limiter.acquire(50);
			expect(warn).toHaveBeenCalledTimes(1);
			expect(warn).toHaveBeenCalledWith('Redis: no answer within 200 ms', 100);
			// Once the 100 ms fallback is over, Redis is asked again and still stalls: the same outage.
			skip(150);
			await limiter.acquire(50);
			expect(warn).toHaveBeenCalledTimes(1);

			// Answering again ends the outage...
			redis.cli(['CLIENT', 'UNPAUSE']);
			skip(150);
			await limiter.acquire(50);
			expect(warn).toHaveBeenCalledTimes(1);
			// ...so the next stall is a new one.
			redis.cli(['CLIENT', 'PAUSE', '60000', 'WRITE']);
			await limiter.acquire(50);
			expect(warn).toHaveBeenCalledTimes(2);
		} finally {
			redis.cli(['CLIENT', 'UNPAUSE']);
		}
	});

	test('a cancelled wait stops at once and does not block the next caller', async () => {
		const key = 'cancel';
		const limiter = open(redis.port, key);
		for (let index = 0; index < 3; index++) await limiter.acquire(3);
		const controller = new AbortController();
		const waiting = limiter.acquire(3, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow();
	});
});
