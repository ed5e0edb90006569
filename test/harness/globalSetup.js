// @ts-check
'use strict';
/**
 * Before the suites that drive real n8n (jest.config.js): every n8n line the selected
 * projects need installed or found in the cache, one install at a time and before suites
 * run side by side (jest runs one global-setup file once, with the first project's config,
 * whichever projects share it), and this package packed and installed once into a user
 * folder that each suite copies (scripts/e2e/n8n-runner.js freshUserFolder), instead of
 * packing it ten times.
 */
const fs = require('node:fs');

const { ensureN8n } = require('../../scripts/e2e/n8n-install');
const runner = require('../../scripts/e2e/n8n-runner');

/** The n8n line each project that uses this hook runs on (jest.config.js). */
const LINE_OF_PROJECT = { 'e2e n8n 2.x': '2', 'e2e n8n 1.x': '1', queue: '2' };

/** Set when this hook made the template, so that teardown removes only what it made. */
const OWNED_ENV = 'DINGTALK_E2E_USER_TEMPLATE_OWNED';

/**
 * @param {{selectProjects?: string[]}} globalConfig
 * @param {{globals?: Record<string, unknown>}} projectConfig
 */
module.exports = async function globalSetup(globalConfig, projectConfig) {
	const selected = globalConfig.selectProjects;
	const lines = new Set(
		Object.entries(LINE_OF_PROJECT)
			.filter(([project]) => !selected || selected.includes(project))
			.map(([, line]) => line),
	);
	const own = projectConfig.globals?.N8N_E2E_MAJOR;
	if (own === '1' || own === '2') lines.add(own);
	if (process.env.N8N_E2E_SKIP_1X === '1') lines.delete('1');
	if (lines.size === 0) return;
	for (const line of [...lines].sort().reverse()) await ensureN8n(/** @type {'1' | '2'} */ (line));
	const template = process.env[runner.TEMPLATE_ENV];
	if (template && fs.existsSync(template)) return;
	// Workers inherit this process's environment: every suite finds the folder.
	process.env[runner.TEMPLATE_ENV] = runner.freshUserFolder();
	process.env[OWNED_ENV] = '1';
};

module.exports.OWNED_ENV = OWNED_ENV;
