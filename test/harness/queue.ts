/** What the queue-mode suites (test/queue) share: their servers, workflows and queries. */
import { EMULATOR_DEFAULTS, type startEmulator } from '../../emulator';

const { ensureN8n } =
	require('../../scripts/e2e/n8n-install') as typeof import('../../scripts/e2e/n8n-install');
const runner =
	require('../../scripts/e2e/n8n-runner') as typeof import('../../scripts/e2e/n8n-runner');
const build = require('../../scripts/workflows') as typeof import('../../scripts/workflows');
export const queue = require('../../scripts/e2e/queue') as typeof import('../../scripts/e2e/queue');

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;
export type Install = Awaited<ReturnType<typeof ensureN8n>>;
export type Cluster = Awaited<ReturnType<typeof queue.startCluster>>;
export type Postgres = Awaited<ReturnType<typeof queue.startPostgres>>;
export type Redis = Awaited<ReturnType<typeof queue.startRedis>>;

/**
 * n8n 2.x, and a PostgreSQL and a Redis of the suite's own (Debian's packages, free ports),
 * started before its tests and stopped after them.
 */
export function useQueueServers(): { install: Install; postgres: Postgres; redis: Redis } {
	const servers = {} as { install: Install; postgres: Postgres; redis: Redis };
	beforeAll(async () => {
		servers.install = await ensureN8n('2');
		[servers.postgres, servers.redis] = await Promise.all([
			queue.startPostgres(),
			queue.startRedis(),
		]);
	}, 30 * 60_000);
	afterAll(async () => {
		await servers.redis?.stop();
		await servers.postgres?.stop();
	});
	return servers;
}

export const SPACE = EMULATOR_DEFAULTS.spaceId;
export const MiB = 1024 * 1024;
export const LARGE = `gen-${256 * MiB}`;

/** A DingTalk Storage Download node for the file `?id=` of a webhook's query. */
export function downloadNode(emulator: Emulator, options: Record<string, unknown> = {}) {
	return build.dingTalkNode('download', 'Download', {
		operation: 'download',
		spaceId: SPACE,
		dentryId: '={{ $json.query.id }}',
		unionId: emulator.unionId,
		binaryPropertyName: 'data',
		options,
	});
}

/** Webhook → DingTalk Storage Download of `?id=` → the file as the response. */
export function downloadWebhook(
	emulator: Emulator,
	id: string,
	path: string,
	options: Record<string, unknown> = {},
) {
	return build.webhookWorkflow(id, `download ${path}`, path, [downloadNode(emulator, options)]);
}

/** Imports the emulator's credential into a cluster's database (before main starts: it migrates the database). */
export function importCredential(install: Install, userFolder: string, emulator: Emulator) {
	return async (env: Record<string, string>) => {
		await runner.importCredentials(install, userFolder, [build.credentialRecord(emulator)], env);
	};
}

/** Execution IDs and statuses from n8n's database. */
export function executions(
	postgres: Postgres,
	cluster: Cluster,
	workflowId: string,
): Array<{ id: string; status: string }> {
	const rows = postgres.query(
		cluster.database,
		`SELECT id, status FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`,
	);
	return rows === ''
		? []
		: rows.split('\n').map((line) => ({ id: line.split('|')[0], status: line.split('|')[1] }));
}
