// @ts-check
'use strict';
/**
 * The storage behind DingTalk's download URLs (Alibaba Cloud OSS): the download-info API,
 * which hands out two signed URLs per file, and the storage server, which checks the signed
 * headers exactly and serves the bytes with one Range the OSS way (206; an unsatisfiable or
 * malformed range ignored with 200), with the faults set per file (see state.js). Its PUTs
 * (uploads) are received by uploadRoutes.js.
 */
const http = require('node:http');
const https = require('node:https');
const { setTimeout: sleep } = require('node:timers/promises');
const content = require('./content');
const { ApiFault } = require('./errors');
const { signedHeaders, signatureRefusal } = require('./oss');
const { storedChunks } = require('./uploads');
const { receiveUpload } = require('./uploadRoutes');

/** @param {string} name */
function contentDisposition(name) {
	const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The download-info API (see api.js for the route table's shape).
 * @param {import('./state').EmulatorState} shared
 * @returns {import('./api').Route[]}
 */
function downloadRoutes(shared) {
	return [
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/downloadInfos\/query$/,
			api: 'downloadInfos.query',
			handle: ({ params: [spaceId, dentryId], body }) =>
				downloadInfo(shared, spaceId, dentryId, body?.option ?? {}),
		},
	];
}

/**
 * @param {import('./state').EmulatorState} shared
 * @param {string} spaceId @param {string} dentryId
 * @param {{version?: number, preferIntranet?: boolean}} option
 */
function downloadInfo(shared, spaceId, dentryId, option) {
	const settings = shared.settings;
	const fault = shared.faults.get(dentryId);
	if (fault?.downloadInfoError) throw new ApiFault(fault.downloadInfoError);
	const file = shared.drive.download(spaceId, dentryId, option.version);
	const objectKey = file.content.objectKey ?? `obj-${dentryId}`;
	const resource = `/bucket-${spaceId}/${objectKey}`;
	const storageBase = shared.storageOrigin();
	const primary = fault?.refuseFirstUrl ? shared.storageOrigin(shared.closedPort) : storageBase;
	const which = `dentry=${encodeURIComponent(dentryId)}&space=${encodeURIComponent(spaceId)}${option.version === undefined ? '' : `&v=${option.version}`}`;
	let answer = {
		protocol: 'HEADER_SIGNATURE',
		headerSignatureInfo: {
			resourceUrls: [
				`${primary}/oss-a${resource}?${which}&intranet=${option.preferIntranet !== false}`,
				`${storageBase}/oss-b${resource}?${which}`,
			],
			internalResourceUrls: [],
			headers: signedHeaders(shared, resource),
			expirationSeconds: settings.signatureTtlSeconds,
			region: 'ZHANGJIAKOU',
		},
	};
	if (settings.downloadInfoRewrite) answer = settings.downloadInfoRewrite(answer);
	if (settings.downloadInfoPaddingBytes)
		/** @type {any} */ (answer).padding = 'x'.repeat(settings.downloadInfoPaddingBytes);
	return answer;
}

/**
 * A storage request's entry in the log, as the storage server fills it in.
 * @typedef {{server: 'storage', method: string, path: string, headers: http.IncomingHttpHeaders, status: number, sentBytes: number, receivedBytes: number, completed: boolean}} StorageLogEntry
 */

/**
 * An OSS XML error answer.
 * @typedef {(status: number, code: string, message: string) => void} XmlError
 */

/**
 * The storage server: HTTPS with `tls`, as DingTalk's storage is; plain HTTP without.
 * @param {import('./state').EmulatorState} shared
 * @param {{key: string | Buffer, cert: string | Buffer}} [tls]
 */
function createStorageServer(shared, tls) {
	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	const handler = async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://storage');
		/** @type {StorageLogEntry} */
		const entry = {
			server: 'storage',
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
		shared.log.push(entry);
		/** @type {XmlError} */
		const xmlError = (status, code, message) => {
			entry.status = status;
			// As OSS does, a signature mismatch echoes what was signed and the signature sent.
			const echo =
				code === 'SignatureDoesNotMatch'
					? `  <SignatureProvided>${String(req.headers.authorization ?? '')
							.split(':')
							.pop()}</SignatureProvided>\n  <StringToSign>${req.method}\n\n\n${String(req.headers['x-oss-date'] ?? '')}\n${url.pathname}</StringToSign>\n  <OSSAccessKeyId>${shared.oss.accessKeyId}</OSSAccessKeyId>\n`
					: '';
			const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n${echo}  <RequestId>emu-oss</RequestId>\n</Error>\n`;
			res.writeHead(status, {
				'content-type': 'application/xml',
				'content-length': Buffer.byteLength(text),
			});
			res.end(text);
		};
		if (req.method === 'PUT') return await receiveUpload(shared, req, res, url, entry, xmlError);
		return await serveFile(shared, req, res, url, entry, xmlError);
	};
	return tls ? https.createServer(tls, handler) : http.createServer(handler);
}

/**
 * A GET of a file's bytes, with the file's faults.
 * @param {import('./state').EmulatorState} shared
 * @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {URL} url
 * @param {StorageLogEntry} entry @param {XmlError} xmlError
 */
async function serveFile(shared, req, res, url, entry, xmlError) {
	const settings = shared.settings;
	const match = /^\/oss-([ab])(\/bucket-[^/]+\/([^/]+))$/.exec(url.pathname);
	const dentryId = url.searchParams.get('dentry') ?? '';
	const version = url.searchParams.has('v') ? Number(url.searchParams.get('v')) : undefined;
	const file = shared.fileOf(dentryId, version);
	if (req.method !== 'GET' || !match || !file)
		return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
	const fault = shared.faults.get(dentryId);
	if (fault) fault.hits++;
	const faultActive =
		fault !== undefined && (fault.times === undefined || fault.hits <= fault.times);

	if (fault?.resetBeforeHeaders && faultActive) {
		entry.status = -1;
		req.socket.resetAndDestroy();
		return;
	}
	if (fault?.headersDelayMs && faultActive) await sleep(fault.headersDelayMs);
	if (settings.storageLatencyMs) await sleep(settings.storageLatencyMs);
	if (res.destroyed) return;
	if (fault?.failFirstUrl && match[1] === 'a')
		return xmlError(fault.failFirstUrl, 'InternalError', 'emulated failure of the first URL');
	if (fault?.failAllUrls) return xmlError(fault.failAllUrls, 'InternalError', 'emulated failure');
	if (fault?.redirect && !url.searchParams.has('redirected')) {
		const here = new URL(req.url ?? '/', shared.storageOrigin());
		if (fault.redirect === 'otherOrigin') here.host = `localhost:${shared.storagePort}`;
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

	const refusal = signatureRefusal(shared, req, match[2]);
	if (refusal) return xmlError(403, refusal.code, refusal.message);
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
	const rate = settings.bytesPerSecondPerConnection;
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
}

module.exports = { downloadRoutes, createStorageServer };
