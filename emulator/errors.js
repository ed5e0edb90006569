// @ts-check
'use strict';
/**
 * The error answers the emulator gives, as DingTalk's v1.0 gateway and storage APIs do:
 * `{code, message, requestid}` with the documented HTTP status.
 */

/** The download-info API's error table, the storage APIs' own, and the gateway's answers. */
const API_ERRORS = /** @type {Record<string, {status: number, message: string}>} */ ({
	orgAuthLevelNotEnough: { status: 403, message: 'auth level of org is not enough' },
	permissionDenied: { status: 403, message: 'no permission to access the dentry' },
	paramError: { status: 400, message: 'parameter error' },
	'paramError.spaceId': { status: 400, message: 'spaceId is invalid' },
	'paramError.dentryId': { status: 400, message: 'dentryId is invalid' },
	operationNotSupported: { status: 400, message: 'the operation is not supported for this dentry' },
	dentryDownloadProtocolNotSupport: { status: 400, message: 'download protocol not supported' },
	fileArchived: { status: 400, message: 'file is archived, unarchiving has started' },
	spaceNotExist: { status: 404, message: 'space not exist' },
	dentryNotExist: { status: 404, message: 'dentry not exist' },
	dentryNameConflict: { status: 400, message: 'a dentry with the same name already exists' },
	dentryNameInvalid: { status: 400, message: 'the name contains invalid characters' },
	recycleBinNotSupport: { status: 400, message: 'the space does not support the recycle bin' },
	storageQuotaExceeded: { status: 400, message: 'the space quota is not enough' },
	// Permissions, preview links, the recycle bin, app properties, links to IDs
	// (dingtalk-storage-more-apis.md; where it gives no status, 400 for a refusal of the
	// request and 404 for something that does not exist).
	permissionInheritanceUnsupportedForRootDentry: {
		status: 400,
		message: 'the root dentry has no permission inheritance',
	},
	dentryPreviewNotSupport: { status: 400, message: 'the dentry cannot be previewed' },
	dentryExtensionNotSupport: { status: 400, message: 'the file extension is not supported' },
	dentryEditNotSupport: { status: 400, message: 'the file cannot be edited online' },
	fileViral: { status: 400, message: 'the file contains a virus' },
	fileMalicious: { status: 400, message: 'the file is malicious' },
	recycleBinNotExist: { status: 404, message: 'recycle bin not exist' },
	recycleItemNotExist: { status: 404, message: 'recycle item not exist' },
	dentryAppPropertiesNumberExceedsLimit: {
		status: 400,
		message: 'an app has at most 3 properties on a dentry',
	},
	nodeNotExist: { status: 404, message: 'node not exist' },
	systemError: { status: 500, message: 'system error' },
	unknownError: { status: 500, message: 'Unknown Error' },
	operationTimeout: { status: 503, message: 'request timeout' },
	InvalidAuthentication: { status: 400, message: '不合法的access_token' },
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi': {
		status: 403,
		message: 'qps limit for appkey and api',
	},
	'Forbidden.AccessDenied.QpsLimitForApi': { status: 403, message: 'qps limit for api' },
	'Forbidden.AccessDenied.ApiCountLimitForOrg': { status: 403, message: 'api count limit for org' },
	// The gateway's answer when the app lacks the API's permission (with `requiredScopes`).
	'Forbidden.AccessDenied.AccessTokenPermissionDenied': {
		status: 403,
		message: '没有调用该接口的权限',
	},
});

/** An error answer, thrown by the emulated storage and turned into JSON by the API server. */
class ApiFault extends Error {
	/**
	 * @param {string} code a key of API_ERRORS (any other code answers 400)
	 * @param {string} [message] the server's words, when more precise than the table's
	 */
	constructor(code, message) {
		const known = API_ERRORS[code] ?? { status: 400, message: code };
		super(message ?? known.message);
		this.code = code;
		this.status = known.status;
		/** Extra fields of the answer (e.g. requiredScopes). @type {Record<string, unknown>} */
		this.extra = {};
	}
}

module.exports = { API_ERRORS, ApiFault };
