/**
 * File → Search in n8n's execution engine against the emulator: DingTalk's search (UUIDs),
 * each hit's UUID mapped to spaceId and dentryId, details in batches, paging, the filters
 * DingTalk has (spaces, categories, created time) and those it lacks (file types, modified
 * time), the permissions it needs, bad input; and the AI-agent tool types: nothing signed,
 * no content, no Get Download Info.
 */
import { EMULATOR_DEFAULTS, MONTHLY_REPORTS } from '../../emulator';
import {
	apiCalls,
	appCredentials,
	callsTo,
	expectNoSecrets,
	rl,
	runStorage,
	storageCalls,
	useEmulator,
} from '../harness/fixtures';
import { DOWNLOAD_TOOL_TYPE, runNode, STORAGE_TOOL_TYPE } from '../harness/n8n';

/** The five items of the seeded tree whose names contain 合同 (contract), newest change first. */
const CONTRACTS = [
	'合同-2026-补充协议.docx',
	'合同-2026年度采购.pdf',
	'合同-2025-002.pdf',
	'合同-2025-001.pdf',
	'合同',
];

function searchBodies(emulator: ReturnType<typeof useEmulator>['emulator']) {
	return emulator.log
		.filter(
			(entry) => entry.server === 'api' && entry.path.startsWith('/v2.0/storage/dentries/search'),
		)
		.map((entry) => JSON.parse(String(entry.body)));
}

describe('file: search', () => {
	const ctx = useEmulator('filesystem');

	test('finds by name across spaces; each result has spaceId and dentryId (from its UUID) and its details', async () => {
		const { emulator } = ctx;
		const result = await runStorage(emulator, 'file', 'search', {
			keyword: '合同',
			spaceId: undefined,
		});
		const { output, error } = result;
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.name)).toEqual(CONTRACTS);
		for (const { json } of output!) {
			const entry = emulator.drive.entries.get(String(json.dentryId))!;
			expect(json).toMatchObject({
				spaceId: entry.spaceId,
				dentryId: entry.id,
				id: entry.id,
				dentryUuid: entry.uuid,
				name: entry.name,
				type: entry.type,
				status: 'NORMAL',
			});
			expect(typeof json.folderPath).toBe('string');
			expect(json.creator).toEqual({ name: '模拟用户', userId: 'emulator-user-id' });
		}
		expect(output![1].json).toMatchObject({
			dentryId: '1001',
			size: 200_000,
			path: '/合同/2026/合同-2026年度采购.pdf',
			folderPath: '合同/2026',
		});
		// One search page, one UUID lookup per result, one details call for the space.
		expect(callsTo(emulator, 'dentries.search')).toBe(1);
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(5);
		expect(callsTo(emulator, 'dentries.batchQuery')).toBe(1);
		expect(searchBodies(emulator)[0]).toEqual({ keyword: '合同', option: { maxResults: 50 } });
		const operator = emulator.log.find((entry) =>
			entry.path.startsWith('/v2.0/doc/dentries/'),
		)!.path;
		expect(operator).toMatch(new RegExp(`/queryDentryId\\?operatorId=${emulator.unionId}$`));
		expectNoSecrets(result, emulator);
	});

	test('a result chains into File → Download by its spaceId and dentryId', async () => {
		const { emulator } = ctx;
		const found = await runStorage(emulator, 'file', 'search', { keyword: '年度采购' });
		expect(found.output).toHaveLength(1);
		const { output } = await runStorage(
			emulator,
			'file',
			'download',
			{
				spaceId: '={{ $json.spaceId }}',
				dentryId: '={{ $json.dentryId }}',
				binaryPropertyName: 'data',
			},
			{ items: [found.output![0].json] },
		);
		expect(output![0].json).toMatchObject({
			dentryId: '1001',
			fileName: '合同-2026年度采购.pdf',
			size: 200_000,
		});
	});

	test('Limit asks DingTalk for no more than it needs; Return All follows nextToken over every page', async () => {
		const { emulator } = ctx;
		const limited = await runStorage(emulator, 'file', 'search', { keyword: '合同', limit: 2 });
		expect(limited.output!.map((item) => item.json.name)).toEqual(CONTRACTS.slice(0, 2));
		expect(searchBodies(emulator)[0].option.maxResults).toBe(2);
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(2);

		emulator.reset();
		const all = await runStorage(emulator, 'file', 'search', { keyword: '月报', returnAll: true });
		// The monthly reports and their folder.
		expect(all.output).toHaveLength(MONTHLY_REPORTS + 1);
		expect(new Set(all.output!.map((item) => item.json.dentryId)).size).toBe(MONTHLY_REPORTS + 1);
		expect(callsTo(emulator, 'dentries.search')).toBe(Math.ceil((MONTHLY_REPORTS + 1) / 50));
		expect(
			searchBodies(emulator)
				.slice(1)
				.every((body) => typeof body.option.nextToken === 'string'),
		).toBe(true);
		// Details: one call per 30 results.
		expect(callsTo(emulator, 'dentries.batchQuery')).toBe(Math.ceil((MONTHLY_REPORTS + 1) / 30));
	});

	test('File Types and Modified After/Before filter the hits before any UUID is looked up', async () => {
		const { emulator } = ctx;
		const pdfs = await runStorage(emulator, 'file', 'search', {
			keyword: '合同',
			options: { fileTypes: 'PDF, .docx' },
		});
		expect(pdfs.output!.map((item) => item.json.name)).toEqual(CONTRACTS.slice(0, 4));
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(4);

		emulator.reset();
		const modified = (name: string) =>
			Date.parse(
				String(
					emulator.drive.json(
						[...emulator.drive.entries.values()].find((entry) => entry.name === name)!,
					).modifiedTime,
				),
			);
		const after = new Date(modified('合同-2025-002.pdf')).toISOString();
		const before = new Date(modified('合同-2026年度采购.pdf')).toISOString();
		const window = await runStorage(emulator, 'file', 'search', {
			keyword: '合同',
			options: { modifiedAfter: after, modifiedBefore: before },
		});
		expect(window.output!.map((item) => item.json.name)).toEqual([
			'合同-2026年度采购.pdf',
			'合同-2025-002.pdf',
		]);
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(2);
		// DingTalk is asked for full pages when hits may be filtered out.
		expect(searchBodies(emulator)[0].option.maxResults).toBe(50);
	});

	test("Space IDs, Categories and Created After/Before go to DingTalk's own search options", async () => {
		const { emulator } = ctx;
		const inSpace = await runStorage(emulator, 'file', 'search', {
			keyword: 'readme',
			options: { spaceIds: '2000, 3000' },
		});
		expect(inSpace.output!.map((item) => [item.json.spaceId, item.json.name])).toEqual([
			['2000', 'readme.txt'],
		]);
		expect(searchBodies(emulator)[0].option.spaceIds).toEqual([2000, 3000]);

		emulator.reset();
		const images = await runStorage(emulator, 'file', 'search', {
			keyword: 'logo',
			options: {
				categories: 'image',
				createdAfter: '2026-01-01T00:00:00Z',
				createdBefore: '2026-12-31T00:00:00+08:00',
			},
		});
		expect(images.output!.map((item) => item.json.name)).toEqual(['logo.png']);
		expect(searchBodies(emulator)[0].option).toMatchObject({
			dentryCategories: ['image'],
			createTimeRange: {
				startTime: Date.parse('2026-01-01T00:00:00Z'),
				endTime: Date.parse('2026-12-30T16:00:00Z'),
			},
		});
	});

	test('Include Details off: spaceId, dentryId, name and modifiedTime from the search, no details call', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'search', {
			keyword: '年度采购',
			options: { details: false },
		});
		expect(output![0].json).toEqual({
			name: '合同-2026年度采购.pdf',
			modifiedTime: expect.any(String),
			spaceId: '1000',
			dentryId: '1001',
			dentryUuid: expect.any(String),
			folderPath: '合同/2026',
			url: expect.stringContaining('/i/nodes/'),
			creator: expect.any(Object),
			modifier: expect.any(Object),
		});
		expect(callsTo(emulator, 'dentries.batchQuery')).toBe(0);
	});

	test.each([['Storage.Dentry.Search'], ['Document.WorkspaceDocument.Read']])(
		'without the app permission %s, the error names it',
		async (permission) => {
			const { emulator } = ctx;
			emulator.state.missingPermissions.add(permission);
			const { error } = await runStorage(emulator, 'file', 'search', { keyword: '合同' });
			expect(error).toBeDefined();
			expect(`${error!.message} ${error!.description}`).toContain(permission);
		},
	);

	test('bad input names the field; under Continue On Fail the other items still search', async () => {
		const { emulator } = ctx;
		for (const [parameters, field] of [
			[{ keyword: '  ' }, 'keyword'],
			[{ keyword: '合同', options: { spaceIds: '1000, abc' } }, 'spaceIds'],
			[{ keyword: '合同', options: { modifiedAfter: 'yesterday' } }, 'modifiedAfter'],
			[
				{
					keyword: '合同',
					options: { createdAfter: '2026-02-01T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' },
				},
				'createdBefore',
			],
		] as const) {
			const { error } = await runStorage(emulator, 'file', 'search', parameters);
			expect(error?.message).toContain(`"${field}"`);
		}
		expect(callsTo(emulator, 'dentries.search')).toBe(0);

		const { output } = await runStorage(
			emulator,
			'file',
			'search',
			{ keyword: '={{ $json.q }}', limit: 1 },
			{ items: [{ q: '合同' }, { q: '' }, { q: 'logo' }], continueOnFail: true },
		);
		expect(output!.map((item) => item.json.name ?? item.json.error)).toEqual([
			'合同-2026-补充协议.docx',
			expect.stringContaining('"keyword"'),
			'logo.png',
		]);
		expect(output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});

describe("as an AI agent's tool: nothing signed, no content", () => {
	const ctx = useEmulator('filesystem');

	test("DingTalk Storage Tool: Download answers the file's details, reads no content and no download info", async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			nodeType: STORAGE_TOOL_TYPE,
			credentials: appCredentials(emulator),
			parameters: {
				resource: 'file',
				operation: 'download',
				spaceId: rl(EMULATOR_DEFAULTS.spaceId),
				dentryId: rl('1001'),
				unionId: emulator.unionId,
				binaryPropertyName: 'data',
				options: {},
			},
		});
		expect(error).toBeUndefined();
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json).toMatchObject({
			dentryId: '1001',
			name: '合同-2026年度采购.pdf',
			size: 200_000,
			contentIncluded: false,
		});
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(0);
		expect(storageCalls(emulator)).toHaveLength(0);
	});

	test('DingTalk Storage Download Tool: Download gives details only; Get Download Info is refused before any call', async () => {
		const { emulator } = ctx;
		const base = {
			spaceId: EMULATOR_DEFAULTS.spaceId,
			dentryId: '1001',
			unionId: emulator.unionId,
			binaryPropertyName: 'data',
			options: {},
		};
		const download = await runNode({
			nodeType: DOWNLOAD_TOOL_TYPE,
			credentials: appCredentials(emulator),
			parameters: { ...base, operation: 'download' },
		});
		expect(download.output![0].binary).toBeUndefined();
		expect(download.output![0].json).toMatchObject({
			spaceId: '1000',
			dentryId: '1001',
			name: '合同-2026年度采购.pdf',
			contentIncluded: false,
		});

		const info = await runNode({
			nodeType: DOWNLOAD_TOOL_TYPE,
			credentials: appCredentials(emulator),
			parameters: { ...base, operation: 'getDownloadInfo' },
		});
		expect(info.output).toBeUndefined();
		expect(info.error?.message).toMatch(/Get Download Info is not available to AI agents/);
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(0);
		expect(storageCalls(emulator)).toHaveLength(0);
		expectNoSecrets(download, emulator);
		expectNoSecrets(info, emulator);
	});
});
