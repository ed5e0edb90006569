/**
 * `npm run bench:memory [-- <bytes> [connections]]`: downloads one large generated file (1 GiB by
 * default) through the node in n8n's execution engine, filesystem binary mode, and prints
 * the process's peak memory growth. The emulator runs in a child process, so what is
 * measured is n8n's engine plus this node only. A script that prints figures: no assertions.
 */
import { createHash } from 'node:crypto';

import { generatedFile } from '../emulator/drive';
import { sha256 as expectedSha256 } from '../emulator/content';
import {
	binaryService,
	removeBinaryStorage,
	runNode,
	stopN8nTimers,
	useBinaryMode,
} from '../test/harness/n8n';
import { downloadParameters, MiB, startEmulatorProcess } from './common';

async function main() {
	const size = Number(process.argv[2] ?? 1024 * MiB);
	const connections = Number(process.argv[3] ?? 1);
	const dentryId = `gen-${size}`;
	const emulator = await startEmulatorProcess();
	await useBinaryMode('filesystem');
	const { credentials } = emulator;
	const parameters = (id: string) => downloadParameters(id, { parallelConnections: connections });

	// Warm-up: load every module and open the connection pool before the baseline.
	await runNode({ parameters: parameters('1001'), credentials });
	global.gc?.();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 20);

	const started = process.hrtime.bigint();
	const { output, error } = await runNode({ parameters: parameters(dentryId), credentials });
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	if (error || !output) throw error ?? new Error('no output');

	const hash = createHash('sha256');
	for await (const chunk of await binaryService().getAsStream(output[0].binary!.data.id!))
		hash.update(chunk as Buffer);
	const digest = hash.digest('hex');
	const file = generatedFile(dentryId)!.content;
	const expected = expectedSha256(file.seed, 0, size - 1);

	await emulator.stop();
	stopN8nTimers();
	removeBinaryStorage();

	console.log(
		`file            ${size} bytes (${(size / MiB).toFixed(0)} MiB), filesystem binary mode, n8n-core engine in-process, ${connections} connection(s)`,
	);
	console.log(`node            ${process.version}`);
	console.log(
		`time            ${seconds.toFixed(2)} s (${(size / MiB / seconds).toFixed(0)} MiB/s, including n8n writing to disk)`,
	);
	console.log(`baseline RSS    ${(baseline / MiB).toFixed(1)} MiB`);
	console.log(`peak RSS        ${(peak / MiB).toFixed(1)} MiB`);
	console.log(`peak growth     ${((peak - baseline) / MiB).toFixed(1)} MiB`);
	console.log(
		`sha256          ${digest} (${digest === expected && output[0].json.size === size ? "matches the emulator's file" : 'MISMATCH'})`,
	);
	if (digest !== expected) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
