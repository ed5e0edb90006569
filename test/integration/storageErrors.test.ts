/**
 * The "DingTalk Storage" node when things go wrong: every DingTalk error code in every
 * operation, with and without Continue On Fail; a permission error naming the permission
 * the operation needs; bad input refused before any request, naming the field; and no
 * secret in any output or error.
 */
import type { IDataObject } from 'n8n-workflow';

import { API_ERRORS } from '../../emulator';
import { expectNoSecrets, rl, runStorage, useEmulator } from '../harness/fixtures';

const ctx = useEmulator('filesystem');

type Case = [
	resource: 'file' | 'folder' | 'space',
	operation: string,
	parameters: IDataObject,
	action: RegExp,
	permission: string,
	api: string,
];

/**
 * Every operation, with parameters naming items by ID, and the API of its own call (after the
 * item's details, read to check its kind). Folders are copied, moved and deleted empty (2009):
 * DingTalk runs a change to a folder with children as a task, first polled after 300 ms, and
 * these ~250 runs would wait for it; tasks and their errors have tests of their own.
 */
const OPERATIONS: Case[] = [
	[
		'file',
		'get',
		{ dentryId: rl('1004') },
		/^Reading the file details failed/,
		'Storage.File.Read',
		'dentries.query',
	],
	[
		'file',
		'download',
		{ dentryId: rl('1004'), binaryPropertyName: 'data' },
		/^Getting the download info failed/,
		'Storage.DownloadInfo.Read',
		'downloadInfos.query',
	],
	[
		'file',
		'listVersions',
		{ dentryId: rl('1004') },
		/^Listing the file versions failed/,
		'Storage.File.Read',
		'dentries.versions',
	],
	[
		'file',
		'copy',
		{ dentryId: rl('1004'), targetFolderId: rl('2009') },
		/^Copying failed/,
		'Storage.File.Write',
		'dentries.copy',
	],
	[
		'file',
		'move',
		{ dentryId: rl('1004'), targetFolderId: rl('2009') },
		/^Moving failed/,
		'Storage.File.Write',
		'dentries.move',
	],
	[
		'file',
		'rename',
		{ dentryId: rl('1004'), newName: 'x.md' },
		/^Renaming failed/,
		'Storage.File.Write',
		'dentries.rename',
	],
	[
		'file',
		'delete',
		{ dentryId: rl('1004') },
		/^Deleting failed/,
		'Storage.File.Write',
		'dentries.delete',
	],
	[
		'folder',
		'list',
		{ folderId: rl('2001') },
		/^Listing the folder failed/,
		'Storage.File.Read',
		'dentries.list',
	],
	[
		'folder',
		'create',
		{ folderId: rl('2001'), name: 'x' },
		/^Creating the folder failed/,
		'Storage.File.Write',
		'folders.add',
	],
	[
		'folder',
		'copy',
		{ folderId: rl('2009'), targetFolderId: rl('2006') },
		/^Copying failed/,
		'Storage.File.Write',
		'dentries.copy',
	],
	[
		'folder',
		'move',
		{ folderId: rl('2009'), targetFolderId: rl('2006') },
		/^Moving failed/,
		'Storage.File.Write',
		'dentries.move',
	],
	[
		'folder',
		'rename',
		{ folderId: rl('2001'), newName: 'x' },
		/^Renaming failed/,
		'Storage.File.Write',
		'dentries.rename',
	],
	[
		'folder',
		'delete',
		{ folderId: rl('2009') },
		/^Deleting failed/,
		'Storage.File.Write',
		'dentries.delete',
	],
	['space', 'get', {}, /^Reading the space failed/, 'Storage.Space.Read', 'spaces.get'],
	[
		'space',
		'list',
		{},
		/^Listing the organization's spaces failed/,
		'Drive.Space.Read',
		'drive.spaces.list',
	],
];

/** Codes that reach the user as they are (QPS answers are retried, an invalid token renewed). */
const CODES = Object.keys(API_ERRORS).filter(
	(code) => !code.startsWith('Forbidden.AccessDenied.Qps') && code !== 'InvalidAuthentication',
);

describe.each(OPERATIONS)('%s → %s', (resource, operation, parameters, action, permission, api) => {
	test.each(CODES)(
		'%s: an error item under Continue On Fail, and a NodeApiError without',
		async (code) => {
			const { emulator } = ctx;
			emulator.failNextApiCalls(code, 1, api);
			const result = await runStorage(emulator, resource, operation, parameters, {
				continueOnFail: true,
				items: [{ n: 1 }, { n: 2 }],
			});
			expect(result.error).toBeUndefined();
			const [failed, next] = result.output!;
			expect(failed.json).toMatchObject({ code, httpCode: API_ERRORS[code].status });
			expect(failed.json.requestId).toMatch(/^emu-/);
			expect(failed.json.error).toMatch(action);
			expect(failed.json.error).toContain(`code ${code}`);
			expect(String(failed.json.description).length).toBeGreaterThan(20);
			expect(failed.binary).toBeUndefined();
			expect(failed.pairedItem).toEqual({ item: 0 });
			// The second item is unaffected (its own call succeeds).
			expect(next.json.error).toBeUndefined();
			expect(result.output!.at(-1)!.pairedItem).toEqual({ item: 1 });
			expectNoSecrets(result, emulator);

			emulator.failNextApiCalls(code, 1, api);
			const stopped = await runStorage(emulator, resource, operation, parameters);
			expect(stopped.error?.name).toBe('NodeApiError');
			expect(stopped.error?.message).toContain(`code ${code}`);
			expect(stopped.error?.httpCode).toBe(String(API_ERRORS[code].status));
			expect(stopped.error?.description).toBeTruthy();
		},
	);

	test(`a permission error names ${permission}`, async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls('permissionDenied', 1, api);
		const { output } = await runStorage(emulator, resource, operation, parameters, {
			continueOnFail: true,
		});
		expect(output![0].json.description).toContain(permission);
		expect(output![0].json.description).toContain('Operator Union ID');
	});
});

test('waiting for a task needs Storage.Task.Read, and says so when it is missing', async () => {
	const { emulator } = ctx;
	emulator.failNextApiCalls('permissionDenied', 1, 'tasks.get');
	const { output } = await runStorage(
		emulator,
		'folder',
		'copy',
		{ folderId: rl('2001'), targetFolderId: rl('2009') },
		{ continueOnFail: true },
	);
	expect(output![0].json.code).toBe('permissionDenied');
	expect(output![0].json.error).toMatch(/^Checking the task failed/);
	expect(output![0].json.description).toContain('Storage.Task.Read');
});

test('a task still running after the Wait Timeout: taskTimeout, not retryable (a retry would copy twice), the task ID named', async () => {
	const { emulator } = ctx;
	emulator.drive.pollsUntilDone = 1_000;
	const { output } = await runStorage(
		emulator,
		'folder',
		'copy',
		{ folderId: rl('2001'), targetFolderId: rl('2009'), options: { waitTimeout: 1 } },
		{ continueOnFail: true },
	);
	expect(output![0].json).toMatchObject({ code: 'taskTimeout', retryable: false });
	expect(output![0].json.error).toMatch(/task task-\d+ was still running/);
});

describe('bad input is refused before any request, naming the field', () => {
	const BAD: Array<[string, 'file' | 'folder' | 'space', string, IDataObject, string]> = [
		// (An empty required field is refused by n8n itself; an expression can still come out empty.)
		[
			'an empty space',
			'file',
			'get',
			{ spaceId: rl('={{ $json.nothing }}'), dentryId: rl('1004') },
			'spaceId',
		],
		['an empty operator', 'folder', 'list', { unionId: '  ' }, 'unionId'],
		['an empty file', 'file', 'get', { dentryId: rl('={{ "" }}') }, 'dentryId'],
		['a file ID with a line break', 'file', 'delete', { dentryId: rl('1004\n') }, 'dentryId'],
		['an empty path', 'file', 'get', { dentryId: rl('  ', 'path') }, 'dentryId'],
		['a path with ..', 'folder', 'list', { folderId: rl('/合同/../报表', 'path') }, 'folderId'],
		[
			'a new name with a slash',
			'file',
			'rename',
			{ dentryId: rl('1004'), newName: 'a/b.md' },
			'newName',
		],
		['a new name with <', 'folder', 'rename', { folderId: rl('2001'), newName: 'a<b' }, 'newName'],
		['a folder name ending with a dot', 'folder', 'create', { name: 'report.' }, 'name'],
		['an empty folder name', 'folder', 'create', { name: ' ' }, 'name'],
		['a folder name with a tab', 'folder', 'create', { name: 'a\tb' }, 'name'],
		[
			'an unknown conflict strategy',
			'folder',
			'create',
			{ name: 'x', options: { conflictStrategy: 'MERGE' } },
			'conflictStrategy',
		],
		['a limit of 0', 'folder', 'list', { returnAll: false, limit: 0 }, 'limit'],
		['a fractional limit', 'space', 'list', { returnAll: false, limit: 2.5 }, 'limit'],
		[
			'a max depth of 0',
			'folder',
			'list',
			{ options: { recursive: true, maxDepth: 0 } },
			'maxDepth',
		],
		['an unknown order', 'folder', 'list', { options: { orderBy: 'COLOR' } }, 'orderBy'],
		[
			'an empty target folder',
			'file',
			'copy',
			{ dentryId: rl('1004'), targetFolderId: rl('={{ $json.nothing }}') },
			'targetFolderId',
		],
		[
			'a target space with a line break',
			'file',
			'move',
			{ dentryId: rl('1004'), targetSpaceId: rl('2000\r'), targetFolderId: rl('0') },
			'targetSpaceId',
		],
		[
			'a wait timeout of 0',
			'folder',
			'delete',
			{ folderId: rl('2001'), options: { waitTimeout: 0 } },
			'waitTimeout',
		],
		[
			'a bad range on download',
			'file',
			'download',
			{ dentryId: rl('1004'), binaryPropertyName: 'data', options: { range: '9-1' } },
			'range',
		],
		[
			'an empty binary field on download',
			'file',
			'download',
			{ dentryId: rl('1004'), binaryPropertyName: ' ' },
			'binaryPropertyName',
		],
	];

	test.each(BAD)('%s', async (_name, resource, operation, parameters, field) => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, resource, operation, parameters, {
			continueOnFail: true,
		});
		expect(output![0].json).toMatchObject({ code: 'invalidParameter', field });
		expect(output![0].json.error).toMatch(new RegExp(`^Invalid "${field}"`));
		expect([...emulator.apiCounts.values()].reduce((sum, count) => sum + count, 0)).toBe(0);
		const stopped = await runStorage(emulator, resource, operation, parameters);
		expect(stopped.error?.name).toBe('NodeOperationError');
		expect(stopped.error?.message).toMatch(new RegExp(`^Invalid "${field}"`));
	});
});

test('no token, app secret or signed header in any output or error of the node', async () => {
	const { emulator } = ctx;
	const results = [
		await runStorage(emulator, 'folder', 'list', { returnAll: true, options: { recursive: true } }),
		await runStorage(emulator, 'file', 'download', {
			dentryId: rl('1001'),
			binaryPropertyName: 'data',
		}),
		await runStorage(emulator, 'folder', 'copy', {
			folderId: rl('2001'),
			targetFolderId: rl('2009'),
		}),
		await runStorage(emulator, 'space', 'list', { returnAll: true }),
	];
	emulator.setFault('1005', { forbidden: true });
	results.push(
		await runStorage(
			emulator,
			'file',
			'download',
			{ dentryId: rl('1005'), binaryPropertyName: 'data' },
			{ continueOnFail: true },
		),
	);
	emulator.expireTokens();
	results.push(
		await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('1004') },
			{
				credentials: {
					authentication: 'accessToken',
					accessToken: 'dead-token-1234567890',
					baseUrl: emulator.baseUrl,
				},
			},
		),
	);
	expect(results.at(-1)!.error?.message).toContain('InvalidAuthentication');
	for (const result of results) expectNoSecrets(result, emulator, ['dead-token-1234567890']);
});
