/**
 * n8n's queue-mode default binary data mode, `database` (n8n 2.41.1, PostgreSQL, Redis, a
 * main instance and one worker), which holds whole files in memory: a file over its limit
 * is refused before it is read; one under it arrives byte-exact from the database.
 */
import { rmSync } from 'node:fs';

import { startEmulator } from '../../emulator';
import {
	downloadNode,
	downloadWebhook,
	executions,
	importCredential,
	MiB,
	queue,
	SPACE,
	useQueueServers,
	type Cluster,
	type Emulator,
} from '../harness/queue';
import { getHashed } from '../harness/realN8n';

const runner =
	require('../../scripts/e2e/n8n-runner') as typeof import('../../scripts/e2e/n8n-runner');
const build = require('../../scripts/workflows') as typeof import('../../scripts/workflows');

const servers = useQueueServers();

describe("database binary mode (n8n 2.x's queue-mode default), limit 64 MiB", () => {
	let emulator: Emulator;
	let cluster: Cluster;
	let userFolder: string;
	const LIMIT_MIB = 64;
	const OVER = `gen-${100 * MiB}`;
	const UNDER = `gen-${40 * MiB + 7}`;

	beforeAll(async () => {
		emulator = await startEmulator();
		userFolder = runner.freshUserFolder();
		const download = downloadWebhook(emulator, 'dtQueueDatabase1', 'db');
		const reupload = build.webhookWorkflow(
			'dtQueueDbUpload1',
			'download then upload, in database mode',
			'reupload',
			[
				downloadNode(emulator),
				build.dingTalkNode('storage', 'Upload', {
					resource: 'file',
					operation: 'upload',
					spaceId: build.locator(SPACE),
					folderId: build.locator('0'),
					unionId: emulator.unionId,
					binaryPropertyName: 'data',
					options: { fileName: 'reuploaded.bin' },
				}),
			],
			{ respond: 'json' },
		);
		cluster = await queue.startCluster({
			install: servers.install,
			userFolder,
			postgres: servers.postgres,
			redis: servers.redis,
			workers: 1,
			env: {
				N8N_DEFAULT_BINARY_DATA_MODE: 'database',
				N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(LIMIT_MIB),
			},
			webhooks: ['db', 'reupload'],
			prepare: importCredential(servers.install, userFolder, emulator),
			workflows: [download, reupload],
			activate: [download.id, reupload.id],
		});
	}, 10 * 60_000);

	afterAll(async () => {
		await cluster?.stop();
		await emulator?.close();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});

	test(
		"a file over the limit fails fast, the worker's memory unchanged; one under it arrives byte-exact from the database",
		async () => {
			const [worker] = cluster.workers;
			const baseline = worker.rss();
			let peak = baseline;
			const sampler = setInterval(() => (peak = Math.max(peak, worker.rss())), 50);
			const started = Date.now();
			const refused = await getHashed(`${cluster.main.url}/webhook/db?id=${OVER}`);
			const seconds = (Date.now() - started) / 1000;
			clearInterval(sampler);
			const sentOver = emulator.log
				.filter((entry) => entry.server === 'storage' && entry.path.includes(OVER))
				.reduce((sum, entry) => sum + (entry.sentBytes ?? 0), 0);
			console.log(
				`database mode, ${LIMIT_MIB} MiB limit, 100 MiB file: answered ${refused.status} in ${seconds.toFixed(2)} s; storage sent ${(sentOver / MiB).toFixed(1)} MiB; ` +
					`worker RSS ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - baseline) / MiB).toFixed(1)})`,
			);
			expect(refused.status).not.toBe(200);
			expect(sentOver).toBeLessThan(8 * MiB);
			// Reading the file whole would have added 100 MiB or more. The worker's first
			// execution alone grows its RSS by 28-40 MiB (five CI runs), so the bound is the
			// limit itself: well clear of that noise, and well short of the refused file.
			expect(peak - baseline).toBeLessThan(LIMIT_MIB * MiB);
			const [run] = executions(servers.postgres, cluster, 'dtQueueDatabase1');
			expect(run.status).toBe('error');
			const data = servers.postgres.query(
				cluster.database,
				`SELECT data FROM execution_data WHERE "executionId" = ${run.id}`,
			);
			expect(data).toContain(
				`more than n8n's \\"database\\" binary data mode may hold (${LIMIT_MIB} MiB, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE)`,
			);

			const fine = await getHashed(`${cluster.main.url}/webhook/db?id=${UNDER}`);
			expect({ status: fine.status, bytes: fine.bytes }).toEqual({
				status: 200,
				bytes: 40 * MiB + 7,
			});
			expect(fine.sha256).toBe(emulator.sha256(UNDER));
			expect(
				servers.postgres.query(
					cluster.database,
					'SELECT count(*) FROM binary_data WHERE "fileSize" = ' + String(40 * MiB + 7),
				),
			).toBe('1');
		},
		5 * 60_000,
	);

	test(
		"a 512 MiB file (n8n's own default limit) is refused before it is read, like the 100 MiB one",
		async () => {
			// The size of issue #20's report (refused in 2 runs of 3, read whole in the third); by
			// hand, `npm run build` then ten runs in a row at a limit of 8 MiB were all refused.
			const huge = `gen-${512 * MiB}`;
			const refused = await getHashed(`${cluster.main.url}/webhook/db?id=${huge}`);
			expect(refused.status).not.toBe(200);
			const sent = emulator.log
				.filter((entry) => entry.server === 'storage' && entry.path.includes(huge))
				.reduce((sum, entry) => sum + (entry.sentBytes ?? 0), 0);
			expect(sent).toBeLessThan(8 * MiB);
			const run = executions(servers.postgres, cluster, 'dtQueueDatabase1').at(-1)!;
			expect(run.status).toBe('error');
			const data = servers.postgres.query(
				cluster.database,
				`SELECT data FROM execution_data WHERE "executionId" = ${run.id}`,
			);
			expect(data).toContain(
				`The file is 512 MiB (${512 * MiB} bytes), more than n8n's \\"database\\" binary data mode may hold (${LIMIT_MIB} MiB`,
			);
			// Nothing but the mode probe (an empty binary) was stored for that execution.
			expect(
				servers.postgres.query(
					cluster.database,
					`SELECT "fileSize" FROM binary_data WHERE "sourceId" = '${run.id}'`,
				),
			).toBe('0');
		},
		5 * 60_000,
	);

	test(
		'an upload reads its binary from the database store',
		async () => {
			const answer = await getHashed(`${cluster.main.url}/webhook/reupload?id=${UNDER}`);
			expect(answer.status).toBe(200);
			const [item] = JSON.parse(answer.text) as Array<{
				dentryId: string;
				uploadedBytes: number;
				multipart: boolean;
			}>;
			expect(item).toEqual(
				expect.objectContaining({ uploadedBytes: 40 * MiB + 7, multipart: true }),
			);
			expect(emulator.sha256(item.dentryId)).toBe(emulator.sha256(UNDER));
		},
		5 * 60_000,
	);
});
