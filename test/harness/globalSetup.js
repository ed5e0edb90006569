// @ts-check
'use strict';
/**
 * Before any suite of a jest project that drives real n8n (jest.config.js): the project's
 * n8n line installed or found in the cache (one install at a time, before suites run side
 * by side), and this package packed and installed once into a user folder that each suite
 * copies (scripts/e2e/n8n-runner.js freshUserFolder), instead of packing it ten times.
 */
const fs = require('node:fs');

const { ensureN8n } = require('../../scripts/e2e/n8n-install');
const runner = require('../../scripts/e2e/n8n-runner');

/**
 * @param {unknown} _globalConfig
 * @param {{globals?: Record<string, unknown>}} projectConfig
 */
module.exports = async function globalSetup(_globalConfig, projectConfig) {
	const major = projectConfig.globals?.N8N_E2E_MAJOR;
	if (major !== '1' && major !== '2') return;
	if (major === '1' && process.env.N8N_E2E_SKIP_1X === '1') return;
	await ensureN8n(major);
	const template = process.env[runner.TEMPLATE_ENV];
	if (template && fs.existsSync(template)) return;
	// Workers inherit this process's environment: every suite finds the folder.
	process.env[runner.TEMPLATE_ENV] = runner.freshUserFolder();
};
