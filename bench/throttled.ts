/**
 * `npm run bench:throttled [-- --quick]`: a 256 MiB file (64 MiB with --quick) over
 * storage connections capped at 16 MiB/s each (a per-connection limit over a wide-area
 * link), through the node with 1, 4 and 8 parallel connections; median of 3 runs each,
 * printed against 1. A script that prints figures: no assertions.
 */
import os from 'node:os';

import { removeBinaryStorage, stopN8nTimers, useBinaryMode } from '../test/harness/n8n';
import { downloadParameters, median, MiB, startEmulatorProcess, timedRun } from './common';

async function main() {
	const quick = process.argv.includes('--quick');
	const size = (quick ? 64 : 256) * MiB;
	const rate = 16 * MiB;
	const emulator = await startEmulatorProcess({
		EMULATOR_CONNECTION_BYTES_PER_SECOND: String(rate),
	});
	await useBinaryMode('filesystem');
	const dentryId = `gen-${size}`;
	const rows: Array<{ connections: number; seconds: number }> = [];
	try {
		for (const connections of [1, 4, 8]) {
			const times: number[] = [];
			for (let run = 0; run < 3; run++) {
				const { seconds, output } = await timedRun(
					emulator,
					downloadParameters(dentryId, { parallelConnections: connections }),
				);
				if (output[0].json.size !== size)
					throw new Error(
						`run ${run} with ${connections} connections: ${JSON.stringify(output[0].json)}`,
					);
				times.push(seconds);
			}
			rows.push({ connections, seconds: median(times) });
		}
	} finally {
		await emulator.stop();
		stopN8nTimers();
		removeBinaryStorage();
	}
	console.log(
		`Throttled link: ${size / MiB} MiB file, each storage connection capped at ${rate / MiB} MiB/s, filesystem binary mode`,
	);
	console.log(
		`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; median of 3 runs`,
	);
	console.log('connections   seconds   MiB/s   vs 1 connection');
	const base = rows[0].seconds;
	for (const row of rows) {
		console.log(
			`${String(row.connections).padStart(11)}   ${row.seconds.toFixed(2).padStart(7)}   ${(size / MiB / row.seconds).toFixed(1).padStart(5)}   ${(base / row.seconds).toFixed(2)}x`,
		);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
