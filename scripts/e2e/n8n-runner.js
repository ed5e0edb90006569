// @ts-check
'use strict';
/**
 * Drives a real n8n install headless: a fresh user folder, this package installed the way
 * n8n's Community Nodes installer does it, credentials and workflows imported with the
 * n8n CLI, and `n8n execute --id` with its output parsed. Used by the end-to-end suite
 * and by `npm run demo`.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PACKAGE_NAME = 'n8n-nodes-dingtalk-storage';
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * `npm pack` of this package (built beforehand), into a temporary folder.
 * @returns {string} the tarball's path
 */
function packPackage() {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) {
		throw new Error('dist/ is missing: run `npm run build` first');
	}
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dingtalk-pack-'));
	const text = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [info] = JSON.parse(text);
	return path.join(out, info.filename);
}

/**
 * Installs the package into an n8n user folder the way n8n's Community Nodes installer
 * does: unpacked into .n8n/nodes/node_modules/<name>, dev/peer/optional dependencies
 * removed from its package.json, then `npm install --install-strategy=shallow
 * --ignore-scripts --package-lock=false` inside it (which brings undici).
 * @param {string} tarball
 * @param {string} userFolder
 */
function installPackage(tarball, userFolder) {
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
	const manifestPath = path.join(target, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	execFileSync(
		'npm',
		[
			'install',
			'--install-strategy=shallow',
			'--ignore-scripts',
			'--package-lock=false',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
		],
		{
			cwd: target,
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
}

/**
 * A fresh n8n user folder with the package installed as a community package.
 * @param {string} tarball
 * @param {string} [folder] where to create it (emptied first); a new temporary folder by default
 */
function createUserFolder(tarball, folder) {
	if (folder) {
		fs.rmSync(folder, { recursive: true, force: true });
		fs.mkdirSync(folder, { recursive: true });
	}
	const userFolder = folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-user-'));
	installPackage(tarball, userFolder);
	return userFolder;
}

/** Where `npm test` keeps the user folder every suite copies (test/harness/globalSetup.js). */
const TEMPLATE_ENV = 'DINGTALK_E2E_USER_TEMPLATE';

/**
 * A fresh n8n user folder with this package installed. Under `npm test` the package is
 * packed and installed once, before the suites (test/harness/globalSetup.js names the folder
 * in DINGTALK_E2E_USER_TEMPLATE), and each suite gets a copy of it; otherwise it is packed
 * and installed here.
 */
function freshUserFolder() {
	const template = process.env[TEMPLATE_ENV];
	const installed = template
		? path.join(template, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json')
		: undefined;
	if (template && installed && fs.existsSync(installed)) {
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-user-'));
		fs.cpSync(template, folder, { recursive: true });
		return folder;
	}
	const tarball = packPackage();
	try {
		return createUserFolder(tarball);
	} finally {
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}

/**
 * Ports for n8n's task broker (2.x), one per n8n process. Below 32768, where the system
 * never hands out ports to outgoing connections (which took a fixed port in the ephemeral
 * range while other n8n processes ran), from a start that differs per process.
 */
const BROKER_PORTS = { first: 20000, count: 12000 };
let brokerPort = BROKER_PORTS.first + ((process.pid * 37) % BROKER_PORTS.count);
function nextBrokerPort() {
	brokerPort = BROKER_PORTS.first + ((brokerPort + 1 - BROKER_PORTS.first) % BROKER_PORTS.count);
	return brokerPort;
}

/**
 * Environment for one n8n command.
 * @param {{env: NodeJS.ProcessEnv}} install from ensureN8n
 * @param {string} userFolder
 * @param {Record<string, string>} [extra]
 */
function n8nEnv(install, userFolder, extra = {}) {
	return {
		...install.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'dingtalk-e2e-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_BROKER_PORT: String(nextBrokerPort()),
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		DB_SQLITE_POOL_SIZE: '1',
		N8N_LOG_LEVEL: 'info',
		NODES_EXCLUDE: '[]',
		// Test runners set NODE_ENV=test, under which the n8n CLI silently does nothing.
		NODE_ENV: 'production',
		...extra,
	};
}

/**
 * Runs one n8n CLI command and returns its output and how the process ended.
 * @param {{nodeBinary: string, n8nBin: string, env: NodeJS.ProcessEnv}} install
 * @param {string} userFolder
 * @param {string[]} args
 * @param {Record<string, string>} [extraEnv]
 * @param {{cwd?: string, coreDumps?: boolean}} [options] the working folder (default: the
 *   user folder); `coreDumps`: run under `ulimit -c unlimited`, so a crash leaves a core file there
 * @returns {Promise<{code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string}>}
 */
function n8n(install, userFolder, args, extraEnv = {}, options = {}) {
	return new Promise((resolve, reject) => {
		const [command, commandArgs] = options.coreDumps
			? [
					'bash',
					[
						'-c',
						'ulimit -c unlimited 2>/dev/null; exec "$0" "$@"',
						install.nodeBinary,
						install.n8nBin,
						...args,
					],
				]
			: [install.nodeBinary, [install.n8nBin, ...args]];
		const child = spawn(command, commandArgs, {
			cwd: options.cwd ?? userFolder,
			env: n8nEnv(install, userFolder, extraEnv),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
	});
}

/**
 * A free TCP port on 127.0.0.1.
 * @returns {Promise<number>}
 */
function freePort() {
	const net = require('node:net');
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/**
 * A broker port (see BROKER_PORTS) that is free on 127.0.0.1 now.
 * @returns {Promise<string>}
 */
async function freeBrokerPort() {
	const net = require('node:net');
	for (let attempt = 0; attempt < 200; attempt++) {
		const port = nextBrokerPort();
		const free = await new Promise((resolve) => {
			const server = net.createServer();
			server.once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (free) return String(port);
	}
	throw new Error('no free port for the n8n task broker');
}

/**
 * `n8n start` in the background (the editor and the active workflows' triggers), until
 * `stop()`: SIGTERM, as a service manager stops it, so n8n deactivates its workflows
 * (and saves their static data) on the way out.
 * @param {Parameters<typeof n8n>[0]} install
 * @param {string} userFolder
 * @param {Record<string, string>} [extraEnv]
 */
async function startN8n(install, userFolder, extraEnv = {}) {
	// A free port is free when asked for, not when n8n binds it moments later: another process
	// (three suites run at once) may take it in between. n8n then exits at once, saying so, and
	// is started again on another port.
	for (let attempt = 1; ; attempt++) {
		try {
			return await startN8nOnce(install, userFolder, extraEnv);
		} catch (error) {
			const taken = /is already in use|EADDRINUSE/.test(
				String(/** @type {Error} */ (error).message),
			);
			if (!taken || attempt >= 3) throw error;
		}
	}
}

/**
 * One try of startN8n, on a port free when asked for.
 * @param {Parameters<typeof n8n>[0]} install
 * @param {string} userFolder
 * @param {Record<string, string>} extraEnv
 */
async function startN8nOnce(install, userFolder, extraEnv) {
	const port = await freePort();
	const child = spawn(install.nodeBinary, [install.n8nBin, 'start'], {
		cwd: userFolder,
		env: n8nEnv(install, userFolder, {
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: await freeBrokerPort(),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			...extraEnv,
		}),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	const exited = new Promise((resolve) => child.once('exit', resolve));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (child.exitCode !== null)
			throw new Error(`n8n start exited (${child.exitCode}):\n${output.slice(-3000)}`);
		// Healthy, and done activating the active workflows (both lines print this line after
		// activeWorkflowManager.init(); /healthz answers before, while webhooks are still missing).
		const ok =
			output.includes('Editor is now accessible via') &&
			(await fetch(`${url}/healthz`)
				.then((response) => response.ok)
				.catch(() => false));
		if (ok) break;
		if (Date.now() > deadline) {
			// Not left running: it would hold its port (and the jest worker) after the failure.
			child.kill('SIGKILL');
			await exited;
			throw new Error(`n8n start did not answer within 120 s:\n${output.slice(-3000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return {
		url,
		/** Everything n8n printed so far. */
		output: () => output,
		async stop() {
			if (child.exitCode === null) child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/**
 * The owner's session on a running n8n (set up on a fresh instance): activate workflows as the
 * editor's toggle does, and run them as its "Execute workflow" does.
 * @param {Parameters<typeof n8n>[0] & {version: string, dir: string}} install
 * @param {Awaited<ReturnType<typeof startN8n>>} server
 */
async function ownerSession(install, server) {
	const setup = await fetch(`${server.url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			email: 'e2e@example.com',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'DingTalk-e2e-2026',
		}),
	});
	if (!setup.ok) throw new Error(`owner set-up answered ${setup.status}: ${await setup.text()}`);
	const cookie = setup.headers
		.getSetCookie()
		.map((each) => each.split(';')[0])
		.join('; ');
	// The execution data n8n keeps is flatted JSON; n8n's own copy of flatted reads it.
	const flatted = require(path.join(install.dir, 'node_modules', 'flatted'));
	const json = async (/** @type {string} */ url, /** @type {RequestInit} */ init = {}) => {
		const response = await fetch(`${server.url}${url}`, {
			...init,
			headers: { 'content-type': 'application/json', cookie, ...init.headers },
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 2000)}`);
		return JSON.parse(text).data;
	};
	return {
		/**
		 * Saves workflows as the editor does (`POST /rest/workflows`), keeping their IDs: n8n 2.x
		 * takes the ID given; 1.x makes a new one, so there they are imported before n8n starts
		 * (see startWorkflowServer). One request each, where `n8n import:workflow` is one more
		 * n8n process (4-5 s of CPU).
		 * @param {Array<Record<string, unknown> & {id: string}>} workflows
		 */
		async create(workflows) {
			if (install.version.startsWith('1.'))
				throw new Error('n8n 1.x gives a saved workflow a new ID: import it before the start');
			for (const workflow of workflows) {
				const saved = await json('/rest/workflows', {
					method: 'POST',
					body: JSON.stringify(workflow),
				});
				if (saved?.id !== workflow.id)
					throw new Error(`n8n saved workflow ${workflow.id} as ${saved?.id}`);
			}
		},
		/**
		 * Activates (publishes) a saved workflow as the editor's toggle does, in this running
		 * n8n: its triggers start here and now, and it stays active after a restart.
		 * @param {string} workflowId
		 */
		async activate(workflowId) {
			const { versionId } = await json(`/rest/workflows/${workflowId}`);
			if (install.version.startsWith('1.'))
				await json(`/rest/workflows/${workflowId}`, {
					method: 'PATCH',
					body: JSON.stringify({ active: true, versionId }),
				});
			else
				await json(`/rest/workflows/${workflowId}/activate`, {
					method: 'POST',
					body: JSON.stringify({ versionId }),
				});
		},
		/**
		 * Runs a workflow (as imported) from its manual trigger and waits for it to end.
		 * @param {{id: string, nodes: Array<{name: string, type: string}>}} workflow
		 * @param {number} [timeoutMs]
		 */
		async run(workflow, timeoutMs = 10 * 60_000) {
			const started = Date.now();
			const printedBefore = server.output().length;
			const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
			if (!trigger) throw new Error(`workflow ${workflow.id} has no manual trigger to run from`);
			const triggerToStartFrom = { name: trigger.name };
			// 1.x runs the workflow the request sends; 2.x the one it has saved.
			const body = install.version.startsWith('1.')
				? { workflowData: workflow, triggerToStartFrom }
				: { triggerToStartFrom };
			const { executionId } = await json(`/rest/workflows/${workflow.id}/run`, {
				method: 'POST',
				body: JSON.stringify(body),
			});
			if (!executionId)
				throw new Error(`n8n did not start ${workflow.id} (it waits for a webhook?)`);
			for (;;) {
				const execution = await json(`/rest/executions/${executionId}`);
				if (execution && !['new', 'running', 'waiting'].includes(execution.status)) {
					return {
						executionId,
						status: /** @type {string} */ (execution.status),
						// Shaped as `n8n execute --rawOutput` prints a run: { data: { resultData } }.
						data: { data: flatted.parse(execution.data) },
						printed: server.output().slice(printedBefore),
						seconds: (Date.now() - started) / 1000,
					};
				}
				if (Date.now() - started > timeoutMs)
					throw new Error(`execution ${executionId} of ${workflow.id} did not end in time`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		},
	};
}

/**
 * One `n8n start` that runs many workflows, each as a person does with "Execute workflow" in
 * the editor (`POST /rest/workflows/:id/run` from the workflow's manual trigger, signed in
 * as the owner it sets up), returning the run data as `n8n execute` prints it. A run costs
 * well under a second where `n8n execute` starts n8n each time (about 5 s of CPU). The
 * environment is fixed for the server's life: runs that need another use `execute`.
 * @param {Parameters<typeof n8n>[0] & {version: string, dir: string}} install
 * @param {string} userFolder
 * @param {Record<string, string>} [extraEnv]
 * @param {Array<Record<string, unknown> & {id: string}>} [workflows] saved before it serves:
 *   imported before the start on n8n 1.x, saved through the editor's API on 2.x
 */
async function startWorkflowServer(install, userFolder, extraEnv = {}, workflows = []) {
	const oneX = install.version.startsWith('1.');
	if (oneX) await importWorkflows(install, userFolder, workflows, extraEnv);
	const server = await startN8n(install, userFolder, extraEnv);
	try {
		const session = await ownerSession(install, server);
		if (!oneX) await session.create(workflows);
		return { ...server, ...session };
	} catch (error) {
		await server.stop();
		throw error;
	}
}

/**
 * Waits until n8n serves a webhook (a CORS preflight allows the method), without calling it:
 * an activated workflow's webhooks may be registered a moment after n8n says it is ready.
 * @param {string} url the webhook's URL
 * @param {'GET' | 'POST'} method
 * @param {number} [timeoutMs]
 */
async function waitForWebhook(url, method, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	for (;;) {
		const response = await fetch(url, {
			method: 'OPTIONS',
			headers: { origin: 'http://127.0.0.1', 'access-control-request-method': method },
		}).catch((/** @type {Error} */ error) => error);
		if (!(response instanceof Error)) {
			const allowed = (response.headers.get('access-control-allow-methods') ?? '')
				.split(',')
				.map((each) => each.trim());
			if (response.ok && allowed.includes(method)) return;
			last = `${response.status}, methods "${allowed.join(', ')}"`;
		} else {
			last = response.message;
		}
		if (Date.now() > deadline)
			throw new Error(
				`n8n did not serve ${method} ${url} within ${timeoutMs / 1000} s (last answer: ${last})`,
			);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/**
 * Makes a workflow active, as publishing it in the editor does: `publish:workflow` on 2.x,
 * `update:workflow --active=true` on 1.x.
 * @param {Parameters<typeof n8n>[0] & {version: string}} install
 * @param {string} userFolder
 * @param {string} workflowId
 * @param {Record<string, string>} [extraEnv] e.g. a queue-mode cluster's database settings
 */
async function activateWorkflow(install, userFolder, workflowId, extraEnv = {}) {
	const args = install.version.startsWith('1.')
		? ['update:workflow', `--id=${workflowId}`, '--active=true']
		: ['publish:workflow', `--id=${workflowId}`];
	const result = await n8n(install, userFolder, args, extraEnv);
	if (result.code !== 0)
		throw new Error(`n8n ${args[0]} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * @param {Parameters<typeof n8n>[0]} install
 * @param {string} userFolder
 * @param {unknown[]} credentials plaintext credentials ([{id, name, type, data}])
 * @param {Record<string, string>} [extraEnv] e.g. a queue-mode cluster's database settings
 */
async function importCredentials(install, userFolder, credentials, extraEnv = {}) {
	const file = path.join(userFolder, 'credentials.json');
	fs.writeFileSync(file, JSON.stringify(credentials));
	const result = await n8n(
		install,
		userFolder,
		['import:credentials', `--input=${file}`],
		extraEnv,
	);
	fs.rmSync(file);
	if (result.code !== 0)
		throw new Error(
			`n8n import:credentials failed (${result.code}):\n${result.stdout}\n${result.stderr}`,
		);
}

/**
 * @param {Parameters<typeof n8n>[0]} install
 * @param {string} userFolder
 * @param {Record<string, unknown> & {id: string}} workflow
 * @param {Record<string, string>} [extraEnv] e.g. a queue-mode cluster's database settings
 */
async function importWorkflow(install, userFolder, workflow, extraEnv = {}) {
	await importWorkflows(install, userFolder, [workflow], extraEnv);
}

/**
 * Imports several workflows with one n8n process (a JSON array: both n8n lines take it), as
 * each n8n command costs a few seconds of start-up.
 * @param {Parameters<typeof n8n>[0]} install
 * @param {string} userFolder
 * @param {Array<Record<string, unknown> & {id: string}>} workflows
 * @param {Record<string, string>} [extraEnv]
 */
async function importWorkflows(install, userFolder, workflows, extraEnv = {}) {
	if (workflows.length === 0) return;
	const file = path.join(userFolder, `workflows-${workflows[0].id}-${workflows.length}.json`);
	fs.writeFileSync(file, JSON.stringify(workflows));
	const result = await n8n(install, userFolder, ['import:workflow', `--input=${file}`], extraEnv);
	if (result.code !== 0)
		throw new Error(
			`n8n import:workflow failed (${result.code}):\n${result.stdout}\n${result.stderr}`,
		);
}

/**
 * The JSON object n8n prints (on 2.x log lines come before it).
 * @param {string} stdout
 */
function parseExecuteOutput(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line === '{');
	let end = -1;
	for (let i = lines.length - 1; i > start; i--) {
		if (lines[i] === '}') {
			end = i;
			break;
		}
	}
	if (start === -1 || end === -1) return undefined;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'));
	} catch {
		return undefined;
	}
}

/**
 * `n8n execute --id`, returning the parsed run data. n8n exits 0 in some cases where
 * nothing ran, so callers must check the node they care about has run data.
 * @param {Parameters<typeof n8n>[0]} install
 * @param {string} userFolder
 * @param {string} workflowId
 * @param {Record<string, string>} [extraEnv]
 */
async function execute(install, userFolder, workflowId, extraEnv = {}) {
	const started = Date.now();
	// A free port for n8n 2.x's task broker: other n8n processes may run beside this one.
	const result = await n8n(install, userFolder, ['execute', `--id=${workflowId}`, '--rawOutput'], {
		N8N_RUNNERS_BROKER_PORT: await freeBrokerPort(),
		...extraEnv,
	});
	const data = parseExecuteOutput(result.stdout);
	return { ...result, data, seconds: (Date.now() - started) / 1000 };
}

/**
 * The items a node produced on its first run (main output 0), or undefined if it did not run.
 * @param {any} data the parsed execute output
 * @param {string} nodeName
 * @returns {any[] | undefined}
 */
function nodeOutput(data, nodeName) {
	const runData = data?.data?.resultData?.runData ?? data?.resultData?.runData;
	return runData?.[nodeName]?.[0]?.data?.main?.[0] ?? undefined;
}

/**
 * Where n8n stored a binary in filesystem mode: under .n8n/storage on 2.x, under
 * .n8n/binaryData on 1.x.
 * @param {string} userFolder
 * @param {string} binaryId e.g. "filesystem-v2:workflows/1/executions/2/binary_data/uuid"
 */
function binaryPath(userFolder, binaryId) {
	const relative = binaryId.replace(/^filesystem(-v2)?:/, '');
	const candidates = ['storage', 'binaryData'].map((folder) =>
		path.join(userFolder, '.n8n', folder, relative),
	);
	return candidates.find((candidate) => fs.existsSync(candidate)) ?? candidates[0];
}

module.exports = {
	PACKAGE_NAME,
	packPackage,
	installPackage,
	createUserFolder,
	freshUserFolder,
	TEMPLATE_ENV,
	n8nEnv,
	importCredentials,
	importWorkflow,
	importWorkflows,
	execute,
	parseExecuteOutput,
	nodeOutput,
	binaryPath,
	n8n,
	startN8n,
	startWorkflowServer,
	ownerSession,
	activateWorkflow,
	waitForWebhook,
	freePort,
	freeBrokerPort,
};
