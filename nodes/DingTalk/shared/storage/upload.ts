import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { DingTalkApiError } from '../errors';
import type { HttpHeaders } from '../transport/http';
import { isRecord, readDentry, readSignedHeaders, unexpectedAnswer } from './answers';
import type { ConflictStrategy, Dentry } from './types';

/**
 * DingTalk storage's v1.0 upload APIs (the same space and dentry IDs as download):
 * upload info for one PUT, or a multipart upload's key and its parts' signatures, then the
 * commit that makes the file. Nothing exists in the space until the commit.
 */
const WRITE = 'Storage.File.Write';
const UPLOAD_INFO = 'Storage.UploadInfo.Read';

const CONFLICT_HINT =
	'Choose another Conflict Strategy (Auto Rename keeps both; Overwrite adds a new version), or another File Name.';

export const UPLOAD_APIS = {
	info: {
		name: 'uploadInfos.query',
		action: 'Getting the upload info',
		permission: UPLOAD_INFO,
		// A new key and signature, nothing in the space: asking twice leaves one key unused.
		readOnly: true,
		hints: {
			storageQuotaExceeded:
				'The space has not enough free quota for this file. Free some space or ask the space owner to raise the quota.',
		},
	},
	init: {
		name: 'multiPartUploadInfos.init',
		action: 'Starting the multipart upload',
		permission: UPLOAD_INFO,
		// An upload session, nothing in the space until the commit: a second one is left
		// unused and expires, as an abandoned upload does. Safe to send again.
		readOnly: true,
		hints: {
			storageQuotaExceeded:
				'The space has not enough free quota for this file. Free some space or ask the space owner to raise the quota.',
		},
	},
	parts: {
		name: 'multiPartUploadInfos.query',
		action: 'Getting the upload info of the parts',
		permission: UPLOAD_INFO,
		readOnly: true,
	},
	commit: {
		name: 'files.commit',
		action: 'Committing the upload',
		permission: WRITE,
		messages: { dentryNameConflict: 'A file of that name already exists in the folder' },
		hints: { dentryNameConflict: CONFLICT_HINT },
	},
} satisfies Record<string, ApiSpec>;

/** DingTalk's largest batch of part signatures per call. */
export const MAX_PARTS_PER_SIGNATURE_CALL = 30;

/** Where a new file goes and what it is called, on behalf of whom. */
export interface UploadTarget {
	spaceId: string;
	/** The parent folder's ID ("0": the space's root). */
	parentId: string;
	unionId: string;
	name: string;
	size: number;
	/** Ask for intranet URLs (DingTalk's default is true, so it is always sent). */
	preferIntranet: boolean;
	/**
	 * A new version of this file (Update Content): sent with the commit as
	 * `overwriteDentryId`, beside its name and folder as read (⚠ the facts name the field only).
	 */
	overwriteDentryId?: string;
}

/** Where and how to PUT some bytes: a credential for them until it expires. */
export interface SignedPut {
	/** In priority order: the next is a fallback when one fails. */
	urls: string[];
	/** The signed headers, sent exactly as given. */
	headers: HttpHeaders;
	/** Local clock time (ms) the signature arrived. */
	receivedAt: number;
	/** Local clock time (ms) after which the signature is no longer valid, when DingTalk said. */
	expiresAt?: number;
}

export interface SingleUploadInfo extends SignedPut {
	uploadKey: string;
}

const filesPath = (spaceId: string) => apiPath`/v1.0/storage/spaces/${spaceId}/files`;

function preCheck(target: UploadTarget) {
	return { size: target.size, name: target.name, parentId: target.parentId };
}

function uploadKeyOf(answer: Record<string, unknown>, api: ApiSpec): string {
	const key = answer.uploadKey;
	if (typeof key !== 'string' || key === '')
		throw unexpectedAnswer(api, 'the answer has no uploadKey');
	return key;
}

/** A signature (URLs, signed headers, expiry) as DingTalk answers it, checked. */
function readSignature(value: unknown, api: ApiSpec, receivedAt: number): SignedPut {
	if (!isRecord(value)) throw unexpectedAnswer(api, 'the answer has no headerSignatureInfo');
	const urls = Array.isArray(value.resourceUrls)
		? value.resourceUrls.filter((url): url is string => typeof url === 'string' && url !== '')
		: [];
	if (urls.length === 0)
		throw unexpectedAnswer(api, 'the answer lists no upload URL (resourceUrls is empty)');
	const headers = readSignedHeaders(value.headers, (problem) => unexpectedAnswer(api, problem));
	const seconds = Number(value.expirationSeconds);
	return {
		urls,
		headers,
		receivedAt,
		expiresAt: Number.isFinite(seconds) && seconds > 0 ? receivedAt + seconds * 1000 : undefined,
	};
}

/** Step 1 of a single-PUT upload: the key and the signed URL for the bytes. */
export async function getUploadInfo(
	client: DingTalkClient,
	target: UploadTarget,
): Promise<SingleUploadInfo> {
	const answer = await client.call({
		api: UPLOAD_APIS.info,
		method: 'POST',
		path: `${filesPath(target.spaceId)}/uploadInfos/query`,
		query: { unionId: target.unionId },
		body: {
			protocol: 'HEADER_SIGNATURE',
			multipart: false,
			option: {
				storageDriver: 'DINGTALK',
				preCheckParam: preCheck(target),
				preferIntranet: target.preferIntranet,
			},
		},
	});
	const receivedAt = Date.now();
	if (answer.protocol !== undefined && answer.protocol !== 'HEADER_SIGNATURE') {
		throw unexpectedAnswer(
			UPLOAD_APIS.info,
			`DingTalk offered the upload protocol "${String(answer.protocol).slice(0, 40)}", and only HEADER_SIGNATURE is supported`,
		);
	}
	return {
		uploadKey: uploadKeyOf(answer, UPLOAD_APIS.info),
		...readSignature(answer.headerSignatureInfo, UPLOAD_APIS.info, receivedAt),
	};
}

/** Step 1 of a multipart upload: its key. */
export async function initMultipartUpload(
	client: DingTalkClient,
	target: UploadTarget,
): Promise<string> {
	const answer = await client.call({
		api: UPLOAD_APIS.init,
		method: 'POST',
		path: `${filesPath(target.spaceId)}/multiPartUploadInfos/init`,
		query: { unionId: target.unionId },
		body: { option: { storageDriver: 'DINGTALK', preCheckParam: preCheck(target) } },
	});
	return uploadKeyOf(answer, UPLOAD_APIS.init);
}

/** Step 2 of a multipart upload: where and how to PUT these parts (at most 30 per call). */
export async function getPartSignatures(
	client: DingTalkClient,
	request: { unionId: string; uploadKey: string; partNumbers: number[]; preferIntranet: boolean },
): Promise<Map<number, SignedPut>> {
	if (
		request.partNumbers.length === 0 ||
		request.partNumbers.length > MAX_PARTS_PER_SIGNATURE_CALL
	) {
		throw new RangeError(`between 1 and ${MAX_PARTS_PER_SIGNATURE_CALL} part numbers per call`);
	}
	const answer = await client.call({
		api: UPLOAD_APIS.parts,
		method: 'POST',
		path: '/v1.0/storage/spaces/files/multiPartUploadInfos/query',
		query: { unionId: request.unionId },
		body: {
			uploadKey: request.uploadKey,
			partNumbers: request.partNumbers,
			option: { preferIntranet: request.preferIntranet },
		},
	});
	const receivedAt = Date.now();
	const infos = answer.multipartHeaderSignatureInfos;
	if (!Array.isArray(infos))
		throw unexpectedAnswer(
			UPLOAD_APIS.parts,
			'the answer has no multipartHeaderSignatureInfos list',
		);
	const signatures = new Map<number, SignedPut>();
	for (const info of infos) {
		if (!isRecord(info)) continue;
		const partNumber = Number(info.partNumber);
		if (request.partNumbers.includes(partNumber))
			signatures.set(
				partNumber,
				readSignature(info.headerSignatureInfo, UPLOAD_APIS.parts, receivedAt),
			);
	}
	const missing = request.partNumbers.filter((partNumber) => !signatures.has(partNumber));
	if (missing.length > 0)
		throw unexpectedAnswer(
			UPLOAD_APIS.parts,
			`the answer has no signature for part ${missing.join(', ')}`,
		);
	return signatures;
}

/** The last step: the file (or its new version) is made from the uploaded bytes. */
export async function commitUpload(
	client: DingTalkClient,
	target: UploadTarget,
	uploadKey: string,
	conflictStrategy: ConflictStrategy,
): Promise<Dentry> {
	let answer: Record<string, unknown>;
	try {
		answer = await client.call({
			api: UPLOAD_APIS.commit,
			method: 'POST',
			path: `${filesPath(target.spaceId)}/commit`,
			query: { unionId: target.unionId },
			body: {
				uploadKey,
				name: target.name,
				parentId: target.parentId,
				...(target.overwriteDentryId === undefined
					? {}
					: { overwriteDentryId: target.overwriteDentryId }),
				option: { size: target.size, conflictStrategy },
			},
		});
	} catch (error) {
		if (error instanceof DingTalkApiError && error.code === 'dentryNameConflict') {
			throw new DingTalkApiError(
				`${UPLOAD_APIS.commit.action} failed: "${target.name}" already exists in the folder, and the Conflict Strategy is Fail`,
				{
					code: error.code,
					httpCode: error.httpCode,
					requestId: error.requestId,
					description: CONFLICT_HINT,
				},
			);
		}
		throw error;
	}
	return readDentry(answer.dentry, UPLOAD_APIS.commit);
}
