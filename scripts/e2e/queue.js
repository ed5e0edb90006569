// @ts-check
'use strict';
/**
 * n8n in queue mode on this machine, for the queue-mode suite and `npm run bench:queue`:
 * PostgreSQL and Redis from Debian's packages, each started on a free 127.0.0.1 port in a
 * temporary data folder of its own (never the system's instance) and stopped after; a
 * main instance and workers that share one user folder (the community package installed
 * once into it, as the Community Nodes installer does) and one binary data store.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const {
	freeBrokerPort,
	freePort,
	n8nEnv,
	ownerSession,
	startN8n,
	waitForWebhook,
} = require('./n8n-runner');

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until something accepts TCP connections on 127.0.0.1:port.
 * @param {number} port
 * @param {import('node:child_process').ChildProcess} child
 * @param {() => string} output
 * @param {string} what
 */
async function waitForPort(port, child, output, what) {
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (child.exitCode !== null)
			throw new Error(`${what} exited (${child.exitCode}):\n${output().slice(-3000)}`);
		const open = await new Promise((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		if (Date.now() > deadline)
			throw new Error(`${what} did not listen on ${port} within 60 s:\n${output().slice(-3000)}`);
		await sleep(200);
	}
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 * @param {number} [graceMs]
 */
async function stopChild(child, signal, graceMs = 20_000) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

/** The folder of PostgreSQL's server programs (Debian: /usr/lib/postgresql/<major>/bin). */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	const majors = fs.existsSync(base)
		? fs.readdirSync(base).filter((name) => fs.existsSync(path.join(base, name, 'bin', 'initdb')))
		: [];
	majors.sort((a, b) => Number(b) - Number(a));
	if (majors.length === 0)
		throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run does it)');
	return path.join(base, majors[0], 'bin');
}

/**
 * The PID of a running PostgreSQL server, from its data folder's postmaster.pid.
 * @param {string} data
 * @returns {number | undefined}
 */
function postmasterPid(data) {
	try {
		const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
function asServerUser(/** @type {string} */ program, /** @type {string[]} */ args) {
	if (process.getuid?.() !== 0) return { command: program, args };
	return { command: 'runuser', args: ['-u', 'postgres', '--', program, ...args] };
}

/**
 * A PostgreSQL server of our own: a fresh cluster in a temporary folder, trust
 * authentication on 127.0.0.1 only, durability off (test data), database `n8n`.
 */
async function startPostgres() {
	const bin = postgresBin();
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dingtalk-pg-'));
	// The server user must be able to enter the folder.
	fs.chmodSync(base, 0o755);
	const data = path.join(base, 'data');
	fs.mkdirSync(data, { mode: 0o700 });
	if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', base]);
	const init = asServerUser(path.join(bin, 'initdb'), [
		'-D',
		data,
		'-U',
		'n8n',
		'-A',
		'trust',
		'--no-sync',
		'-E',
		'UTF8',
	]);
	execFileSync(init.command, init.args, { stdio: ['ignore', 'pipe', 'pipe'] });
	const port = await freePort();
	const server = asServerUser(path.join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-k',
		base,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=100',
	]);
	const child = spawn(server.command, server.args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	await waitForPort(port, child, () => output, 'postgres');
	const psql = (/** @type {string} */ database, /** @type {string} */ sql) =>
		execFileSync(
			'psql',
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'n8n',
				'-d',
				database,
				'-v',
				'ON_ERROR_STOP=1',
				'-Atc',
				sql,
			],
			{ encoding: 'utf8' },
		).trim();
	// Accepting connections may come a moment after listening.
	for (let attempt = 0; ; attempt++) {
		try {
			psql('postgres', 'SELECT 1');
			break;
		} catch (error) {
			if (attempt > 50) throw error;
			await sleep(200);
		}
	}
	return {
		port,
		/** Creates a database (one per n8n cluster). */
		createDatabase: (/** @type {string} */ name) => psql('postgres', `CREATE DATABASE "${name}"`),
		/** Runs one SQL statement, returning psql's unaligned output. */
		query: psql,
		output: () => output,
		async stop() {
			// SIGINT: PostgreSQL's fast shutdown, sent to the server itself (its PID is the first
			// line of postmaster.pid): as root the child is runuser, which does not pass it on, and
			// the stop waited its whole 20 s grace for the SIGKILL.
			const server = postmasterPid(data);
			if (server !== undefined && child.exitCode === null && child.signalCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				process.kill(server, 'SIGINT');
				const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
				await exited;
				clearTimeout(timer);
			} else {
				await stopChild(child, 'SIGINT');
			}
			fs.rmSync(base, { recursive: true, force: true });
		},
	};
}

/**
 * A Redis server of our own: no persistence, 127.0.0.1 only, in a temporary folder.
 * @param {string[]} [extraArgs] more redis-server options, e.g. ['--requirepass', 'x']
 */
async function startRedis(extraArgs = []) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dingtalk-redis-'));
	const port = await freePort();
	const child = spawn(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			...extraArgs,
		],
		{
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	child.once('error', (error) => (output += `\n${error.message}`));
	await waitForPort(port, child, () => output, 'redis-server');
	return {
		port,
		output: () => output,
		/** One command through redis-cli (for tests reading what the limiter left). */
		cli: (/** @type {string[]} */ args) =>
			execFileSync(
				'redis-cli',
				['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...args],
				{ encoding: 'utf8' },
			).trim(),
		async stop() {
			await stopChild(child, 'SIGTERM');
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

let clusterCount = 0;

/**
 * Environment shared by every process of one queue-mode cluster.
 * @param {{port: number}} postgres
 * @param {{port: number}} redis
 * @param {string} database
 * @param {Record<string, string>} extra
 */
function queueEnv(postgres, redis, database, extra) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_PREFIX: `bull-${database}`,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: '',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		...extra,
	};
}

/**
 * One worker process (`n8n worker`), with its own output.
 * @param {any} install
 * @param {string} userFolder
 * @param {Record<string, string>} env
 * @param {string} name
 * @param {number} concurrency
 */
async function startWorker(install, userFolder, env, name, concurrency) {
	const child = spawn(
		install.nodeBinary,
		[...(install.nodeArgs ?? []), install.n8nBin, 'worker', `--concurrency=${concurrency}`],
		{
			cwd: userFolder,
			env: n8nEnv(install, userFolder, { ...env, N8N_RUNNERS_BROKER_PORT: await freeBrokerPort() }),
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	const deadline = Date.now() + 120_000;
	while (!output.includes('n8n worker is now ready')) {
		if (child.exitCode !== null || child.signalCode !== null)
			throw new Error(
				`worker ${name} exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-3000)}`,
			);
		if (Date.now() > deadline) {
			// Not left running: it would hold its database connections after the failure.
			child.kill('SIGKILL');
			await new Promise((resolve) => child.once('exit', resolve));
			throw new Error(`worker ${name} was not ready within 120 s:\n${output.slice(-3000)}`);
		}
		await sleep(250);
	}
	return {
		name,
		pid: /** @type {number} */ (child.pid),
		child,
		output: () => output,
		/** Execution IDs this worker started and finished, from its log. */
		executions() {
			const started = [...output.matchAll(/Worker started execution (\d+)/g)].map(
				(match) => match[1],
			);
			const finished = [...output.matchAll(/Worker finished execution (\d+)/g)].map(
				(match) => match[1],
			);
			return { started, finished };
		},
		/** Resident memory now, in bytes (Linux). */
		rss() {
			try {
				const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
				return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
			} catch {
				return 0;
			}
		},
		kill: async () => await stopChild(child, 'SIGKILL'),
		stop: async () => await stopChild(child, 'SIGTERM', 30_000),
	};
}

/**
 * A queue-mode cluster: `n8n start` (main, migrating its database first), then workers.
 * Credentials are imported with `prepare` before main starts, with the same environment;
 * `workflows` are saved (n8n 2.x keeps their IDs) and `activate` activated on main once it runs.
 * @param {{install: any, userFolder: string, postgres: Awaited<ReturnType<typeof startPostgres>>, redis: Awaited<ReturnType<typeof startRedis>>,
 *   workers?: number, concurrency?: number, env?: Record<string, string>, prepare?: (env: Record<string, string>) => Promise<void>,
 *   workflows?: Array<Record<string, unknown> & {id: string}>, activate?: string[], webhooks?: string[]}} options
 *   `workflows`: saved on main once it runs; `activate`: workflows to activate then;
 *   `webhooks`: the webhook paths (GET) the cluster must serve before it is ready
 */
async function startCluster(options) {
	const database = `n8n_${process.pid}_${clusterCount++}`;
	options.postgres.createDatabase(database);
	const env = queueEnv(options.postgres, options.redis, database, options.env ?? {});
	if (options.prepare) await options.prepare(env);
	// Main and the workers start side by side once the database is migrated (by `prepare`'s
	// first command, or else by main); one that fails to start stops the ones that did.
	const mainStarting = startN8n(options.install, options.userFolder, env);
	if (!options.prepare) await mainStarting.catch(() => undefined);
	const [mainStarted, ...workersStarted] = await Promise.allSettled([
		mainStarting,
		...Array.from({ length: options.workers ?? 2 }, (_, index) =>
			startWorker(
				options.install,
				options.userFolder,
				env,
				`worker-${index + 1}`,
				options.concurrency ?? 5,
			),
		),
	]);
	/** @type {Array<Awaited<ReturnType<typeof startWorker>>>} */
	const workers = [];
	for (const result of workersStarted)
		if (result.status === 'fulfilled') workers.push(result.value);
	/** Workers first, then main: how the cluster ends, and how a failed start is undone. */
	const stopAll = async (/** @type {{stop: () => Promise<void>} | undefined} */ main) => {
		for (const worker of workers) await worker.stop();
		await main?.stop();
	};
	const failed = [mainStarted, ...workersStarted].find((result) => result.status === 'rejected');
	if (failed) {
		await stopAll(mainStarted.status === 'fulfilled' ? mainStarted.value : undefined);
		throw /** @type {PromiseRejectedResult} */ (failed).reason;
	}
	const main = /** @type {PromiseFulfilledResult<Awaited<typeof mainStarting>>} */ (mainStarted)
		.value;
	try {
		// Saved and activated on main as the editor does (one request each, where the CLI
		// started an n8n process per command).
		if (options.workflows?.length || options.activate?.length) {
			const owner = await ownerSession(options.install, main);
			await owner.create(options.workflows ?? []);
			for (const workflowId of options.activate ?? []) await owner.activate(workflowId);
		}
		for (const webhook of options.webhooks ?? [])
			await waitForWebhook(`${main.url}/webhook/${webhook}`, 'GET');
	} catch (error) {
		await stopAll(main);
		throw error;
	}
	return {
		database,
		env,
		main,
		workers,
		/** Starts one more worker (for example after one was killed). */
		async addWorker(/** @type {string} */ name) {
			const worker = await startWorker(
				options.install,
				options.userFolder,
				env,
				name,
				options.concurrency ?? 5,
			);
			workers.push(worker);
			return worker;
		},
		/** Which worker ran an execution, from the workers' logs. */
		workerOf(/** @type {string} */ executionId) {
			return workers.find((worker) => worker.executions().started.includes(executionId))?.name;
		},
		stop: async () => await stopAll(main),
	};
}

module.exports = { startPostgres, startRedis, startCluster, freePort };
