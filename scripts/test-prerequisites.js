#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * What the test suites need from the machine besides Node and npm, checked before any suite
 * runs (`npm test` runs this first; `.ci/run` through `npm test`):
 *  - openssl (the end-to-end suite's throwaway HTTPS certificate),
 *  - PostgreSQL's server programs and psql, redis-server and redis-cli (the queue-mode suite
 *    and the shared rate limit start their own, on free local ports, in temporary folders).
 * On Debian or Ubuntu as root, what is missing is installed with apt-get (Debian's packages).
 * Anywhere else the run stops at once, before any suite, with the exact command to run.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** @type {Array<{ what: string, present: () => boolean, debian: string }>} */
const NEEDS = [
	{ what: 'openssl', present: () => onPath('openssl'), debian: 'openssl' },
	{ what: "PostgreSQL's server (initdb)", present: () => postgresBinaries(), debian: 'postgresql' },
	{ what: 'psql', present: () => onPath('psql'), debian: 'postgresql-client' },
	{ what: 'redis-server', present: () => onPath('redis-server'), debian: 'redis-server' },
	{ what: 'redis-cli', present: () => onPath('redis-cli'), debian: 'redis-tools' },
];

/** @param {string} command */
function onPath(command) {
	return (process.env.PATH ?? '')
		.split(path.delimiter)
		.some((folder) => folder !== '' && isExecutable(path.join(folder, command)));
}

/** @param {string} file */
function isExecutable(file) {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** Debian keeps PostgreSQL's server programs under /usr/lib/postgresql/<major>/bin. */
function postgresBinaries() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return onPath('initdb');
	return fs
		.readdirSync(base)
		.some((major) => isExecutable(path.join(base, major, 'bin', 'initdb')));
}

function isDebianLike() {
	try {
		const release = fs.readFileSync('/etc/os-release', 'utf8');
		return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release) && onPath('apt-get');
	} catch {
		return false;
	}
}

function main() {
	const missing = NEEDS.filter((need) => !need.present());
	if (missing.length === 0) return;
	const packages = [...new Set(missing.map((need) => need.debian))];
	const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isDebianLike() || !isRoot) {
		console.error(
			`The tests need ${missing.map((need) => need.what).join(', ')}, which this machine lacks.`,
		);
		console.error(
			isDebianLike()
				? `Install them (as root), then run npm test again:\n  sudo sh -c '${command}'`
				: `Install them with your system's package manager (Debian's names: ${packages.join(', ')}), then run npm test again.`,
		);
		process.exit(1);
	}
	console.log(`[test-prerequisites] installing ${packages.join(' ')} (Debian's packages)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
	const install = spawnSync(
		'apt-get',
		['install', '-y', '-qq', '--no-install-recommends', ...packages],
		{ stdio: 'inherit', env },
	);
	if (install.status !== 0) {
		console.error(
			`[test-prerequisites] apt-get install failed (exit ${install.status}); run it yourself:\n  ${command}`,
		);
		process.exit(1);
	}
	const still = NEEDS.filter((need) => !need.present());
	if (still.length > 0) {
		console.error(
			`[test-prerequisites] still missing after apt-get: ${still.map((need) => need.what).join(', ')}`,
		);
		process.exit(1);
	}
}

main();
