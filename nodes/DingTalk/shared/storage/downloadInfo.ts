import { apiPath, type DingTalkClient } from '../api/client';
import { meaningOf } from '../api/errorCatalogue';
import type { ApiSpec } from '../api/types';
import { DingTalkApiError } from '../errors';
import type { HttpHeaders } from '../transport/http';
import { isRecord, readSignedHeaders } from './answers';
import type { DentryRef } from './types';

export const DOWNLOAD_INFO_API: ApiSpec = {
	name: 'downloadInfos.query',
	action: 'Getting the download info',
	permission: 'Storage.DownloadInfo.Read',
	readOnly: true,
	messages: {
		permissionDenied: 'Permission denied: the app or the operator cannot download this file',
		operationNotSupported: 'This file cannot be downloaded',
		dentryNotExist: 'The file does not exist',
		'paramError.dentryId': 'DingTalk says the File (Dentry) ID is wrong',
	},
	hints: {
		paramError: 'Check Space ID, File (Dentry) ID, Operator Union ID and the version.',
		operationNotSupported:
			'DingTalk does not offer downloads for this item (for example a folder, or an online document). Pick a stored file.',
		dentryNotExist:
			'Check the File (Dentry) ID and the Space ID; the file may have been deleted or moved to another space.',
		orgAuthLevelNotEnough:
			'DingTalk allows file downloads through the API only for organizations with a sufficient authentication (certification) level. Ask your DingTalk administrator to complete the organization certification.',
	},
};

export interface DownloadInfo {
	protocol: string;
	resourceUrls: string[];
	internalResourceUrls: string[];
	/** The signed headers: a credential for this file until they expire. */
	headers: HttpHeaders;
	expirationSeconds?: number;
	region?: string;
	/** Local clock time the answer arrived, to compute when it expires. */
	receivedAt: number;
}

export interface DownloadInfoOption {
	version?: number;
	preferIntranet: boolean;
}

function stringArray(value: unknown): string[] {
	return Array.isArray(value)
		? value.filter((v): v is string => typeof v === 'string' && v !== '')
		: [];
}

/** Asks DingTalk where and how to download a file (the signed URLs and headers). */
export async function getDownloadInfo(
	client: DingTalkClient,
	file: DentryRef,
	option: DownloadInfoOption,
): Promise<DownloadInfo> {
	// preferIntranet defaults to TRUE on DingTalk's side, so it is always sent.
	const answer = await client.call({
		api: DOWNLOAD_INFO_API,
		method: 'POST',
		path: apiPath`/v1.0/storage/spaces/${file.spaceId}/dentries/${file.dentryId}/downloadInfos/query`,
		query: { unionId: file.unionId },
		body: {
			option: {
				...(option.version === undefined ? {} : { version: option.version }),
				preferIntranet: option.preferIntranet,
			},
		},
	});
	return parseDownloadInfo(answer);
}

function parseDownloadInfo(answer: Record<string, unknown>): DownloadInfo {
	const protocol = typeof answer.protocol === 'string' ? answer.protocol : '';
	const invalid = (problem: string, code = 'invalidResponse') =>
		new DingTalkApiError(`${DOWNLOAD_INFO_API.action} failed: ${problem}`, {
			code,
			description:
				code === 'dentryDownloadProtocolNotSupport'
					? meaningOf(code, 400)?.hint
					: "DingTalk's answer was not in the documented form. If the base URL points at a gateway, check that it forwards the answer unchanged.",
		});
	if (protocol !== 'HEADER_SIGNATURE') {
		throw invalid(
			`DingTalk offered the download protocol "${protocol.slice(0, 40) || '(none)'}", and only HEADER_SIGNATURE is supported`,
			'dentryDownloadProtocolNotSupport',
		);
	}
	const signature = answer.headerSignatureInfo;
	if (!isRecord(signature)) throw invalid('the answer has no headerSignatureInfo');
	const resourceUrls = stringArray(signature.resourceUrls);
	if (resourceUrls.length === 0)
		throw invalid('the answer lists no download URL (resourceUrls is empty)');

	const headers = readSignedHeaders(signature.headers, (problem) => invalid(problem));
	const expirationSeconds = Number(signature.expirationSeconds);
	return {
		protocol,
		resourceUrls,
		internalResourceUrls: stringArray(signature.internalResourceUrls),
		headers,
		expirationSeconds: Number.isFinite(expirationSeconds) ? expirationSeconds : undefined,
		region: typeof signature.region === 'string' ? signature.region : undefined,
		receivedAt: Date.now(),
	};
}
