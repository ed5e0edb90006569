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
const { credentialRecord, exampleFor } = require('./workflows');

const ROOT = path.resolve(__dirname, '..');
const SAMPLE = '1001';

/** @param {string} file */
function sha256File(file) {
	return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function main() {
	const started = Date.now();
	const target = TARGETS['2'];
	const cached = fs.existsSync(
		path.join(cacheRoot(), `n8n-${target.n8n}-node-${target.node}`, '.complete'),
	);
	console.log(
		cached
			? `Using the cached n8n ${target.n8n} (${cacheRoot()}).`
			: `First run: installing n8n ${target.n8n} and Node ${target.node} into ${cacheRoot()}.\nThis usually takes about 5 minutes and 3 GB; later runs take seconds.`,
	);
	const install = await ensureN8n('2');

	const emulator = await startEmulator();
	try {
		// Kept after the run (and replaced by the next one) so the stored file can be inspected.
		const userFolder = runner.createUserFolder(
			runner.packPackage(),
			path.join(cacheRoot(), 'demo-user-folder'),
		);
		await runner.importCredentials(install, userFolder, [credentialRecord(emulator)]);
		// The example names file 1001 once its placeholders point at the emulator.
		const workflow = exampleFor('download-file.workflow.json', emulator);
		await runner.importWorkflow(install, userFolder, workflow);
		// The tree example: list a folder tree, keep the PDFs, download each, write them to disk.
		const pdfDir = path.join(ROOT, 'demo-output', 'pdfs');
		const tree = exampleFor('download-pdfs-in-tree.workflow.json', emulator);
		for (const node of tree.nodes)
			if (node.type === 'n8n-nodes-base.readWriteFile')
				node.parameters.fileName = `=${pdfDir}/{{ $json.fileName }}`;
		await runner.importWorkflow(install, userFolder, tree);

		const executeStarted = Date.now();
		const result = await runner.execute(install, userFolder, workflow.id);
		const items = runner.nodeOutput(result.data, 'DingTalk Storage Download');
		if (!items?.[0]?.binary?.data?.id) {
			throw new Error(
				`the DingTalk node produced no file (n8n exit ${result.code}).\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
			);
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
		console.log(
			`DingTalk Storage Download, inside real n8n ${install.version} (Node ${target.node}), against the local DingTalk emulator`,
		);
		console.log(`  file name   ${item.json.fileName}`);
		console.log(`  MIME type   ${item.json.mimeType}`);
		console.log(`  size        ${item.json.size} bytes`);
		console.log(
			`  sha256      ${digest} (${ok ? "matches the emulator's file" : `MISMATCH, expected ${expected}`})`,
		);
		console.log(`  n8n stored  ${stored}`);
		console.log(`  copied to   ${path.relative(process.cwd(), copy)}`);
		console.log(
			`  took        ${((Date.now() - executeStarted) / 1000).toFixed(1)} s for n8n execute`,
		);

		fs.mkdirSync(pdfDir, { recursive: true });
		const treeRun = await runner.execute(install, userFolder, tree.id, {
			N8N_RESTRICT_FILE_ACCESS_TO: pdfDir,
		});
		const listed = runner.nodeOutput(treeRun.data, 'List the folder tree') ?? [];
		const written = runner.nodeOutput(treeRun.data, 'Write to disk') ?? [];
		const exact = written.filter((/** @type {any} */ each) => {
			// Read/Write Files from Disk reports the full path it wrote as fileName.
			const file = path.join(pdfDir, path.basename(each.json.fileName));
			return fs.existsSync(file) && sha256File(file) === emulator.sha256(each.json.dentryId);
		});
		const treeOk = written.length > 0 && exact.length === written.length;
		console.log('');
		console.log(
			'DingTalk Storage (list the folder tree /合同 recursively) → IF (PDFs only) → DingTalk Storage Download → Write to disk',
		);
		console.log(`  listed      ${listed.length} files in the tree`);
		console.log(
			`  written     ${written.length} PDFs to ${path.relative(process.cwd(), pdfDir)}/, ${exact.length} byte-exact: ${written.map((/** @type {any} */ each) => path.basename(each.json.fileName)).join(', ')}`,
		);
		console.log(`  in all      ${((Date.now() - started) / 1000).toFixed(1)} s`);
		if (!ok || !treeOk) process.exitCode = 1;
	} finally {
		await emulator.close();
	}
}

main().catch((error) => {
	console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
