/**
 * `npm run bench:many:real [-- --quick]`: many small files in real n8n 2.41.1: 500 files
 * of 64 KiB (100 with --quick), 30 ms added on every API call and before the storage's
 * first byte, the emulator enforcing DingTalk's 20 requests per second per app and API.
 * Files per second (from the nodes' own executionTime) and failed items for this node at
 * its default settings, with 16 items in parallel, and for the two-HTTP-Request-node
 * workflow (both with Continue On Fail). Median of 3 runs. Prints figures; asserts nothing.
 */
import os from 'node:os';

import {
	BENCH_CREDENTIAL,
	chainWorkflow,
	dingTalkNode,
	ensureN8n,
	httpRequestNodes,
	median,
	runner,
	startEmulatorProcess,
	type WorkflowNode,
} from './common';

async function main() {
	const quick = process.argv.includes('--quick');
	const count = quick ? 100 : 500;
	const install = await ensureN8n('2');
	const emulator = await startEmulatorProcess({
		EMULATOR_API_LATENCY_MS: '30',
		EMULATOR_STORAGE_LATENCY_MS: '30',
		EMULATOR_QPS_LIMIT: '20',
	});
	const userFolder = runner.createUserFolder(runner.packPackage());
	const list: WorkflowNode = {
		name: 'Files',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: {
			jsCode: `return Array.from({ length: ${count} }, () => ({ json: { dentryId: 'gen-65536' } }));`,
		},
	};
	const continueOnFail = { onError: 'continueRegularOutput' };
	const dingtalk = (options: Record<string, number>) =>
		dingTalkNode('={{ $json.dentryId }}', options, continueOnFail);
	const infoUrl = `={{ "${emulator.baseUrl}/v1.0/storage/spaces/1000/dentries/" + $json.dentryId + "/downloadInfos/query?unionId=emulator-union-id" }}`;
	const http = httpRequestNodes(infoUrl, continueOnFail);
	const cases = [
		{
			label: 'this node, default (4 in parallel)',
			id: 'benchManyNode001',
			nodes: ['DingTalk'],
			make: () => [list, dingtalk({})],
		},
		{
			label: 'this node, 16 in parallel',
			id: 'benchManyNode016',
			nodes: ['DingTalk'],
			make: () => [list, dingtalk({ concurrency: 16 })],
		},
		{
			label: 'two HTTP Request nodes',
			id: 'benchManyHttp001',
			nodes: ['Download info', 'File'],
			make: () => [list, ...http],
		},
	];
	try {
		await runner.importCredentials(install, userFolder, [
			{ ...BENCH_CREDENTIAL, type: 'dingTalkApi', data: emulator.credentials },
		]);
		for (const item of cases)
			await runner.importWorkflow(install, userFolder, chainWorkflow(item.id, item.make()));
		console.log(
			`Many small files: ${count} x 64 KiB in real n8n ${install.version}, 30 ms latency on API calls and storage first byte, emulator limit 20 req/s per app and API`,
		);
		console.log(
			`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}; median of 3 runs; time = the measured nodes' own executionTime`,
		);
		for (const item of cases) {
			const rates: number[] = [];
			const failures: number[] = [];
			for (let run = 0; run < 3; run++) {
				await new Promise((resolve) => setTimeout(resolve, 1100));
				const result = await runner.execute(install, userFolder, item.id);
				const runData = result.data?.data?.resultData?.runData ?? {};
				const ms = item.nodes.reduce(
					(sum, name) => sum + (runData[name]?.[0]?.executionTime ?? NaN),
					0,
				);
				const last = runData[item.nodes[item.nodes.length - 1]]?.[0]?.data?.main?.[0] ?? [];
				if (!Number.isFinite(ms))
					throw new Error(
						`${item.label}: no run data (n8n exit ${result.code})\n${result.stdout.slice(-1500)}`,
					);
				rates.push(count / (ms / 1000));
				failures.push(
					last.filter(
						(entry: { json: Record<string, unknown>; binary?: unknown }) =>
							entry.json.error !== undefined || !entry.binary,
					).length,
				);
			}
			console.log(
				`${item.label.padEnd(36)} ${median(rates).toFixed(1).padStart(6)} files/s   failed items per run: ${failures.join(', ')}`,
			);
		}
	} finally {
		await emulator.stop();
		(await import('node:fs')).rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
