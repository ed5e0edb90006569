// @ts-check
'use strict';
/**
 * OSS header signatures, as DingTalk's storage uses them: the headers that download and
 * upload info hand out (signed for one verb and resource, possibly already stale), and the
 * storage's check of a request's signature and age.
 */
const { createHmac } = require('node:crypto');

const SIGNATURE_MISMATCH =
	'The request signature we calculated does not match the signature you provided.';

/**
 * OSS-style canonical string: VERB, Content-MD5, Content-Type, date, x-oss-* headers, resource.
 * @param {string} verb
 * @param {Record<string, string | string[] | undefined>} headers lower-cased request headers
 * @param {string} resource
 */
function stringToSign(verb, headers, resource) {
	const ossHeaders = Object.keys(headers)
		.filter((name) => name.startsWith('x-oss-'))
		.sort()
		.map((name) => `${name}:${String(headers[name]).trim()}\n`)
		.join('');
	return (
		[
			verb,
			headers['content-md5'] ?? '',
			headers['content-type'] ?? '',
			headers['x-oss-date'] ?? '',
		].join('\n') +
		'\n' +
		ossHeaders +
		resource
	);
}

/**
 * The Authorization header OSS expects of a request with these headers.
 * @param {import('./state').EmulatorState} shared
 * @param {string} verb
 * @param {Record<string, string | string[] | undefined>} headers
 * @param {string} resource
 */
function authorization(shared, verb, headers, resource) {
	const signature = createHmac('sha1', shared.oss.accessKeySecret)
		.update(stringToSign(verb, headers, resource))
		.digest('base64');
	return `OSS ${shared.oss.accessKeyId}:${signature}`;
}

/**
 * The signed headers for one request, as download and upload info carry them (signed long
 * ago while `staleSignatures` lasts).
 * @param {import('./state').EmulatorState} shared
 * @param {string} resource @param {string} [verb]
 */
function signedHeaders(shared, resource, verb = 'GET') {
	const settings = shared.settings;
	const stale = settings.staleSignatures > 0;
	if (stale) settings.staleSignatures--;
	const signedAt = stale ? Date.now() - (settings.signatureTtlSeconds + 60) * 1000 : Date.now();
	const date = new Date(signedAt).toUTCString();
	return {
		Authorization: authorization(shared, verb, { 'x-oss-date': date }, resource),
		'x-oss-date': date,
	};
}

/**
 * Why the storage refuses a request's signature (a 403), or undefined when it holds: signed
 * over exactly the headers sent, and not expired.
 * @param {import('./state').EmulatorState} shared
 * @param {import('node:http').IncomingMessage} req @param {string} resource
 * @returns {{code: string, message: string} | undefined}
 */
function signatureRefusal(shared, req, resource) {
	if (req.headers.authorization !== authorization(shared, req.method ?? '', req.headers, resource))
		return { code: 'SignatureDoesNotMatch', message: SIGNATURE_MISMATCH };
	const signedAt = Date.parse(String(req.headers['x-oss-date'] ?? ''));
	if (
		!Number.isFinite(signedAt) ||
		Date.now() > signedAt + shared.settings.signatureTtlSeconds * 1000
	)
		return { code: 'AccessDenied', message: 'Request has expired.' };
	return undefined;
}

module.exports = { signedHeaders, signatureRefusal, SIGNATURE_MISMATCH };
