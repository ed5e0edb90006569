#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run demo`: the main job, end to end. Starts the DingTalk emulator with a sample
 * file, installs (or reuses) real n8n 2.41.1, installs this package into it as a
 * community package, runs examples/download-file.workflow.json with `n8n execute`, copies
 * the downloaded file to ./demo-output/ and prints a summary. Exits non-zero on failure.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { startEmulator } = require('../emulator');
const { ensureN8n, TARGETS, cacheRoot } = require('./e2e/n8n-install');
const runner = require('./e2e/n8n-runner');

const ROOT = path.resolve(__dirname, '..');
const SAMPLE = '1001';

/** @param {string} file */
function sha256File(file) {
	return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function main() {
	const started = Date.now();
	const target = TARGETS['2'];
	const cached = fs.existsSync(path.join(cacheRoot(), `n8n-${target.n8n}-node-${target.node}`, '.complete'));
	console.log(
		cached
			? `Using the cached n8n ${target.n8n} (${cacheRoot()}).`
			: `First run: installing n8n ${target.n8n} and Node ${target.node} into ${cacheRoot()}.\nThis usually takes about 5 minutes and 3 GB; later runs take seconds.`,
	);
	const install = await ensureN8n('2');

	const emulator = await startEmulator();
	try {
		// Kept after the run (and replaced by the next one) so the stored file can be inspected.
		const userFolder = runner.createUserFolder(runner.packPackage(), path.join(cacheRoot(), 'demo-user-folder'));
		await runner.importCredentials(install, userFolder, [
			{
				id: 'dtCredentialApp1',
				name: 'DingTalk API',
				type: 'dingTalkApi',
				data: { authentication: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret, baseUrl: emulator.baseUrl },
			},
		]);
		const workflow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'download-file.workflow.json'), 'utf8'));
		for (const node of workflow.nodes) {
			if (node.type === 'n8n-nodes-dingtalk-storage.dingTalkStorageDownload') {
				Object.assign(node.parameters, { spaceId: '1000', dentryId: SAMPLE, unionId: emulator.unionId });
			}
		}
		await runner.importWorkflow(install, userFolder, workflow);

		const executeStarted = Date.now();
		const result = await runner.execute(install, userFolder, workflow.id);
		const items = runner.nodeOutput(result.data, 'DingTalk Storage Download');
		if (!items?.[0]?.binary?.data?.id) {
			throw new Error(`the DingTalk node produced no file (n8n exit ${result.code}).\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
		}
		const [item] = items;
		const stored = runner.binaryPath(userFolder, item.binary.data.id);
		const outDir = path.join(ROOT, 'demo-output');
		fs.mkdirSync(outDir, { recursive: true });
		const copy = path.join(outDir, item.json.fileName);
		fs.copyFileSync(stored, copy);
		const digest = sha256File(copy);
		const expected = emulator.sha256(SAMPLE);
		const ok = digest === expected && item.json.size === emulator.file(SAMPLE).size;

		console.log('');
		console.log(`DingTalk Storage Download, inside real n8n ${install.version} (Node ${target.node}), against the local DingTalk emulator`);
		console.log(`  file name   ${item.json.fileName}`);
		console.log(`  MIME type   ${item.json.mimeType}`);
		console.log(`  size        ${item.json.size} bytes`);
		console.log(`  sha256      ${digest} (${ok ? 'matches the emulator\'s file' : `MISMATCH, expected ${expected}`})`);
		console.log(`  n8n stored  ${stored}`);
		console.log(`  copied to   ${path.relative(process.cwd(), copy)}`);
		console.log(`  took        ${((Date.now() - executeStarted) / 1000).toFixed(1)} s for n8n execute, ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
		if (!ok) process.exitCode = 1;
	} finally {
		await emulator.close();
	}
}

main().catch((error) => {
	console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
