// @ts-check
'use strict';
/**
 * Uploads as DingTalk takes them: the upload APIs (upload info for one PUT, multipart init
 * and part signatures, the commit that makes the file), each checked as DingTalk checks it,
 * and the storage's PUTs of the bytes, checked as OSS checks them. The bookkeeping (upload
 * keys, the bytes received) is uploads.js's.
 */
const fs = require('node:fs');
const { createHash, randomBytes } = require('node:crypto');
const { setTimeout: sleep } = require('node:timers/promises');
const { ApiFault } = require('./errors');
const { signedHeaders, signatureRefusal, SIGNATURE_MISMATCH } = require('./oss');
const { MAX_PUT_SIZE } = require('./uploads');

/**
 * The upload APIs (see api.js for the route table's shape).
 * @param {import('./state').EmulatorState} shared
 * @returns {import('./api').Route[]}
 */
function uploadRoutes(shared) {
	return [
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/files\/multiPartUploadInfos\/query$/,
			api: 'multiPartUploadInfos.query',
			handle: ({ body }) => partSignatures(shared, body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/files\/uploadInfos\/query$/,
			api: 'uploadInfos.query',
			handle: ({ params: [spaceId], body }) => uploadInfo(shared, spaceId, body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/files\/multiPartUploadInfos\/init$/,
			api: 'multiPartUploadInfos.init',
			handle: ({ params: [spaceId], body }) => {
				const preCheck = checkedPreCheck(shared, spaceId, body?.option?.preCheckParam);
				return {
					uploadKey: shared.uploads.start(spaceId, preCheck, true),
					storageDriver: 'DINGTALK',
				};
			},
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/files\/commit$/,
			api: 'files.commit',
			handle: ({ params: [spaceId], body }) => commit(shared, spaceId, body ?? {}),
		},
	];
}

/**
 * An upload's pre-check, as DingTalk makes it before handing out upload info: the
 * parent is a folder of this space, the name is usable, the quota holds the size.
 * @param {import('./state').EmulatorState} shared
 * @param {string} spaceId @param {any} preCheck
 */
function checkedPreCheck(shared, spaceId, preCheck) {
	if (preCheck === null || typeof preCheck !== 'object')
		throw new ApiFault('paramError', 'option.preCheckParam is required');
	const parentId = String(preCheck.parentId ?? '0');
	if (parentId.startsWith('error-')) throw new ApiFault(parentId.slice('error-'.length));
	const drive = shared.drive;
	drive.folderOrRoot(spaceId, parentId);
	const size = Number(preCheck.size);
	if (Number.isFinite(size) && drive.usedBytes(spaceId) + size > drive.space(spaceId).quota)
		throw new ApiFault('storageQuotaExceeded');
	return preCheck;
}

/**
 * Where and how to PUT the bytes of an upload (or of one part): URLs on both storage
 * "hosts", signed for PUT with no Content-Type.
 * @param {import('./state').EmulatorState} shared
 * @param {string} spaceId @param {string} key @param {number} part @param {boolean} intranet
 */
function putSignature(shared, spaceId, key, part, intranet) {
	const resource = `/bucket-${spaceId}/${key}${part > 0 ? `.part${part}` : ''}`;
	const which = `upload=${encodeURIComponent(key)}&part=${part}`;
	const storageBase = shared.storageOrigin();
	return {
		resourceUrls: [
			`${storageBase}/oss-a${resource}?${which}&intranet=${intranet}`,
			`${storageBase}/oss-b${resource}?${which}`,
		],
		internalResourceUrls: [],
		headers: signedHeaders(shared, resource, 'PUT'),
		expirationSeconds: shared.settings.signatureTtlSeconds,
		region: 'ZHANGJIAKOU',
	};
}

/** @param {import('./state').EmulatorState} shared @param {string} spaceId @param {any} body */
function uploadInfo(shared, spaceId, body) {
	if (body.protocol !== 'HEADER_SIGNATURE')
		throw new ApiFault('paramError', 'protocol must be HEADER_SIGNATURE');
	if (body.multipart === true)
		throw new ApiFault('paramError', 'use multiPartUploadInfos for a multipart upload');
	const option = body.option ?? {};
	const preCheck = checkedPreCheck(shared, spaceId, option.preCheckParam);
	const key = shared.uploads.start(spaceId, preCheck, false);
	return {
		uploadKey: key,
		storageDriver: 'DINGTALK',
		protocol: 'HEADER_SIGNATURE',
		headerSignatureInfo: putSignature(shared, spaceId, key, 0, option.preferIntranet !== false),
	};
}

/** @param {import('./state').EmulatorState} shared @param {any} body */
function partSignatures(shared, body) {
	const upload = shared.uploads.get(String(body.uploadKey ?? ''));
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
			headerSignatureInfo: putSignature(shared, upload.spaceId, upload.key, partNumber, intranet),
		})),
	};
}

/** @param {import('./state').EmulatorState} shared @param {string} spaceId @param {any} body */
function commit(shared, spaceId, body) {
	const uploads = shared.uploads;
	const key = String(body.uploadKey ?? '');
	const { upload, stored, size } = uploads.take(key, body.option?.size);
	if (upload.spaceId !== spaceId)
		throw new ApiFault('paramError', 'the uploadKey belongs to another space');
	const parentId = String(body.parentId ?? '');
	const dentry = shared.drive.commitFile(
		spaceId,
		parentId,
		body.name,
		body.option?.conflictStrategy,
		{
			size,
			seed: -(uploads.committed.size + 1),
			...(stored ? { stored } : {}),
		},
		body.overwriteDentryId === undefined ||
			body.overwriteDentryId === null ||
			shared.settings.ignoreOverwriteDentryId
			? undefined
			: String(body.overwriteDentryId),
	);
	uploads.done(key);
	return { dentry };
}

/**
 * A PUT of an upload's bytes (or a part's), checked as OSS checks it: the signature over
 * exactly the headers sent (an unsigned Content-Type or Content-MD5 breaks it), expiry,
 * a Content-Length. The bytes go to a temporary file, hashed as they arrive; only a body
 * received whole is kept.
 * @param {import('./state').EmulatorState} shared
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @param {import('./storage').StorageLogEntry} entry
 * @param {import('./storage').XmlError} xmlError
 */
async function receiveUpload(shared, req, res, url, entry, xmlError) {
	const uploads = shared.uploads;
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
	const refusal = signatureRefusal(shared, req, match[2]);
	if (refusal) return refuse(403, refusal.code, refusal.message);
	const lengthHeader = req.headers['content-length'];
	if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader))
		return refuse(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
	const length = Number(lengthHeader);
	if (length > MAX_PUT_SIZE)
		return refuse(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');

	const fault = shared.uploadFaults.find(
		(each) => (each.part === undefined || each.part === part) && each.hits < (each.times ?? 1),
	);
	if (fault) fault.hits++;
	if (fault?.status && fault.resetAfterBytes === undefined) {
		const code = fault.code ?? (fault.status === 403 ? 'AccessDenied' : 'InternalError');
		const message =
			code === 'SignatureDoesNotMatch'
				? SIGNATURE_MISMATCH
				: fault.status === 403
					? 'Request has expired.'
					: 'emulated failure';
		return refuse(fault.status, code, message);
	}

	const discard = shared.settings.discardUploads;
	const file = discard ? '' : uploads.tempFile();
	const out = discard ? undefined : fs.createWriteStream(file);
	const md5 = discard ? undefined : createHash('md5');
	let received = 0;
	let broken = false;
	const rate = shared.settings.bytesPerSecondPerConnection;
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

module.exports = { uploadRoutes, receiveUpload };
