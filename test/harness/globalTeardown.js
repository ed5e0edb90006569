// @ts-check
'use strict';
/** After the suites: the package's user folder made by globalSetup.js, removed. */
const fs = require('node:fs');

const { TEMPLATE_ENV } = require('../../scripts/e2e/n8n-runner');

module.exports = async function globalTeardown() {
	const template = process.env[TEMPLATE_ENV];
	if (template) fs.rmSync(template, { recursive: true, force: true });
	delete process.env[TEMPLATE_ENV];
};
