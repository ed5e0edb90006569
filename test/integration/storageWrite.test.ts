/**
 * The "DingTalk Storage" node's changes against the emulator's stateful tree: create
 * folder, rename, copy, move, delete, for files and folders; DingTalk's conflict
 * strategies; tasks for folders with children (waited for, failing, not waited for); the
 * recycle bin; quotas; the state of the tree afterwards.
 */
import { EMULATOR_DEFAULTS } from '../../emulator';
import {
	binarySha256,
	callsTo,
	rl,
	runStorage,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';

const ctx = useEmulator('filesystem');

/** The names in a folder, as the emulator holds them now. */
function namesIn(emulator: Emulator, spaceId: string, folderId: string): string[] {
	return emulator.drive
		.children(spaceId, folderId)
		.map((entry: { name: string }) => entry.name)
		.sort();
}

describe('folder: create', () => {
	test('creates the folder; run twice with the default strategy, the same folder comes back (a nightly job)', async () => {
		const { emulator } = ctx;
		const first = await runStorage(emulator, 'folder', 'create', {
			folderId: rl('/合同', 'path'),
			name: '2026-11',
		});
		expect(first.output![0].json).toMatchObject({
			type: 'FOLDER',
			name: '2026-11',
			parentId: '2001',
			path: '/合同/2026-11',
			spaceId: '1000',
		});
		const again = await runStorage(emulator, 'folder', 'create', {
			folderId: rl('2001'),
			name: '2026-11',
		});
		expect(again.output![0].json.dentryId).toBe(first.output![0].json.dentryId);
		expect(namesIn(emulator, '1000', '2001')).toEqual(['2025', '2026', '2026-11']);
	});

	test("in the space's root by default; Auto Rename keeps both; Fail raises a name conflict", async () => {
		const { emulator } = ctx;
		const renamed = await runStorage(emulator, 'folder', 'create', {
			name: '设计',
			options: { conflictStrategy: 'AUTO_RENAME' },
		});
		expect(renamed.output![0].json).toMatchObject({ name: '设计(1)', parentId: '0' });
		const conflict = await runStorage(
			emulator,
			'folder',
			'create',
			{ name: '设计', options: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' } },
			{ continueOnFail: true },
		);
		expect(conflict.output![0].json).toMatchObject({
			code: 'dentryNameConflict',
			httpCode: 400,
			retryable: false,
		});
		expect(conflict.output![0].json.error).toContain('already exists');
		expect(conflict.output![0].json.description).toContain('Conflict Strategy');
		const failed = await runStorage(emulator, 'folder', 'create', {
			name: '设计',
			options: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' },
		});
		expect(failed.error?.name).toBe('NodeApiError');
		expect(failed.error?.message).toContain('dentryNameConflict');
	});

	test('an expression name creates one folder per item, in item order', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(
			emulator,
			'folder',
			'create',
			{ folderId: rl('2009'), name: '={{ $json.month }}' },
			{ items: [{ month: '2026-01' }, { month: '2026-02' }, { month: '2026-01' }] },
		);
		expect(output!.map((item) => item.json.name)).toEqual(['2026-01', '2026-02', '2026-01']);
		expect(output![0].json.dentryId).toBe(output![2].json.dentryId);
		expect(output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('paths see what earlier items created: a folder made by one item is found by path in the next', async () => {
		const { emulator } = ctx;
		// The first item lists /合同 on its way to /合同/2025; the second adds /合同/new; the third goes through it.
		const items = [
			{ parent: '/合同/2025', name: 'k' },
			{ parent: '/合同', name: 'new' },
			{ parent: '/合同/new', name: 'z' },
		];
		const { output, error } = await runStorage(
			emulator,
			'folder',
			'create',
			{ folderId: rl('={{ $json.parent }}', 'path'), name: '={{ $json.name }}' },
			{ items },
		);
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.path)).toEqual([
			'/合同/2025/k',
			'/合同/new',
			'/合同/new/z',
		]);
	});
});

describe('rename', () => {
	test('a file and a folder get their new names; their IDs stay', async () => {
		const { emulator } = ctx;
		const file = await runStorage(emulator, 'file', 'rename', {
			dentryId: rl('1004'),
			newName: 'notes-2026.md',
		});
		expect(file.output![0].json).toMatchObject({
			dentryId: '1004',
			name: 'notes-2026.md',
			path: '/notes-2026.md',
		});
		const folder = await runStorage(emulator, 'folder', 'rename', {
			folderId: rl('/报表/月报', 'path'),
			newName: '月度报表',
		});
		expect(folder.output![0].json).toMatchObject({
			dentryId: '2007',
			name: '月度报表',
			type: 'FOLDER',
		});
	});

	test('a name taken in the same folder is a name conflict, and nothing changes', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(
			emulator,
			'file',
			'rename',
			{ dentryId: rl('1004'), newName: 'empty.txt' },
			{ continueOnFail: true },
		);
		expect(output![0].json.code).toBe('dentryNameConflict');
		expect(emulator.drive.entries.get('1004')?.name).toBe('notes.md');
	});
});

describe('copy', () => {
	test('a file into another folder: a new file with the same bytes, the original untouched', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1005'),
			targetFolderId: rl('/合同/2026', 'path'),
		});
		const copy = output![0].json;
		expect(copy).toMatchObject({
			name: '设计稿 v2.zip',
			parentId: '2005',
			spaceId: '1000',
			path: '/合同/2026/设计稿 v2.zip',
		});
		expect(copy.dentryId).not.toBe('1005');
		expect(copy.async).toBeUndefined();
		const downloaded = await runStorage(emulator, 'file', 'download', {
			dentryId: rl(String(copy.dentryId)),
			binaryPropertyName: 'data',
		});
		expect(await binarySha256(downloaded.output![0].binary!.data)).toBe(emulator.sha256('1005'));
		expect(namesIn(emulator, '1000', '2008')).toContain('设计稿 v2.zip');
	});

	test.each([
		['AUTO_RENAME', { name: '设计稿 v2(1).zip', newItem: true }],
		['RETURN_DENTRY_IF_EXISTS', { name: '设计稿 v2.zip', newItem: false }],
	] as const)('onto a name that exists, %s', async (conflictStrategy, expected) => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1005'),
			targetFolderId: rl('2008'),
			options: { conflictStrategy },
		});
		expect(output![0].json.name).toBe(expected.name);
		expect(output![0].json.dentryId === '1005').toBe(!expected.newItem);
		expect(namesIn(emulator, '1000', '2008')).toHaveLength(expected.newItem ? 3 : 2);
	});

	test('Overwrite gives the existing file a new version with the copied bytes; Fail raises a conflict', async () => {
		const { emulator } = ctx;
		await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1004'),
			targetFolderId: rl('2009'),
		});
		const target = emulator.drive.children('1000', '2009')[0] as { id: string };
		const before = emulator.drive.entries.get(target.id)!.versions.length;
		const overwrite = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1002'),
			targetFolderId: rl('2009'),
			options: { conflictStrategy: 'OVERWRITE' },
		});
		// A different file of another name lands beside it; the same name is overwritten.
		expect(overwrite.output![0].json.name).toBe('quarterly report.xlsx');
		const again = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1004'),
			targetFolderId: rl('2009'),
			options: { conflictStrategy: 'OVERWRITE' },
		});
		expect(again.output![0].json).toMatchObject({ dentryId: target.id, version: before + 1 });
		const conflict = await runStorage(
			emulator,
			'file',
			'copy',
			{
				dentryId: rl('1004'),
				targetFolderId: rl('2009'),
				options: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' },
			},
			{ continueOnFail: true },
		);
		expect(conflict.output![0].json.code).toBe('dentryNameConflict');
	});

	test('a folder with contents runs as a task, which the node waits for: the copy holds everything', async () => {
		const { emulator } = ctx;
		const { output, error } = await runStorage(emulator, 'folder', 'copy', {
			folderId: rl('/合同', 'path'),
			targetFolderId: rl('2009'),
		});
		expect(error).toBeUndefined();
		expect(output![0].json).toMatchObject({
			name: '合同',
			parentId: '2009',
			type: 'FOLDER',
			async: true,
			taskStatus: 'SUCCESS',
		});
		expect(String(output![0].json.taskId)).toMatch(/^task-/);
		expect(callsTo(emulator, 'tasks.get')).toBe(2);
		const listed = await runStorage(emulator, 'folder', 'list', {
			folderId: rl(String(output![0].json.dentryId)),
			returnAll: true,
			options: { recursive: true },
		});
		expect(listed.output!.map((item) => item.json.path)).toContain(
			'/空文件夹/合同/2025/归档/旧版/扫描件-2019.pdf',
		);
		expect(listed.output).toHaveLength(10);
	});

	test('Wait for Completion off: the item comes at once with the task ID, the task is not polled', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'folder', 'copy', {
			folderId: rl('2001'),
			targetFolderId: rl('2009'),
			options: { waitForCompletion: false },
		});
		expect(output![0].json).toMatchObject({ async: true, name: '合同' });
		expect(output![0].json.taskId).toBeDefined();
		expect(output![0].json.taskStatus).toBeUndefined();
		expect(callsTo(emulator, 'tasks.get')).toBe(0);
	});

	test("a task that fails: a clear error with DingTalk's message, under Continue On Fail an error item, the next item still done", async () => {
		const { emulator } = ctx;
		emulator.failNextTasks(1, 'disk full at the far end');
		const { output } = await runStorage(
			emulator,
			'folder',
			'copy',
			{ folderId: rl('={{ $json.folder }}'), targetFolderId: rl('2009') },
			{ items: [{ folder: '2001' }, { folder: '2006' }], continueOnFail: true },
		);
		expect(output![0].json).toMatchObject({ code: 'taskFailed' });
		expect(output![0].json.error).toContain('disk full at the far end');
		expect(output![1].json).toMatchObject({ name: '报表', taskStatus: 'SUCCESS' });
		expect(namesIn(emulator, '1000', '2009')).toEqual(['报表']);
		emulator.failNextTasks(1);
		const stopped = await runStorage(emulator, 'folder', 'copy', {
			folderId: rl('2001'),
			targetFolderId: rl('2009'),
		});
		expect(stopped.error?.message).toMatch(/task task-\d+ failed/);
	});

	test('to another space; beyond its quota the copy is refused with storageQuotaExceeded', async () => {
		const { emulator } = ctx;
		const other = EMULATOR_DEFAULTS.otherSpaceId;
		const first = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1005'),
			targetSpaceId: rl(other),
			targetFolderId: rl('/收件箱', 'path'),
		});
		expect(first.output![0].json).toMatchObject({
			spaceId: other,
			parentId: '2101',
			name: '设计稿 v2.zip',
		});
		const second = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1005'),
			targetSpaceId: rl(other),
			targetFolderId: rl('0'),
		});
		expect(second.error).toBeUndefined();
		const third = await runStorage(
			emulator,
			'file',
			'copy',
			{ dentryId: rl('1005'), targetSpaceId: rl(other), targetFolderId: rl('0') },
			{ continueOnFail: true },
		);
		expect(third.output![0].json.code).toBe('storageQuotaExceeded');
		expect(third.output![0].json.error).toContain('storage quota is used up');
	});
});

describe('move', () => {
	test('a file within the space keeps its ID and lands in the target folder', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'move', {
			dentryId: rl('1004'),
			targetFolderId: rl('/设计', 'path'),
		});
		expect(output![0].json).toMatchObject({
			dentryId: '1004',
			parentId: '2008',
			path: '/设计/notes.md',
		});
		expect(namesIn(emulator, '1000', '0')).not.toContain('notes.md');
	});

	test('a folder with contents (a task, waited for); to another space it gets a new ID, as the answer says', async () => {
		const { emulator } = ctx;
		const within = await runStorage(emulator, 'folder', 'move', {
			folderId: rl('2002'),
			targetFolderId: rl('2009'),
		});
		expect(within.output![0].json).toMatchObject({
			dentryId: '2002',
			parentId: '2009',
			taskStatus: 'SUCCESS',
			path: '/空文件夹/2025',
		});
		const across = await runStorage(emulator, 'folder', 'move', {
			folderId: rl('2008'),
			targetSpaceId: rl(EMULATOR_DEFAULTS.otherSpaceId),
			targetFolderId: rl('0'),
		});
		expect(across.output![0].json).toMatchObject({
			spaceId: '2000',
			name: '设计',
			taskStatus: 'SUCCESS',
		});
		expect(across.output![0].json.dentryId).not.toBe('2008');
	});

	test('a folder cannot go into itself: DingTalk refuses, the tree is unchanged', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(
			emulator,
			'folder',
			'move',
			{ folderId: rl('2001'), targetFolderId: rl('2003') },
			{ continueOnFail: true },
		);
		expect(output![0].json.code).toBe('paramError');
		expect(emulator.drive.entries.get('2001')?.parentId).toBe('0');
	});
});

describe('delete', () => {
	test('to the recycle bin by default: output {spaceId, dentryId, deleted, toRecycleBin}; the file is no longer listed', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'delete', { dentryId: rl('1004') });
		expect(output![0].json).toEqual({
			spaceId: '1000',
			dentryId: '1004',
			deleted: true,
			toRecycleBin: true,
		});
		expect(emulator.log.find((entry) => entry.method === 'DELETE')?.path).toContain(
			'toRecycleBin=true',
		);
		expect(namesIn(emulator, '1000', '0')).not.toContain('notes.md');
		const recycled = await runStorage(emulator, 'file', 'get', { dentryId: rl('1004') });
		expect(recycled.output![0].json.status).toBe('DELETED');
	});

	test('Move to Recycle Bin off deletes for good', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'delete', {
			dentryId: rl('1006'),
			options: { toRecycleBin: false },
		});
		expect(output![0].json).toEqual({
			spaceId: '1000',
			dentryId: '1006',
			deleted: true,
			toRecycleBin: false,
		});
		const gone = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('1006') },
			{ continueOnFail: true },
		);
		expect(gone.output![0].json.code).toBe('dentryNotExist');
	});

	test('a folder with contents: a task, waited for; everything in it is gone', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'folder', 'delete', {
			folderId: rl('/报表', 'path'),
		});
		expect(output![0].json).toMatchObject({
			dentryId: '2006',
			deleted: true,
			toRecycleBin: true,
			async: true,
			taskStatus: 'SUCCESS',
		});
		const listed = await runStorage(emulator, 'folder', 'list', {
			returnAll: true,
			options: { recursive: true },
		});
		expect(listed.output!.some((item) => String(item.json.path).startsWith('/报表'))).toBe(false);
	});

	test('a space without a recycle bin (Knowledge Base) says so', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(
			emulator,
			'file',
			'delete',
			{ spaceId: rl(EMULATOR_DEFAULTS.knowledgeBaseSpaceId), dentryId: rl('3201') },
			{ continueOnFail: true },
		);
		expect(output![0].json).toMatchObject({ code: 'recycleBinNotSupport' });
		expect(output![0].json.error).toContain('no recycle bin');
		expect(output![0].json.description).toContain('Move to Recycle Bin');
		const forGood = await runStorage(emulator, 'file', 'delete', {
			spaceId: rl(EMULATOR_DEFAULTS.knowledgeBaseSpaceId),
			dentryId: rl('3201'),
			options: { toRecycleBin: false },
		});
		expect(forGood.output![0].json.deleted).toBe(true);
	});

	test("the space's root cannot be deleted, renamed or moved: refused before any request", async () => {
		const { emulator } = ctx;
		for (const [operation, extra] of [
			['delete', {}],
			['rename', { newName: 'x' }],
			['move', { targetFolderId: rl('2009') }],
		] as const) {
			const { output } = await runStorage(
				emulator,
				'folder',
				operation,
				{ folderId: rl('/', 'path'), ...extra },
				{ continueOnFail: true },
			);
			expect(output![0].json).toMatchObject({ code: 'invalidParameter', field: 'folderId' });
		}
		expect(
			emulator.log.filter((entry) => /rename|move|DELETE/.test(`${entry.method} ${entry.path}`)),
		).toEqual([]);
	});
});
