// @ts-check
'use strict';
/**
 * A throwaway self-signed certificate for 127.0.0.1, so the emulator's storage can speak
 * HTTPS as DingTalk's does (openssl, from Debian's packages). Clients trust it through
 * NODE_EXTRA_CA_CERTS=<dir>/cert.pem (read when a Node process starts), curl through
 * --cacert. Tests and benchmarks only.
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** @returns {{dir: string, certFile: string, key: Buffer, cert: Buffer}} */
function makeTestCertificate() {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'dingtalk-emulator-tls-'));
	const keyFile = path.join(dir, 'key.pem');
	const certFile = path.join(dir, 'cert.pem');
	const made = spawnSync('openssl', [
		'req',
		'-x509',
		'-newkey',
		'rsa:2048',
		'-nodes',
		'-keyout',
		keyFile,
		'-out',
		certFile,
		'-days',
		'2',
		'-subj',
		'/CN=127.0.0.1',
		'-addext',
		'subjectAltName=IP:127.0.0.1',
	]);
	if (made.status !== 0)
		throw new Error(
			`openssl could not make a test certificate: ${String(made.stderr ?? made.error)}`,
		);
	return { dir, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

module.exports = { makeTestCertificate };
