import type { Logger } from 'n8n-workflow';

import { shareBudgetsThrough } from '../shared/api/rateLimiter';
import { RedisBudgetStore } from '../shared/api/sharedBudget';
import { RedisConnection, type RedisOptions } from '../shared/transport/redis';
import { n8nSetting, type SettingReader } from './settings';

/**
 * In n8n's queue mode, main and every worker run executions, each with its own rate
 * window: two workers would together send twice DingTalk's per-app limit. Queue mode
 * always has a Redis (its job queue), so the windows are kept there and shared, read from
 * n8n's own QUEUE_BULL_REDIS_* settings. Redis Cluster (QUEUE_BULL_REDIS_CLUSTER_NODES) is
 * not used: there each process keeps its own window (README "Running at scale" gives the
 * per-worker budget to set instead).
 */
export function redisOptionsFromN8n(read: SettingReader): RedisOptions | undefined {
	if (read('EXECUTIONS_MODE') !== 'queue') return undefined;
	if ((read('QUEUE_BULL_REDIS_CLUSTER_NODES') ?? '') !== '') return undefined;
	const port = Number(read('QUEUE_BULL_REDIS_PORT') ?? 6379);
	const db = Number(read('QUEUE_BULL_REDIS_DB') ?? 0);
	return {
		host: read('QUEUE_BULL_REDIS_HOST') || 'localhost',
		port: Number.isInteger(port) && port > 0 ? port : 6379,
		db: Number.isInteger(db) && db > 0 ? db : 0,
		username: read('QUEUE_BULL_REDIS_USERNAME') || undefined,
		password: read('QUEUE_BULL_REDIS_PASSWORD') || undefined,
		tls: read('QUEUE_BULL_REDIS_TLS') === 'true',
		timeoutMs: 2000,
	};
}

/**
 * The warning when the shared budget falls back: where (never the password), why, and
 * what it means until Redis answers again.
 */
function fallbackWarning(
	options: Pick<RedisOptions, 'host' | 'port'>,
	reason: string,
	fallbackMs: number,
): string {
	const host = options.host.includes(':') ? `[${options.host}]` : options.host;
	return (
		`DingTalk rate limit: the queue's Redis at ${host}:${options.port} failed (${reason}); ` +
		`each n8n process now keeps its own budget for ${Math.round(fallbackMs / 1000)} s, ` +
		"so main and workers together may exceed the app's limit until Redis answers again"
	);
}

let configured = false;
/** n8n's logger: one per process, whichever execution hands it over (the latest is kept). */
let logger: Pick<Logger, 'warn'> | undefined;

/**
 * Shares rate budgets through n8n's queue Redis when there is one; once per process.
 * `executionLogger` (an execution's, a poll's or a trigger's `this.logger`) hears, once
 * per outage, that Redis failed and each process went back to its own budget.
 */
export function shareRateLimitsInQueueMode(
	executionLogger?: Pick<Logger, 'warn'>,
	read: SettingReader = n8nSetting,
): void {
	if (executionLogger) logger = executionLogger;
	if (configured) return;
	configured = true;
	const options = redisOptionsFromN8n(read);
	if (!options) return;
	shareBudgetsThrough(new RedisBudgetStore(new RedisConnection(options)), {
		onFallback: (reason, fallbackMs) => logger?.warn(fallbackWarning(options, reason, fallbackMs)),
	});
}
