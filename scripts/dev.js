#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run dev`: the n8n editor on http://localhost:5678 with this package loaded, the
 * DingTalk emulator running, a working "DingTalk API" credential and the example
 * workflows imported, and an owner account ready to sign in with. The AI-agent example's
 * chat model is the scripted model of the end-to-end suite (scripts/e2e/model.js): it
 * searches for the last word of a chat message, lists the folder of the first hit, and
 * answers from what the tools returned.
 * Also used by `npm run screenshot` (startDev / stop).
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { startEmulator } = require('../emulator');
const { ensureN8n, cacheRoot } = require('./e2e/n8n-install');
const runner = require('./e2e/n8n-runner');
const { startScriptedModel, fileQuestionScript } = require('./e2e/model');
const {
	credentialRecord,
	modelCredentialRecord,
	exampleFiles,
	exampleFor,
} = require('./workflows');
const OWNER = {
	email: 'dev@example.com',
	password: 'DingTalk-dev-2026',
	firstName: 'Dev',
	lastName: 'User',
};

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {string} url
 * @param {number} timeoutMs
 */
async function waitForHttp(url, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// not up yet
		}
		await sleep(500);
	}
	throw new Error(`n8n did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/**
 * @param {{port?: number, quiet?: boolean}} [options]
 */
async function startDev(options = {}) {
	const port = options.port ?? Number(process.env.N8N_PORT ?? 5678);
	const install = await ensureN8n('2');
	const emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0) });
	const model = await startScriptedModel(fileQuestionScript());
	const userFolder = path.join(cacheRoot(), 'dev-user-folder');
	fs.mkdirSync(userFolder, { recursive: true });
	runner.installPackage(runner.packPackage(), userFolder);
	await runner.importCredentials(install, userFolder, [
		credentialRecord(emulator),
		modelCredentialRecord(model.url),
	]);
	for (const file of exampleFiles())
		await runner.importWorkflow(install, userFolder, exampleFor(file, emulator));

	const n8nProcess = spawn(install.nodeBinary, [install.n8nBin, 'start'], {
		cwd: userFolder,
		env: runner.n8nEnv(install, userFolder, { N8N_PORT: String(port), N8N_SECURE_COOKIE: 'false' }),
		stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', options.quiet ? 'ignore' : 'inherit'],
	});
	const url = `http://localhost:${port}`;
	await waitForHttp(`${url}/healthz`, 120_000);
	await waitForHttp(`${url}/rest/settings`, 60_000);
	// A fresh instance asks for an owner account first; create it so a person (or the
	// screenshot script) can sign in straight away. Fails harmlessly when one exists.
	await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	}).catch(() => undefined);

	const stop = async () => {
		n8nProcess.kill('SIGTERM');
		await new Promise((resolve) => {
			if (n8nProcess.exitCode !== null) return resolve(undefined);
			n8nProcess.once('exit', resolve);
			setTimeout(() => {
				n8nProcess.kill('SIGKILL');
				resolve(undefined);
			}, 15_000);
		});
		await emulator.close();
		await model.close();
	};
	return { url, emulator, model, userFolder, owner: OWNER, stop };
}

module.exports = { startDev, OWNER };

if (require.main === module) {
	startDev()
		.then(({ url, emulator, model, userFolder, stop }) => {
			console.log('');
			console.log(`n8n editor:        ${url}  (sign in as ${OWNER.email} / ${OWNER.password})`);
			console.log(`DingTalk emulator: ${emulator.baseUrl} (storage ${emulator.storageUrl})`);
			console.log('Credential:        "DingTalk API" (App Key & Secret, pointing at the emulator)');
			console.log(
				`Chat model:        a scripted OpenAI-compatible model at ${model.url} (credential`,
			);
			console.log(
				'                   "OpenAI-compatible chat model"): open "DingTalk: ask about your files (AI agent)",',
			);
			console.log(
				'                   click Open chat, ask e.g. "Where is the 框架协议" (it searches the last word)',
			);
			console.log(
				`Workflows:         the examples; Space ID 1000, Operator Union ID ${emulator.unionId},`,
			);
			console.log(
				'                   the seeded tree of space 1000 (see `npm run emulator`), gen-<bytes>, error-<code>',
			);
			console.log(`n8n user folder:   ${userFolder}`);
			console.log('Stop with Ctrl+C.');
			const shutdown = () => {
				stop().then(() => process.exit(0));
			};
			process.on('SIGINT', shutdown);
			process.on('SIGTERM', shutdown);
		})
		.catch((error) => {
			console.error(`dev failed: ${error instanceof Error ? error.message : String(error)}`);
			process.exit(1);
		});
}
