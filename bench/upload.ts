/**
 * `npm run bench:upload [-- --quick] [-- --n8n=1]`: one large upload (1 GiB; 256 MiB with
 * --quick) in real n8n 2.41.1 on Node 24 (1.x on Node 20 with --n8n=1), filesystem binary
 * mode, against the emulator on 127.0.0.1 (uploaded bytes counted, not kept). Every
 * workflow starts by reading the file with Read/Write Files from Disk; then:
 *  (a) curl -T: the same file PUT with the same signed headers (the machine's limit);
 *  (b) this node, one connection (multipart parts one after the other);
 *  (s) this node with its multipart threshold raised: one streamed PUT (for the threshold);
 *  (b4) this node, multipart with 4 connections;
 *  (c) the workflow a user would build today: an HTTP Request node for the upload info,
 *      a Merge to bring the binary back, an HTTP Request PUT with the signed headers (and
 *      an empty Content-Type, without which n8n's own breaks the signature), an HTTP
 *      Request commit;
 * then (t1) and (t4): one and 4 connections on a link capped at 16 MiB/s per connection
 * (256 MiB at most).
 * Time: the measured nodes' own executionTime from the run data. Memory: the n8n process's
 * peak RSS minus that of the same workflow with the measured nodes disabled. Median of 3,
 * side by side in one invocation. Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';

import { APP_TOKEN_PATH } from '../nodes/DingTalk/shared/api/tokenEndpoint';

import { EMULATOR_DEFAULTS } from '../emulator';
import {
	BENCH_CREDENTIAL,
	dropBinaries,
	ensureN8n,
	executeWithPeak,
	median,
	MiB,
	runner,
	startEmulatorProcess,
	watchPeakRss,
	type EmulatorProcess,
	type WorkflowNode,
} from './common';

const build = require(
	path.join(__dirname, '..', '..', 'scripts', 'workflows'),
) as typeof import('../scripts/workflows');
const content = require(path.join(__dirname, '..', '..', 'emulator', 'content')) as {
	chunks: (seed: number, start: number, end: number) => Iterable<Buffer>;
};

type Install = Awaited<ReturnType<typeof ensureN8n>>;

const credentials = { dingTalkApi: BENCH_CREDENTIAL };
const SPACE = EMULATOR_DEFAULTS.spaceId;
const UNION = EMULATOR_DEFAULTS.unionId;

async function writeFile(file: string, size: number) {
	const out = createWriteStream(file);
	for (const chunk of content.chunks(99, 0, size - 1))
		if (!out.write(chunk)) await once(out, 'drain');
	out.end();
	await once(out, 'finish');
}

function readNode(file: string): WorkflowNode {
	return {
		name: 'Read file',
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		parameters: { operation: 'read', fileSelector: file, options: {} },
	};
}

function uploadNode(disabled: boolean, parallelConnections: number): WorkflowNode {
	return build.dingTalkNode(
		'storage',
		'Upload',
		{
			resource: 'file',
			operation: 'upload',
			spaceId: build.locator(SPACE),
			folderId: build.locator('2009'),
			unionId: UNION,
			binaryPropertyName: 'data',
			options: { parallelConnections },
		},
		{ disabled },
	);
}

/** An HTTP Request node POSTing JSON to a DingTalk API with the DingTalk credential. */
function apiNode(name: string, url: string, jsonBody: string, disabled: boolean): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		credentials,
		disabled,
		parameters: {
			method: 'POST',
			url,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'dingTalkApi',
			sendBody: true,
			specifyBody: 'json',
			jsonBody,
			options: {},
		},
	};
}

/** The do-it-yourself upload: upload info, Merge (the binary back), PUT, commit. */
function httpRequestUpload(
	emulator: EmulatorProcess,
	disabled: boolean,
	size: number,
): WorkflowNode[] {
	const api = `${emulator.baseUrl}/v1.0/storage/spaces/${SPACE}/files`;
	const body = {
		protocol: 'HEADER_SIGNATURE',
		multipart: false,
		option: {
			storageDriver: 'DINGTALK',
			preCheckParam: { size, name: '={{ $json.fileName }}', parentId: '2009' },
			preferIntranet: false,
		},
	};
	// Pretty-printed, so no "}}" inside ends the expression early.
	const infoBody = `={{ JSON.stringify(${JSON.stringify(body, null, 1).replace('"={{ $json.fileName }}"', '$binary.data.fileName')}) }}`;
	const commitBody = `={{ JSON.stringify({ uploadKey: $('Upload info').item.json.uploadKey, name: $('Read file').item.binary.data.fileName, parentId: '2009', option: { size: ${size}, conflictStrategy: 'AUTO_RENAME' } } ) }}`;
	return [
		apiNode('Upload info', `${api}/uploadInfos/query?unionId=${UNION}`, infoBody, disabled),
		{
			name: 'Merge',
			type: 'n8n-nodes-base.merge',
			typeVersion: 3,
			disabled,
			parameters: { mode: 'combine', combineBy: 'combineByPosition', options: {} },
			inputFrom: ['Upload info', 'Read file'],
		},
		{
			name: 'PUT',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			disabled,
			parameters: {
				method: 'PUT',
				url: '={{ $json.headerSignatureInfo.resourceUrls[0] }}',
				sendHeaders: true,
				specifyHeaders: 'json',
				// n8n sends the binary's MIME type as Content-Type, which the signature does not cover.
				jsonHeaders:
					"={{ JSON.stringify({ ...$json.headerSignatureInfo.headers, 'content-type': '' }) }}",
				sendBody: true,
				contentType: 'binaryData',
				inputDataFieldName: 'data',
				options: {},
			},
		},
		apiNode('Commit', `${api}/commit?unionId=${UNION}`, commitBody, disabled),
	];
}

/** A manual-trigger workflow: Read file, then `nodes` in a chain (a node with `inputFrom` takes those nodes' outputs as its inputs). */
function workflow(id: string, file: string, nodes: Array<WorkflowNode & { inputFrom?: string[] }>) {
	const all = [readNode(file), ...nodes];
	const chain = build.chainWorkflow(
		id,
		id,
		all.map((node) => {
			const copy = { ...node } as WorkflowNode & { inputFrom?: string[] };
			delete copy.inputFrom;
			return copy;
		}),
	);
	// Rewire nodes with several inputs.
	for (const node of nodes) {
		if (!node.inputFrom) continue;
		for (const source of Object.values(chain.connections)) {
			for (const outputs of (source as { main: Array<Array<{ node: string; index: number }>> })
				.main) {
				for (let i = outputs.length - 1; i >= 0; i--)
					if (outputs[i].node === node.name) outputs.splice(i, 1);
			}
		}
		node.inputFrom.forEach((from, index) => {
			const connections = chain.connections as Record<
				string,
				{ main: Array<Array<{ node: string; type: string; index: number }>> }
			>;
			connections[from] ??= { main: [[]] };
			connections[from].main[0].push({ node: node.name, type: 'main', index });
		});
	}
	return chain;
}

async function curlUpload(emulator: EmulatorProcess, file: string, size: number) {
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
	const body = {
		protocol: 'HEADER_SIGNATURE',
		multipart: false,
		option: {
			storageDriver: 'DINGTALK',
			preCheckParam: { size, name: 'curl.bin', parentId: '2009' },
			preferIntranet: false,
		},
	};
	const info = (await (
		await fetch(
			`${emulator.baseUrl}/v1.0/storage/spaces/${SPACE}/files/uploadInfos/query?unionId=${UNION}`,
			{
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-acs-dingtalk-access-token': token.accessToken,
				},
				body: JSON.stringify(body),
			},
		)
	).json()) as { headerSignatureInfo: { resourceUrls: string[]; headers: Record<string, string> } };
	const args = [
		'-s',
		'-o',
		'/dev/null',
		'-w',
		'%{time_total} %{size_upload} %{http_code}',
		'-T',
		file,
		'-H',
		'Expect:',
	];
	for (const [name, value] of Object.entries(info.headerSignatureInfo.headers))
		args.push('-H', `${name}: ${value}`);
	args.push(info.headerSignatureInfo.resourceUrls[0]);
	const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
	let text = '';
	child.stdout!.on('data', (chunk) => (text += chunk));
	const peak = await watchPeakRss(child);
	const [seconds, bytes, status] = text.trim().split(' ');
	if (Number(bytes) !== size || status !== '200')
		throw new Error(`curl sent ${bytes} bytes, HTTP ${status}`);
	return { seconds: Number(seconds), peak };
}

/** Workflow IDs have 16 characters: the measured one's, with its measured nodes disabled. */
const offId = (id: string) => `${id.slice(0, 12)}Off1`;

interface Case {
	label: string;
	id: string;
	measured: string[];
	make: (off: boolean) => WorkflowNode[];
	/** Which n8n set-up runs it: the plain one, one whose package never goes multipart, or one on 16 MiB/s links. */
	where?: 'plain' | 'onePut' | 'throttled';
}

/** Sets the installed package's multipart threshold (for the one-PUT comparison). */
function patchThreshold(userFolder: string, bytes: number) {
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
		'upload.js',
	);
	const source = readFileSync(file, 'utf8');
	const patched = source.replace(
		/^exports\.MULTIPART_THRESHOLD = [\d *]+;$/m,
		`exports.MULTIPART_THRESHOLD = ${bytes};`,
	);
	if (!patched.includes(`exports.MULTIPART_THRESHOLD = ${bytes};`))
		throw new Error(`could not patch ${file}`);
	writeFileSync(file, patched);
}

async function main() {
	const quick = process.argv.includes('--quick');
	const size = (quick ? 256 : 1024) * MiB;
	const throttledSize = Math.min(size, 256 * MiB);
	const runs = 3;
	const major = process.argv.includes('--n8n=1') ? '1' : '2';
	const install: Install = await ensureN8n(major);
	const folder = mkdtempSync(path.join(os.tmpdir(), 'bench-upload-'));
	const file = path.join(folder, 'upload.bin');
	const smallFile = path.join(folder, 'upload-throttled.bin');
	await writeFile(file, size);
	await writeFile(smallFile, throttledSize);
	const emulator = await startEmulatorProcess({
		EMULATOR_DISCARD_UPLOADS: '1',
		EMULATOR_SPACE_QUOTA_BYTES: String(2 ** 50),
	});
	const throttledEmulator = await startEmulatorProcess({
		EMULATOR_DISCARD_UPLOADS: '1',
		EMULATOR_SPACE_QUOTA_BYTES: String(2 ** 50),
		EMULATOR_CONNECTION_BYTES_PER_SECOND: String(16 * MiB),
	});
	const tarball = runner.packPackage();
	const userFolder = runner.createUserFolder(tarball);
	const throttledFolder = runner.createUserFolder(tarball);
	const onePutFolder = runner.createUserFolder(tarball);
	patchThreshold(onePutFolder, Number.MAX_SAFE_INTEGER);
	const folderOf = (item: Case) =>
		item.where === 'throttled'
			? throttledFolder
			: item.where === 'onePut'
				? onePutFolder
				: userFolder;
	const env = { N8N_RESTRICT_FILE_ACCESS_TO: folder, N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
	try {
		await runner.importCredentials(install, userFolder, [
			{ ...BENCH_CREDENTIAL, type: 'dingTalkApi', data: emulator.credentials },
		]);
		await runner.importCredentials(install, throttledFolder, [
			{ ...BENCH_CREDENTIAL, type: 'dingTalkApi', data: throttledEmulator.credentials },
		]);
		await runner.importCredentials(install, onePutFolder, [
			{ ...BENCH_CREDENTIAL, type: 'dingTalkApi', data: emulator.credentials },
		]);
		const cases: Case[] = [
			{
				label: '(b) this node, 1 connection',
				id: 'benchUpOne'.padEnd(16, '0'),
				measured: ['Upload'],
				make: (off) => [uploadNode(off, 1)],
			},
			{
				label: '(s) this node, one PUT (no multipart)',
				id: 'benchUpPut'.padEnd(16, '0'),
				measured: ['Upload'],
				make: (off) => [uploadNode(off, 1)],
				where: 'onePut',
			},
			{
				label: '(b4) this node, 4 connections',
				id: 'benchUpFour'.padEnd(16, '0'),
				measured: ['Upload'],
				make: (off) => [uploadNode(off, 4)],
			},
			{
				label: '(c) HTTP Request nodes',
				id: 'benchUpHttp'.padEnd(16, '0'),
				measured: ['Upload info', 'Merge', 'PUT', 'Commit'],
				make: (off) => httpRequestUpload(emulator, off, size),
			},
			{
				label: '(t1) 16 MiB/s links, 1 connection',
				id: 'benchUpT1'.padEnd(16, '0'),
				measured: ['Upload'],
				make: (off) => [uploadNode(off, 1)],
				where: 'throttled',
			},
			{
				label: '(t4) 16 MiB/s links, 4 connections',
				id: 'benchUpT4'.padEnd(16, '0'),
				measured: ['Upload'],
				make: (off) => [uploadNode(off, 4)],
				where: 'throttled',
			},
		];
		for (const item of cases) {
			const where = folderOf(item);
			const source = item.where === 'throttled' ? smallFile : file;
			await runner.importWorkflow(install, where, workflow(item.id, source, item.make(false)));
			await runner.importWorkflow(
				install,
				where,
				workflow(offId(item.id), source, item.make(true)),
			);
		}

		const results: Record<string, { seconds: number[]; growth: number[]; bytes: number }> = {};
		for (let run = 0; run < runs; run++) {
			const curl = await curlUpload(emulator, file, size);
			const entry = (results['(a) curl -T'] ??= { seconds: [], growth: [], bytes: size });
			entry.seconds.push(curl.seconds);
			entry.growth.push(curl.peak);
			for (const item of cases) {
				const where = folderOf(item);
				const measured = await executeWithPeak(
					install,
					where,
					item.id,
					item.measured[item.measured.length - 1],
					env,
				);
				const failed = item.measured
					.map((name) => measured.runData[name]?.[0]?.error?.message)
					.find((message) => message);
				if (failed || measured.executionMs === undefined)
					throw new Error(
						`${item.label}: ${failed ?? `no run data\n${measured.stdout.slice(-2000)}`}`,
					);
				const seconds =
					item.measured.reduce(
						(sum, name) => sum + (measured.runData[name]?.[0]?.executionTime ?? 0),
						0,
					) / 1000;
				const base = await executeWithPeak(install, where, offId(item.id), 'Read file', env);
				const caseEntry = (results[item.label] ??= {
					seconds: [],
					growth: [],
					bytes: item.where === 'throttled' ? throttledSize : size,
				});
				caseEntry.seconds.push(seconds);
				caseEntry.growth.push(measured.peak - base.peak);
				dropBinaries(where);
			}
		}

		const rate = (label: string) => results[label].bytes / MiB / median(results[label].seconds);
		console.log(
			`One upload: ${size / MiB} MiB (throttled cases: ${throttledSize / MiB} MiB at 16 MiB/s per connection), real n8n ${install.version} (Node ${major === '1' ? '20' : '24'}), filesystem binary mode, read by Read/Write Files from Disk`,
		);
		console.log(
			`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB; emulator on 127.0.0.1 in its own process; median of ${runs} runs`,
		);
		console.log('case                                  seconds    MiB/s   peak memory growth');
		for (const [label, entry] of Object.entries(results)) {
			const growth = label.startsWith('(a)')
				? `${(median(entry.growth) / MiB).toFixed(0)} MiB (curl's whole RSS)`
				: `${(median(entry.growth) / MiB).toFixed(0)} MiB`;
			console.log(
				`${label.padEnd(36)} ${median(entry.seconds).toFixed(2).padStart(8)} ${rate(label).toFixed(0).padStart(8)}   ${growth}`,
			);
			console.log(
				`${''.padEnd(36)} runs: ${entry.seconds.map((s) => s.toFixed(2)).join(', ')} s; growth ${entry.growth.map((g) => (g / MiB).toFixed(0)).join(', ')} MiB`,
			);
		}
		const ratio = (a: string, b: string) => (rate(a) / rate(b)).toFixed(2);
		console.log(
			`b/c ${ratio('(b) this node, 1 connection', '(c) HTTP Request nodes')}   b4/c ${ratio('(b4) this node, 4 connections', '(c) HTTP Request nodes')}   b/a ${ratio('(b) this node, 1 connection', '(a) curl -T')}   t4/t1 ${ratio('(t4) 16 MiB/s links, 4 connections', '(t1) 16 MiB/s links, 1 connection')}`,
		);
	} finally {
		await emulator.stop();
		await throttledEmulator.stop();
		rmSync(userFolder, { recursive: true, force: true });
		rmSync(throttledFolder, { recursive: true, force: true });
		rmSync(onePutFolder, { recursive: true, force: true });
		rmSync(folder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
