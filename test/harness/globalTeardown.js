// @ts-check
'use strict';
/** After the suites: the package's user folder made by globalSetup.js removed (only if it made it). */
const fs = require('node:fs');

const { TEMPLATE_ENV } = require('../../scripts/e2e/n8n-runner');
const { OWNED_ENV } = require('./globalSetup');

module.exports = async function globalTeardown() {
	const template = process.env[TEMPLATE_ENV];
	if (template && process.env[OWNED_ENV] === '1') {
		fs.rmSync(template, { recursive: true, force: true });
		delete process.env[TEMPLATE_ENV];
		delete process.env[OWNED_ENV];
	}
};
