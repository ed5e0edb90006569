import fc from 'fast-check';

import {
	apiErrorFromResponse,
	ERROR_MEANINGS,
	meaningOf,
	parseErrorBody,
} from '../../nodes/DingTalk/shared/api/errorCatalogue';
import type { ApiSpec } from '../../nodes/DingTalk/shared/api/types';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import { DENTRY_APIS } from '../../nodes/DingTalk/shared/storage/dentries';
import { DOWNLOAD_INFO_API } from '../../nodes/DingTalk/shared/storage/downloadInfo';
import { SPACE_APIS } from '../../nodes/DingTalk/shared/storage/spaces';
import { TASK_API } from '../../nodes/DingTalk/shared/storage/tasks';

/** The download-info page's error table, the gateway's codes, and the storage APIs' own. */
const DOCUMENTED: Array<[number, string]> = [
	[403, 'orgAuthLevelNotEnough'],
	[403, 'permissionDenied'],
	[400, 'paramError'],
	[400, 'paramError.spaceId'],
	[400, 'paramError.dentryId'],
	[400, 'operationNotSupported'],
	[400, 'dentryDownloadProtocolNotSupport'],
	[400, 'fileArchived'],
	[404, 'spaceNotExist'],
	[404, 'dentryNotExist'],
	[500, 'systemError'],
	[500, 'unknownError'],
	[503, 'operationTimeout'],
	[400, 'InvalidAuthentication'],
	[403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi'],
	[403, 'Forbidden.AccessDenied.QpsLimitForApi'],
	[403, 'Forbidden.AccessDenied.ApiCountLimitForOrg'],
	[400, 'dentryNameConflict'],
	[400, 'recycleBinNotSupport'],
	[400, 'storageQuotaExceeded'],
	[400, 'dentryNameInvalid'],
];

const ALL_APIS: ApiSpec[] = [
	DOWNLOAD_INFO_API,
	...Object.values(DENTRY_APIS),
	...Object.values(SPACE_APIS),
	TASK_API,
];
const SOME_API: ApiSpec = { name: 'test.api', action: 'Doing the thing' };

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
		'HTTP %i %s gets a message a user can act on, in every API',
		(status, code) => {
			for (const api of ALL_APIS) {
				const error = apiErrorFromResponse(
					status,
					JSON.stringify({ code, message: 'server words', requestid: 'req-42' }),
					undefined,
					api,
				);
				expect(error).toBeInstanceOf(DingTalkApiError);
				expect(error.code).toBe(code);
				expect(error.httpCode).toBe(status);
				expect(error.requestId).toBe('req-42');
				expect(error.message).toMatch(new RegExp(`^${api.action} failed: `));
				expect(error.message).toContain(`code ${code}`);
				expect(error.message).toContain(`HTTP ${status}`);
				expect(error.message).toContain('request id req-42');
				expect(error.message).toContain(meaningOf(code, status, api)!.message);
				expect(error.message).not.toContain('DingTalk answered HTTP');
				expect(error.description).toContain(meaningOf(code, status, api)!.hint);
				expect(error.description).toContain('server words');
			}
		},
	);

	test('a permission error names the permission of the API that refused', () => {
		const cases: Array<[ApiSpec, string]> = [
			[DOWNLOAD_INFO_API, 'Storage.DownloadInfo.Read'],
			[DENTRY_APIS.list, 'Storage.File.Read'],
			[DENTRY_APIS.move, 'Storage.File.Write'],
			[TASK_API, 'Storage.Task.Read'],
			[SPACE_APIS.get, 'Storage.Space.Read'],
			[SPACE_APIS.listOrg, 'Drive.Space.Read'],
		];
		for (const [api, permission] of cases) {
			const denied = apiErrorFromResponse(403, '{"code":"permissionDenied"}', undefined, api);
			expect(denied.description).toContain(`"${permission}"`);
			for (const [, otherPermission] of cases)
				if (otherPermission !== permission)
					expect(denied.description).not.toContain(otherPermission);
		}
	});

	test('the download keeps its own wording for files that cannot be downloaded', () => {
		const unsupported = apiErrorFromResponse(
			400,
			'{"code":"operationNotSupported"}',
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(unsupported.message).toContain('This file cannot be downloaded');
		expect(unsupported.description).toContain('Pick a stored file');
		const elsewhere = apiErrorFromResponse(
			400,
			'{"code":"operationNotSupported"}',
			undefined,
			DENTRY_APIS.rename,
		);
		expect(elsewhere.message).toMatch(/^Renaming failed: DingTalk does not support this operation/);
	});

	test('archived files and rate limits are marked retryable; the monthly quota and conflicts are not', () => {
		const archived = apiErrorFromResponse(
			400,
			'{"code":"fileArchived","message":"x"}',
			'hdr-1',
			DOWNLOAD_INFO_API,
		);
		expect(archived.message).toContain('archived');
		expect(archived.description).toMatch(/unarchive.*few minutes/);
		expect(archived.requestId).toBe('hdr-1');
		expect(archived.retryable).toBe(true);
		expect(
			apiErrorFromResponse(
				403,
				'{"code":"Forbidden.AccessDenied.QpsLimitForApi"}',
				undefined,
				SOME_API,
			).retryable,
		).toBe(true);
		expect(
			apiErrorFromResponse(
				403,
				'{"code":"Forbidden.AccessDenied.ApiCountLimitForOrg"}',
				undefined,
				SOME_API,
			).retryable,
		).toBe(false);
		expect(
			apiErrorFromResponse(
				400,
				'{"code":"dentryNameConflict"}',
				undefined,
				DENTRY_APIS.createFolder,
			).retryable,
		).toBe(false);
	});

	test.each([
		['parentDentryNotExist', 404, ERROR_MEANINGS.dentryNotExist],
		['resourceNotFound', 400, ERROR_MEANINGS.dentryNotExist],
		['nameConflict', 400, ERROR_MEANINGS.dentryNameConflict],
		['dentryAlreadyExists', 400, ERROR_MEANINGS.dentryNameConflict],
		['whatever', 409, ERROR_MEANINGS.dentryNameConflict],
		['recycleBinDisabled', 400, ERROR_MEANINGS.recycleBinNotSupport],
		['spaceQuotaNotEnough', 400, ERROR_MEANINGS.storageQuotaExceeded],
		['noPermission', 403, ERROR_MEANINGS.permissionDenied],
	])(
		'an undocumented code %s (HTTP %i) still gets the advice of its family',
		(code, status, family) => {
			const error = apiErrorFromResponse(
				status,
				JSON.stringify({ code }),
				undefined,
				DENTRY_APIS.copy,
			);
			expect(error.code).toBe(code);
			expect(error.message).toContain(family.message);
		},
	);

	test('the monthly API quota is not mistaken for a full storage quota', () => {
		const error = apiErrorFromResponse(
			403,
			'{"code":"Forbidden.AccessDenied.ApiCountLimitForOrg"}',
			undefined,
			DENTRY_APIS.list,
		);
		expect(error.message).toContain('monthly DingTalk API call quota');
		expect(error.message).not.toContain('storage quota');
	});

	test('an unknown code, or an answer that is not JSON, still gives a clear error', () => {
		const unknown = apiErrorFromResponse(
			418,
			'{"code":"teapot","message":"short and stout"}',
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(unknown.code).toBe('teapot');
		expect(unknown.message).toContain('HTTP 418');
		const garbage = apiErrorFromResponse(
			502,
			'<html>Bad gateway</html>',
			undefined,
			DOWNLOAD_INFO_API,
		);
		expect(garbage.code).toBe('http502');
		expect(garbage.retryable).toBe(true);
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
