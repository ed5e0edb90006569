/**
 * DingTalk's error answers turned into errors a user can act on. Every expectation here is a
 * literal: the codes, HTTP statuses and which errors may pass on a later try come from the
 * reference (/work/shared/reference/dingtalk-api-facts.md, "Errors"; dingtalk-drive-api.md;
 * dingtalk-storage-more-apis.md), the wording is what a user is meant to read. Nothing is
 * derived from the catalogue under test, so a wrong entry in it fails here.
 */
import fc from 'fast-check';

import {
	apiErrorFromResponse,
	parseErrorBody,
} from '../../nodes/DingTalk/shared/api/errorCatalogue';
import type { ApiSpec } from '../../nodes/DingTalk/shared/api/types';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import { DENTRY_APIS } from '../../nodes/DingTalk/shared/storage/dentries';
import { DOWNLOAD_INFO_API } from '../../nodes/DingTalk/shared/storage/downloadInfo';
import { SPACE_APIS } from '../../nodes/DingTalk/shared/storage/spaces';
import { TASK_API } from '../../nodes/DingTalk/shared/storage/tasks';
import { UPLOAD_APIS } from '../../nodes/DingTalk/shared/storage/upload';
import { EVENT_SUBSCRIPTION_APIS } from '../../nodes/DingTalk/shared/stream/eventSubscription';
import { LINK_APIS } from '../../nodes/DingTalk/shared/storage/links';
import { PERMISSION_APIS } from '../../nodes/DingTalk/shared/storage/permissions';
import { RECYCLE_BIN_APIS } from '../../nodes/DingTalk/shared/storage/recycleBin';

/** An API with no wording of its own and no permission: the catalogue's general words show. */
const SOME_API: ApiSpec = { name: 'test.api', action: 'Doing the thing' };

interface Documented {
	status: number;
	code: string;
	/** Whether the same call may succeed later (the reference's "try later", back-off, 5xx). */
	retryable: boolean;
	message: string;
	hint: string;
}

const PERMISSION_HINT_GENERAL =
	'Give the DingTalk app the permission this operation needs (Developer Console → your app → Permissions; a new permission applies to newly fetched tokens only), and check that the user given as "Operator Union ID" has access to this item in DingTalk.';

/**
 * The codes the reference documents, at the status it gives: the download-info page's table,
 * the v1.0 gateway's (authentication, rate limits, the monthly quota), and those of the
 * storage write APIs (name conflicts, recycle bin, storage quota, names).
 */
const DOCUMENTED: Documented[] = [
	// dingtalk-storage-more-apis.md: permissions, links, the recycle bin, app properties.
	{
		status: 400,
		code: 'permissionInheritanceUnsupportedForRootDentry',
		retryable: false,
		message: "A space's root folder has no permission inheritance",
		hint: "A space's root folder inherits from nothing: pick a file or folder inside the space.",
	},
	{
		status: 404,
		code: 'recycleBinNotExist',
		retryable: false,
		message: 'The recycle bin was not found',
		hint: "Check the Corp ID (DingTalk Developer Console → the organization's information). Only organizations using DingTalk Drive have a recycle bin.",
	},
	{
		status: 400,
		code: 'dentryEditNotSupport',
		retryable: false,
		message: 'This file cannot be edited online',
		hint: 'Online editing works for Office/WPS documents and text. Ask for a preview link instead.',
	},
	{
		status: 400,
		code: 'fileViral',
		retryable: false,
		message: 'The file contains a virus',
		hint: 'DingTalk found a virus in this file and will not open it. Check the file before sharing it.',
	},
	{
		status: 400,
		code: 'dentryAppPropertiesNumberExceedsLimit',
		retryable: false,
		message: 'The item already has the most properties this app may set (3)',
		hint: 'Remove a property of this app first (Remove Properties), or reuse a name: setting an existing name updates it.',
	},
	// The download-info page's error table.
	{
		status: 403,
		code: 'orgAuthLevelNotEnough',
		retryable: false,
		message: "The organization's authentication level is too low for this API",
		hint: 'DingTalk allows this API only for organizations with a sufficient authentication (certification) level. Ask your DingTalk administrator to complete the organization certification.',
	},
	{
		status: 403,
		code: 'permissionDenied',
		retryable: false,
		message: 'Permission denied: the app or the operator may not do this',
		hint: PERMISSION_HINT_GENERAL,
	},
	{
		status: 400,
		code: 'paramError',
		retryable: false,
		message: 'DingTalk says a parameter is wrong',
		hint: 'Check the Space ID, the file or folder IDs, the Operator Union ID and the other values of this operation.',
	},
	{
		status: 400,
		code: 'paramError.spaceId',
		retryable: false,
		message: 'DingTalk says the Space ID is wrong',
		hint: 'Use the numeric space ID of the DingTalk space (Drive or Knowledge Base).',
	},
	{
		status: 400,
		code: 'paramError.dentryId',
		retryable: false,
		message: 'DingTalk says the file or folder ID is wrong',
		hint: "Use the item's dentry ID (from a folder listing), not its name or dentry UUID.",
	},
	{
		status: 400,
		code: 'operationNotSupported',
		retryable: false,
		message: 'DingTalk does not support this operation on this item',
		hint: 'Some items (online documents, items of special spaces) cannot be changed or fetched through the API.',
	},
	{
		status: 400,
		code: 'dentryDownloadProtocolNotSupport',
		retryable: false,
		message: 'DingTalk offered a download protocol this node does not support',
		hint: 'Only the HEADER_SIGNATURE protocol is documented. Please report this with the request id.',
	},
	// "Unarchiving is automatically triggered. Try again later."
	{
		status: 400,
		code: 'fileArchived',
		retryable: true,
		message: 'The file is archived',
		hint: 'DingTalk has started to unarchive it. Try again in a few minutes (for example with "Retry On Fail" and a wait of a few minutes).',
	},
	{
		status: 404,
		code: 'spaceNotExist',
		retryable: false,
		message: 'The space does not exist',
		hint: 'Check the Space ID, and that the space belongs to the organization of this app.',
	},
	{
		status: 404,
		code: 'dentryNotExist',
		retryable: false,
		message: 'The file or folder does not exist',
		hint: "Check the IDs and the Space ID; the item may have been deleted, or moved to another space. A folder ID of 0 means the space's root.",
	},
	// DingTalk's own faults (5xx): the same call may pass later.
	{
		status: 500,
		code: 'systemError',
		retryable: true,
		message: 'DingTalk reported a system error',
		hint: "A problem on DingTalk's side. Try again later; if it persists, contact DingTalk support with the request id.",
	},
	{
		status: 500,
		code: 'unknownError',
		retryable: true,
		message: 'DingTalk reported an unknown error',
		hint: 'Try again later; if it persists, contact DingTalk support with the request id.',
	},
	{
		status: 503,
		code: 'operationTimeout',
		retryable: true,
		message: 'DingTalk timed out handling the request',
		hint: 'Try again later (for example with "Retry On Fail").',
	},
	// The gateway. An invalid or expired token is HTTP 400, not 401; the client renews the
	// token once itself, so the error that reaches the user is not worth repeating as it is.
	{
		status: 400,
		code: 'InvalidAuthentication',
		retryable: false,
		message: 'DingTalk rejected the access token (invalid or expired)',
		hint: 'Check the "DingTalk API" credential. With "Access Token" authentication, paste a fresh token (they last about two hours); with "App Key & Secret" the token is renewed automatically, so check the App Key and App Secret.',
	},
	// Rate limits are HTTP 403 but not permission errors: back off about 1 s and retry...
	{
		status: 403,
		code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
		retryable: true,
		message: 'DingTalk rate limit reached for this app and API (about 20 requests per second)',
		hint: 'The node already waited and retried. Process fewer items at once, or spread the workflow over time.',
	},
	{
		status: 403,
		code: 'Forbidden.AccessDenied.QpsLimitForApi',
		retryable: true,
		message: 'DingTalk rate limit reached for this API',
		hint: 'The node already waited and retried. Try again in a moment, or process fewer items at once.',
	},
	// ...except the monthly quota: "not retryable".
	{
		status: 403,
		code: 'Forbidden.AccessDenied.ApiCountLimitForOrg',
		retryable: false,
		message: "Your organization's monthly DingTalk API call quota is used up",
		hint: 'This is not retried: it lasts until the quota resets or is raised. Ask your DingTalk administrator; polling workflows spend the quota fastest.',
	},
	// The write APIs: a name taken (RETURN_ERROR_IF_EXISTS), no recycle bin, no room, a bad name.
	{
		status: 400,
		code: 'dentryNameConflict',
		retryable: false,
		message: 'A file or folder with this name already exists there',
		hint: 'Choose another name, or set the "Conflict Strategy" option: Auto Rename (keep both), Overwrite (a file gets a new version), or Return the Existing Item.',
	},
	{
		status: 400,
		code: 'recycleBinNotSupport',
		retryable: false,
		message: 'This space has no recycle bin',
		hint: 'The recycle bin exists only in spaces created as Drive spaces. Turn "Move to Recycle Bin" off to delete permanently, if that is what you want.',
	},
	{
		status: 400,
		code: 'storageQuotaExceeded',
		retryable: false,
		message: "The space's storage quota is used up",
		hint: 'Free space in DingTalk (empty the recycle bin, delete old versions) or ask your DingTalk administrator for more storage.',
	},
	{
		status: 400,
		code: 'dentryNameInvalid',
		retryable: false,
		message: 'DingTalk does not accept this name',
		hint: 'Names may not contain tabs or the characters * " < > ` and may not end with a dot.',
	},
];

/**
 * Every API these errors can come from, with the words a user reads: what it was doing,
 * the permission it needs, and the short names of errors it words its own way.
 */
const APIS: Array<{
	api: ApiSpec;
	action: string;
	permission: string;
	messages?: Record<string, string>;
}> = [
	{
		api: DOWNLOAD_INFO_API,
		action: 'Getting the download info',
		permission: 'Storage.DownloadInfo.Read',
		messages: {
			permissionDenied: 'Permission denied: the app or the operator cannot download this file',
			operationNotSupported: 'This file cannot be downloaded',
			dentryNotExist: 'The file does not exist',
			'paramError.dentryId': 'DingTalk says the File (Dentry) ID is wrong',
		},
	},
	{ api: DENTRY_APIS.get, action: 'Reading the file details', permission: 'Storage.File.Read' },
	{ api: DENTRY_APIS.list, action: 'Listing the folder', permission: 'Storage.File.Read' },
	{
		api: DENTRY_APIS.versions,
		action: 'Listing the file versions',
		permission: 'Storage.File.Read',
	},
	{
		api: DENTRY_APIS.createFolder,
		action: 'Creating the folder',
		permission: 'Storage.File.Write',
	},
	{ api: DENTRY_APIS.rename, action: 'Renaming', permission: 'Storage.File.Write' },
	{ api: DENTRY_APIS.move, action: 'Moving', permission: 'Storage.File.Write' },
	{ api: DENTRY_APIS.copy, action: 'Copying', permission: 'Storage.File.Write' },
	{ api: DENTRY_APIS.delete, action: 'Deleting', permission: 'Storage.File.Write' },
	{ api: SPACE_APIS.get, action: 'Reading the space', permission: 'Storage.Space.Read' },
	{
		api: SPACE_APIS.listOrg,
		action: "Listing the organization's spaces",
		permission: 'Drive.Space.Read',
	},
	{ api: TASK_API, action: 'Checking the task', permission: 'Storage.Task.Read' },
	{
		api: UPLOAD_APIS.info,
		action: 'Getting the upload info',
		permission: 'Storage.UploadInfo.Read',
	},
	{
		api: UPLOAD_APIS.init,
		action: 'Starting the multipart upload',
		permission: 'Storage.UploadInfo.Read',
	},
	{
		api: UPLOAD_APIS.parts,
		action: 'Getting the upload info of the parts',
		permission: 'Storage.UploadInfo.Read',
	},
	{
		api: UPLOAD_APIS.commit,
		action: 'Committing the upload',
		permission: 'Storage.File.Write',
		messages: { dentryNameConflict: 'A file of that name already exists in the folder' },
	},
	{
		api: EVENT_SUBSCRIPTION_APIS.subscribe,
		action: "Subscribing to the space's storage events",
		permission: 'Storage.Event.Write',
	},
	{
		api: EVENT_SUBSCRIPTION_APIS.unsubscribe,
		action: "Unsubscribing from the space's storage events",
		permission: 'Storage.Event.Write',
	},
	{
		api: DENTRY_APIS.revert,
		action: 'Reverting the file to the version',
		permission: 'Storage.File.Write',
	},
	{
		api: PERMISSION_APIS.uuid,
		action: "Finding the item's UUID",
		permission: 'Document.WorkspaceDocument.Read',
	},
	{
		api: PERMISSION_APIS.add,
		action: 'Adding the permission',
		permission: 'Storage.Permission.Write',
	},
	{
		api: PERMISSION_APIS.update,
		action: 'Updating the permission',
		permission: 'Storage.Permission.Write',
	},
	{
		api: PERMISSION_APIS.remove,
		action: 'Removing the permission',
		permission: 'Storage.Permission.Write',
	},
	{
		api: PERMISSION_APIS.list,
		action: 'Listing the permissions',
		permission: 'Storage.Permission.Read',
	},
	{
		api: PERMISSION_APIS.getInheritance,
		action: 'Reading the permission inheritance',
		permission: 'Storage.Permission.Read',
	},
	{
		api: PERMISSION_APIS.setInheritance,
		action: 'Setting the permission inheritance',
		permission: 'Storage.Permission.Write',
	},
	{ api: LINK_APIS.open, action: 'Getting the link', permission: 'Storage.File.Read' },
	{
		api: RECYCLE_BIN_APIS.find,
		action: 'Finding the recycle bin',
		permission: 'Storage.RecycleBin.Read',
	},
	{
		api: RECYCLE_BIN_APIS.list,
		action: 'Listing the recycle bin',
		permission: 'Storage.RecycleBin.Read',
	},
	{ api: RECYCLE_BIN_APIS.restore, action: 'Restoring', permission: 'Storage.RecycleBin.Write' },
	{
		api: RECYCLE_BIN_APIS.batchRestore,
		action: 'Restoring',
		permission: 'Storage.RecycleBin.Write',
	},
	{
		api: RECYCLE_BIN_APIS.remove,
		action: 'Deleting permanently',
		permission: 'Storage.RecycleBin.Write',
	},
	{
		api: RECYCLE_BIN_APIS.batchRemove,
		action: 'Deleting permanently',
		permission: 'Storage.RecycleBin.Write',
	},
	{
		api: RECYCLE_BIN_APIS.clear,
		action: 'Emptying the recycle bin',
		permission: 'Storage.RecycleBin.Write',
	},
];

const PERMISSIONS = [
	'Storage.DownloadInfo.Read',
	'Storage.File.Read',
	'Storage.File.Write',
	'Storage.Space.Read',
	'Drive.Space.Read',
	'Storage.Task.Read',
	'Storage.UploadInfo.Read',
	'Storage.Event.Write',
	'Document.WorkspaceDocument.Read',
	'Storage.Permission.Read',
	'Storage.Permission.Write',
	'Storage.RecycleBin.Read',
	'Storage.RecycleBin.Write',
];

/** The general permission advice, naming one permission (the wording every API shares). */
const permissionHint = (permission: string) =>
	`Give the DingTalk app the "${permission}" permission (Developer Console → your app → Permissions; a new permission applies to newly fetched tokens only), and check that the user given as "Operator Union ID" has access to this item in DingTalk.`;

describe('DingTalk error bodies', () => {
	test('are read in both casings, and anything that is not one reads as empty', () => {
		expect(parseErrorBody('{"code":"dentryNotExist","message":"gone","requestid":"r1"}')).toEqual({
			code: 'dentryNotExist',
			message: 'gone',
			requestId: 'r1',
		});
		expect(parseErrorBody('{"Code":"dentryNotExist","Message":"gone","RequestId":"r2"}')).toEqual({
			code: 'dentryNotExist',
			message: 'gone',
			requestId: 'r2',
		});
		expect(parseErrorBody('<html>502 Bad Gateway</html>')).toEqual({});
		expect(parseErrorBody('')).toEqual({});
		expect(parseErrorBody('[1,2]')).toEqual({});
		expect(parseErrorBody('{"code":5}')).toEqual({
			code: undefined,
			message: undefined,
			requestId: undefined,
		});
	});

	test.each(DOCUMENTED)(
		'HTTP $status $code gets a message a user can act on',
		({ status, code, retryable, message, hint }) => {
			const error = apiErrorFromResponse(
				status,
				JSON.stringify({ code, message: 'server words', requestid: 'req-42' }),
				undefined,
				SOME_API,
			);
			expect(error).toBeInstanceOf(DingTalkApiError);
			expect(error.code).toBe(code);
			expect(error.httpCode).toBe(status);
			expect(error.requestId).toBe('req-42');
			expect(error.retryable).toBe(retryable);
			expect(error.message).toBe(
				`Doing the thing failed: ${message} (code ${code}, HTTP ${status}, request id req-42)`,
			);
			expect(error.description).toBe(`${hint} DingTalk says: "server words".`);
		},
	);

	test('the list of APIs below is every API these errors come from', () => {
		expect(new Set(APIS.map(({ api }) => api))).toEqual(
			new Set([
				DOWNLOAD_INFO_API,
				...Object.values(DENTRY_APIS),
				...Object.values(SPACE_APIS),
				TASK_API,
				...Object.values(UPLOAD_APIS),
				...Object.values(EVENT_SUBSCRIPTION_APIS),
				...Object.values(PERMISSION_APIS),
				...Object.values(LINK_APIS),
				...Object.values(RECYCLE_BIN_APIS),
			]),
		);
	});

	test.each(APIS.map((entry) => [entry.action, entry] as const))(
		'%s: every documented code names what failed and what it means',
		(action, { api, messages }) => {
			for (const { status, code, retryable, message } of DOCUMENTED) {
				const error = apiErrorFromResponse(
					status,
					JSON.stringify({ code, message: 'server words', requestid: 'req-42' }),
					undefined,
					api,
				);
				expect(error.code).toBe(code);
				expect(error.httpCode).toBe(status);
				expect(error.retryable).toBe(retryable);
				expect(error.message).toBe(
					`${action} failed: ${messages?.[code] ?? message} (code ${code}, HTTP ${status}, request id req-42)`,
				);
				expect(error.description).toMatch(/\S DingTalk says: "server words"\.$/);
			}
		},
	);

	test('a permission error names the permission of the API that refused, and no other', () => {
		for (const { api, permission } of APIS) {
			const denied = apiErrorFromResponse(403, '{"code":"permissionDenied"}', undefined, api);
			if (api === EVENT_SUBSCRIPTION_APIS.subscribe || api === EVENT_SUBSCRIPTION_APIS.unsubscribe)
				// Events need the console's switch as well as the permission.
				expect(denied.description).toBe(
					'Give the DingTalk app the "Storage.Event.Write" permission (Developer Console → your app → Permissions; a new permission applies to newly fetched tokens only), turn the storage events on in the console\'s event subscription (Stream mode), and check that the user given as "Operator Union ID" can see the space.',
				);
			else expect(denied.description).toBe(permissionHint(permission));
			for (const other of PERMISSIONS)
				if (other !== permission) expect(denied.description).not.toContain(other);
		}
	});

	test('the download keeps its own wording for files that cannot be downloaded', () => {
		const unsupported = apiErrorFromResponse(
			400,
			'{"code":"operationNotSupported"}',
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(unsupported.message).toBe(
			'Getting the download info failed: This file cannot be downloaded (code operationNotSupported, HTTP 400)',
		);
		expect(unsupported.description).toBe(
			'DingTalk does not offer downloads for this item (for example a folder, or an online document). Pick a stored file.',
		);
		const elsewhere = apiErrorFromResponse(
			400,
			'{"code":"operationNotSupported"}',
			undefined,
			DENTRY_APIS.rename,
		);
		expect(elsewhere.message).toBe(
			'Renaming failed: DingTalk does not support this operation on this item (code operationNotSupported, HTTP 400)',
		);
	});

	test.each([
		['paramError', 400, 'Check Space ID, File (Dentry) ID, Operator Union ID and the version.'],
		[
			'dentryNotExist',
			404,
			'Check the File (Dentry) ID and the Space ID; the file may have been deleted or moved to another space.',
		],
		[
			'orgAuthLevelNotEnough',
			403,
			'DingTalk allows file downloads through the API only for organizations with a sufficient authentication (certification) level. Ask your DingTalk administrator to complete the organization certification.',
		],
	])('the download gives its own advice for %s', (code, status, hint) => {
		const error = apiErrorFromResponse(
			status,
			JSON.stringify({ code }),
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(error.description).toBe(hint);
	});

	test('the upload gives its own advice for a full space and a name taken', () => {
		const quotaHint =
			'The space has not enough free quota for this file. Free some space or ask the space owner to raise the quota.';
		for (const api of [UPLOAD_APIS.info, UPLOAD_APIS.init])
			expect(
				apiErrorFromResponse(400, '{"code":"storageQuotaExceeded"}', undefined, api).description,
			).toBe(quotaHint);
		const taken = apiErrorFromResponse(
			400,
			'{"code":"dentryNameConflict"}',
			undefined,
			UPLOAD_APIS.commit,
		);
		expect(taken.message).toBe(
			'Committing the upload failed: A file of that name already exists in the folder (code dentryNameConflict, HTTP 400)',
		);
		expect(taken.description).toBe(
			'Choose another Conflict Strategy (Auto Rename keeps both; Overwrite adds a new version), or another File Name.',
		);
		expect(taken.retryable).toBe(false);
	});

	test('the request id comes from the x-acs-request-id header when the body has none', () => {
		const archived = apiErrorFromResponse(
			400,
			'{"code":"fileArchived","message":"x"}',
			'hdr-1',
			DOWNLOAD_INFO_API,
		);
		expect(archived.requestId).toBe('hdr-1');
		expect(archived.message).toBe(
			'Getting the download info failed: The file is archived (code fileArchived, HTTP 400, request id hdr-1)',
		);
		expect(archived.retryable).toBe(true);
	});

	test.each([
		// Storage's other APIs (dingtalk-storage-more-apis.md): delete-to-bin outside a Drive
		// space answers 400 recycleBinNotSupportForSpace or 403 operationNotSupported.
		['recycleBinNotSupportForSpace', 400, 'This space has no recycle bin'],
		['operationNotSupported', 403, 'DingTalk does not support this operation on this item'],
		// Named differently from the documented codes, or not at all (HTTP 404 and 409).
		['parentDentryNotExist', 404, 'The file or folder does not exist'],
		['resourceNotFound', 400, 'The file or folder does not exist'],
		['whatever', 404, 'The file or folder does not exist'],
		['nameConflict', 400, 'A file or folder with this name already exists there'],
		['dentryAlreadyExists', 400, 'A file or folder with this name already exists there'],
		['whatever', 409, 'A file or folder with this name already exists there'],
		['recycleBinDisabled', 400, 'This space has no recycle bin'],
		['spaceQuotaNotEnough', 400, "The space's storage quota is used up"],
		['noPermission', 403, 'Permission denied: the app or the operator may not do this'],
		[
			'Forbidden.AccessDenied.AccessTokenPermissionDenied',
			403,
			'Permission denied: the app or the operator may not do this',
		],
	])(
		'code %s at HTTP %i, beyond the table above, still gets the advice of its kind',
		(code, status, message) => {
			const error = apiErrorFromResponse(
				status,
				JSON.stringify({ code }),
				undefined,
				DENTRY_APIS.copy,
			);
			expect(error.code).toBe(code);
			expect(error.message).toBe(`Copying failed: ${message} (code ${code}, HTTP ${status})`);
			// None of these passes by trying the same call again.
			expect(error.retryable).toBe(false);
		},
	);

	test('the monthly API quota is not mistaken for a full storage quota', () => {
		const error = apiErrorFromResponse(
			403,
			'{"code":"Forbidden.AccessDenied.ApiCountLimitForOrg"}',
			undefined,
			DENTRY_APIS.list,
		);
		expect(error.message).toBe(
			"Listing the folder failed: Your organization's monthly DingTalk API call quota is used up (code Forbidden.AccessDenied.ApiCountLimitForOrg, HTTP 403)",
		);
		expect(error.message).not.toContain('storage quota');
		expect(error.retryable).toBe(false);
	});

	test('an unknown code, or an answer that is not JSON, still gives a clear error', () => {
		const unknown = apiErrorFromResponse(
			418,
			'{"code":"teapot","message":"short and stout"}',
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(unknown.code).toBe('teapot');
		expect(unknown.message).toBe(
			'Getting the download info failed: DingTalk answered HTTP 418 (code teapot, HTTP 418)',
		);
		expect(unknown.description).toBe(
			'See the DingTalk error code in the message. DingTalk says: "short and stout".',
		);
		expect(unknown.retryable).toBe(false);
		// A gateway page (or the IP block's answer, "not the usual JSON error").
		const garbage = apiErrorFromResponse(
			502,
			'<html>Bad gateway</html>',
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(garbage.code).toBe('http502');
		expect(garbage.message).toBe(
			'Getting the download info failed: DingTalk answered HTTP 502 (code http502, HTTP 502)',
		);
		expect(garbage.description).toBe('See the DingTalk error code in the message.');
		expect(garbage.retryable).toBe(true);
	});

	test("DingTalk's own words are quoted, cut at 300 characters", () => {
		const error = apiErrorFromResponse(
			400,
			JSON.stringify({ code: 'paramError', message: 'x'.repeat(1000) }),
			undefined,
			SOME_API,
		);
		expect(error.description).toBe(
			`Check the Space ID, the file or folder IDs, the Operator Union ID and the other values of this operation. DingTalk says: "${'x'.repeat(300)}".`,
		);
	});

	test('the parser never throws, whatever the body', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string(),
					fc.json(),
					fc.object().map((o) => JSON.stringify(o)),
				),
				fc.integer({ min: 100, max: 599 }),
				(body, status) => {
					const error = apiErrorFromResponse(status, body, undefined, SOME_API);
					expect(error).toBeInstanceOf(DingTalkApiError);
					expect(typeof error.code).toBe('string');
				},
			),
			{ numRuns: 2000 },
		);
	});
});
