import { createHash, randomUUID } from 'node:crypto';

import { RedisReplyError, type RedisConnection } from '../transport/redis';
import type { BudgetStore } from './rateLimiter';

/**
 * The sliding window of rateLimiter.ts, kept in Redis so that every process using the
 * same Redis shares it: one sorted set per app and API, the grants of the last window as
 * members scored by Redis's own clock (so the processes' clocks do not matter). Atomic:
 * clear what left the window, grant if fewer than the budget are in it, else say how long
 * until the grant that blocks leaves it.
 */
const SCRIPT = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local allowed = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < allowed then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local blocking = redis.call('ZRANGE', KEYS[1], count - allowed, count - allowed, 'WITHSCORES')
return tonumber(blocking[2]) + window - now + 1
`;
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** Where the windows live in Redis: under the package's name, keyed by a hash (never an app key or token). */
export const KEY_PREFIX = 'n8n-nodes-dingtalk-storage:rate:';

export class RedisBudgetStore implements BudgetStore {
	private grants = 0;
	/** Tells this process's grants apart from every other's in the shared set. */
	private readonly tag = randomUUID();

	constructor(private readonly redis: RedisConnection) {}

	/** The Redis key of one limiter key (an app's identity and an API's name). */
	static keyOf(key: string): string {
		return KEY_PREFIX + createHash('sha256').update(key).digest('hex').slice(0, 40);
	}

	async take(key: string, budget: number, windowMs: number): Promise<number> {
		const args = [1, RedisBudgetStore.keyOf(key), windowMs, budget, `${this.tag}-${++this.grants}`];
		let reply;
		try {
			reply = await this.redis.command(['EVALSHA', SCRIPT_SHA, ...args]);
		} catch (error) {
			if (!(error instanceof RedisReplyError) || !error.message.startsWith('NOSCRIPT')) throw error;
			reply = await this.redis.command(['EVAL', SCRIPT, ...args]);
		}
		if (typeof reply !== 'number')
			throw new Error('Redis: the rate-limit script answered something other than a number');
		return reply;
	}
}
