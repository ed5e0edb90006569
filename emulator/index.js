// @ts-check
'use strict';
/**
 * A local emulator of the DingTalk v1.0 API and of the Alibaba Cloud OSS storage behind
 * its download URLs, on 127.0.0.1. Used by the tests, the demo and the benchmarks.
 *
 * Two HTTP servers, as in reality two hosts:
 *  - the API: token endpoint, download-info query, dentry query (names);
 *  - the storage: GET with the signed headers checked exactly, one Range the OSS way
 *    (206; an unsatisfiable or malformed range ignored with 200), signature expiry.
 * Every documented error is reachable through a dentry (or space) ID of the form
 * `error-<code>`, and faults are switched per file with `setFault()`.
 */
const http = require('node:http');
const https = require('node:https');
const { createHmac, randomBytes } = require('node:crypto');
const content = require('./content');

const MiB = 1024 * 1024;

/** The download-info API's error table, plus the gateway's own answers. */
const API_ERRORS = /** @type {Record<string, {status: number, message: string}>} */ ({
	orgAuthLevelNotEnough: { status: 403, message: 'auth level of org is not enough' },
	permissionDenied: { status: 403, message: 'no permission to download the file' },
	paramError: { status: 400, message: 'parameter error' },
	'paramError.spaceId': { status: 400, message: 'spaceId is invalid' },
	'paramError.dentryId': { status: 400, message: 'dentryId is invalid' },
	operationNotSupported: { status: 400, message: 'the file does not support download' },
	dentryDownloadProtocolNotSupport: { status: 400, message: 'download protocol not supported' },
	fileArchived: { status: 400, message: 'file is archived, unarchiving has started' },
	spaceNotExist: { status: 404, message: 'space not exist' },
	dentryNotExist: { status: 404, message: 'dentry not exist' },
	systemError: { status: 500, message: 'system error' },
	unknownError: { status: 500, message: 'Unknown Error' },
	operationTimeout: { status: 503, message: 'request timeout' },
	InvalidAuthentication: { status: 400, message: '不合法的access_token' },
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi': { status: 403, message: 'qps limit for appkey and api' },
	'Forbidden.AccessDenied.QpsLimitForApi': { status: 403, message: 'qps limit for api' },
	'Forbidden.AccessDenied.ApiCountLimitForOrg': { status: 403, message: 'api count limit for org' },
});

/**
 * @typedef {object} EmulatedFile
 * @property {string} dentryId
 * @property {string} name
 * @property {number} size
 * @property {number} seed
 * @property {string} [contentType]     Content-Type sent by storage (absent: none sent)
 * @property {'utf8'|'plain'|'none'} [disposition]  how Content-Disposition is sent
 * @property {string} [objectKey]       last path segment of the storage URL
 * @property {boolean} [dentryDenied]   the dentry (name) API answers permissionDenied
 */

/**
 * @typedef {object} Fault
 * @property {number} [failFirstUrl]      status the first resource URL answers with
 * @property {boolean} [refuseFirstUrl]   the first resource URL points at a closed port
 * @property {number} [resetAfterBytes]   destroy the connection after this many body bytes
 * @property {number} [truncateAfterBytes] close cleanly after this many bytes (Content-Length stays full)
 * @property {number} [times]             how many storage requests the body fault hits (default: all)
 * @property {boolean} [forbidden]        storage answers 403 to every request
 * @property {boolean} [ignoreRange]      storage ignores Range headers (200, whole file)
 * @property {number} [bodyDelayMs]       pause before each body chunk
 * @property {number} [failAllUrls]       status every resource URL answers with
 * @property {boolean} [resetBeforeHeaders] destroy the connection before any response
 * @property {number} [headersDelayMs]    wait this long before answering (slow first byte)
 * @property {number} [extraBytes]        send this many bytes beyond Content-Length
 * @property {boolean} [wrongContentRange] answer ranges with a Content-Range one byte off
 * @property {'loop'|'ftp'|'otherOrigin'} [redirect] answer with a redirect of this kind
 */

/** @type {EmulatedFile[]} */
const DEFAULT_FILES = [
	{ dentryId: '1001', name: '合同-2026年度采购.pdf', size: 200_000, seed: 1001, contentType: 'application/pdf', disposition: 'utf8' },
	{ dentryId: '1002', name: 'quarterly report.xlsx', size: 50_000, seed: 1002, contentType: 'application/octet-stream', disposition: 'none' },
	{ dentryId: '1003', name: 'hidden-name.txt', size: 4_096, seed: 1003, contentType: 'binary/octet-stream', disposition: 'none', dentryDenied: true, objectKey: 'scan-0042.png' },
	{ dentryId: '1004', name: 'notes.md', size: 1_000, seed: 1004, disposition: 'plain' },
	{ dentryId: '1005', name: '设计稿 v2.zip', size: 3 * MiB + 17, seed: 1005, contentType: 'application/zip', disposition: 'utf8' },
	{ dentryId: '1006', name: 'empty.txt', size: 0, seed: 1006, contentType: 'text/plain', disposition: 'utf8' },
];

/**
 * A generated file for `gen-<bytes>` dentry IDs (for example gen-268435456 = 256 MiB).
 * @param {string} dentryId
 * @returns {EmulatedFile | undefined}
 */
function generatedFile(dentryId) {
	const match = /^gen-(\d+)$/.exec(dentryId);
	if (!match) return undefined;
	const size = Number(match[1]);
	return { dentryId, name: `generated-${size}.bin`, size, seed: size % 2147483647, contentType: 'application/octet-stream', disposition: 'utf8' };
}

/** @param {string} name */
function contentDisposition(name) {
	const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function sendJson(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json;charset=utf-8',
		'content-length': Buffer.byteLength(text),
		'x-acs-request-id': `emu-${randomBytes(6).toString('hex')}`,
	});
	res.end(text);
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const parts = [];
		req.on('data', (chunk) => parts.push(chunk));
		req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
		req.on('error', reject);
	});
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * OSS-style canonical string: VERB, Content-MD5, Content-Type, date, x-oss-* headers, resource.
 * @param {Record<string, string | string[] | undefined>} headers lower-cased request headers
 * @param {string} resource
 */
function stringToSign(headers, resource) {
	const ossHeaders = Object.keys(headers)
		.filter((name) => name.startsWith('x-oss-'))
		.sort()
		.map((name) => `${name}:${String(headers[name]).trim()}\n`)
		.join('');
	return ['GET', headers['content-md5'] ?? '', headers['content-type'] ?? '', headers['x-oss-date'] ?? ''].join('\n') + '\n' + ossHeaders + resource;
}

/**
 * Starts the emulator.
 * @param {object} [options]
 * @param {number} [options.port]          API port (0: any free port)
 * @param {number} [options.storagePort]   storage port (0: any free port)
 * @param {string} [options.appKey]
 * @param {string} [options.appSecret]
 * @param {number} [options.tokenTtlSeconds]     expireIn of issued tokens
 * @param {number} [options.signatureTtlSeconds] expirationSeconds of download info
 * @param {string} [options.unionId]       the only operator union ID accepted
 * @param {EmulatedFile[]} [options.files] extra files
 * @param {{key: string | Buffer, cert: string | Buffer}} [options.storageTls] serve storage over
 *   HTTPS with this key and certificate (as DingTalk's storage does); plain HTTP without
 */
async function startEmulator(options = {}) {
	const appKey = options.appKey ?? 'dingemulatorappkey';
	const appSecret = options.appSecret ?? `emu-secret-${randomBytes(12).toString('hex')}`;
	const ossAccessKeyId = 'LTAIemulator';
	const ossAccessKeySecret = randomBytes(16).toString('hex');
	const state = {
		tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
		signatureTtlSeconds: options.signatureTtlSeconds ?? 900,
		unionId: options.unionId ?? 'emulator-union-id',
		/** Pending API answers forced by tests: the next N API calls answer this code. */
		/** @type {{code: string, remaining: number}[]} */
		forcedApiErrors: [],
		/** Rewrites the next download-info answers (for malformed-answer tests). */
		/** @type {((answer: any) => any) | undefined} */
		downloadInfoRewrite: undefined,
		apiLatencyMs: 0,
		/** The next N download-info answers carry signatures that have already expired. */
		staleSignatures: 0,
		/** When set, the token endpoint answers with this status and raw body. */
		/** @type {{status: number, body: string, contentType?: string} | undefined} */
		tokenEndpointAnswer: undefined,
		/** Pads download-info answers with this many bytes (for oversized-answer tests). */
		downloadInfoPaddingBytes: 0,
		/** DingTalk's per-app, per-API rate limit (requests in any 1 s); 0 = not enforced. */
		qpsLimit: 0,
		/** Caps each storage connection at this many bytes per second (a wide-area link); 0 = no cap. */
		bytesPerSecondPerConnection: 0,
		/** Extra wait before the storage's first byte, in milliseconds. */
		storageLatencyMs: 0,
	};
	/** @type {Map<string, number>} token -> expiry (ms) */
	const tokens = new Map();
	/** @type {Map<string, number[]>} API -> times of the calls in the last second */
	const qpsWindows = new Map();
	/** @type {Map<string, EmulatedFile>} */
	const files = new Map([...DEFAULT_FILES, ...(options.files ?? [])].map((f) => [f.dentryId, f]));
	/** @type {Map<string, Fault & {hits: number}>} */
	const faults = new Map();
	/** Everything that reached the emulator, for assertions. */
	const log = /** @type {{server: 'api'|'storage', method: string, path: string, headers: Record<string, string | string[] | undefined>, status?: number, body?: string, sentBytes?: number, completed?: boolean}[]} */ ([]);

	/** @param {string} dentryId */
	const fileFor = (dentryId) => files.get(dentryId) ?? generatedFile(dentryId);

	/**
	 * @param {http.ServerResponse} res
	 * @param {string} code
	 */
	const apiError = (res, code) => {
		const known = API_ERRORS[code] ?? { status: 400, message: code };
		sendJson(res, known.status, { code, message: known.message, requestid: `emu-${randomBytes(6).toString('hex')}` });
	};

	/** @param {string} pathname */
	const signedHeaders = (pathname) => {
		const stale = state.staleSignatures > 0;
		if (stale) state.staleSignatures--;
		const signedAt = stale ? Date.now() - (state.signatureTtlSeconds + 60) * 1000 : Date.now();
		const date = new Date(signedAt).toUTCString();
		const headers = { 'x-oss-date': date };
		const signature = createHmac('sha1', ossAccessKeySecret).update(stringToSign(headers, pathname)).digest('base64');
		return { Authorization: `OSS ${ossAccessKeyId}:${signature}`, 'x-oss-date': date };
	};

	const api = http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://emulator');
		const body = await readBody(req);
		const entry = { server: /** @type {const} */ ('api'), method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body };
		log.push(entry);
		res.on('finish', () => {
			/** @type {any} */ (entry).status = res.statusCode;
		});
		if (state.apiLatencyMs) await sleep(state.apiLatencyMs);

		if (req.method === 'POST' && url.pathname === '/v1.0/oauth2/accessToken') {
			const forcedAnswer = state.tokenEndpointAnswer;
			if (forcedAnswer) {
				res.writeHead(forcedAnswer.status, { 'content-type': forcedAnswer.contentType ?? 'text/html', 'content-length': Buffer.byteLength(forcedAnswer.body) });
				return res.end(forcedAnswer.body);
			}
			if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
				return sendJson(res, 400, { code: 'paramError', message: 'body must be JSON', requestid: 'emu-form' });
			}
			let parsed;
			try {
				parsed = JSON.parse(body);
			} catch {
				return sendJson(res, 400, { code: 'paramError', message: 'invalid JSON', requestid: 'emu-json' });
			}
			if (parsed.appKey !== appKey || parsed.appSecret !== appSecret) {
				return sendJson(res, 400, { code: 'invalidClientSecret', message: 'appkey or appsecret is wrong', requestid: 'emu-auth' });
			}
			const token = `emu-token-${randomBytes(16).toString('hex')}`;
			tokens.set(token, Date.now() + state.tokenTtlSeconds * 1000);
			return sendJson(res, 200, { accessToken: token, expireIn: state.tokenTtlSeconds });
		}

		const forced = state.forcedApiErrors[0];
		if (forced) {
			forced.remaining--;
			if (forced.remaining <= 0) state.forcedApiErrors.shift();
			return apiError(res, forced.code);
		}

		const token = req.headers['x-acs-dingtalk-access-token'];
		const expiry = typeof token === 'string' ? tokens.get(token) : undefined;
		if (!expiry || expiry < Date.now()) return apiError(res, 'InvalidAuthentication');
		if (state.qpsLimit > 0) {
			// One app here, so the window is per API (the path with its IDs taken out).
			const api = url.pathname.replace(/\/spaces\/[^/]+\/dentries\/[^/]+/, '/spaces/*/dentries/*');
			const now = Date.now();
			const window = (qpsWindows.get(api) ?? []).filter((at) => at > now - 1000);
			qpsWindows.set(api, window);
			if (window.length >= state.qpsLimit) return apiError(res, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
			window.push(now);
		}

		const route = /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/(downloadInfos\/query|query)$/.exec(url.pathname);
		if (!route || req.method !== 'POST') {
			return sendJson(res, 404, { code: 'notFound', message: 'no such API in the emulator', requestid: 'emu-404' });
		}
		const spaceId = decodeURIComponent(route[1]);
		const dentryId = decodeURIComponent(route[2]);
		let parsed;
		try {
			parsed = body === '' ? {} : JSON.parse(body);
		} catch {
			return apiError(res, 'paramError');
		}
		if (url.searchParams.get('unionId') !== state.unionId) return apiError(res, 'permissionDenied');
		for (const id of [spaceId, dentryId]) {
			if (id.startsWith('error-')) return apiError(res, id.slice('error-'.length));
		}
		const file = fileFor(dentryId);
		if (!file) return apiError(res, 'dentryNotExist');

		if (route[3] === 'query') {
			if (file.dentryDenied) return apiError(res, 'permissionDenied');
			return sendJson(res, 200, {
				dentry: {
					id: file.dentryId,
					spaceId,
					name: file.name,
					type: 'FILE',
					size: file.size,
					extension: file.name.includes('.') ? file.name.split('.').pop() : undefined,
					version: 1,
				},
			});
		}

		const option = parsed && typeof parsed === 'object' ? parsed.option ?? {} : {};
		const objectKey = file.objectKey ?? `obj-${file.dentryId}`;
		const resource = `/bucket-${spaceId}/${objectKey}`;
		const fault = faults.get(dentryId);
		const storageBase = `${storageScheme}://127.0.0.1:${storagePort()}`;
		const primary = fault?.refuseFirstUrl ? `${storageScheme}://127.0.0.1:${closedPort}` : storageBase;
		let answer = {
			protocol: 'HEADER_SIGNATURE',
			headerSignatureInfo: {
				resourceUrls: [
					`${primary}/oss-a${resource}?dentry=${encodeURIComponent(dentryId)}&v=${option.version ?? 'latest'}&intranet=${option.preferIntranet !== false}`,
					`${storageBase}/oss-b${resource}?dentry=${encodeURIComponent(dentryId)}`,
				],
				internalResourceUrls: [],
				headers: signedHeaders(resource),
				expirationSeconds: state.signatureTtlSeconds,
				region: 'ZHANGJIAKOU',
			},
		};
		if (state.downloadInfoRewrite) answer = state.downloadInfoRewrite(answer);
		if (state.downloadInfoPaddingBytes) /** @type {any} */ (answer).padding = 'x'.repeat(state.downloadInfoPaddingBytes);
		return sendJson(res, 200, answer);
	});

	const storageScheme = options.storageTls ? 'https' : 'http';
	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	const storageHandler = async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://storage');
		const entry = { server: /** @type {const} */ ('storage'), method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, status: 0, sentBytes: 0, completed: false };
		res.on('finish', () => {
			entry.completed = true;
		});
		log.push(entry);
		const xmlError = (/** @type {number} */ status, /** @type {string} */ code, /** @type {string} */ message) => {
			entry.status = status;
			const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>emu-oss</RequestId>\n</Error>\n`;
			res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
			res.end(text);
		};
		const match = /^\/oss-([ab])(\/bucket-[^/]+\/([^/]+))$/.exec(url.pathname);
		const dentryId = url.searchParams.get('dentry') ?? '';
		const file = fileFor(dentryId);
		if (req.method !== 'GET' || !match || !file) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
		const fault = faults.get(dentryId);
		if (fault) fault.hits++;
		const faultActive = fault !== undefined && (fault.times === undefined || fault.hits <= fault.times);

		if (fault?.resetBeforeHeaders && faultActive) {
			entry.status = -1;
			req.socket.resetAndDestroy();
			return;
		}
		if (fault?.headersDelayMs && faultActive) await sleep(fault.headersDelayMs);
		if (state.storageLatencyMs) await sleep(state.storageLatencyMs);
		if (res.destroyed) return;
		if (fault?.failFirstUrl && match[1] === 'a') return xmlError(fault.failFirstUrl, 'InternalError', 'emulated failure of the first URL');
		if (fault?.failAllUrls) return xmlError(fault.failAllUrls, 'InternalError', 'emulated failure');
		if (fault?.redirect && !url.searchParams.has('redirected')) {
			const here = new URL(req.url ?? '/', `${storageScheme}://127.0.0.1:${storagePort()}`);
			if (fault.redirect === 'otherOrigin') here.host = `localhost:${storagePort()}`;
			here.searchParams.set('redirected', '1');
			const location = fault.redirect === 'ftp' ? `ftp://127.0.0.1/${match[3]}` : fault.redirect === 'loop' ? req.url ?? '/' : here.toString();
			entry.status = 302;
			res.writeHead(302, { location, 'content-length': 0 });
			return res.end();
		}

		const resource = match[2];
		const expected = createHmac('sha1', ossAccessKeySecret).update(stringToSign(req.headers, resource)).digest('base64');
		if (req.headers.authorization !== `OSS ${ossAccessKeyId}:${expected}`) {
			return xmlError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		}
		const signedAt = Date.parse(String(req.headers['x-oss-date'] ?? ''));
		if (!Number.isFinite(signedAt) || Date.now() > signedAt + state.signatureTtlSeconds * 1000) {
			return xmlError(403, 'AccessDenied', 'Request has expired.');
		}
		if (fault?.forbidden) return xmlError(403, 'AccessDenied', 'emulated refusal');

		// One range, the OSS way: anything malformed or unsatisfiable is ignored (200).
		let start = 0;
		let end = file.size - 1;
		let partial = false;
		const rangeHeader = req.headers.range;
		const rangeMatch = rangeHeader && !fault?.ignoreRange ? /^bytes=(\d*)-(\d*)$/.exec(rangeHeader) : null;
		if (rangeMatch && (rangeMatch[1] !== '' || rangeMatch[2] !== '')) {
			if (rangeMatch[1] === '') {
				const length = Number(rangeMatch[2]);
				if (length > 0 && file.size > 0) {
					start = Math.max(0, file.size - length);
					partial = true;
				}
			} else {
				const first = Number(rangeMatch[1]);
				const last = rangeMatch[2] === '' ? file.size - 1 : Math.min(Number(rangeMatch[2]), file.size - 1);
				if (first < file.size && first <= last) {
					start = first;
					end = last;
					partial = true;
				}
			}
		}
		const length = file.size === 0 ? 0 : end - start + 1;
		/** @type {http.OutgoingHttpHeaders} */
		const headers = { 'content-length': length, 'accept-ranges': 'bytes', etag: `"${file.seed}-${file.size}"` };
		if (file.contentType) headers['content-type'] = file.contentType;
		if (file.disposition === 'utf8') headers['content-disposition'] = contentDisposition(file.name);
		if (file.disposition === 'plain') headers['content-disposition'] = `attachment; filename="${file.name}"`;
		if (partial) headers['content-range'] = `bytes ${start + (fault?.wrongContentRange ? 1 : 0)}-${end}/${file.size}`;
		entry.status = partial ? 206 : 200;
		res.writeHead(entry.status, headers);
		if (length === 0) return res.end();
		// Headers go out at once, so a slow body is slow in the body, not in the headers.
		res.flushHeaders();

		const cutAt = faultActive ? (fault?.resetAfterBytes ?? fault?.truncateAfterBytes) : undefined;
		const rate = state.bytesPerSecondPerConnection;
		const bodyStarted = Date.now();
		let sent = 0;
		for (const chunk of content.chunks(file.seed, start, end)) {
			let piece = chunk;
			if (cutAt !== undefined && sent + piece.length > cutAt) piece = piece.subarray(0, Math.max(0, cutAt - sent));
			if (fault?.bodyDelayMs && faultActive) await sleep(fault.bodyDelayMs);
			if (res.destroyed) return;
			if (piece.length > 0 && !res.write(piece)) {
				await new Promise((resolve) => {
					const done = () => {
						res.off('drain', done);
						res.off('close', done);
						resolve(undefined);
					};
					res.on('drain', done);
					res.on('close', done);
				});
			}
			sent += piece.length;
			entry.sentBytes = sent;
			if (rate > 0) {
				// Hold this connection to its rate: wait until the bytes sent are "due".
				const ahead = (sent / rate) * 1000 - (Date.now() - bodyStarted);
				if (ahead > 1) await sleep(ahead);
			}
			if (cutAt !== undefined && sent >= cutAt) {
				if (fault?.resetAfterBytes !== undefined) {
					// Let what was written reach the client, then reset the connection.
					setTimeout(() => req.socket.resetAndDestroy(), 20);
				} else {
					req.socket.end();
				}
				return;
			}
		}
		if (fault?.extraBytes && faultActive) {
			// Bytes past Content-Length, written under the HTTP layer's feet.
			res.end(() => req.socket.write(Buffer.alloc(fault.extraBytes ?? 0, 0x41)));
			return;
		}
		res.end();
	};
	const storage = options.storageTls ? https.createServer(options.storageTls, storageHandler) : http.createServer(storageHandler);

	await new Promise((resolve) => api.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined)));
	await new Promise((resolve) => storage.listen(options.storagePort ?? 0, '127.0.0.1', () => resolve(undefined)));
	// A port nobody listens on, for "connection refused" on the first URL.
	const closedPort = await new Promise((resolve) => {
		const probe = http.createServer();
		probe.listen(0, '127.0.0.1', () => {
			const address = /** @type {import('node:net').AddressInfo} */ (probe.address());
			probe.close(() => resolve(address.port));
		});
	});
	const portOf = (/** @type {http.Server} */ server) => /** @type {import('node:net').AddressInfo} */ (server.address()).port;
	function storagePort() {
		return portOf(storage);
	}
	const baseUrl = `http://127.0.0.1:${portOf(api)}`;

	return {
		baseUrl,
		storageUrl: `${storageScheme}://127.0.0.1:${storagePort()}`,
		appKey,
		appSecret,
		unionId: state.unionId,
		log,
		state,
		/** @param {string} dentryId */
		file: (dentryId) => {
			const file = fileFor(dentryId);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			return file;
		},
		/**
		 * sha256 of a file's bytes [start, end] (the whole file by default).
		 * @param {string} dentryId
		 * @param {number} [start]
		 * @param {number} [end]
		 */
		sha256: (dentryId, start = 0, end = undefined) => {
			const file = fileFor(dentryId);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			return file.size === 0 ? content.sha256(file.seed, 0, -1) : content.sha256(file.seed, start, end ?? file.size - 1);
		},
		/**
		 * The bytes [start, end] of a (small) file.
		 * @param {string} dentryId
		 * @param {number} [start]
		 * @param {number} [end]
		 */
		bytes: (dentryId, start = 0, end = undefined) => {
			const file = fileFor(dentryId);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			return content.bytes(file.seed, start, end ?? file.size - 1);
		},
		/** @param {EmulatedFile} file */
		addFile: (file) => files.set(file.dentryId, file),
		/**
		 * @param {string} dentryId
		 * @param {Fault} fault
		 */
		setFault: (dentryId, fault) => faults.set(dentryId, { ...fault, hits: 0 }),
		clearFaults: () => faults.clear(),
		/** The next `count` API calls (other than the token endpoint) answer with `code`. */
		failNextApiCalls: (/** @type {string} */ code, count = 1) => state.forcedApiErrors.push({ code, remaining: count }),
		/** The next `count` download-info answers are signed as if fetched long ago (storage answers 403). */
		expireNextSignatures: (count = 1) => {
			state.staleSignatures += count;
		},
		/** Every token issued so far stops working (as after expiry). */
		expireTokens: () => tokens.clear(),
		/** A token DingTalk would accept now, as if obtained elsewhere. */
		issueToken: () => {
			const token = `emu-token-${randomBytes(16).toString('hex')}`;
			tokens.set(token, Date.now() + state.tokenTtlSeconds * 1000);
			return token;
		},
		reset: () => {
			faults.clear();
			state.forcedApiErrors.length = 0;
			state.downloadInfoRewrite = undefined;
			state.apiLatencyMs = 0;
			state.staleSignatures = 0;
			state.tokenEndpointAnswer = undefined;
			state.downloadInfoPaddingBytes = 0;
			state.qpsLimit = 0;
			state.bytesPerSecondPerConnection = 0;
			state.storageLatencyMs = 0;
			qpsWindows.clear();
			log.length = 0;
		},
		close: async () => {
			api.closeAllConnections();
			storage.closeAllConnections();
			await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => storage.close(r))]);
		},
	};
}

module.exports = { startEmulator, generatedFile, DEFAULT_FILES, API_ERRORS };
