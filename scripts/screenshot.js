#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run screenshot`: re-takes the pictures in docs/, each node's parameter panel in the
 * n8n editor after a run (docs/storage-node.png: the DingTalk Storage node listing a folder
 * tree; docs/node-parameters.png: the DingTalk Storage Download node), with headless
 * Chromium (Debian's `chromium` package) driven by playwright-core against the same set-up
 * as `npm run dev`.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startDev } = require('./dev');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DOCS = path.resolve(__dirname, '..', 'docs');

/** What to photograph: a node of an example workflow, run once, with text to wait for in its output. */
const SHOTS = [
	{
		file: 'storage-node.png',
		workflow: 'dtExamplePdfTree',
		node: 'List the folder tree',
		shows: '/合同/2025/归档/旧版/扫描件-2019.pdf',
		json: true,
	},
	{
		file: 'node-parameters.png',
		workflow: 'dtExampleDownld1',
		node: 'DingTalk Storage Download',
		shows: '合同-2026年度采购.pdf',
	},
];

async function main() {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(
			`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`,
		);
	}
	const { chromium } = require('playwright-core');
	const dev = await startDev({ port: Number(process.env.SCREENSHOT_PORT ?? 5690), quiet: true });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		// The machine has no network beyond loopback: keep Chromium from trying.
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-quic',
			'--no-first-run',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		await page.goto(`${dev.url}/signin`);
		await page.fill('input[name="emailOrLdapLoginId"]', dev.owner.email);
		await page.fill('input[name="password"]', dev.owner.password);
		await page.click('[data-test-id="form-submit-button"]');
		await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 30_000 });
		for (const shot of SHOTS) {
			await page.goto(`${dev.url}/workflow/${shot.workflow}`);
			const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${shot.node}"]`);
			await node.waitFor({ timeout: 60_000 });
			await node.dblclick();
			await page
				.locator('#app-modals')
				.getByRole('button', { name: 'Execute step' })
				.first()
				.click();
			// The output panel shows the expected text once the step has run.
			await page.getByText(shot.shows).first().waitFor({ timeout: 60_000 });
			// The output as JSON shows each entry's path and dentryId.
			if (shot.json) await page.getByText('JSON', { exact: true }).last().click();
			await page.waitForTimeout(1000);
			fs.mkdirSync(DOCS, { recursive: true });
			await page.screenshot({ path: path.join(DOCS, shot.file) });
			console.log(`wrote ${path.relative(process.cwd(), path.join(DOCS, shot.file))}`);
		}
	} finally {
		await browser.close();
		await dev.stop();
	}
}

main().catch((error) => {
	console.error(`screenshot failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
