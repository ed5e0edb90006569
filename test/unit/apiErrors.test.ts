import fc from 'fast-check';

import { apiErrorFromResponse, ERROR_MEANINGS, parseErrorBody } from '../../nodes/DingTalkStorageDownload/dingtalk/apiErrors';
import { DingTalkApiError } from '../../nodes/DingTalkStorageDownload/errors';

/** The source page's error table, plus the gateway's codes. */
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
];

describe('DingTalk error bodies', () => {
	test('both casings', () => {
		expect(parseErrorBody('{"code":"dentryNotExist","message":"gone","requestid":"r1"}')).toEqual({ code: 'dentryNotExist', message: 'gone', requestId: 'r1' });
		expect(parseErrorBody('{"Code":"dentryNotExist","Message":"gone","RequestId":"r2"}')).toEqual({ code: 'dentryNotExist', message: 'gone', requestId: 'r2' });
		expect(parseErrorBody('<html>502 Bad Gateway</html>')).toEqual({});
		expect(parseErrorBody('')).toEqual({});
		expect(parseErrorBody('[1,2]')).toEqual({});
		expect(parseErrorBody('{"code":5}')).toEqual({ code: undefined, message: undefined, requestId: undefined });
	});

	test.each(DOCUMENTED)('HTTP %i %s has a message a user can act on', (status, code) => {
		const error = apiErrorFromResponse(status, JSON.stringify({ code, message: 'server words', requestid: 'req-42' }), undefined, 'Getting the download info');
		expect(error).toBeInstanceOf(DingTalkApiError);
		expect(error.code).toBe(code);
		expect(error.httpCode).toBe(status);
		expect(error.requestId).toBe('req-42');
		expect(error.message).toContain(`code ${code}`);
		expect(error.message).toContain(`HTTP ${status}`);
		expect(error.message).toContain('request id req-42');
		expect(error.message).toContain(ERROR_MEANINGS[code].message);
		expect(error.description).toContain(ERROR_MEANINGS[code].hint);
		expect(error.description).toContain('server words');
	});

	test('specific advice', () => {
		const archived = apiErrorFromResponse(400, '{"code":"fileArchived","message":"x"}', 'hdr-1', 'Download');
		expect(archived.message).toContain('archived');
		expect(archived.description).toMatch(/unarchive.*few minutes/);
		expect(archived.requestId).toBe('hdr-1');
		const denied = apiErrorFromResponse(403, '{"code":"permissionDenied"}', undefined, 'Download');
		expect(denied.description).toContain('Storage.DownloadInfo.Read');
		expect(apiErrorFromResponse(403, '{"code":"Forbidden.AccessDenied.QpsLimitForApi"}', undefined, 'x').retryable).toBe(true);
		expect(apiErrorFromResponse(403, '{"code":"Forbidden.AccessDenied.ApiCountLimitForOrg"}', undefined, 'x').retryable).toBe(false);
	});

	test('unknown codes and garbage still give a clear error', () => {
		const unknown = apiErrorFromResponse(418, '{"code":"teapot","message":"short and stout"}', undefined, 'Getting the download info');
		expect(unknown.code).toBe('teapot');
		expect(unknown.message).toContain('HTTP 418');
		const garbage = apiErrorFromResponse(502, '<html>Bad gateway</html>', undefined, 'Getting the download info');
		expect(garbage.code).toBe('http502');
		expect(garbage.retryable).toBe(true);
	});

	test('the parser never throws', () => {
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.json(), fc.object().map((o) => JSON.stringify(o))), fc.integer({ min: 100, max: 599 }), (body, status) => {
				const error = apiErrorFromResponse(status, body, undefined, 'x');
				expect(error).toBeInstanceOf(DingTalkApiError);
				expect(typeof error.code).toBe('string');
			}),
			{ numRuns: 2000 },
		);
	});
});
