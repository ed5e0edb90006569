/**
 * `npm run bench:gather [-- --n8n=1] [-- --https] [-- --size=1024]`: how the download hands
 * its bytes to n8n's filesystem binary writer, measured in real n8n. The installed package
 * is copied once per variant with the outlet's two sizes changed (gathering small chunks
 * into buffers of G bytes; chunks of at least P bytes passed through uncopied):
 * G = 256 KiB, 512 KiB, 1 MiB, 4 MiB, each with P = 64 KiB (small chunks only, what a
 * plain-HTTP socket read of 64 KiB skips) and with P = infinity (every chunk gathered).
 * And the package as shipped, whose handOffFor picks per link and runtime.
 * For each: this node downloading 256 MiB (--size in MiB), its executionTime and the n8n
 * process's peak RSS growth over the same workflow with the node disabled. Median of 3,
 * every run printed. Prints figures; asserts nothing.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	BENCH_CREDENTIAL,
	chainWorkflow,
	dingTalkNode,
	dropBinaries,
	ensureN8n,
	executeWithPeak,
	makeTestCertificate,
	median,
	MiB,
	runner,
	startEmulatorProcess,
} from './common';

const KiB = 1024;
interface Variant {
	gather: number;
	passThrough: number;
	/** The package as shipped (its handOffFor policy), not patched. */
	shipped?: boolean;
}

const VARIANTS: Variant[] = [
	...[256 * KiB, 512 * KiB, MiB, 4 * MiB].flatMap((gather) => [
		{ gather, passThrough: 64 * KiB },
		{ gather, passThrough: Number.MAX_SAFE_INTEGER },
	]),
	{ gather: 0, passThrough: 0, shipped: true },
];

function label(variant: Variant) {
	if (variant.shipped) return 'the package as shipped (handOffFor)   ';
	const size =
		variant.gather >= MiB ? `${variant.gather / MiB} MiB` : `${variant.gather / KiB} KiB`;
	return `gather ${size.padStart(7)}, ${variant.passThrough === Number.MAX_SAFE_INTEGER ? 'all chunks      ' : 'small ones only '}`;
}

/**
 * Rewrites the installed package's outlet sizes; the variant then holds on every runtime. Over
 * HTTPS every chunk is gathered whatever P is (as shipped): TLS hands over records smaller than
 * a 64 KiB read, so P = 64 KiB would pass none through there anyway.
 */
function patchOutlet(userFolder: string, variant: Variant) {
	if (variant.shipped) return;
	const file = path.join(
		userFolder,
		'.n8n',
		'nodes',
		'node_modules',
		'n8n-nodes-dingtalk-storage',
		'dist',
		'nodes',
		'DingTalk',
		'shared',
		'transfer',
		'outlet.js',
	);
	const values: Record<string, number> = {
		OUTLET_BUFFER_BYTES: variant.gather,
		OUTLET_PASS_THROUGH_BYTES: variant.passThrough,
		OUTLET_PASS_THROUGH_FROM_NODE: 0,
	};
	let patched = readFileSync(file, 'utf8');
	for (const [name, value] of Object.entries(values)) {
		const next = patched.replace(
			new RegExp(`^exports\\.${name} = [^;]+;$`, 'm'),
			`exports.${name} = ${value};`,
		);
		if (next === patched && !patched.includes(`exports.${name} = ${value};`))
			throw new Error(`could not patch ${name} in ${file}`);
		patched = next;
	}
	writeFileSync(file, patched);
}

async function main() {
	const sizeArg = process.argv.find((arg) => arg.startsWith('--size='));
	const size = Number(sizeArg?.slice('--size='.length) ?? 256) * MiB;
	const runs = 3;
	const major = process.argv.includes('--n8n=1') ? '1' : '2';
	const install = await ensureN8n(major);
	const tlsDir = process.argv.includes('--https') ? makeTestCertificate().dir : undefined;
	const env: Record<string, string> = tlsDir
		? { NODE_EXTRA_CA_CERTS: path.join(tlsDir, 'cert.pem') }
		: {};
	const emulator = await startEmulatorProcess(tlsDir ? { EMULATOR_STORAGE_TLS_DIR: tlsDir } : {});
	const tarball = runner.packPackage();
	const folders: string[] = [];
	try {
		const dentryId = `gen-${size}`;
		const prepared = [];
		for (const variant of VARIANTS) {
			const userFolder = runner.createUserFolder(tarball);
			folders.push(userFolder);
			patchOutlet(userFolder, variant);
			await runner.importCredentials(install, userFolder, [
				{ ...BENCH_CREDENTIAL, type: 'dingTalkApi', data: emulator.credentials },
			]);
			await runner.importWorkflow(
				install,
				userFolder,
				chainWorkflow('benchGather00001', [dingTalkNode(dentryId, {})]),
			);
			await runner.importWorkflow(
				install,
				userFolder,
				chainWorkflow('benchGatherOff01', [dingTalkNode(dentryId, {}, { disabled: true })]),
			);
			prepared.push({ variant, userFolder, seconds: [] as number[], growth: [] as number[] });
		}
		// Runs interleaved, so a slow moment of the machine hits every variant alike.
		for (let run = 0; run < runs; run++) {
			for (const entry of prepared) {
				const measured = await executeWithPeak(
					install,
					entry.userFolder,
					'benchGather00001',
					'DingTalk',
					env,
				);
				if (measured.error || measured.executionMs === undefined)
					throw new Error(`${label(entry.variant)}: ${measured.error ?? 'no run data'}`);
				const base = await executeWithPeak(
					install,
					entry.userFolder,
					'benchGatherOff01',
					'Start',
					env,
				);
				entry.seconds.push(measured.executionMs / 1000);
				entry.growth.push(measured.peak - base.peak);
				dropBinaries(entry.userFolder);
			}
		}
		console.log(
			`Download hand-off: ${size / MiB} MiB, real n8n ${install.version} (Node ${major === '1' ? '20' : '24'}), filesystem binary mode, storage over ${tlsDir ? 'HTTPS' : 'plain HTTP'}; median of ${runs}, runs interleaved`,
		);
		console.log(
			`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
		);
		console.log(
			'variant                                    MiB/s   growth    runs (MiB/s; growth MiB)',
		);
		for (const entry of prepared) {
			const rates = entry.seconds.map((seconds) => size / MiB / seconds);
			console.log(
				`${label(entry.variant)}  ${median(rates).toFixed(0).padStart(10)} ${(median(entry.growth) / MiB).toFixed(0).padStart(6)} MiB   ${rates.map((rate) => rate.toFixed(0)).join(', ')}; ${entry.growth.map((growth) => (growth / MiB).toFixed(0)).join(', ')}`,
			);
		}
	} finally {
		await emulator.stop();
		for (const folder of folders) rmSync(folder, { recursive: true, force: true });
		if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
