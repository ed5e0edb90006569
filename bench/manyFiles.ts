/**
 * `npm run bench:many [-- --quick]`: 500 files of 64 KiB (100 with --quick), 30 ms added
 * on every API call and before the storage's first byte, the emulator enforcing DingTalk's
 * 20 requests per second per app and API. Files per second and failed items for the node
 * at its default settings and with more items in parallel; median of 3 runs (1 with
 * --quick). A script that prints figures: no assertions.
 */
import os from 'node:os';

import { removeBinaryStorage, stopN8nTimers, useBinaryMode } from '../test/harness/n8n';
import { downloadParameters, median, startEmulatorProcess, timedRun } from './common';

async function main() {
	const quick = process.argv.includes('--quick');
	const count = quick ? 100 : 500;
	const runs = quick ? 1 : 3;
	const emulator = await startEmulatorProcess({
		EMULATOR_API_LATENCY_MS: '30',
		EMULATOR_STORAGE_LATENCY_MS: '30',
		EMULATOR_QPS_LIMIT: '20',
	});
	await useBinaryMode('filesystem');
	const items = Array.from({ length: count }, () => ({ dentryId: 'gen-65536' }));
	const settings: Array<{ label: string; options: Record<string, number> }> = [
		{ label: 'default (4 in parallel, 20 req/s)', options: {} },
		{ label: '16 in parallel, 20 req/s', options: { concurrency: 16 } },
	];
	const rows: Array<{ label: string; filesPerSecond: number; failed: number }> = [];
	try {
		for (const setting of settings) {
			const rates: number[] = [];
			let failed = 0;
			for (let run = 0; run < runs; run++) {
				// Let DingTalk's one-second window empty between runs.
				await new Promise((resolve) => setTimeout(resolve, 1100));
				const { seconds, output } = await timedRun(
					emulator,
					downloadParameters('={{ $json.dentryId }}', setting.options),
					items,
				);
				failed += output.filter((item) => item.json.error !== undefined).length;
				rates.push(count / seconds);
			}
			rows.push({ label: setting.label, filesPerSecond: median(rates), failed });
		}
	} finally {
		await emulator.stop();
		stopN8nTimers();
		removeBinaryStorage();
	}
	console.log(
		`Many small files: ${count} x 64 KiB, 30 ms latency on API calls and storage first byte, emulator limit 20 req/s per app and API`,
	);
	console.log(
		`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; median of ${runs} run(s)`,
	);
	for (const row of rows)
		console.log(
			`${row.label.padEnd(36)} ${row.filesPerSecond.toFixed(1).padStart(6)} files/s   ${row.failed} failed item(s)`,
		);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
