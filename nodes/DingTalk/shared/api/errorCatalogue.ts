import { DingTalkApiError } from '../errors';
import type { ApiSpec } from './types';

/**
 * What each DingTalk error code means for someone building a workflow, and what to do.
 * Codes and HTTP statuses come from the storage APIs' error tables and the v1.0 gateway
 * (authentication, rate limits, the monthly quota). A code the table does not know is
 * placed in its family (not found, name conflict, permission, recycle bin, storage quota)
 * by its name and HTTP status, so a renamed or undocumented code still gets advice.
 * Each API may replace a hint with its own (see ApiSpec.hints): a permission error names
 * the permission that API needs.
 */
interface ErrorMeaning {
	message: string;
	hint: string;
	/** Whether repeating the same call later may succeed. */
	retryable?: boolean;
}

export const QPS_LIMIT_CODES = new Set([
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
	'Forbidden.AccessDenied.QpsLimitForApi',
]);

const NAME_CONFLICT: ErrorMeaning = {
	message: 'A file or folder with this name already exists there',
	hint: 'Choose another name, or set the "Conflict Strategy" option: Auto Rename (keep both), Overwrite (a file gets a new version), or Return the Existing Item.',
};
const NOT_FOUND: ErrorMeaning = {
	message: 'The file or folder does not exist',
	hint: "Check the IDs and the Space ID; the item may have been deleted, or moved to another space. A folder ID of 0 means the space's root.",
};
const PERMISSION: ErrorMeaning = {
	message: 'Permission denied: the app or the operator may not do this',
	hint: 'Give the DingTalk app the permission this operation needs (Developer Console → your app → Permissions; a new permission applies to newly fetched tokens only), and check that the user given as "Operator Union ID" has access to this item in DingTalk.',
};
const RECYCLE_BIN: ErrorMeaning = {
	message: 'This space has no recycle bin',
	hint: 'The recycle bin exists only in spaces created as Drive spaces. Turn "Move to Recycle Bin" off to delete permanently, if that is what you want.',
};
const STORAGE_QUOTA: ErrorMeaning = {
	message: "The space's storage quota is used up",
	hint: 'Free space in DingTalk (empty the recycle bin, delete old versions) or ask your DingTalk administrator for more storage.',
};

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
		hint: 'This is not retried: it lasts until the quota resets or is raised. Ask your DingTalk administrator; polling workflows spend the quota fastest.',
	},
	orgAuthLevelNotEnough: {
		message: "The organization's authentication level is too low for this API",
		hint: 'DingTalk allows this API only for organizations with a sufficient authentication (certification) level. Ask your DingTalk administrator to complete the organization certification.',
	},
	permissionDenied: PERMISSION,
	paramError: {
		message: 'DingTalk says a parameter is wrong',
		hint: 'Check the Space ID, the file or folder IDs, the Operator Union ID and the other values of this operation.',
	},
	'paramError.spaceId': {
		message: 'DingTalk says the Space ID is wrong',
		hint: 'Use the numeric space ID of the DingTalk space (Drive or Knowledge Base).',
	},
	'paramError.dentryId': {
		message: 'DingTalk says the file or folder ID is wrong',
		hint: "Use the item's dentry ID (from a folder listing), not its name or dentry UUID.",
	},
	operationNotSupported: {
		message: 'DingTalk does not support this operation on this item',
		hint: 'Some items (online documents, items of special spaces) cannot be changed or fetched through the API.',
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
	dentryNotExist: NOT_FOUND,
	dentryNameConflict: NAME_CONFLICT,
	recycleBinNotSupport: RECYCLE_BIN,
	recycleBinNotSupportForSpace: RECYCLE_BIN,
	recycleBinNotExist: {
		message: 'The recycle bin was not found',
		hint: "Check the Corp ID (DingTalk Developer Console → the organization's information). Only organizations using DingTalk Drive have a recycle bin.",
	},
	recycleItemNotExist: {
		message: 'The item is not in the recycle bin',
		hint: 'It may have been restored or deleted for good already, or the ID is a dentry ID rather than a recycle bin item ID (see Recycle Bin → List).',
	},
	permissionInheritanceUnsupportedForRootDentry: {
		message: "A space's root folder has no permission inheritance",
		hint: "A space's root folder inherits from nothing: pick a file or folder inside the space.",
	},
	dentryEditNotSupport: {
		message: 'This file cannot be edited online',
		hint: 'Online editing works for Office/WPS documents and text. Ask for a preview link instead.',
	},
	dentryPreviewNotSupport: {
		message: 'This item cannot be previewed',
		hint: "DingTalk's viewer opens documents, images, PDF and text; not folders or archives.",
	},
	dentryExtensionNotSupport: {
		message: 'DingTalk does not open files of this type',
		hint: "DingTalk's viewer opens documents, images, PDF and text; not archives or programs.",
	},
	fileViral: {
		message: 'The file contains a virus',
		hint: 'DingTalk found a virus in this file and will not open it. Check the file before sharing it.',
	},
	fileMalicious: {
		message: 'The file is flagged as malicious',
		hint: 'DingTalk considers this file malicious and will not open it. Check the file before sharing it.',
	},
	dentryAppPropertiesNumberExceedsLimit: {
		message: 'The item already has the most properties this app may set (3)',
		hint: 'Remove a property of this app first (Remove Properties), or reuse a name: setting an existing name updates it.',
	},
	storageQuotaExceeded: STORAGE_QUOTA,
	dentryNameInvalid: {
		message: 'DingTalk does not accept this name',
		hint: 'Names may not contain tabs or the characters * " < > ` and may not end with a dot.',
	},
	systemError: {
		message: 'DingTalk reported a system error',
		hint: "A problem on DingTalk's side. Try again later; if it persists, contact DingTalk support with the request id.",
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

/** The family of a code the catalogue does not list, from its name and HTTP status. */
function familyOf(code: string, httpCode: number): ErrorMeaning | undefined {
	if (/NotExist|NotFound/i.test(code)) return NOT_FOUND;
	if (/conflict|alreadyExist|duplicat|nameExist/i.test(code)) return NAME_CONFLICT;
	if (/recycle/i.test(code)) return RECYCLE_BIN;
	if (/quota|capacity/i.test(code) && !/ApiCount|Qps/i.test(code)) return STORAGE_QUOTA;
	if (/permission|noAuth|unauthori/i.test(code)) return PERMISSION;
	if (httpCode === 404) return NOT_FOUND;
	if (httpCode === 409) return NAME_CONFLICT;
	return undefined;
}

/** The message and hint for a code, as this API has it. */
export function meaningOf(code: string, httpCode: number, api?: ApiSpec): ErrorMeaning | undefined {
	const general = ERROR_MEANINGS[code] ?? familyOf(code, httpCode);
	if (!general) return undefined;
	let hint = api?.hints?.[code] ?? general.hint;
	if (general === PERMISSION && !api?.hints?.[code] && api?.permission) {
		hint = `Give the DingTalk app the "${api.permission}" permission (Developer Console → your app → Permissions; a new permission applies to newly fetched tokens only), and check that the user given as "Operator Union ID" has access to this item in DingTalk.`;
	}
	return { ...general, message: api?.messages?.[code] ?? general.message, hint };
}

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
	api: ApiSpec,
): DingTalkApiError {
	const body = parseErrorBody(bodyText);
	const code = body.code ?? `http${httpCode}`;
	const requestId = body.requestId ?? requestIdHeader;
	const meaning = meaningOf(code, httpCode, api);
	const serverSays = body.message ? ` DingTalk says: "${body.message.slice(0, 300)}".` : '';
	const reference = `(code ${code}, HTTP ${httpCode}${requestId ? `, request id ${requestId}` : ''})`;
	const summary = meaning?.message ?? `DingTalk answered HTTP ${httpCode}`;
	return new DingTalkApiError(`${api.action} failed: ${summary} ${reference}`, {
		code,
		httpCode,
		requestId,
		description: `${meaning?.hint ?? 'See the DingTalk error code in the message.'}${serverSays}`,
		retryable: meaning?.retryable ?? (QPS_LIMIT_CODES.has(code) || httpCode >= 500),
	});
}

/**
 * The error of one item of a batch call that DingTalk answered with only an error code (the
 * call itself succeeded): the same words as if the item had been changed alone.
 */
export function apiErrorFromCode(code: string, api: ApiSpec, what: string): DingTalkApiError {
	const meaning = meaningOf(code, 0, api);
	return new DingTalkApiError(
		`${api.action} ${what} failed: ${meaning?.message ?? 'DingTalk refused it'} (code ${code})`,
		{
			code,
			description: meaning?.hint ?? 'See the DingTalk error code in the message.',
			retryable: meaning?.retryable ?? QPS_LIMIT_CODES.has(code),
		},
	);
}
