/**
 * `npm run bench [-- --quick] [-- --n8n=1] [-- --https] [-- --profile]`: one large file
 * (1 GiB; 256 MiB with --quick) in real n8n 2.41.1 on Node 24 (or 1.x on Node 20 with
 * --n8n=1; the cached installs of the end-to-end suite) against the emulator on 127.0.0.1,
 * its storage over plain HTTP (or HTTPS with a throwaway certificate, --https):
 *  (a) curl fetching the same storage URL with the same signed headers into a file;
 *  (b) this node, filesystem binary mode;
 *  (c) the do-it-yourself workflow: an HTTP Request node for the download info, a second
 *      one fetching the file with the signed headers from an expression;
 *  (d) n8n's own ceiling: a trivial node handing prepareBinaryData an in-memory stream
 *      that repeats one buffer;
 *  (e) the same with a fresh 64 KiB buffer per chunk, as bytes read from a socket come.
 * Nodes are timed by their own executionTime from the run data; memory is the n8n
 * process's peak RSS minus that of the same workflow with the measured node disabled.
 * Median of 3 runs each, side by side in one invocation. Prints figures; asserts nothing.
 * --profile runs each case once under `--cpu-prof --trace-gc` instead and prints where
 * the node's execution time went.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { APP_TOKEN_PATH } from '../nodes/DingTalk/shared/api/tokenEndpoint';

import {
	BENCH_CREDENTIAL,
	chainWorkflow,
	dingTalkNode,
	dropBinaries,
	ensureN8n,
	executeWithPeak,
	httpRequestNodes,
	makeTestCertificate,
	median,
	MiB,
	runner,
	startEmulatorProcess,
	watchPeakRss,
	type WorkflowNode,
} from './common';
import { monotonicMicros, printSummary, summariseProfile } from './profile';

type Install = Awaited<ReturnType<typeof ensureN8n>>;

const CEILING_DIR = path.join(__dirname, '..', '..', 'bench', 'ceiling');

/** Extra environment for every n8n run (NODE_EXTRA_CA_CERTS with --https). */
const n8nExtraEnv: Record<string, string> = {};

async function executeMeasured(
	install: Install,
	userFolder: string,
	workflowId: string,
	nodeName: string,
	nodeFlags: string[] = [],
) {
	return await executeWithPeak(
		install,
		userFolder,
		workflowId,
		nodeName,
		{ N8N_CUSTOM_EXTENSIONS: CEILING_DIR, ...n8nExtraEnv },
		nodeFlags,
	);
}

async function curlRun(url: string, headers: Record<string, string>, out: string, caFile?: string) {
	const args = [
		'-s',
		'-o',
		out,
		'-w',
		'%{time_total} %{size_download} %{http_code}',
		'-H',
		'Accept-Encoding: identity',
	];
	if (caFile) args.push('--cacert', caFile);
	for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
	args.push(url);
	const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
	let text = '';
	child.stdout!.on('data', (chunk) => (text += chunk));
	const peak = await watchPeakRss(child);
	const [seconds, bytes, status] = text.trim().split(' ');
	return { seconds: Number(seconds), bytes: Number(bytes), status, peak };
}

async function main() {
	const quick = process.argv.includes('--quick');
	const size = (quick ? 256 : 1024) * MiB;
	const runs = 3;
	const dentryId = `gen-${size}`;
	const major = process.argv.includes('--n8n=1') ? '1' : '2';
	const install = await ensureN8n(major);
	const tlsDir = process.argv.includes('--https') ? makeTestCertificate().dir : undefined;
	if (tlsDir) n8nExtraEnv.NODE_EXTRA_CA_CERTS = path.join(tlsDir, 'cert.pem');
	const emulator = await startEmulatorProcess(tlsDir ? { EMULATOR_STORAGE_TLS_DIR: tlsDir } : {});
	const userFolder = runner.createUserFolder(runner.packPackage());
	const curlOut = mkdtempSync(path.join(os.tmpdir(), 'bench-curl-'));
	try {
		await runner.importCredentials(install, userFolder, [
			{ ...BENCH_CREDENTIAL, type: 'dingTalkApi', data: emulator.credentials },
		]);
		const infoUrl = `${emulator.baseUrl}/v1.0/storage/spaces/1000/dentries/${dentryId}/downloadInfos/query?unionId=emulator-union-id`;
		const dingtalk = (disabled: boolean, options: Record<string, unknown> = {}) =>
			dingTalkNode(dentryId, options, { disabled });
		const httpRequests = (disabled: boolean) => httpRequestNodes(infoUrl, {}, { disabled });
		const ceiling = (disabled: boolean, freshChunkBytes = 0): WorkflowNode => ({
			name: 'Ceiling',
			type: 'CUSTOM.benchContentStream',
			typeVersion: 1,
			disabled,
			parameters: { size, freshChunkBytes },
		});
		const cases = [
			{
				label: '(b) this node',
				id: 'benchNode0000001',
				base: 'benchNodeOff0001',
				node: 'DingTalk',
				make: (off: boolean) => [dingtalk(off)],
			},
			{
				label: '(b4) 4 parallel connections',
				id: 'benchNode4000001',
				base: 'benchNode4Off001',
				node: 'DingTalk',
				make: (off: boolean) => [dingtalk(off, { parallelConnections: 4 })],
			},
			{
				label: '(c) two HTTP Request nodes',
				id: 'benchHttp0000001',
				base: 'benchHttpOff0001',
				node: 'File',
				make: (off: boolean) => httpRequests(off),
			},
			{
				label: "(d) n8n's ceiling",
				id: 'benchCeil0000001',
				base: 'benchCeilOff0001',
				node: 'Ceiling',
				make: (off: boolean) => [ceiling(off)],
			},
			{
				label: '(e) ceiling, fresh 64 KiB',
				id: 'benchFresh000001',
				base: 'benchFreshOff001',
				node: 'Ceiling',
				make: (off: boolean) => [ceiling(off, 64 * 1024)],
			},
		];
		for (const item of cases) {
			await runner.importWorkflow(install, userFolder, chainWorkflow(item.id, item.make(false)));
			await runner.importWorkflow(install, userFolder, chainWorkflow(item.base, item.make(true)));
		}

		if (process.argv.includes('--profile')) {
			await profileCases(install, userFolder, cases, size);
			return;
		}

		const results: Record<string, { seconds: number[]; peak: number[]; basePeak: number[] }> = {};
		for (let run = 0; run < runs; run++) {
			// curl with fresh signed headers, fetched the way the node would.
			const token = (await (
				await fetch(`${emulator.baseUrl}${APP_TOKEN_PATH}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({
						appKey: emulator.credentials.appKey,
						appSecret: emulator.credentials.appSecret,
					}),
				})
			).json()) as { accessToken: string };
			const info = (await (
				await fetch(infoUrl, {
					method: 'POST',
					headers: {
						'content-type': 'application/json',
						'x-acs-dingtalk-access-token': token.accessToken,
					},
					body: '{"option":{"preferIntranet":false}}',
				})
			).json()) as {
				headerSignatureInfo: { resourceUrls: string[]; headers: Record<string, string> };
			};
			const curl = await curlRun(
				info.headerSignatureInfo.resourceUrls[0],
				info.headerSignatureInfo.headers,
				path.join(curlOut, 'file'),
				n8nExtraEnv.NODE_EXTRA_CA_CERTS,
			);
			if (curl.bytes !== size)
				throw new Error(`curl got ${curl.bytes} bytes (HTTP ${curl.status})`);
			(results['(a) curl'] ??= { seconds: [], peak: [], basePeak: [] }).seconds.push(curl.seconds);
			results['(a) curl'].peak.push(curl.peak);
			rmSync(path.join(curlOut, 'file'), { force: true });
			for (const item of cases) {
				const measured = await executeMeasured(install, userFolder, item.id, item.node);
				if (measured.error || measured.executionMs === undefined)
					throw new Error(`${item.label}: ${measured.error ?? 'no run data'}`);
				const base = await executeMeasured(install, userFolder, item.base, 'Start');
				const entry = (results[item.label] ??= { seconds: [], peak: [], basePeak: [] });
				entry.seconds.push(measured.executionMs / 1000);
				entry.peak.push(measured.peak);
				entry.basePeak.push(base.peak);
			}
			dropBinaries(userFolder);
		}

		const rate = (label: string) => size / MiB / median(results[label].seconds);
		console.log(
			`One large file: ${size / MiB} MiB, real n8n ${install.version} (Node ${major === '1' ? '20' : '24'}) with the package installed as a community package, filesystem binary mode, storage over ${tlsDir ? 'HTTPS' : 'plain HTTP'}`,
		);
		console.log(
			`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB; emulator on 127.0.0.1 in its own process; median of ${runs} runs`,
		);
		console.log('case                            seconds    MiB/s   peak memory growth');
		for (const [label, entry] of Object.entries(results)) {
			const growth =
				label === '(a) curl'
					? `${(median(entry.peak) / MiB).toFixed(0)} MiB (curl's whole RSS)`
					: `${((median(entry.peak) - median(entry.basePeak)) / MiB).toFixed(0)} MiB`;
			console.log(
				`${label.padEnd(30)} ${median(entry.seconds).toFixed(2).padStart(8)} ${rate(label).toFixed(0).padStart(8)}   ${growth}`,
			);
		}
		const ratio = (other: string) => (rate('(b) this node') / rate(other)).toFixed(2);
		console.log(
			`b4/b ${(rate('(b4) 4 parallel connections') / rate('(b) this node')).toFixed(2)} (4 connections against 1 on this unthrottled link)`,
		);
		console.log(
			`b/a ${ratio('(a) curl')}   b/c ${ratio('(c) two HTTP Request nodes')}   b/d ${ratio("(d) n8n's ceiling")}   b/e ${ratio('(e) ceiling, fresh 64 KiB')}`,
		);
		console.log(
			'(d) hands n8n one reused buffer; (e) a fresh 64 KiB buffer per chunk, as bytes from any socket arrive.',
		);
	} finally {
		await emulator.stop();
		rmSync(userFolder, { recursive: true, force: true });
		rmSync(curlOut, { recursive: true, force: true });
		if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
	}
}

/**
 * Sums `--trace-gc` lines ("[pid:0x..] 1234 ms: Scavenge ... , 1.2 / 0.0 ms ...") whose time
 * since the process started falls in the node's execution (approximately: the process's
 * start is taken as the moment it was spawned).
 */
function printGcTrace(stdout: string, fromMs: number, durationMs: number) {
	const kinds = new Map<string, { count: number; ms: number }>();
	for (const line of stdout.split('\n')) {
		const match = /\]\s+(\d+) ms: ([A-Za-z-]+).*?, ([\d.]+) \/ [\d.]+ ms/.exec(line);
		if (!match) continue;
		const at = Number(match[1]);
		if (at < fromMs || at > fromMs + durationMs) continue;
		const entry = kinds.get(match[2]) ?? { count: 0, ms: 0 };
		entry.count++;
		entry.ms += Number(match[3]);
		kinds.set(match[2], entry);
	}
	const parts = [...kinds.entries()].map(
		([kind, { count, ms }]) => `${kind} ${count}x ${ms.toFixed(0)} ms`,
	);
	console.log(`  collections during the execution (--trace-gc): ${parts.join(', ') || 'none'}`);
}

/**
 * `--profile`: each case once with `--cpu-prof` on the n8n process; prints where the time
 * of the measured node's execution went (the profiles stay in a folder for DevTools).
 */
async function profileCases(
	install: Install,
	userFolder: string,
	cases: Array<{ label: string; id: string; node: string }>,
	size: number,
) {
	const folder = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
	for (const item of cases) {
		const dir = path.join(folder, item.id);
		const epoch0 = Date.now();
		const mono0 = monotonicMicros();
		const measured = await executeMeasured(install, userFolder, item.id, item.node, [
			'--cpu-prof',
			`--cpu-prof-dir=${dir}`,
			'--cpu-prof-interval=200',
			'--trace-gc',
		]);
		if (measured.error || measured.executionMs === undefined || measured.startTime === undefined)
			throw new Error(`${item.label}: ${measured.error ?? 'no run data'}`);
		const file = readdirSync(dir).find((name) => name.includes(`.${measured.pid}.`));
		if (!file)
			throw new Error(`${item.label}: no CPU profile of process ${measured.pid} in ${dir}`);
		const from = mono0 + (measured.startTime - epoch0) * 1000;
		const summary = summariseProfile(
			path.join(dir, file),
			from,
			from + measured.executionMs * 1000,
		);
		printSummary(
			`${item.label}: ${size / MiB} MiB in ${(measured.executionMs / 1000).toFixed(2)} s`,
			summary,
		);
		printGcTrace(measured.stdout, measured.startTime - epoch0, measured.executionMs);
		writeFileSync(path.join(dir, 'stdout.txt'), measured.stdout);
		dropBinaries(userFolder);
	}
	console.log(`\nProfiles (open in Chrome DevTools > Performance): ${folder}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
