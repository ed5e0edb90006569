/**
 * The "DingTalk Storage" node's reading operations in n8n's execution engine against the
 * emulator's seeded tree: file details, folder listings (paging, limits, recursion,
 * ordering, type filters), versions, spaces, the three ways of naming an item (picked,
 * by ID, by path; as the editor saves them and as plain strings), and File → Download.
 */
import { EMULATOR_DEFAULTS, MONTHLY_REPORTS } from '../../emulator';
import { binarySha256, callsTo, rl, runStorage, useEmulator } from '../harness/fixtures';

const ROOT_ENTRIES = [
	'合同',
	'报表',
	'设计',
	'hidden-name.txt',
	'notes.md',
	'empty.txt',
	'空文件夹',
];
const MONTHLY = '2007';
/** Every entry of space 1000: 9 folders and 12 files beside the monthly reports. */
const TREE_SIZE = 9 + 12 + MONTHLY_REPORTS;

describe('file: get', () => {
	const ctx = useEmulator('filesystem');

	test('by ID (as the editor saves it, and as a plain string): the dentry as DingTalk returns it, plus dentryId', async () => {
		const { emulator } = ctx;
		for (const dentryId of [rl('1001'), '1001', rl('1001', 'list')]) {
			const { output, error } = await runStorage(emulator, 'file', 'get', { dentryId });
			expect(error).toBeUndefined();
			expect(output).toHaveLength(1);
			expect(output![0].json).toMatchObject({
				id: '1001',
				dentryId: '1001',
				spaceId: '1000',
				parentId: '2005',
				type: 'FILE',
				name: '合同-2026年度采购.pdf',
				path: '/合同/2026/合同-2026年度采购.pdf',
				size: 200_000,
				version: 3,
				status: 'NORMAL',
				extension: 'pdf',
			});
			expect(typeof output![0].json.uuid).toBe('string');
			expect(typeof output![0].json.modifiedTime).toBe('string');
		}
	});

	test('a plain-string space ID saved in a workflow still works, and so does an expression', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(
			emulator,
			'file',
			'get',
			{ spaceId: '1000', dentryId: '={{ $json.id }}' },
			{ items: [{ id: '1004' }, { id: '1002' }] },
		);
		expect(output!.map((item) => item.json.name)).toEqual(['notes.md', 'quarterly report.xlsx']);
		expect(output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('by path, resolved level by level: the folders on the way are listed once for all items', async () => {
		const { emulator } = ctx;
		const items = [
			{ path: '/合同/2025/合同-2025-001.pdf' },
			{ path: '/合同/2025/合同-2025-002.pdf' },
			{ path: '合同/2026/合同-2026年度采购.pdf' },
		];
		const { output, error } = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('={{ $json.path }}', 'path') },
			{ items },
		);
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.dentryId)).toEqual(['3001', '3002', '1001']);
		// root, /合同, /合同/2025, /合同/2026: each once; the details came with the listings.
		expect(callsTo(emulator, 'dentries.list')).toBe(4);
		expect(callsTo(emulator, 'dentries.query')).toBe(0);
	});

	test('a path that leads nowhere, or to a folder, fails naming what is wrong', async () => {
		const { emulator } = ctx;
		const missing = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('/合同/2027/x.pdf', 'path') },
			{ continueOnFail: true },
		);
		expect(missing.output![0].json).toMatchObject({ code: 'pathNotFound', httpCode: 404 });
		expect(missing.output![0].json.error).toContain('there is no "2027" in /合同');
		const folder = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('/合同/2025', 'path') },
			{ continueOnFail: true },
		);
		expect(folder.output![0].json).toMatchObject({ code: 'invalidParameter', field: 'dentryId' });
		expect(folder.output![0].json.error).toContain('is a folder, not a file');
	});
});

describe('folder: list', () => {
	const ctx = useEmulator('filesystem');

	test("the space's root by default, 50 entries at most by default, each with dentryId and path", async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'folder', 'list', {
			options: { orderBy: 'NAME', order: 'ASC' },
		});
		expect(output!.map((item) => item.json.name).sort()).toEqual([...ROOT_ENTRIES].sort());
		for (const item of output!) {
			expect(item.json.dentryId).toBe(item.json.id);
			expect(item.json.path).toBe(`/${String(item.json.name)}`);
			expect(item.pairedItem).toEqual({ item: 0 });
		}
		expect(callsTo(emulator, 'dentries.list')).toBe(1);
	});

	test('Return All pages through a folder of 125 entries: 50 + 50 + 25, three calls', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'folder', 'list', {
			folderId: rl(MONTHLY),
			returnAll: true,
		});
		expect(output).toHaveLength(MONTHLY_REPORTS);
		expect(new Set(output!.map((item) => item.json.id)).size).toBe(MONTHLY_REPORTS);
		expect(callsTo(emulator, 'dentries.list')).toBe(3);
		const pageSizes = emulator.log
			.filter((entry) => entry.path.includes('/dentries?'))
			.map((entry) => new URL(entry.path, 'http://x').searchParams.get('maxResults'));
		expect(pageSizes).toEqual(['50', '50', '50']);
	});

	test.each([
		[3, 1, ['3']],
		[50, 1, ['50']],
		[73, 2, ['50', '23']],
		[125, 3, ['50', '50', '25']],
		[500, 3, ['50', '50', '50']],
	])(
		'a limit of %i gives exactly that many (or all there are) in %i call(s), asking only for what is needed',
		async (limit, calls, asked) => {
			const { emulator } = ctx;
			const { output } = await runStorage(emulator, 'folder', 'list', {
				folderId: rl(MONTHLY),
				returnAll: false,
				limit,
			});
			expect(output).toHaveLength(Math.min(limit, MONTHLY_REPORTS));
			expect(callsTo(emulator, 'dentries.list')).toBe(calls);
			const pageSizes = emulator.log
				.filter((entry) => entry.path.includes('/dentries?'))
				.map((entry) => new URL(entry.path, 'http://x').searchParams.get('maxResults'));
			expect(pageSizes).toEqual(asked);
		},
	);

	test('ordering is passed to DingTalk: by name ascending and descending', async () => {
		const { emulator } = ctx;
		const ascending = await runStorage(emulator, 'folder', 'list', {
			folderId: rl(MONTHLY),
			returnAll: true,
			options: { orderBy: 'NAME', order: 'ASC' },
		});
		const names = ascending.output!.map((item) => String(item.json.name));
		expect(names).toEqual([...names].sort());
		expect(names[0]).toBe('月报-2016-01.xlsx');
		const descending = await runStorage(emulator, 'folder', 'list', {
			folderId: rl(MONTHLY),
			limit: 1,
			options: { orderBy: 'NAME', order: 'DESC' },
		});
		expect(descending.output![0].json.name).toBe(names[names.length - 1]);
	});

	test('recursive: the whole tree breadth first, every entry with its path, one call per page of each folder', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'folder', 'list', {
			returnAll: true,
			options: { recursive: true },
		});
		expect(output).toHaveLength(TREE_SIZE);
		const paths = output!.map((item) => String(item.json.path));
		expect(new Set(paths).size).toBe(TREE_SIZE);
		expect(paths).toContain('/合同/2025/归档/旧版/扫描件-2019.pdf');
		// Breadth first: every entry comes after all entries of a shallower level.
		const depths = paths.map((path) => path.split('/').length);
		expect(depths).toEqual([...depths].sort((a, b) => a - b));
		// The root, 8 folders with one page each, the monthly reports in three pages.
		expect(callsTo(emulator, 'dentries.list')).toBe(1 + 8 + 3);
	});

	test('Max Depth bounds the levels; Type keeps files or folders only', async () => {
		const { emulator } = ctx;
		const two = await runStorage(emulator, 'folder', 'list', {
			returnAll: true,
			options: { recursive: true, maxDepth: 2 },
		});
		expect(
			two
				.output!.map((item) => String(item.json.path).split('/').length - 1)
				.every((depth) => depth <= 2),
		).toBe(true);
		expect(two.output).toHaveLength(7 + 6);
		const folders = await runStorage(emulator, 'folder', 'list', {
			returnAll: true,
			options: { recursive: true, type: 'folder' },
		});
		expect(folders.output!.map((item) => item.json.name).sort()).toEqual(
			['2025', '2026', '合同', '报表', '旧版', '月报', '归档', '空文件夹', '设计'].sort(),
		);
		const files = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('/合同', 'path'),
			returnAll: true,
			options: { recursive: true, type: 'file' },
		});
		expect(files.output!.map((item) => item.json.type)).toEqual(Array(6).fill('FILE'));
	});

	test('a limit stops a recursive walk early: no folder is listed once it is met', async () => {
		const { emulator } = ctx;
		// By name: the root's 7 entries, then /合同's 2, then the first of /报表's.
		const { output } = await runStorage(emulator, 'folder', 'list', {
			limit: 10,
			options: { recursive: true, orderBy: 'NAME', order: 'ASC' },
		});
		expect(output!.map((item) => item.json.path).slice(7)).toEqual([
			'/合同/2025',
			'/合同/2026',
			'/报表/quarterly report.xlsx',
		]);
		expect(callsTo(emulator, 'dentries.list')).toBe(3);
	});

	test('a folder by path; an empty folder gives no items', async () => {
		const { emulator } = ctx;
		const byPath = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('/合同/2025', 'path'),
		});
		expect(byPath.output!.map((item) => item.json.name).sort()).toEqual(
			['合同-2025-001.pdf', '合同-2025-002.pdf', '归档', '框架协议-2025.docx'].sort(),
		);
		const empty = await runStorage(emulator, 'folder', 'list', { folderId: rl('2009') });
		expect(empty.error).toBeUndefined();
		expect(empty.output ?? []).toHaveLength(0);
	});

	test("a recursive listing under DingTalk's 20 calls per second per API draws no QPS error", async () => {
		const { emulator } = ctx;
		emulator.state.qpsLimit = 20;
		const { output, error } = await runStorage(
			emulator,
			'folder',
			'list',
			{ folderId: rl('={{ $json.folder }}'), returnAll: true, options: { recursive: true } },
			{ items: Array.from({ length: 3 }, () => ({ folder: '0' })) },
		);
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3 * TREE_SIZE);
		expect(emulator.log.filter((entry) => entry.status === 403)).toEqual([]);
	});
});

describe('file: list versions', () => {
	const ctx = useEmulator('filesystem');

	test('one item per version, newest first; a limit keeps the newest', async () => {
		const { emulator } = ctx;
		const all = await runStorage(emulator, 'file', 'listVersions', {
			dentryId: rl('1001'),
			returnAll: true,
		});
		expect(all.output!.map((item) => item.json.version)).toEqual([3, 2, 1]);
		expect(all.output!.every((item) => item.json.dentryId === '1001')).toBe(true);
		expect(all.output![0].json.size).toBe(200_000);
		const newest = await runStorage(emulator, 'file', 'listVersions', {
			dentryId: rl('1001'),
			limit: 2,
		});
		expect(newest.output!.map((item) => item.json.version)).toEqual([3, 2]);
	});

	test('an old version downloads through the Version option, byte-exact', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'download', {
			dentryId: rl('1001'),
			binaryPropertyName: 'data',
			options: { version: 2 },
		});
		expect(output![0].json.version).toBe(2);
		expect(await binarySha256(output![0].binary!.data)).toBe(
			emulator.sha256('1001', 0, undefined, 2),
		);
		expect(emulator.sha256('1001', 0, undefined, 2)).not.toBe(emulator.sha256('1001'));
	});
});

describe('space: get and list', () => {
	const ctx = useEmulator('filesystem');

	test("get: the space's details with spaceId", async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'space', 'get');
		expect(output![0].json).toMatchObject({
			spaceId: '1000',
			id: '1000',
			name: '公司文档',
			quota: 10 * 1024 ** 3,
		});
		expect(Number(output![0].json.usedQuota)).toBeGreaterThan(3 * 1024 * 1024);
	});

	test("list: the organization's Drive spaces, paged 50 at a time; a limit is exact", async () => {
		const { emulator } = ctx;
		const all = await runStorage(emulator, 'space', 'list', { returnAll: true });
		const ids = all.output!.map((item) => item.json.spaceId);
		expect(ids).toContain('1000');
		expect(ids).toContain('2000');
		expect(ids).not.toContain(EMULATOR_DEFAULTS.knowledgeBaseSpaceId);
		expect(ids).toHaveLength(57);
		expect(callsTo(emulator, 'drive.spaces.list')).toBe(2);
		const five = await runStorage(emulator, 'space', 'list', { limit: 5 });
		expect(five.output).toHaveLength(5);
		expect(five.output![0].json).toMatchObject({ spaceId: '1000', spaceName: '公司文档' });
	});
});

describe.each(['filesystem', 'default'] as const)('file: download (%s binary mode)', (mode) => {
	const ctx = useEmulator(mode);

	test('the same engine as the Download node: byte-exact, Chinese name, MIME type; picked by path too', async () => {
		const { emulator } = ctx;
		for (const dentryId of [rl('1005'), rl('/设计/设计稿 v2.zip', 'path')]) {
			const { output, error } = await runStorage(emulator, 'file', 'download', {
				dentryId,
				binaryPropertyName: 'file',
			});
			expect(error).toBeUndefined();
			expect(output![0].json).toMatchObject({
				spaceId: '1000',
				dentryId: '1005',
				fileName: '设计稿 v2.zip',
				mimeType: 'application/zip',
				size: 3 * 1024 * 1024 + 17,
			});
			expect(await binarySha256(output![0].binary!.file)).toBe(emulator.sha256('1005'));
		}
	});

	test('chained: a listing straight into downloads ({{ $json.dentryId }}, {{ $json.spaceId }})', async () => {
		const { emulator } = ctx;
		const listed = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('/合同/2025', 'path'),
			options: { type: 'file' },
		});
		const items = listed.output!.map((item) => item.json);
		const { output } = await runStorage(
			emulator,
			'file',
			'download',
			{
				spaceId: '={{ $json.spaceId }}',
				dentryId: '={{ $json.dentryId }}',
				binaryPropertyName: 'data',
				options: { range: '0-99' },
			},
			{ items },
		);
		expect(output).toHaveLength(3);
		for (const item of output!)
			expect(await binarySha256(item.binary!.data)).toBe(
				emulator.sha256(String(item.json.dentryId), 0, 99),
			);
	});
});
