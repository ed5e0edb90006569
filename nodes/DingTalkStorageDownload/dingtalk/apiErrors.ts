import { DingTalkApiError } from '../errors';

/**
 * What each DingTalk error code means for someone building a workflow, and what to do.
 * Codes and HTTP statuses come from the download-info API's error table and the v1.0
 * gateway (authentication, rate limits).
 */
interface ErrorMeaning {
	message: string;
	hint: string;
	retryable?: boolean;
}

export const QPS_LIMIT_CODES = new Set([
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
	'Forbidden.AccessDenied.QpsLimitForApi',
]);

export const ERROR_MEANINGS: Record<string, ErrorMeaning> = {
	InvalidAuthentication: {
		message: 'DingTalk rejected the access token (invalid or expired)',
		hint: 'Check the "DingTalk API" credential. With "Access Token" authentication, paste a fresh token (they last about two hours); with "App Key & Secret" the token is renewed automatically, so check the App Key and App Secret.',
	},
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi': {
		message: 'DingTalk rate limit reached for this app and API (about 20 requests per second)',
		hint: 'The node already waited and retried. Process fewer items at once, or spread the workflow over time.',
		retryable: true,
	},
	'Forbidden.AccessDenied.QpsLimitForApi': {
		message: 'DingTalk rate limit reached for this API',
		hint: 'The node already waited and retried. Try again in a moment, or process fewer items at once.',
		retryable: true,
	},
	'Forbidden.AccessDenied.ApiCountLimitForOrg': {
		message: "Your organization's monthly DingTalk API call quota is used up",
		hint: 'This is not retried: it lasts until the quota resets or is raised. Ask your DingTalk administrator.',
	},
	orgAuthLevelNotEnough: {
		message: "The organization's authentication level is too low for this API",
		hint: 'DingTalk allows file downloads through the API only for organizations with a sufficient authentication (certification) level. Ask your DingTalk administrator to complete the organization certification.',
	},
	permissionDenied: {
		message: 'Permission denied: the app or the operator cannot download this file',
		hint: 'Give the DingTalk app the "Storage.DownloadInfo.Read" permission (Developer Console → your app → Permissions) and fetch a new token; and check that the user given as "Operator Union ID" can access this file in DingTalk.',
	},
	paramError: {
		message: 'DingTalk says a parameter is wrong',
		hint: 'Check Space ID, File (Dentry) ID, Operator Union ID and the version.',
	},
	'paramError.spaceId': {
		message: 'DingTalk says the Space ID is wrong',
		hint: 'Use the numeric space ID of the DingTalk space (Drive or Knowledge Base) that holds the file.',
	},
	'paramError.dentryId': {
		message: 'DingTalk says the File (Dentry) ID is wrong',
		hint: "Use the file's dentry ID (from DingTalk's file list APIs), not its name or dentry UUID.",
	},
	operationNotSupported: {
		message: 'This file cannot be downloaded',
		hint: 'DingTalk does not offer downloads for this item (for example a folder, or an online document). Pick a stored file.',
	},
	dentryDownloadProtocolNotSupport: {
		message: 'DingTalk offered a download protocol this node does not support',
		hint: 'Only the HEADER_SIGNATURE protocol is documented. Please report this with the request id.',
	},
	fileArchived: {
		message: 'The file is archived',
		hint: 'DingTalk has started to unarchive it. Try again in a few minutes (for example with "Retry On Fail" and a wait of a few minutes).',
		retryable: true,
	},
	spaceNotExist: {
		message: 'The space does not exist',
		hint: 'Check the Space ID, and that the space belongs to the organization of this app.',
	},
	dentryNotExist: {
		message: 'The file does not exist',
		hint: 'Check the File (Dentry) ID and the Space ID; the file may have been deleted or moved to another space.',
	},
	systemError: {
		message: 'DingTalk reported a system error',
		hint: 'A problem on DingTalk\'s side. Try again later; if it persists, contact DingTalk support with the request id.',
		retryable: true,
	},
	unknownError: {
		message: 'DingTalk reported an unknown error',
		hint: 'Try again later; if it persists, contact DingTalk support with the request id.',
		retryable: true,
	},
	operationTimeout: {
		message: 'DingTalk timed out handling the request',
		hint: 'Try again later (for example with "Retry On Fail").',
		retryable: true,
	},
};

function pickString(body: Record<string, unknown>, ...keys: string[]): string | undefined {
	for (const key of keys) {
		const value = body[key];
		if (typeof value === 'string' && value !== '') return value;
	}
	return undefined;
}

/** Parses a JSON object; undefined for anything else (HTML, empty, arrays, invalid). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return value !== null && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

export interface ApiErrorBody {
	code?: string;
	message?: string;
	requestId?: string;
}

/** Reads DingTalk's error body, whichever casing the gateway used. Never throws. */
export function parseErrorBody(text: string): ApiErrorBody {
	const body = parseJsonObject(text);
	if (!body) return {};
	return {
		code: pickString(body, 'code', 'Code'),
		message: pickString(body, 'message', 'Message'),
		requestId: pickString(body, 'requestid', 'requestId', 'RequestId'),
	};
}

/** Turns a DingTalk error answer into an error a no-code user can act on. */
export function apiErrorFromResponse(
	httpCode: number,
	bodyText: string,
	requestIdHeader: string | undefined,
	action: string,
): DingTalkApiError {
	const body = parseErrorBody(bodyText);
	const code = body.code ?? `http${httpCode}`;
	const requestId = body.requestId ?? requestIdHeader;
	const meaning = ERROR_MEANINGS[code];
	const serverSays = body.message ? ` DingTalk says: "${body.message.slice(0, 300)}".` : '';
	const reference = `(code ${code}, HTTP ${httpCode}${requestId ? `, request id ${requestId}` : ''})`;
	const summary = meaning?.message ?? `DingTalk answered HTTP ${httpCode}`;
	return new DingTalkApiError(`${action} failed: ${summary} ${reference}`, {
		code,
		httpCode,
		requestId,
		description: `${meaning?.hint ?? 'See the DingTalk error code in the message.'}${serverSays}`,
		retryable: meaning?.retryable ?? (QPS_LIMIT_CODES.has(code) || httpCode >= 500),
	});
}
