// @ts-check
'use strict';
/**
 * `npm test`: what the suites need from the machine (scripts/test-prerequisites.js), the
 * build (the end-to-end suites install the packed package), then jest with the arguments
 * given (`npm test -- test/unit`, `npm test -- --json --outputFile=r.json`), its output live,
 * while the type check and lint run beside it (most of jest's first minutes wait for n8n
 * processes); their output follows jest's. Fails if any of them fails.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const windows = process.platform === 'win32';

/**
 * @param {string} command
 * @param {string[]} args
 * @param {boolean} live print the output as it comes (else keep it for later)
 * @returns {Promise<{code: number | null, output: string, seconds: number}>}
 */
function run(command, args, live) {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(command, args, {
			cwd: ROOT,
			stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
			shell: windows,
		});
		let output = '';
		child.stdout?.on('data', (chunk) => (output += chunk));
		child.stderr?.on('data', (chunk) => (output += chunk));
		child.on('error', (error) => (output += `\n${error.message}`));
		child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
	});
}

(async () => {
	const prerequisites = await run(process.execPath, ['scripts/test-prerequisites.js'], true);
	if (prerequisites.code !== 0) process.exit(prerequisites.code ?? 1);
	const build = await run('npm', ['run', 'build'], true);
	if (build.code !== 0) process.exit(build.code ?? 1);

	const checks = ['typecheck', 'lint'].map(async (name) => ({
		name,
		...(await run('npm', ['run', '--silent', name], false)),
	}));
	const jest = await run(
		process.execPath,
		[require.resolve('jest/bin/jest'), ...process.argv.slice(2)],
		true,
	);
	const failed = jest.code === 0 ? [] : ['jest'];
	for (const check of await Promise.all(checks)) {
		const status = check.code === 0 ? 'passed' : `FAILED (exit ${check.code})`;
		process.stdout.write(
			`\n> npm run ${check.name}: ${status} in ${check.seconds.toFixed(1)} s\n${check.output}`,
		);
		if (check.code !== 0) failed.push(check.name);
	}
	if (failed.length > 0) {
		process.stderr.write(`\nnpm test failed: ${failed.join(', ')}\n`);
		process.exit(1);
	}
})();
