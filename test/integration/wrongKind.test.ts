/**
 * The right kind of item, always: every file operation refuses a folder and every folder
 * operation refuses a file, named by ID or by path, before anything is changed (DingTalk's
 * APIs take either, and a File → Delete given a folder's ID would take the whole tree).
 * Also: the listings behind Folder → List are complete or fail, and names match in any
 * Unicode spelling.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { EMULATOR_DEFAULTS } from '../../emulator';
import {
	appCredentials,
	download,
	rl,
	runStorage,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { DOWNLOAD_NODE_TYPE, runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');
const SPACE = EMULATOR_DEFAULTS.spaceId;
/** The folder /合同 (with sub-folders and files) and the file /notes.md of the seeded space. */
const FOLDER = '2001';
const FILE = '1004';

/** The APIs that change something, and the storage's uploads: none may be called by a refusal. */
const CHANGING_APIS = [
	'dentries.delete',
	'dentries.move',
	'dentries.copy',
	'dentries.rename',
	'folders.add',
	'uploadInfos.query',
	'multiPartUploadInfos.init',
	'multiPartUploadInfos.query',
	'files.commit',
];

function changesSent(emulator: Emulator): string[] {
	const changing = CHANGING_APIS.filter((api) => (emulator.apiCounts.get(api) ?? 0) > 0);
	const writes = emulator.log.filter(
		(entry) =>
			entry.method === 'DELETE' ||
			entry.method === 'PUT' ||
			/\/(rename|move|copy|folders|commit)\b/.test(entry.path),
	);
	return [...changing, ...writes.map((entry) => `${entry.method} ${entry.path}`)];
}

/** Everything under the seeded space, as the emulator holds it: must be the same after a refusal. */
function tree(emulator: Emulator): string {
	const walk = (folderId: string): unknown[] =>
		emulator.drive
			.children(SPACE, folderId)
			.map((entry: { id: string; name: string; type: string }) => [
				entry.id,
				entry.name,
				entry.type === 'FOLDER' ? walk(entry.id) : null,
			]);
	return JSON.stringify(walk('0'));
}

describe('file operations refuse a folder, before anything is sent that changes it', () => {
	test.each([
		['get', {}, 'Folder → List'],
		['download', { binaryPropertyName: 'data' }, undefined],
		['listVersions', {}, undefined],
		['copy', { targetFolderId: rl('2009') }, 'Folder → Copy'],
		['move', { targetFolderId: rl('2009') }, 'Folder → Move'],
		['rename', { newName: 'x' }, 'Folder → Rename'],
		['delete', {}, 'Folder → Delete'],
	])('File → %s given a folder by ID', async (operation, parameters, instead) => {
		const { emulator } = ctx;
		const before = tree(emulator);
		const { error } = await runStorage(emulator, 'file', operation, {
			dentryId: rl(FOLDER),
			...(parameters as IDataObject),
		});
		expect(error?.message).toContain(
			`Invalid "dentryId": ${FOLDER} ("合同") is a folder, not a file${instead ? `: use ${instead}` : ''}`,
		);
		expect(changesSent(emulator)).toEqual([]);
		expect(emulator.apiCounts.get('downloadInfos.query') ?? 0).toBe(0);
		expect(tree(emulator)).toBe(before);
	});

	test('File → Delete given a folder by path is refused too', async () => {
		const { emulator } = ctx;
		const { error } = await runStorage(emulator, 'file', 'delete', {
			dentryId: rl('/合同', 'path'),
		});
		expect(error?.message).toContain('"/合同" is a folder, not a file: use Folder → Delete');
		expect(changesSent(emulator)).toEqual([]);
	});

	test('under Continue On Fail the folder item fails on its own; the file item beside it is deleted', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(
			emulator,
			'file',
			'delete',
			{ dentryId: rl('={{ $json.id }}') },
			{ items: [{ id: FOLDER }, { id: FILE }], continueOnFail: true },
		);
		expect(output!.map((item) => [item.json.code ?? null, item.json.deleted ?? null])).toEqual([
			['invalidParameter', null],
			[null, true],
		]);
		expect(output![0].json).toMatchObject({
			field: 'dentryId',
			error: expect.stringContaining('is a folder, not a file'),
		});
		expect(emulator.drive.children(SPACE, '0').map((entry: { id: string }) => entry.id)).toContain(
			FOLDER,
		);
		expect(
			emulator.drive.children(SPACE, '0').map((entry: { id: string }) => entry.id),
		).not.toContain(FILE);
	});

	test('File → Upload into a file (as its parent folder) is refused before any upload call', async () => {
		const { emulator } = ctx;
		const source = path.join(mkdtempSync(path.join(tmpdir(), 'wrong-kind-')), 'a.txt');
		writeFileSync(source, 'hello');
		const { error } = await runStorage(
			emulator,
			'file',
			'upload',
			{ folderId: rl(FILE), binaryPropertyName: 'data' },
			{ binaries: [{ path: source }] },
		);
		expect(error?.message).toContain(`${FILE} ("notes.md") is a file, not a folder`);
		expect(changesSent(emulator)).toEqual([]);
	});

	test('File → Copy and Move into a file (as the target folder) are refused', async () => {
		const { emulator } = ctx;
		for (const operation of ['copy', 'move']) {
			const { error } = await runStorage(emulator, 'file', operation, {
				dentryId: rl('1005'),
				targetFolderId: rl(FILE),
			});
			expect(error?.message).toContain(
				`Invalid "targetFolderId": ${FILE} ("notes.md") is a file, not a folder`,
			);
		}
		expect(changesSent(emulator)).toEqual([]);
	});

	test('the Download node refuses a folder by name, before any download info is asked for', async () => {
		const { emulator } = ctx;
		const { error } = await runNode({
			nodeType: DOWNLOAD_NODE_TYPE,
			credentials: appCredentials(emulator),
			parameters: download(emulator, FOLDER),
		});
		expect(error?.message).toContain(`${FOLDER} ("合同") is a folder, not a file`);
		expect(emulator.apiCounts.get('downloadInfos.query') ?? 0).toBe(0);
	});

	test('one details call per item and execution: File → Get by ID reads the details once', async () => {
		const { emulator } = ctx;
		const { output } = await runStorage(emulator, 'file', 'get', { dentryId: rl(FILE) });
		expect(output![0].json).toMatchObject({ dentryId: FILE, name: 'notes.md' });
		expect(emulator.apiCounts.get('dentries.query')).toBe(1);
	});
});

describe('folder operations refuse a file, before anything is sent that changes it', () => {
	test.each([
		['list', {}, 'File → Get'],
		['create', { name: 'new' }, undefined],
		['copy', { targetFolderId: rl('2009') }, 'File → Copy'],
		['move', { targetFolderId: rl('2009') }, 'File → Move'],
		['rename', { newName: 'x' }, 'File → Rename'],
		['delete', {}, 'File → Delete'],
	])('Folder → %s given a file by ID', async (operation, parameters, instead) => {
		const { emulator } = ctx;
		const before = tree(emulator);
		const { error } = await runStorage(emulator, 'folder', operation, {
			folderId: rl(FILE),
			...(parameters as IDataObject),
		});
		expect(error?.message).toContain(
			`Invalid "folderId": ${FILE} ("notes.md") is a file, not a folder${instead ? `: use ${instead}` : ''}`,
		);
		expect(changesSent(emulator)).toEqual([]);
		expect(emulator.apiCounts.get('dentries.list') ?? 0).toBe(0);
		expect(tree(emulator)).toBe(before);
	});
});

describe('Folder → List is complete or fails', () => {
	test.each([
		[
			'a page token that comes back',
			(answer: IDataObject, query: Record<string, string>) =>
				query.nextToken ? { ...answer, nextToken: query.nextToken } : answer,
			'The listing is incomplete',
		],
		[
			'an answer without its list',
			(answer: IDataObject, query: Record<string, string>) =>
				query.nextToken ? { nextToken: answer.nextToken } : answer,
			'no "dentries" list',
		],
	])('Return All with %s fails: no partial list is output', async (_name, rewrite, message) => {
		const { emulator } = ctx;
		emulator.rewriteListings(rewrite);
		const { output, error } = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('2007'),
			returnAll: true,
		});
		expect(output).toBeUndefined();
		expect(error?.message).toContain(message);
	});

	test('Return All with a failing second page fails', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls('systemError', 1, 'dentries.list', 1);
		const { output, error } = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('2007'),
			returnAll: true,
		});
		expect(output).toBeUndefined();
		expect(error?.message).toContain('systemError');
	});
});

describe('names match in any Unicode spelling', () => {
	test('a path typed in decomposed form (NFD, as macOS gives it) finds the file DingTalk keeps in composed form (NFC)', async () => {
		const { emulator } = ctx;
		const added = emulator.drive.addFile(SPACE, '0', 'Café-報告.pdf'.normalize('NFC'));
		const { output, error } = await runStorage(emulator, 'file', 'get', {
			dentryId: rl('/Café-報告.pdf'.normalize('NFD'), 'path'),
		});
		expect(error).toBeUndefined();
		expect(output![0].json.dentryId).toBe(added.id);
	});
});
