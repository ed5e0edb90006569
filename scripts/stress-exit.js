#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run stress:exit`: does `n8n execute` die after a successful run, and is this package
 * the cause? Runs each workflow below many times with `n8n execute --id --rawOutput`, one
 * process per run as a cron job would, in real n8n 2.41.1 (Node 24) and 1.123.81 (Node 20),
 * round-robin, and counts how each process ended: exit 0, another exit code, or a signal
 * (SIGSEGV is exit status 139 in a shell). Two controls run the same number of times: a
 * workflow without this package's nodes (Manual Trigger → No Op), and n8n's own HTTP
 * Request node downloading the same file (download info, then the signed GET).
 *
 * Every run gets `ulimit -c unlimited` (a core file in the run's folder, where the kernel
 * allows it) and `--report-on-fatalerror` (Node's report on a fatal V8 error); what a
 * crashed run leaves is kept with its output in the results folder. With gdb installed,
 * each core's backtrace of every thread is written beside it (backtrace.txt) and the core
 * (about 1.5 GB) is deleted, unless --keep-cores.
 *
 * A third control runs the no-op workflow in a user folder where this package is not
 * installed at all (n8n loads installed community packages at start, whatever the workflow).
 *
 * Not part of `npm test`: it takes hours at the default count.
 *
 *   npm run stress:exit -- [--runs=200] [--n8n=2,1] [--only=download,no-op] [--lanes=1] [--out=stress-exit-results]
 *
 * --lanes=N runs N sequences at once, each with its own emulator and n8n user folder.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startEmulator, EMULATOR_DEFAULTS } = require('../emulator');
const { ensureN8n } = require('./e2e/n8n-install');
const runner = require('./e2e/n8n-runner');
const build = require('./workflows');

const SPACE = EMULATOR_DEFAULTS.spaceId;

/**
 * @param {string[]} argv
 */
function parseArgs(argv) {
	/** @type {Record<string, string>} */
	const args = {};
	for (const arg of argv) {
		const match = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
		if (!match) throw new Error(`unknown argument ${arg}`);
		args[match[1]] = match[2] ?? 'true';
	}
	const known = ['runs', 'lanes', 'n8n', 'only', 'out', 'keep-cores'];
	for (const name of Object.keys(args))
		if (!known.includes(name))
			throw new Error(`unknown option --${name} (known: ${known.join(', ')})`);
	const runs = Number(args.runs ?? 200);
	const lanes = Number(args.lanes ?? 1);
	if (!Number.isInteger(runs) || runs < 1)
		throw new Error('--runs must be a whole number, 1 or more');
	if (!Number.isInteger(lanes) || lanes < 1 || lanes > 8) throw new Error('--lanes must be 1 to 8');
	const majors = (args.n8n ?? '2,1').split(',').map((each) => each.trim());
	for (const major of majors)
		if (major !== '1' && major !== '2') throw new Error('--n8n takes 2, 1 or 2,1');
	return {
		runs,
		lanes,
		majors: /** @type {Array<'1' | '2'>} */ (majors),
		only: args.only?.split(','),
		out: path.resolve(args.out ?? 'stress-exit-results'),
		keepCores: args['keep-cores'] === 'true',
	};
}

/**
 * The workflows, by short name: this package's end-to-end cases (the kinds of run that were
 * seen to crash: a plain download, a range, a re-query after an expired signature, 3 MiB,
 * the Storage node's reads and search, an upload) and the two controls.
 * @param {Awaited<ReturnType<typeof startEmulator>>} emulator
 * @param {string} inputFolder a folder with one small file to upload
 * @returns {Array<{name: string, control: boolean, workflow: ReturnType<typeof build.chainWorkflow>, before?: () => void, env?: Record<string, string>, bare?: boolean}>}
 */
function workflowsFor(emulator, inputFolder) {
	const { dingTalkNode, chainWorkflow, locator } = build;
	const download = (
		/** @type {string} */ dentryId,
		/** @type {Record<string, unknown>} */ options = {},
	) =>
		dingTalkNode('download', 'Download', {
			operation: 'download',
			spaceId: SPACE,
			dentryId,
			unionId: emulator.unionId,
			binaryPropertyName: 'data',
			options,
		});
	const storage = (
		/** @type {string} */ name,
		/** @type {string} */ resource,
		/** @type {string} */ operation,
		/** @type {Record<string, unknown>} */ parameters = {},
	) =>
		dingTalkNode('storage', name, {
			resource,
			operation,
			spaceId: locator(SPACE),
			unionId: emulator.unionId,
			...parameters,
		});
	return [
		{
			name: 'download',
			control: false,
			workflow: build.exampleFor('download-file.workflow.json', emulator),
		},
		{
			name: 'range',
			control: false,
			workflow: chainWorkflow('dtStressRange001', 'stress: range', [
				download('1005', { range: 'bytes=1000-2023' }),
			]),
		},
		{
			name: 'requery',
			control: false,
			workflow: chainWorkflow('dtStressRequery1', 'stress: re-query after an expired signature', [
				download('1002'),
			]),
			before: () => emulator.expireNextSignatures(1),
		},
		{
			name: 'download-3MiB',
			control: false,
			workflow: chainWorkflow('dtStress3MiB0001', 'stress: 3 MiB', [download('1005')]),
		},
		{
			name: 'list-get',
			control: false,
			workflow: chainWorkflow('dtStressListGet1', 'stress: folder list, file get', [
				storage('List', 'folder', 'list', { folderId: locator('2002'), returnAll: true }),
				storage('Get', 'file', 'get', { dentryId: locator('={{ $json.dentryId }}') }),
			]),
		},
		{
			name: 'search',
			control: false,
			workflow: chainWorkflow('dtStressSearch01', 'stress: search', [
				storage('Search', 'file', 'search', { keyword: '合同', limit: 5 }),
			]),
		},
		{
			name: 'upload',
			control: false,
			workflow: chainWorkflow('dtStressUpload01', 'stress: upload', [
				{
					name: 'Read file',
					type: 'n8n-nodes-base.readWriteFile',
					typeVersion: 1,
					parameters: { operation: 'read', fileSelector: `${inputFolder}/*`, options: {} },
				},
				storage('Upload', 'file', 'upload', {
					folderId: locator('2101'),
					spaceId: locator('2000'),
					binaryPropertyName: 'data',
					options: { conflictStrategy: 'OVERWRITE' },
				}),
			]),
			env: { N8N_RESTRICT_FILE_ACCESS_TO: inputFolder },
		},
		{
			name: 'control: no-op',
			control: true,
			workflow: chainWorkflow('dtStressNoOp0001', 'stress control: no DingTalk node', [
				{ name: 'No Op', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
			]),
		},
		{
			name: 'control: no-op, package not installed',
			control: true,
			bare: true,
			workflow: chainWorkflow('dtStressBareNoOp', 'stress control: this package not installed', [
				{ name: 'No Op', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
			]),
		},
		{
			name: 'control: HTTP Request',
			control: true,
			workflow: chainWorkflow(
				'dtStressHttp0001',
				"stress control: n8n's HTTP Request downloads the file",
				[
					{
						name: 'Download info',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						credentials: { dingTalkApi: build.APP_CREDENTIAL },
						parameters: {
							method: 'POST',
							url: `${emulator.baseUrl}/v1.0/storage/spaces/${SPACE}/dentries/1001/downloadInfos/query?unionId=${emulator.unionId}`,
							authentication: 'predefinedCredentialType',
							nodeCredentialType: 'dingTalkApi',
							sendBody: true,
							specifyBody: 'json',
							jsonBody: '{"option": {}}',
							options: {},
						},
					},
					{
						name: 'GET the file',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						parameters: {
							url: '={{ $json.headerSignatureInfo.resourceUrls[0] }}',
							sendHeaders: true,
							specifyHeaders: 'json',
							jsonHeaders: '={{ JSON.stringify($json.headerSignatureInfo.headers) }}',
							options: { response: { response: { responseFormat: 'file' } } },
						},
					},
				],
			),
		},
	];
}

/**
 * One `n8n execute` in its own process, with core files and fatal-error reports allowed.
 * @param {Awaited<ReturnType<typeof ensureN8n>>} install @param {string} userFolder @param {string} workflowId
 * @param {string} crashDir where a core file or report lands @param {Record<string, string>} env
 */
async function executeOnce(install, userFolder, workflowId, crashDir, env) {
	const nodeOptions = `--report-on-fatalerror --report-directory=${crashDir}`;
	// A free port for n8n 2.x's task broker: lanes, and anything else on the machine, run beside.
	const brokerPort = await runner.freeBrokerPort();
	const started = Date.now();
	const result = await runner.n8n(
		install,
		userFolder,
		['execute', `--id=${workflowId}`, '--rawOutput'],
		{ N8N_RUNNERS_BROKER_PORT: brokerPort, ...env, NODE_OPTIONS: nodeOptions },
		{ cwd: crashDir, coreDumps: true },
	);
	return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** Whether the run printed a whole execution whose status is success. */
function printedSuccess(/** @type {string} */ stdout) {
	const data = runner.parseExecuteOutput(stdout);
	if (!data) return false;
	const status = data.status ?? data.data?.status;
	const error = data.data?.resultData?.error ?? data.resultData?.error;
	return !error && (status === undefined || status === 'success');
}

/**
 * The backtrace of every thread of a core file, with gdb (when installed), next to it.
 * @param {string} nodeBinary @param {string} core @returns {string | undefined} the file written
 */
function backtrace(nodeBinary, core) {
	const { spawnSync } = require('node:child_process');
	const result = spawnSync(
		'gdb',
		['-batch', '-ex', 'info threads', '-ex', 'thread apply all bt 30', nodeBinary, core],
		{ encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
	);
	if (result.error || typeof result.stdout !== 'string') return undefined;
	const file = path.join(path.dirname(core), 'backtrace.txt');
	fs.writeFileSync(
		file,
		result.stdout
			.split('\n')
			.filter((line) => !/^\[New LWP|^warning: Unexpected size/.test(line))
			.join('\n'),
	);
	return file;
}

/** How a process ended, as a shell reports it: "0", "1", "139 (SIGSEGV)". */
function endOf(/** @type {{code: number | null, signal: NodeJS.Signals | null}} */ result) {
	if (result.signal) {
		const number = os.constants.signals[result.signal] ?? 0;
		return `${128 + number} (${result.signal})`;
	}
	return String(result.code);
}

/**
 * One lane: its own emulator and user folder, `rounds` rounds over every workflow.
 * @param {{install: Awaited<ReturnType<typeof ensureN8n>>, tarball: string, rounds: number, only?: string[], lane: number, out: string, keepCores: boolean, label: string, counts: Map<string, Map<string, number>>, crashes: object[]}} options
 */
async function runLane(options) {
	const emulator = await startEmulator();
	const work = fs.mkdtempSync(
		path.join(os.tmpdir(), `stress-exit-${options.label.replace(/\W+/g, '-')}-${options.lane}-`),
	);
	const inputFolder = path.join(work, 'input');
	fs.mkdirSync(inputFolder);
	fs.writeFileSync(
		path.join(inputFolder, 'stress-upload.txt'),
		'a small file uploaded by npm run stress:exit\n'.repeat(100),
	);
	const userFolder = runner.createUserFolder(options.tarball, path.join(work, 'user'));
	// The same n8n, without this package.
	const bareFolder = path.join(work, 'bare');
	fs.mkdirSync(bareFolder);
	const crashDir = path.join(work, 'cwd');
	fs.mkdirSync(crashDir);
	try {
		await runner.importCredentials(options.install, userFolder, [build.credentialRecord(emulator)]);
		const cases = workflowsFor(emulator, inputFolder).filter(
			(each) => !options.only || options.only.some((name) => each.name.includes(name)),
		);
		for (const each of cases)
			await runner.importWorkflow(
				options.install,
				each.bare ? bareFolder : userFolder,
				each.workflow,
			);
		for (let round = 1; round <= options.rounds; round++) {
			for (const each of cases) {
				each.before?.();
				const result = await executeOnce(
					options.install,
					each.bare ? bareFolder : userFolder,
					each.workflow.id,
					crashDir,
					each.env ?? {},
				);
				const end = endOf(result);
				const success = printedSuccess(result.stdout);
				const key = `${end}${success ? '' : ' (no success printed)'}`;
				const byEnd = options.counts.get(each.name) ?? new Map();
				byEnd.set(key, (byEnd.get(key) ?? 0) + 1);
				options.counts.set(each.name, byEnd);
				if (end !== '0' || !success) {
					const left = fs.readdirSync(crashDir);
					const kept = path.join(
						options.out,
						`${options.label.replace(/\W+/g, '-')}-${each.workflow.id}-lane${options.lane}-round${round}`,
					);
					fs.mkdirSync(kept, { recursive: true });
					fs.writeFileSync(path.join(kept, 'stdout.txt'), result.stdout);
					fs.writeFileSync(path.join(kept, 'stderr.txt'), result.stderr);
					for (const file of left) fs.renameSync(path.join(crashDir, file), path.join(kept, file));
					for (const core of left.filter((file) => /^core(\.\d+)?$/.test(file))) {
						const written = backtrace(options.install.nodeBinary, path.join(kept, core));
						if (written && !options.keepCores) fs.rmSync(path.join(kept, core));
					}
					options.crashes.push({
						runtime: options.label,
						workflow: each.name,
						round,
						end,
						success,
						kept,
						left,
					});
					console.log(
						`  ${options.label} ${each.name} round ${round}: ended ${end}${success ? ' after printing a successful execution' : ''}; kept in ${kept}${left.length ? ` (${left.join(', ')})` : ''}`,
					);
				}
			}
			if (round % 10 === 0 || round === options.rounds)
				console.log(`  ${options.label} lane ${options.lane}: round ${round}/${options.rounds}`);
		}
	} finally {
		await emulator.close();
		fs.rmSync(work, { recursive: true, force: true });
	}
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'nodes')))
		throw new Error('dist/ is missing: run `npm run build` first');
	const tarball = runner.packPackage();
	fs.mkdirSync(options.out, { recursive: true });
	console.log(
		`core files: kernel.core_pattern = ${fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim()} (ulimit -c unlimited per run)`,
	);
	/** @type {Record<string, {counts: Record<string, Record<string, number>>, seconds: number}>} */
	const summary = {};
	/** @type {object[]} */
	const crashes = [];
	for (const major of options.majors) {
		const install = await ensureN8n(major);
		const label = `n8n ${install.version} (Node ${major === '2' ? '24' : process.versions.node.split('.')[0]})`;
		console.log(`${label}: ${options.runs} runs of each workflow in ${options.lanes} lane(s)`);
		/** @type {Map<string, Map<string, number>>} */
		const counts = new Map();
		const started = Date.now();
		const perLane = Math.ceil(options.runs / options.lanes);
		await Promise.all(
			Array.from({ length: options.lanes }, (_, lane) =>
				runLane({
					install,
					tarball,
					rounds: Math.min(perLane, options.runs - lane * perLane),
					only: options.only,
					lane: lane + 1,
					out: options.out,
					keepCores: options.keepCores,
					label,
					counts,
					crashes,
				}),
			),
		);
		summary[label] = {
			counts: Object.fromEntries(
				[...counts].map(([name, byEnd]) => [name, Object.fromEntries(byEnd)]),
			),
			seconds: Math.round((Date.now() - started) / 1000),
		};
	}
	console.log('');
	console.log('| Runtime | Workflow | Runs | How the processes ended |');
	console.log('|---|---|---|---|');
	for (const [label, { counts }] of Object.entries(summary)) {
		for (const [name, byEnd] of Object.entries(counts)) {
			const runs = Object.values(byEnd).reduce((sum, count) => sum + count, 0);
			console.log(
				`| ${label} | ${name} | ${runs} | ${Object.entries(byEnd)
					.map(([end, count]) => `exit ${end}: ${count}`)
					.join(', ')} |`,
			);
		}
	}
	const file = path.join(
		options.out,
		`summary-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
	);
	fs.writeFileSync(file, JSON.stringify({ options, summary, crashes }, null, 2));
	console.log(`\n${crashes.length} abnormal end(s); summary in ${file}`);
}

main().catch((error) => {
	console.error(`stress:exit failed: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
