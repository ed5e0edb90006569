#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run screenshot`: re-takes docs/node-parameters.png, the node's parameter panel in
 * the n8n editor after a run, with headless Chromium (Debian's `chromium` package) driven
 * by playwright-core against the same set-up as `npm run dev`.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startDev } = require('./dev');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = path.resolve(__dirname, '..', 'docs', 'node-parameters.png');

async function main() {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
	}
	const { chromium } = require('playwright-core');
	const dev = await startDev({ port: Number(process.env.SCREENSHOT_PORT ?? 5690), quiet: true });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		// The machine has no network beyond loopback: keep Chromium from trying.
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
	});
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		await page.goto(`${dev.url}/signin`);
		await page.fill('input[name="emailOrLdapLoginId"]', dev.owner.email);
		await page.fill('input[name="password"]', dev.owner.password);
		await page.click('[data-test-id="form-submit-button"]');
		await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 30_000 });
		await page.goto(`${dev.url}/workflow/dtExampleDownld1`);
		const node = page.locator('[data-test-id="canvas-node"][data-node-name="DingTalk Storage Download"]');
		await node.waitFor({ timeout: 60_000 });
		await node.dblclick();
		await page.locator('#app-modals').getByRole('button', { name: 'Execute step' }).first().click();
		// The output panel shows the downloaded file's name once the step has run.
		await page.getByText('合同-2026年度采购.pdf').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1000);
		fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
		await page.screenshot({ path: OUTPUT });
		console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}`);
	} finally {
		await browser.close();
		await dev.stop();
	}
}

main().catch((error) => {
	console.error(`screenshot failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
