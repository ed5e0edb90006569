/**
 * Files made and changed in place: File → Create From Text (UTF-8, through the upload
 * engine), File → Update Content (a new version of the same file), File → Revert to Version
 * (a new version with an old one's bytes), Folder → Create by path (each missing level made,
 * twice the same folder) and Upload's Create Missing Folders.
 */
import { createHash } from 'node:crypto';

import { callsTo, rl, runStorage, useEmulator, type Emulator } from '../harness/fixtures';
import { useInputFolder, writeInputFile } from '../harness/inputFiles';

const ctx = useEmulator('filesystem');
const input = useInputFolder();

const sha256 = (text: string) =>
	createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

function entry(emulator: Emulator, id: string) {
	return emulator.drive.entries.get(id) as {
		name: string;
		parentId: string;
		status: string;
		versions: Array<{ version: number }>;
	};
}

describe('file: create from text', () => {
	test('摘要.md from an expression, UTF-8 byte-exact; the default Auto Rename keeps both on a second run', async () => {
		const { emulator } = ctx;
		const summary = '# 摘要\n\n合同已签署。Total: 3 files ✓\n';
		const first = await runStorage(
			emulator,
			'file',
			'createFromText',
			{ folderId: rl('/合同/2026', 'path'), fileName: '摘要.md', content: '={{ $json.summary }}' },
			{ items: [{ summary }] },
		);
		const made = first.output![0].json;
		expect(made).toMatchObject({
			name: '摘要.md',
			parentId: '2005',
			uploadedBytes: Buffer.byteLength(summary),
		});
		expect(emulator.sha256(String(made.dentryId))).toBe(sha256(summary));
		const again = await runStorage(emulator, 'file', 'createFromText', {
			folderId: rl('2005'),
			fileName: '摘要.md',
			content: 'second',
		});
		expect(again.output![0].json.name).toBe('摘要(1).md');
	});

	test('an empty text makes an empty file; a number is written as text; an object is refused, naming the field', async () => {
		const { emulator } = ctx;
		const empty = await runStorage(emulator, 'file', 'createFromText', {
			fileName: 'empty.txt',
			content: '',
		});
		expect(empty.output![0].json).toMatchObject({ size: 0, uploadedBytes: 0 });
		const number = await runStorage(emulator, 'file', 'createFromText', {
			fileName: 'n.txt',
			content: '={{ 42 }}',
		});
		expect(emulator.sha256(String(number.output![0].json.dentryId))).toBe(sha256('42'));
		const object = await runStorage(emulator, 'file', 'createFromText', {
			fileName: 'o.txt',
			content: '={{ { a: 1 } }}',
		});
		expect(object.error?.message).toMatch(/"content": the content is object, not text/);
	});

	test('into a folder path that does not exist yet: refused, or made with Create Missing Folders', async () => {
		const { emulator } = ctx;
		const missing = await runStorage(emulator, 'file', 'createFromText', {
			folderId: rl('/报表/2026/12', 'path'),
			fileName: 'a.txt',
			content: 'x',
		});
		expect(missing.error?.message).toContain('there is no "2026" in /报表');
		const made = await runStorage(emulator, 'file', 'createFromText', {
			folderId: rl('/报表/2026/12', 'path'),
			fileName: 'a.txt',
			content: 'x',
			options: { createMissingFolders: true },
		});
		expect(made.output![0].json.path).toBe('/报表/2026/12/a.txt');
	});
});

/** Update Content of 3003, which someone renames after the node has read its details. */
async function updateRenamedMeanwhile(emulator: Emulator, path: string, continueOnFail: boolean) {
	emulator.rewriteDetails((answer: { dentry: { id: string } }) => {
		if (answer.dentry.id === '3003') {
			emulator.rewriteDetails(undefined);
			emulator.drive.rename('1000', '3003', '框架协议-2025-终版.docx');
		}
		return answer;
	});
	return await runStorage(
		emulator,
		'file',
		'updateContent',
		{ dentryId: rl('3003'), binaryPropertyName: 'data' },
		{ binaries: [{ path }], continueOnFail },
	);
}

describe('file: update content', () => {
	test('the input binary becomes a new version of the same file: ID, name and folder kept', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, 'anything.bin', 70_000, 11);
		const versions = entry(emulator, '3003').versions.length;
		const result = await runStorage(
			emulator,
			'file',
			'updateContent',
			{ dentryId: rl('3003'), binaryPropertyName: 'data' },
			{ binaries: [{ path: file.path }] },
		);
		expect(result.output![0].json).toMatchObject({
			dentryId: '3003',
			name: '框架协议-2025.docx',
			parentId: '2002',
			uploadedBytes: 70_000,
		});
		expect(entry(emulator, '3003').versions).toHaveLength(versions + 1);
		expect(emulator.sha256('3003')).toBe(file.sha256);
		expect(emulator.drive.children('1000', '2002')).toHaveLength(4);
	});

	test('renamed by someone between the read and the commit: still a new version of that file (the commit names it by ID), no second file', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, 'renamed.bin', 5_000, 12);
		const result = await updateRenamedMeanwhile(emulator, file.path, false);
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			dentryId: '3003',
			name: '框架协议-2025-终版.docx',
		});
		expect(emulator.sha256('3003')).toBe(file.sha256);
		expect(emulator.drive.children('1000', '2002')).toHaveLength(4);
	});

	test('the same where DingTalk goes by name only: the content lands in a new file, which the error names; the picked file is unchanged', async () => {
		const { emulator } = ctx;
		emulator.ignoreOverwriteDentryId();
		const file = await writeInputFile(input.folder, 'by-name.bin', 5_000, 13);
		const before = emulator.sha256('3003');
		const result = await updateRenamedMeanwhile(emulator, file.path, true);
		expect(result.output![0].json.code).toBe('fileChangedMeanwhile');
		expect(result.output![0].json.error).toContain('"框架协议-2025.docx"');
		expect(emulator.sha256('3003')).toBe(before);
		expect(emulator.drive.children('1000', '2002')).toHaveLength(5);
	});

	test('a folder is refused before anything is sent', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, 'x.bin', 1_000, 3);
		const result = await runStorage(
			emulator,
			'file',
			'updateContent',
			{ dentryId: rl('2002'), binaryPropertyName: 'data' },
			{ binaries: [{ path: file.path }] },
		);
		expect(result.error?.message).toMatch(/a folder, not a file/);
		expect(callsTo(emulator, 'uploadInfos.query')).toBe(0);
	});
});

describe('file: revert to version', () => {
	test("v3 reverted to v1: a v4 with v1's bytes; the versions between stay", async () => {
		const { emulator } = ctx;
		const v1 = emulator.sha256('1001', 0, undefined, 1);
		const result = await runStorage(emulator, 'file', 'revertToVersion', {
			dentryId: rl('1001'),
			version: 1,
		});
		expect(result.output![0].json).toMatchObject({ dentryId: '1001', version: 4, revertedTo: 1 });
		expect(emulator.sha256('1001')).toBe(v1);
		expect(entry(emulator, '1001').versions.map((each) => each.version)).toEqual([1, 2, 3, 4]);
	});

	test("a version that is not a whole number is refused before any call; one that does not exist is DingTalk's error", async () => {
		const { emulator } = ctx;
		const bad = await runStorage(emulator, 'file', 'revertToVersion', {
			dentryId: rl('1001'),
			version: '={{ "two" }}',
		});
		expect(bad.error?.message).toMatch(/"version": "two" is not a file version/);
		const missing = await runStorage(emulator, 'file', 'revertToVersion', {
			dentryId: rl('1001'),
			version: 9,
		});
		expect(missing.error?.message).toMatch(/Reverting the file to the version failed/);
		expect(entry(emulator, '1001').versions).toHaveLength(3);
	});
});

describe('folder: create by path', () => {
	test('/报表/2026/12 with two missing levels: made level by level; run twice, the same folder', async () => {
		const { emulator } = ctx;
		const first = await runStorage(emulator, 'folder', 'create', { name: '/报表/2026/12' });
		expect(first.output![0].json).toMatchObject({
			type: 'FOLDER',
			name: '12',
			path: '/报表/2026/12',
		});
		expect(callsTo(emulator, 'folders.add')).toBe(3);
		const again = await runStorage(emulator, 'folder', 'create', { name: '报表/2026/12' });
		expect(again.output![0].json.dentryId).toBe(first.output![0].json.dentryId);
		const reports = emulator.drive.children('1000', '2006') as Array<{ name: string }>;
		expect(reports.filter((each) => each.name === '2026')).toHaveLength(1);
	});

	test('three missing levels under a parent, created twice: the same folder; Auto Rename applies to the last level only', async () => {
		const { emulator } = ctx;
		const made = await runStorage(emulator, 'folder', 'create', {
			folderId: rl('2001'),
			name: 'a/b/c',
		});
		expect(made.output![0].json.path).toBe('/合同/a/b/c');
		const again = await runStorage(emulator, 'folder', 'create', {
			folderId: rl('2001'),
			name: 'a/b/c',
		});
		expect(again.output![0].json.dentryId).toBe(made.output![0].json.dentryId);
		const renamed = await runStorage(emulator, 'folder', 'create', {
			folderId: rl('2001'),
			name: 'a/b/c',
			options: { conflictStrategy: 'AUTO_RENAME' },
		});
		expect(renamed.output![0].json.path).toBe('/合同/a/b/c(1)');
	});

	test('a level that is a file, a bad name on the way, a path of slashes: clear errors, nothing made after the bad level', async () => {
		const { emulator } = ctx;
		const throughFile = await runStorage(emulator, 'folder', 'create', { name: 'notes.md/x' });
		expect(throughFile.error?.message).toMatch(/"name": "notes.md" is a file, not a folder/);
		const before = callsTo(emulator, 'folders.add');
		const badName = await runStorage(emulator, 'folder', 'create', { name: 'ok/b*d/c' });
		expect(badName.error?.message).toMatch(/"name": "b\*d" contains "\*"/);
		const slashes = await runStorage(emulator, 'folder', 'create', { name: '//' });
		expect(slashes.error?.message).toMatch(/"name": "\/\/" names no folder/);
		expect(callsTo(emulator, 'folders.add')).toBe(before);
	});
});

describe('file: upload, Create Missing Folders', () => {
	test('a parent folder path with missing levels is made; by ID the option changes nothing', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, 'scan.png', 5_000, 5);
		const result = await runStorage(
			emulator,
			'file',
			'upload',
			{
				folderId: rl('/收件/2026-12', 'path'),
				binaryPropertyName: 'data',
				options: { createMissingFolders: true },
			},
			{ binaries: [{ path: file.path }] },
		);
		expect(result.output![0].json.path).toBe('/收件/2026-12/scan.png');
		expect(emulator.sha256(String(result.output![0].json.dentryId))).toBe(file.sha256);
		const byId = await runStorage(
			emulator,
			'file',
			'upload',
			{ folderId: rl('2009'), binaryPropertyName: 'data', options: { createMissingFolders: true } },
			{ binaries: [{ path: file.path }] },
		);
		expect(byId.output![0].json.parentId).toBe('2009');
	});
});
