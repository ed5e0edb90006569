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
const fs = require('node:fs');
const { createHash, createHmac, randomBytes } = require('node:crypto');
const content = require('./content');
const { Drive, SAMPLE_FILES, MONTHLY_REPORTS } = require('./drive');
const { API_ERRORS, ApiFault } = require('./errors');
const { Uploads, storedChunks, readStoredSync, storedSha256, MAX_PUT_SIZE } = require('./uploads');
const { StreamGateway, GATEWAY_OPEN_PATH } = require('./stream');

/**
 * The values every user of the emulator shares (tests, demo, dev, benchmarks): the app,
 * the operator, and the seeded space the sample files live in.
 */
const EMULATOR_DEFAULTS = {
	appKey: 'dingemulatorappkey',
	unionId: 'emulator-union-id',
	/** The seeded Drive space "公司文档" holding the sample files and the tree. */
	spaceId: '1000',
	/** A second Drive space (small quota), for copies and moves across spaces. */
	otherSpaceId: '2000',
	/** A Knowledge Base space: no recycle bin, not among the org's Drive spaces. */
	knowledgeBaseSpaceId: '3000',
};

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
 * @property {boolean} [noContentLength]  send the body chunked, without Content-Length (as some gateways do)
 * @property {string} [downloadInfoError] the download-info API answers this error code for the file (e.g. permissionDenied)
 */

/**
 * A fault of the storage's PUTs (uploads).
 * @typedef {object} UploadFault
 * @property {number} [part]            only PUTs of this part (0: a single PUT); default every PUT
 * @property {number} [status]          answer with this status (an OSS XML error) after reading the body
 * @property {string} [code]            the OSS error code of that answer (default InternalError, or AccessDenied for 403)
 * @property {number} [resetAfterBytes] reset the connection once this many body bytes arrived
 * @property {number} [times]           how many matching PUTs it hits (default 1)
 */

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
 * Starts the emulator.
 * @param {object} [options]
 * @param {number} [options.port]          API port (0: any free port)
 * @param {number} [options.storagePort]   storage port (0: any free port)
 * @param {string} [options.appKey]
 * @param {string} [options.appSecret]
 * @param {number} [options.tokenTtlSeconds]     expireIn of issued tokens
 * @param {number} [options.signatureTtlSeconds] expirationSeconds of download info
 * @param {string} [options.unionId]       the only operator union ID accepted
 * @param {{key: string | Buffer, cert: string | Buffer}} [options.storageTls] serve storage over
 *   HTTPS with this key and certificate (as DingTalk's storage does); plain HTTP without
 */
async function startEmulator(options = {}) {
	const appKey = options.appKey ?? EMULATOR_DEFAULTS.appKey;
	const appSecret = options.appSecret ?? `emu-secret-${randomBytes(12).toString('hex')}`;
	const ossAccessKeyId = 'LTAIemulator';
	const ossAccessKeySecret = randomBytes(16).toString('hex');
	const state = {
		tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
		signatureTtlSeconds: options.signatureTtlSeconds ?? 900,
		unionId: options.unionId ?? EMULATOR_DEFAULTS.unionId,
		/** Pending API answers forced by tests: the next N API calls answer this code. */
		/** @type {{code: string, remaining: number, api?: string, after: number}[]} */
		forcedApiErrors: [],
		/** Rewrites the next download-info answers (for malformed-answer tests). */
		/** @type {((answer: any) => any) | undefined} */
		downloadInfoRewrite: undefined,
		/** Rewrites folder listings' answers (for broken-paging tests: a repeated token, no list). */
		/** @type {((answer: any, query: Record<string, string>) => any) | undefined} */
		listingRewrite: undefined,
		/** Rewrites dentry details' answers (for short-answer tests). */
		/** @type {((answer: any) => any) | undefined} */
		detailsRewrite: undefined,
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
		/** Permissions the app lacks: their APIs answer 403 AccessTokenPermissionDenied. @type {Set<string>} */
		missingPermissions: new Set(),
		/** Caps each storage connection at this many bytes per second (a wide-area link); 0 = no cap. */
		bytesPerSecondPerConnection: 0,
		/** Extra wait before the storage's first byte, in milliseconds. */
		storageLatencyMs: 0,
		/** Benchmarks: uploaded bytes are counted, not kept (a download then serves generated bytes). */
		discardUploads: false,
	};
	/** @type {Map<string, number>} token -> expiry (ms) */
	const tokens = new Map();
	/** @type {Map<string, number[]>} API -> times of the calls in the last second */
	const qpsWindows = new Map();
	/** QPS answers given, per API, since the last reset. */
	const qpsRejections = new Map();
	/** @type {Map<string, number>} API name -> calls that reached it (authenticated) */
	const apiCounts = new Map();
	const drive = new Drive();
	const uploads = new Uploads();
	// Stream mode: the gateway, and a storage event for every change to a subscribed space.
	const gateway = new StreamGateway({
		appKey,
		appSecret,
		unionId: () => state.unionId,
		checkSpace: (spaceId) => drive.space(spaceId),
	});
	drive.onChange = (change) => gateway.storageChanged(change);
	/** @type {(UploadFault & {hits: number})[]} */
	const uploadFaults = [];
	/**
	 * What storage serves for a dentry: its name and how its bytes are made.
	 * @param {string} dentryId @param {number} [version]
	 */
	const fileOf = (dentryId, version) => {
		const found = drive.fileById(dentryId, version);
		return found && { name: found.name, ...found.content };
	};
	/** @type {Map<string, Fault & {hits: number}>} */
	const faults = new Map();
	/** Everything that reached the emulator, for assertions. */
	const log =
		/** @type {{server: 'api'|'storage', method: string, path: string, headers: Record<string, string | string[] | undefined>, status?: number, body?: string, sentBytes?: number, receivedBytes?: number, completed?: boolean}[]} */ ([]);

	/**
	 * @param {http.ServerResponse} res
	 * @param {ApiFault} fault
	 */
	const apiError = (res, fault) => {
		sendJson(res, fault.status, {
			code: fault.code,
			message: fault.message,
			requestid: `emu-${randomBytes(6).toString('hex')}`,
			...fault.extra,
		});
	};

	/** @param {string} pathname @param {string} [verb] */
	const signedHeaders = (pathname, verb = 'GET') => {
		const stale = state.staleSignatures > 0;
		if (stale) state.staleSignatures--;
		const signedAt = stale ? Date.now() - (state.signatureTtlSeconds + 60) * 1000 : Date.now();
		const date = new Date(signedAt).toUTCString();
		const headers = { 'x-oss-date': date };
		const signature = createHmac('sha1', ossAccessKeySecret)
			.update(stringToSign(verb, headers, pathname))
			.digest('base64');
		return { Authorization: `OSS ${ossAccessKeyId}:${signature}`, 'x-oss-date': date };
	};

	/**
	 * The storage APIs: method, path (IDs captured), the API name DingTalk's rate limit
	 * counts under, and the answer. Handlers throw ApiFault for error answers.
	 * @typedef {{params: string[], query: URLSearchParams, body: any}} Call
	 * `operator` names the operator's query parameter (v2.0: operatorId), `permission` the
	 * app permission the API needs (see state.missingPermissions).
	 * @type {Array<{method: string, pattern: RegExp, api: string, operator?: string, permission?: string, handle: (call: Call) => unknown}>}
	 */
	const routes = [
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/downloadInfos\/query$/,
			api: 'downloadInfos.query',
			handle: ({ params: [spaceId, dentryId], body }) =>
				downloadInfo(spaceId, dentryId, body?.option ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/query$/,
			api: 'dentries.query',
			handle: ({ params: [spaceId, dentryId] }) => {
				const generated = dentryId.startsWith('gen-') ? drive.fileById(dentryId) : undefined;
				if (generated)
					return {
						dentry: {
							id: dentryId,
							spaceId,
							parentId: '0',
							type: 'FILE',
							name: generated.name,
							size: generated.content.size,
							version: 1,
							status: 'NORMAL',
						},
					};
				const entry = drive.entry(spaceId, dentryId, { deleted: true });
				if (entry.dentryDenied) throw new ApiFault('permissionDenied');
				const answer = { dentry: drive.json(entry) };
				return state.detailsRewrite ? state.detailsRewrite(answer) : answer;
			},
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries$/,
			api: 'dentries.list',
			handle: ({ params: [spaceId], query }) => {
				const answer = drive.list(spaceId, queryObject(query));
				return state.listingRewrite ? state.listingRewrite(answer, queryObject(query)) : answer;
			},
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/versions$/,
			api: 'dentries.versions',
			handle: ({ params: [spaceId, dentryId], query }) =>
				drive.listVersions(spaceId, dentryId, queryObject(query)),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/folders$/,
			api: 'folders.add',
			handle: ({ params: [spaceId, parentId], body }) => ({
				dentry: drive.createFolder(spaceId, parentId, body?.name, body?.option?.conflictStrategy),
			}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/rename$/,
			api: 'dentries.rename',
			handle: ({ params: [spaceId, dentryId], body }) => ({
				dentry: drive.rename(spaceId, dentryId, body?.newName),
			}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/move$/,
			api: 'dentries.move',
			handle: ({ params: [spaceId, dentryId], body }) => drive.move(spaceId, dentryId, body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/copy$/,
			api: 'dentries.copy',
			handle: ({ params: [spaceId, dentryId], body }) => drive.copy(spaceId, dentryId, body ?? {}),
		},
		{
			method: 'DELETE',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)$/,
			api: 'dentries.delete',
			handle: ({ params: [spaceId, dentryId], query }) =>
				drive.remove(spaceId, dentryId, query.get('toRecycleBin') === 'true'),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/files\/multiPartUploadInfos\/query$/,
			api: 'multiPartUploadInfos.query',
			handle: ({ body }) => partSignatures(body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/files\/uploadInfos\/query$/,
			api: 'uploadInfos.query',
			handle: ({ params: [spaceId], body }) => uploadInfo(spaceId, body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/files\/multiPartUploadInfos\/init$/,
			api: 'multiPartUploadInfos.init',
			handle: ({ params: [spaceId], body }) => {
				const preCheck = checkedPreCheck(spaceId, body?.option?.preCheckParam);
				return { uploadKey: uploads.start(spaceId, preCheck, true), storageDriver: 'DINGTALK' };
			},
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/files\/commit$/,
			api: 'files.commit',
			handle: ({ params: [spaceId], body }) => commit(spaceId, body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/query$/,
			api: 'dentries.batchQuery',
			permission: 'Storage.File.Read',
			handle: ({ params: [spaceId], body }) => drive.queryMany(spaceId, body),
		},
		{
			method: 'POST',
			pattern: /^\/v2\.0\/storage\/dentries\/search$/,
			api: 'dentries.search',
			operator: 'operatorId',
			permission: 'Storage.Dentry.Search',
			handle: ({ body }) => drive.search(body),
		},
		{
			method: 'GET',
			pattern: /^\/v2\.0\/doc\/dentries\/([^/]+)\/queryDentryId$/,
			api: 'doc.dentries.queryDentryId',
			operator: 'operatorId',
			permission: 'Document.WorkspaceDocument.Read',
			handle: ({ params: [uuid] }) => drive.idsOfUuid(uuid),
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/tasks\/([^/]+)$/,
			api: 'tasks.get',
			handle: ({ params: [taskId] }) => drive.task(taskId),
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)$/,
			api: 'spaces.get',
			handle: ({ params: [spaceId] }) => ({ space: drive.spaceJson(spaceId) }),
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/drive\/spaces$/,
			api: 'drive.spaces.list',
			handle: ({ query }) => {
				if (query.get('spaceType') !== 'org')
					throw new ApiFault('paramError', 'spaceType must be org');
				return drive.listOrgSpaces(queryObject(query));
			},
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/events\/subscribe$/,
			api: 'events.subscribe',
			permission: 'Storage.Event.Write',
			handle: ({ body }) => gateway.subscribe(body, true),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/events\/unsubscribe$/,
			api: 'events.unsubscribe',
			permission: 'Storage.Event.Write',
			handle: ({ body }) => gateway.subscribe(body, false),
		},
	];

	/** @param {URLSearchParams} query */
	function queryObject(query) {
		return /** @type {Record<string, string>} */ (Object.fromEntries(query.entries()));
	}

	/**
	 * @param {string} spaceId @param {string} dentryId
	 * @param {{version?: number, preferIntranet?: boolean}} option
	 */
	function downloadInfo(spaceId, dentryId, option) {
		const fault = faults.get(dentryId);
		if (fault?.downloadInfoError) throw new ApiFault(fault.downloadInfoError);
		const file = drive.download(spaceId, dentryId, option.version);
		const objectKey = file.content.objectKey ?? `obj-${dentryId}`;
		const resource = `/bucket-${spaceId}/${objectKey}`;
		const storageBase = `${storageScheme}://127.0.0.1:${storagePort()}`;
		const primary = fault?.refuseFirstUrl
			? `${storageScheme}://127.0.0.1:${closedPort}`
			: storageBase;
		const which = `dentry=${encodeURIComponent(dentryId)}&space=${encodeURIComponent(spaceId)}${option.version === undefined ? '' : `&v=${option.version}`}`;
		let answer = {
			protocol: 'HEADER_SIGNATURE',
			headerSignatureInfo: {
				resourceUrls: [
					`${primary}/oss-a${resource}?${which}&intranet=${option.preferIntranet !== false}`,
					`${storageBase}/oss-b${resource}?${which}`,
				],
				internalResourceUrls: [],
				headers: signedHeaders(resource),
				expirationSeconds: state.signatureTtlSeconds,
				region: 'ZHANGJIAKOU',
			},
		};
		if (state.downloadInfoRewrite) answer = state.downloadInfoRewrite(answer);
		if (state.downloadInfoPaddingBytes)
			/** @type {any} */ (answer).padding = 'x'.repeat(state.downloadInfoPaddingBytes);
		return answer;
	}

	/**
	 * An upload's pre-check, as DingTalk makes it before handing out upload info: the
	 * parent is a folder of this space, the name is usable, the quota holds the size.
	 * @param {string} spaceId @param {any} preCheck
	 */
	function checkedPreCheck(spaceId, preCheck) {
		if (preCheck === null || typeof preCheck !== 'object')
			throw new ApiFault('paramError', 'option.preCheckParam is required');
		const parentId = String(preCheck.parentId ?? '0');
		if (parentId.startsWith('error-')) throw new ApiFault(parentId.slice('error-'.length));
		drive.folderOrRoot(spaceId, parentId);
		const size = Number(preCheck.size);
		if (Number.isFinite(size) && drive.usedBytes(spaceId) + size > drive.space(spaceId).quota)
			throw new ApiFault('storageQuotaExceeded');
		return preCheck;
	}

	/**
	 * Where and how to PUT the bytes of an upload (or of one part): URLs on both storage
	 * "hosts", signed for PUT with no Content-Type.
	 * @param {string} spaceId @param {string} key @param {number} part @param {boolean} intranet
	 */
	function putSignature(spaceId, key, part, intranet) {
		const resource = `/bucket-${spaceId}/${key}${part > 0 ? `.part${part}` : ''}`;
		const which = `upload=${encodeURIComponent(key)}&part=${part}`;
		const storageBase = `${storageScheme}://127.0.0.1:${storagePort()}`;
		return {
			resourceUrls: [
				`${storageBase}/oss-a${resource}?${which}&intranet=${intranet}`,
				`${storageBase}/oss-b${resource}?${which}`,
			],
			internalResourceUrls: [],
			headers: signedHeaders(resource, 'PUT'),
			expirationSeconds: state.signatureTtlSeconds,
			region: 'ZHANGJIAKOU',
		};
	}

	/** @param {string} spaceId @param {any} body */
	function uploadInfo(spaceId, body) {
		if (body.protocol !== 'HEADER_SIGNATURE')
			throw new ApiFault('paramError', 'protocol must be HEADER_SIGNATURE');
		if (body.multipart === true)
			throw new ApiFault('paramError', 'use multiPartUploadInfos for a multipart upload');
		const option = body.option ?? {};
		const preCheck = checkedPreCheck(spaceId, option.preCheckParam);
		const key = uploads.start(spaceId, preCheck, false);
		return {
			uploadKey: key,
			storageDriver: 'DINGTALK',
			protocol: 'HEADER_SIGNATURE',
			headerSignatureInfo: putSignature(spaceId, key, 0, option.preferIntranet !== false),
		};
	}

	/** @param {any} body */
	function partSignatures(body) {
		const upload = uploads.get(String(body.uploadKey ?? ''));
		if (!upload || !upload.multipart)
			throw new ApiFault('paramError', 'the uploadKey is not a multipart upload in progress');
		const numbers = body.partNumbers;
		if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > 30)
			throw new ApiFault('paramError', 'partNumbers: 1 to 30 part numbers');
		for (const number of numbers) {
			if (!Number.isInteger(number) || number < 1 || number > 10_000)
				throw new ApiFault('paramError', `part number ${String(number)} is not from 1 to 10000`);
		}
		const intranet = body.option?.preferIntranet !== false;
		return {
			multipartHeaderSignatureInfos: numbers.map((partNumber) => ({
				partNumber,
				headerSignatureInfo: putSignature(upload.spaceId, upload.key, partNumber, intranet),
			})),
		};
	}

	/** @param {string} spaceId @param {any} body */
	function commit(spaceId, body) {
		const key = String(body.uploadKey ?? '');
		const { upload, stored, size } = uploads.take(key, body.option?.size);
		if (upload.spaceId !== spaceId)
			throw new ApiFault('paramError', 'the uploadKey belongs to another space');
		const parentId = String(body.parentId ?? '');
		const dentry = drive.commitFile(spaceId, parentId, body.name, body.option?.conflictStrategy, {
			size,
			seed: -(uploads.committed.size + 1),
			...(stored ? { stored } : {}),
		});
		uploads.done(key);
		return { dentry };
	}

	const api = http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://emulator');
		const body = await readBody(req);
		const entry = {
			server: /** @type {const} */ ('api'),
			method: req.method ?? '',
			path: url.pathname + url.search,
			headers: req.headers,
			body,
		};
		log.push(entry);
		res.on('finish', () => {
			/** @type {any} */ (entry).status = res.statusCode;
		});
		if (state.apiLatencyMs) await sleep(state.apiLatencyMs);

		if (req.method === 'POST' && url.pathname === '/v1.0/oauth2/accessToken') {
			const forcedAnswer = state.tokenEndpointAnswer;
			if (forcedAnswer) {
				res.writeHead(forcedAnswer.status, {
					'content-type': forcedAnswer.contentType ?? 'text/html',
					'content-length': Buffer.byteLength(forcedAnswer.body),
				});
				return res.end(forcedAnswer.body);
			}
			if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
				return sendJson(res, 400, {
					code: 'paramError',
					message: 'body must be JSON',
					requestid: 'emu-form',
				});
			}
			let parsed;
			try {
				parsed = JSON.parse(body);
			} catch {
				return sendJson(res, 400, {
					code: 'paramError',
					message: 'invalid JSON',
					requestid: 'emu-json',
				});
			}
			if (parsed.appKey !== appKey || parsed.appSecret !== appSecret) {
				return sendJson(res, 400, {
					code: 'invalidClientSecret',
					message: 'appkey or appsecret is wrong',
					requestid: 'emu-auth',
				});
			}
			const token = `emu-token-${randomBytes(16).toString('hex')}`;
			tokens.set(token, Date.now() + state.tokenTtlSeconds * 1000);
			return sendJson(res, 200, { accessToken: token, expireIn: state.tokenTtlSeconds });
		}

		if (req.method === 'POST' && url.pathname === GATEWAY_OPEN_PATH) {
			try {
				return sendJson(res, 200, gateway.openConnection(body === '' ? {} : JSON.parse(body)));
			} catch (error) {
				if (error instanceof SyntaxError)
					return apiError(res, new ApiFault('paramError', 'the body is not JSON'));
				if (error instanceof ApiFault) return apiError(res, error);
				throw error;
			}
		}

		let match = null;
		const route = routes.find(
			(candidate) =>
				candidate.method === req.method && (match = candidate.pattern.exec(url.pathname)) !== null,
		);
		if (!route || !match) {
			return sendJson(res, 404, {
				code: 'notFound',
				message: 'no such API in the emulator',
				requestid: 'emu-404',
			});
		}

		const forced = state.forcedApiErrors.find(
			(each) => each.api === undefined || each.api === route.api,
		);
		if (forced && forced.after > 0) {
			forced.after--;
		} else if (forced) {
			forced.remaining--;
			if (forced.remaining <= 0)
				state.forcedApiErrors.splice(state.forcedApiErrors.indexOf(forced), 1);
			return apiError(res, new ApiFault(forced.code));
		}

		const token = req.headers['x-acs-dingtalk-access-token'];
		const expiry = typeof token === 'string' ? tokens.get(token) : undefined;
		if (!expiry || expiry < Date.now()) return apiError(res, new ApiFault('InvalidAuthentication'));

		apiCounts.set(route.api, (apiCounts.get(route.api) ?? 0) + 1);
		if (state.qpsLimit > 0) {
			// One app here, so the window is per API.
			const now = Date.now();
			const window = (qpsWindows.get(route.api) ?? []).filter((at) => at > now - 1000);
			qpsWindows.set(route.api, window);
			if (window.length >= state.qpsLimit) {
				qpsRejections.set(route.api, (qpsRejections.get(route.api) ?? 0) + 1);
				return apiError(res, new ApiFault('Forbidden.AccessDenied.QpsLimitForAppkeyAndApi'));
			}
			window.push(now);
		}
		let parsed;
		try {
			parsed = body === '' ? {} : JSON.parse(body);
		} catch {
			return apiError(res, new ApiFault('paramError', 'the body is not JSON'));
		}
		if (route.permission && state.missingPermissions.has(route.permission)) {
			const fault = new ApiFault('Forbidden.AccessDenied.AccessTokenPermissionDenied');
			fault.extra = { requiredScopes: [route.permission] };
			return apiError(res, fault);
		}
		// v1.0 names the operator `unionId`; the v2.0 APIs call it `operatorId`.
		const operatorParam = route.operator ?? 'unionId';
		const unionId = url.searchParams.get(operatorParam);
		if (!unionId) return apiError(res, new ApiFault('paramError', `${operatorParam} is required`));
		if (unionId !== state.unionId) return apiError(res, new ApiFault('permissionDenied'));
		const params = /** @type {RegExpExecArray} */ (match).slice(1).map(decodeURIComponent);
		// `error-<code>` anywhere an ID goes answers that error, for every API.
		const ids = [
			...params,
			url.searchParams.get('parentId') ?? '',
			String(parsed?.targetSpaceId ?? ''),
			String(parsed?.targetFolderId ?? ''),
		];
		for (const id of ids)
			if (id.startsWith('error-')) return apiError(res, new ApiFault(id.slice('error-'.length)));
		try {
			return sendJson(
				res,
				200,
				await route.handle({ params, query: url.searchParams, body: parsed }),
			);
		} catch (error) {
			if (error instanceof ApiFault) return apiError(res, error);
			throw error;
		}
	});

	/**
	 * A PUT of an upload's bytes (or a part's), checked as OSS checks it: the signature over
	 * exactly the headers sent (an unsigned Content-Type or Content-MD5 breaks it), expiry,
	 * a Content-Length. The bytes go to a temporary file, hashed as they arrive; only a body
	 * received whole is kept.
	 * @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {URL} url
	 * @param {{status: number, sentBytes: number, receivedBytes?: number}} entry
	 * @param {(status: number, code: string, message: string) => void} xmlError
	 */
	async function receiveUpload(req, res, url, entry, xmlError) {
		const refuse = (
			/** @type {number} */ status,
			/** @type {string} */ code,
			/** @type {string} */ message,
		) => {
			// OSS answers before reading a refused body; the client sees the answer or a reset.
			req.resume();
			xmlError(status, code, message);
		};
		const match = /^\/oss-([ab])(\/bucket-[^/]+\/[^/]+)$/.exec(url.pathname);
		const upload = uploads.get(url.searchParams.get('upload') ?? '');
		const part = Number(url.searchParams.get('part') ?? '0');
		if (!match || !upload || !Number.isInteger(part) || (part === 0) === upload.multipart)
			return refuse(404, 'NoSuchUpload', 'The specified upload does not exist.');
		const expected = createHmac('sha1', ossAccessKeySecret)
			.update(stringToSign('PUT', req.headers, match[2]))
			.digest('base64');
		if (req.headers.authorization !== `OSS ${ossAccessKeyId}:${expected}`) {
			return refuse(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided.',
			);
		}
		const signedAt = Date.parse(String(req.headers['x-oss-date'] ?? ''));
		if (!Number.isFinite(signedAt) || Date.now() > signedAt + state.signatureTtlSeconds * 1000)
			return refuse(403, 'AccessDenied', 'Request has expired.');
		const lengthHeader = req.headers['content-length'];
		if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader))
			return refuse(
				411,
				'MissingContentLength',
				'You must provide the Content-Length HTTP header.',
			);
		const length = Number(lengthHeader);
		if (length > MAX_PUT_SIZE)
			return refuse(
				400,
				'EntityTooLarge',
				'Your proposed upload exceeds the maximum allowed size.',
			);

		const fault = uploadFaults.find(
			(each) => (each.part === undefined || each.part === part) && each.hits < (each.times ?? 1),
		);
		if (fault) fault.hits++;
		if (fault?.status && fault.resetAfterBytes === undefined) {
			const code = fault.code ?? (fault.status === 403 ? 'AccessDenied' : 'InternalError');
			const message =
				code === 'SignatureDoesNotMatch'
					? 'The request signature we calculated does not match the signature you provided.'
					: fault.status === 403
						? 'Request has expired.'
						: 'emulated failure';
			return refuse(fault.status, code, message);
		}

		const discard = state.discardUploads;
		const file = discard ? '' : uploads.tempFile();
		const out = discard ? undefined : fs.createWriteStream(file);
		const md5 = discard ? undefined : createHash('md5');
		let received = 0;
		let broken = false;
		const rate = state.bytesPerSecondPerConnection;
		const started = Date.now();
		try {
			for await (const chunk of req) {
				const buffer = /** @type {Buffer} */ (chunk);
				received += buffer.length;
				entry.receivedBytes = received;
				md5?.update(buffer);
				if (out && !out.write(buffer))
					await new Promise((resolve) => out.once('drain', () => resolve(undefined)));
				if (fault?.resetAfterBytes !== undefined && received >= fault.resetAfterBytes) {
					broken = true;
					entry.status = -1;
					req.socket.resetAndDestroy();
					break;
				}
				if (rate > 0) {
					const ahead = (received / rate) * 1000 - (Date.now() - started);
					if (ahead > 1) await sleep(ahead);
				}
			}
		} catch {
			broken = true;
		}
		if (out) await new Promise((resolve) => out.end(resolve));
		if (broken || received !== length || req.readableAborted) {
			if (file) fs.rmSync(file, { force: true });
			if (!res.destroyed && !broken)
				xmlError(
					400,
					'IncompleteBody',
					'You did not provide the number of bytes specified by the Content-Length HTTP header.',
				);
			return;
		}
		const etag = md5
			? md5.digest('hex').toUpperCase()
			: randomBytes(16).toString('hex').toUpperCase();
		uploads.keep(upload, part, { file, size: received, md5: etag });
		entry.status = 200;
		res.writeHead(200, {
			etag: `"${etag}"`,
			'content-length': 0,
			'x-oss-request-id': `emu-${randomBytes(6).toString('hex')}`,
		});
		res.end();
	}

	const storageScheme = options.storageTls ? 'https' : 'http';
	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	const storageHandler = async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://storage');
		const entry = {
			server: /** @type {const} */ ('storage'),
			method: req.method ?? '',
			path: url.pathname + url.search,
			headers: req.headers,
			status: 0,
			sentBytes: 0,
			receivedBytes: 0,
			completed: false,
		};
		res.on('finish', () => {
			entry.completed = true;
		});
		log.push(entry);
		const xmlError = (
			/** @type {number} */ status,
			/** @type {string} */ code,
			/** @type {string} */ message,
		) => {
			entry.status = status;
			// As OSS does, a signature mismatch echoes what was signed and the signature sent.
			const echo =
				code === 'SignatureDoesNotMatch'
					? `  <SignatureProvided>${String(req.headers.authorization ?? '')
							.split(':')
							.pop()}</SignatureProvided>\n  <StringToSign>${req.method}\n\n\n${String(req.headers['x-oss-date'] ?? '')}\n${url.pathname}</StringToSign>\n  <OSSAccessKeyId>LTAIemulator</OSSAccessKeyId>\n`
					: '';
			const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n${echo}  <RequestId>emu-oss</RequestId>\n</Error>\n`;
			res.writeHead(status, {
				'content-type': 'application/xml',
				'content-length': Buffer.byteLength(text),
			});
			res.end(text);
		};
		if (req.method === 'PUT') return await receiveUpload(req, res, url, entry, xmlError);
		const match = /^\/oss-([ab])(\/bucket-[^/]+\/([^/]+))$/.exec(url.pathname);
		const dentryId = url.searchParams.get('dentry') ?? '';
		const version = url.searchParams.has('v') ? Number(url.searchParams.get('v')) : undefined;
		const file = fileOf(dentryId, version);
		if (req.method !== 'GET' || !match || !file)
			return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
		const fault = faults.get(dentryId);
		if (fault) fault.hits++;
		const faultActive =
			fault !== undefined && (fault.times === undefined || fault.hits <= fault.times);

		if (fault?.resetBeforeHeaders && faultActive) {
			entry.status = -1;
			req.socket.resetAndDestroy();
			return;
		}
		if (fault?.headersDelayMs && faultActive) await sleep(fault.headersDelayMs);
		if (state.storageLatencyMs) await sleep(state.storageLatencyMs);
		if (res.destroyed) return;
		if (fault?.failFirstUrl && match[1] === 'a')
			return xmlError(fault.failFirstUrl, 'InternalError', 'emulated failure of the first URL');
		if (fault?.failAllUrls) return xmlError(fault.failAllUrls, 'InternalError', 'emulated failure');
		if (fault?.redirect && !url.searchParams.has('redirected')) {
			const here = new URL(req.url ?? '/', `${storageScheme}://127.0.0.1:${storagePort()}`);
			if (fault.redirect === 'otherOrigin') here.host = `localhost:${storagePort()}`;
			here.searchParams.set('redirected', '1');
			const location =
				fault.redirect === 'ftp'
					? `ftp://127.0.0.1/${match[3]}`
					: fault.redirect === 'loop'
						? (req.url ?? '/')
						: here.toString();
			entry.status = 302;
			res.writeHead(302, { location, 'content-length': 0 });
			return res.end();
		}

		const resource = match[2];
		const expected = createHmac('sha1', ossAccessKeySecret)
			.update(stringToSign('GET', req.headers, resource))
			.digest('base64');
		if (req.headers.authorization !== `OSS ${ossAccessKeyId}:${expected}`) {
			return xmlError(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided.',
			);
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
		const rangeMatch =
			rangeHeader && !fault?.ignoreRange ? /^bytes=(\d*)-(\d*)$/.exec(rangeHeader) : null;
		if (rangeMatch && (rangeMatch[1] !== '' || rangeMatch[2] !== '')) {
			if (rangeMatch[1] === '') {
				const length = Number(rangeMatch[2]);
				if (length > 0 && file.size > 0) {
					start = Math.max(0, file.size - length);
					partial = true;
				}
			} else {
				const first = Number(rangeMatch[1]);
				const last =
					rangeMatch[2] === '' ? file.size - 1 : Math.min(Number(rangeMatch[2]), file.size - 1);
				if (first < file.size && first <= last) {
					start = first;
					end = last;
					partial = true;
				}
			}
		}
		const length = file.size === 0 ? 0 : end - start + 1;
		/** @type {http.OutgoingHttpHeaders} */
		const headers = {
			'content-length': length,
			'accept-ranges': 'bytes',
			etag: `"${file.seed}-${file.size}"`,
		};
		if (file.contentType) headers['content-type'] = file.contentType;
		if (file.disposition === 'utf8') headers['content-disposition'] = contentDisposition(file.name);
		if (file.disposition === 'plain')
			headers['content-disposition'] = `attachment; filename="${file.name}"`;
		if (partial)
			headers['content-range'] =
				`bytes ${start + (fault?.wrongContentRange ? 1 : 0)}-${end}/${file.size}`;
		if (fault?.noContentLength) delete headers['content-length'];
		entry.status = partial ? 206 : 200;
		res.writeHead(entry.status, headers);
		if (length === 0) return res.end();
		// Headers go out at once, so a slow body is slow in the body, not in the headers.
		res.flushHeaders();

		const cutAt = faultActive ? (fault?.resetAfterBytes ?? fault?.truncateAfterBytes) : undefined;
		const rate = state.bytesPerSecondPerConnection;
		const bodyStarted = Date.now();
		let sent = 0;
		for await (const chunk of file.stored
			? storedChunks(file.stored, start, end)
			: content.chunks(file.seed, start, end)) {
			let piece = chunk;
			if (cutAt !== undefined && sent + piece.length > cutAt)
				piece = piece.subarray(0, Math.max(0, cutAt - sent));
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
	const storage = options.storageTls
		? https.createServer(options.storageTls, storageHandler)
		: http.createServer(storageHandler);

	// Idle kept-alive connections are closed after 65 s, as gateways commonly do (⚠ DingTalk's
	// own figure is not published): longer than clients keep them, so which side closes an
	// idle connection does not depend on how loaded the machine is. Node's default, 5 s,
	// raced the client's own idle timer on a busy machine and reset writes (which are never
	// sent twice). A drop as a request is sent is tested on its own (staleConnection.test.ts).
	for (const server of [api, storage]) {
		server.keepAliveTimeout = 65_000;
		server.headersTimeout = 66_000;
	}
	await new Promise((resolve) =>
		api.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined)),
	);
	await new Promise((resolve) =>
		storage.listen(options.storagePort ?? 0, '127.0.0.1', () => resolve(undefined)),
	);
	await gateway.listen();
	// A port nobody listens on, for "connection refused" on the first URL.
	const closedPort = await new Promise((resolve) => {
		const probe = http.createServer();
		probe.listen(0, '127.0.0.1', () => {
			const address = /** @type {import('node:net').AddressInfo} */ (probe.address());
			probe.close(() => resolve(address.port));
		});
	});
	const portOf = (/** @type {http.Server} */ server) =>
		/** @type {import('node:net').AddressInfo} */ (server.address()).port;
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
		/** The seeded tree and its state, for tests that check what changed. */
		drive,
		/** How many authenticated calls each API received, by the API's name (e.g. dentries.list). */
		apiCounts,
		/**
		 * The Stream mode gateway (see stream.js): its connections, deliveries, acknowledgements
		 * and ping answers, and switches (disconnect, drop, duplicate, ping, failing opens).
		 * Reset clears its records, subscriptions and switches; open connections stay open.
		 */
		stream: gateway.controls(),
		/**
		 * A file's name and bytes' description (size, seed...), by dentry ID.
		 * @param {string} dentryId @param {number} [version]
		 */
		file: (dentryId, version) => {
			const file = fileOf(dentryId, version);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			return file;
		},
		/**
		 * sha256 of a file's bytes [start, end] (the whole file by default).
		 * @param {string} dentryId
		 * @param {number} [start]
		 * @param {number} [end]
		 * @param {number} [version] one of the file's versions (default: the current one)
		 */
		sha256: (dentryId, start = 0, end = undefined, version = undefined) => {
			const file = fileOf(dentryId, version);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			if (file.stored) return storedSha256(file.stored, start, end ?? file.size - 1);
			return file.size === 0
				? content.sha256(file.seed, 0, -1)
				: content.sha256(file.seed, start, end ?? file.size - 1);
		},
		/**
		 * The bytes [start, end] of a (small) file.
		 * @param {string} dentryId
		 * @param {number} [start]
		 * @param {number} [end]
		 */
		bytes: (dentryId, start = 0, end = undefined) => {
			const file = fileOf(dentryId);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			if (file.stored) return readStoredSync(file.stored, start, end ?? file.size - 1);
			return content.bytes(file.seed, start, end ?? file.size - 1);
		},
		/** The next `count` changes DingTalk would run as tasks (folders with children) fail with `message`, changing nothing. */
		failNextTasks: (count = 1, message = 'emulated task failure') => {
			for (let i = 0; i < count; i++) drive.failingTasks.push(message);
		},
		/**
		 * @param {string} dentryId
		 * @param {Fault} fault
		 */
		setFault: (dentryId, fault) => faults.set(dentryId, { ...fault, hits: 0 }),
		clearFaults: () => {
			faults.clear();
			uploadFaults.length = 0;
		},
		/**
		 * Storage answers the next matching upload PUT(s) with a fault (see UploadFault).
		 * @param {UploadFault} fault
		 */
		setUploadFault: (fault) => uploadFaults.push({ ...fault, hits: 0 }),
		/** Uploads started (upload info or multipart init) and not committed. */
		uncommittedUploads: () => uploads.uncommitted,
		/**
		 * The next `count` API calls (other than the token endpoint) answer with `code`; with
		 * `api`, only calls of that API (by its name, e.g. tasks.get); with `after`, once that
		 * many of those calls have gone through (the second page of a listing...).
		 * @param {string} code @param {number} [count] @param {string} [api] @param {number} [after]
		 */
		failNextApiCalls: (code, count = 1, api = undefined, after = 0) =>
			state.forcedApiErrors.push({ code, remaining: count, api, after }),
		/**
		 * Rewrites every folder listing's answer until reset: `(answer, query) => answer`.
		 * @param {((answer: any, query: Record<string, string>) => any) | undefined} rewrite
		 */
		rewriteListings: (rewrite) => {
			state.listingRewrite = rewrite;
		},
		/**
		 * Rewrites every dentry details answer until reset: `(answer) => answer`.
		 * @param {((answer: any) => any) | undefined} rewrite
		 */
		rewriteDetails: (rewrite) => {
			state.detailsRewrite = rewrite;
		},
		/** The next `count` download-info answers are signed as if fetched long ago (storage answers 403). */
		expireNextSignatures: (count = 1) => {
			state.staleSignatures += count;
		},
		/** QPS-limit answers given since the last reset, per API (with `state.qpsLimit` set). */
		qpsRejections: () => Object.fromEntries(qpsRejections),
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
			uploadFaults.length = 0;
			uploads.reset();
			state.forcedApiErrors.length = 0;
			state.downloadInfoRewrite = undefined;
			state.listingRewrite = undefined;
			state.detailsRewrite = undefined;
			state.apiLatencyMs = 0;
			state.staleSignatures = 0;
			state.tokenEndpointAnswer = undefined;
			state.downloadInfoPaddingBytes = 0;
			state.qpsLimit = 0;
			state.missingPermissions.clear();
			state.bytesPerSecondPerConnection = 0;
			state.storageLatencyMs = 0;
			state.discardUploads = false;
			qpsWindows.clear();
			qpsRejections.clear();
			apiCounts.clear();
			drive.reset();
			gateway.clear();
			log.length = 0;
		},
		close: async () => {
			api.closeAllConnections();
			storage.closeAllConnections();
			await Promise.all([
				new Promise((r) => api.close(r)),
				new Promise((r) => storage.close(r)),
				gateway.close(),
			]);
			uploads.close();
		},
	};
}

module.exports = { startEmulator, EMULATOR_DEFAULTS, SAMPLE_FILES, MONTHLY_REPORTS, API_ERRORS };
