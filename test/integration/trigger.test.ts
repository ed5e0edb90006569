/**
 * The DingTalk Storage Trigger's polls in n8n-core's PollContext against the emulator's
 * tree, with the workflow's static data carried from poll to poll as n8n saves it:
 * the baseline, every kind of change, filters, manual runs, failures that keep the state,
 * downloads, and the number of API calls a poll costs.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	appCredentials,
	binarySha256,
	callsTo,
	rl,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { runPoll, type PollResult } from '../harness/n8n';

const ctx = useEmulator('filesystem');
const SPACE = '1000';

/** A watcher of one folder: polls with the state the previous poll left. */
function watcher(emulator: Emulator, parameters: IDataObject = {}) {
	let staticData: string | undefined;
	const base = {
		spaceId: rl(SPACE),
		folderId: rl('0'),
		unionId: emulator.unionId,
		events: ['created', 'updated', 'deleted'],
		options: {},
	};
	return {
		async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<PollResult> {
			const result = await runPoll({
				parameters: { ...base, ...parameters },
				credentials: appCredentials(emulator),
				staticData,
				mode,
			});
			if (mode === 'trigger') staticData = result.staticData;
			return result;
		},
		get staticData() {
			return staticData;
		},
	};
}

function summary(result: PollResult) {
	return (result.output ?? []).map((item) => [item.json.event, item.json.name, item.json.changes]);
}

describe('changes between polls', () => {
	test('the first poll records a baseline and emits nothing; an unchanged folder stays quiet', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator);
		const first = await watch.poll();
		expect(first.error).toBeUndefined();
		expect(first.output).toBeNull();
		expect(JSON.parse(first.staticData)).toHaveProperty('node:DingTalk Trigger.watch.entries.1004');
		expect((await watch.poll()).output).toBeNull();
	});

	test('created, updated (content, renamed, moved within the tree), deleted: one item each, oldest first, with previous', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { recursive: true } });
		await watch.poll();
		emulator.drive.addFile(SPACE, '2009', '新合同.pdf', { at: '2026-03-01T00:00:00Z' });
		emulator.drive.editFile('3001', { at: '2026-03-02T00:00:00Z' });
		emulator.drive.rename(SPACE, '1004', 'notes-v2.md');
		emulator.drive.move(SPACE, '3002', { targetSpaceId: SPACE, targetFolderId: '2005' });
		emulator.drive.remove(SPACE, '1006', true);
		const { output, error } = await watch.poll();
		expect(error).toBeUndefined();
		const byName = Object.fromEntries(output!.map((item) => [String(item.json.name), item.json]));
		expect(byName['新合同.pdf']).toMatchObject({
			event: 'created',
			changes: [],
			spaceId: SPACE,
			parentId: '2009',
			path: '/空文件夹/新合同.pdf',
			type: 'FILE',
		});
		expect(byName['新合同.pdf'].dentryId).toBe(byName['新合同.pdf'].id);
		expect(byName['合同-2025-001.pdf']).toMatchObject({
			event: 'updated',
			changes: ['content'],
			dentryId: '3001',
			version: 2,
		});
		expect(byName['合同-2025-001.pdf'].previous).toMatchObject({
			version: 1,
			name: '合同-2025-001.pdf',
			path: '/合同/2025/合同-2025-001.pdf',
		});
		expect(byName['notes-v2.md']).toMatchObject({
			event: 'updated',
			changes: ['renamed'],
			previous: { name: 'notes.md', path: '/notes.md' },
		});
		expect(byName['合同-2025-002.pdf']).toMatchObject({
			event: 'updated',
			changes: ['moved'],
			parentId: '2005',
			previous: { parentId: '2002' },
		});
		expect(byName['empty.txt']).toMatchObject({
			event: 'deleted',
			changes: [],
			dentryId: '1006',
			previous: { path: '/empty.txt' },
		});
		expect(output).toHaveLength(5);
		// Oldest first: the two with old times (the deletion, then the rest) before the March ones.
		const times = output!.map((item) =>
			String(
				(item.json.modifiedTime as string | undefined) ??
					(item.json.previous as IDataObject).modifiedTime,
			),
		);
		expect(times).toEqual([...times].sort());
		expect((await watch.poll()).output).toBeNull();
	});

	test('moved in from outside the watched folder is created; moved out is deleted', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, {
			folderId: rl('/合同', 'path'),
			options: { recursive: true },
		});
		await watch.poll();
		emulator.drive.move(SPACE, '1005', { targetSpaceId: SPACE, targetFolderId: '2002' });
		emulator.drive.move(SPACE, '3005', { targetSpaceId: SPACE, targetFolderId: '2008' });
		const { output } = await watch.poll();
		expect(summary({ output } as PollResult).sort()).toEqual([
			['created', '设计稿 v2.zip', []],
			['deleted', '合同-2026-补充协议.docx', []],
		]);
	});

	test('by default only created and updated are reported', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { events: undefined });
		await watch.poll();
		emulator.drive.remove(SPACE, '1004', false);
		emulator.drive.addFile(SPACE, '0', 'x.txt');
		const { output } = await runPoll({
			parameters: { spaceId: rl(SPACE), folderId: rl('0'), unionId: emulator.unionId, options: {} },
			credentials: appCredentials(emulator),
			staticData: watch.staticData,
		});
		expect(output!.map((item) => item.json.event)).toEqual(['created']);
	});

	test('recursion stops at Max Depth; File Extensions and Include Folders decide what is reported', async () => {
		const { emulator } = ctx;
		const shallow = watcher(emulator, {
			options: { recursive: true, maxDepth: 2, fileExtensions: 'pdf, .DOCX' },
		});
		await shallow.poll();
		emulator.drive.addFile(SPACE, '2004', 'deep.pdf');
		emulator.drive.addFile(SPACE, '2001', 'top.pdf');
		emulator.drive.addFile(SPACE, '2001', 'top.xlsx');
		emulator.drive.addFile(SPACE, '2001', 'top.docx');
		expect(
			summary(await shallow.poll())
				.map(([, name]) => name)
				.sort(),
		).toEqual(['top.docx', 'top.pdf']);
		const folders = watcher(emulator, { options: { includeFolders: true } });
		await folders.poll();
		emulator.drive.createFolder(SPACE, '0', '新文件夹', 'AUTO_RENAME');
		expect(summary(await folders.poll())).toEqual([['created', '新文件夹', []]]);
	});

	test('changing what is watched starts a new baseline instead of reporting everything', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator);
		await watch.poll();
		const moved = await runPoll({
			parameters: {
				spaceId: rl(SPACE),
				folderId: rl('2007'),
				unionId: emulator.unionId,
				events: ['created', 'deleted'],
				options: {},
			},
			credentials: appCredentials(emulator),
			staticData: watch.staticData,
		});
		expect(moved.output).toBeNull();
	});
});

describe('manual runs (Fetch Test Event)', () => {
	test('the newest file as a sample created item; the saved state is not touched', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { recursive: true } });
		await watch.poll();
		const saved = watch.staticData;
		emulator.drive.addFile(SPACE, '2008', 'newest.png', { at: '2030-01-01T00:00:00Z' });
		const sample = await watch.poll('manual');
		expect(sample.output).toHaveLength(1);
		expect(sample.output![0].json).toMatchObject({
			event: 'created',
			name: 'newest.png',
			changes: [],
		});
		expect(watch.staticData).toBe(saved);
		// The real poll still sees the new file.
		expect(summary(await watch.poll())).toEqual([['created', 'newest.png', []]]);
	});

	test('an empty folder says so', async () => {
		const { emulator } = ctx;
		const { error } = await watcher(emulator, { folderId: rl('2009') }).poll('manual');
		expect(error?.message).toContain('no file to show as a sample');
	});
});

describe('failures keep the state: the next poll sees the same changes', () => {
	test.each([
		[
			'a listing failing on its second page (QPS, after the retries)',
			'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
			5,
		],
		['the monthly quota used up', 'Forbidden.AccessDenied.ApiCountLimitForOrg', 1],
		['DingTalk failing (5xx)', 'systemError', 1],
	])(
		'%s',
		async (_name, code, count) => {
			const { emulator } = ctx;
			const watch = watcher(emulator, { folderId: rl('2007') });
			await watch.poll();
			const before = watch.staticData;
			emulator.drive.addFile(SPACE, '2007', '月报-2026-12.xlsx');
			emulator.failNextApiCalls(code, count, 'dentries.list', 1);
			const failed = await watch.poll();
			expect(failed.output).toBeUndefined();
			expect(failed.error?.message).toContain(code);
			expect(watch.staticData).toBe(before);
			expect(summary(await watch.poll())).toEqual([['created', '月报-2026-12.xlsx', []]]);
		},
		60_000,
	);

	test('a permission error says which permission and user to fix', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls('permissionDenied', 1, 'dentries.list');
		const { error } = await watcher(emulator).poll();
		expect(error?.name).toBe('NodeApiError');
		expect(error?.description).toContain('Storage.File.Read');
	});
});

describe('Download Files', () => {
	test('created and updated files come with their bytes; deleted ones without', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { download: true, binaryPropertyName: 'file' } });
		await watch.poll();
		const added = emulator.drive.addFile(SPACE, '0', 'report.pdf', { size: 70_000 });
		emulator.drive.editFile('1004');
		emulator.drive.remove(SPACE, '1006', true);
		const { output, error } = await watch.poll();
		expect(error).toBeUndefined();
		const byName = Object.fromEntries(output!.map((item) => [String(item.json.name), item]));
		expect(await binarySha256(byName['report.pdf'].binary!.file)).toBe(emulator.sha256(added.id));
		expect(await binarySha256(byName['notes.md'].binary!.file)).toBe(emulator.sha256('1004'));
		expect(emulator.sha256('1004')).not.toBe(emulator.sha256('1004', 0, undefined, 1));
		expect(byName['empty.txt'].binary).toBeUndefined();
	});

	test('a file over Max Download Size is reported without binary, with the reason', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { download: true, maxDownloadSize: 1000 } });
		await watch.poll();
		emulator.drive.addFile(SPACE, '0', 'big.bin', { size: 5000 });
		const { output } = await watch.poll();
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.downloadSkipped).toContain('5000 bytes');
	});

	test('a file that can never be downloaded is reported on its own item; the good file beside it arrives; the next poll is quiet', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { download: true } });
		await watch.poll();
		const denied = emulator.drive.addFile(SPACE, '0', 'secret.pdf', { at: '2026-05-01T00:00:00Z' });
		const good = emulator.drive.addFile(SPACE, '0', 'good.pdf', { at: '2026-05-02T00:00:00Z' });
		emulator.setFault(denied.id, { downloadInfoError: 'permissionDenied' });
		const { output, error } = await watch.poll();
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.name)).toEqual(['secret.pdf', 'good.pdf']);
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.downloadError).toMatchObject({
			code: 'permissionDenied',
			retryable: false,
			message: expect.stringContaining('HTTP 403'),
		});
		expect(await binarySha256(output![1].binary!.data)).toBe(emulator.sha256(good.id));
		emulator.apiCounts.clear();
		expect((await watch.poll()).output).toBeNull();
		expect(callsTo(emulator, 'downloadInfos.query')).toBe(0);
	});

	test('a temporary failure fails the poll (state kept); the same file failing 3 polls in a row is then reported and the watch moves on', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { download: true } });
		await watch.poll();
		const before = watch.staticData;
		const flaky = emulator.drive.addFile(SPACE, '0', 'flaky.pdf');
		emulator.setFault(flaky.id, { downloadInfoError: 'systemError' });
		for (const poll of [1, 2]) {
			const failed = await watch.poll();
			expect([poll, failed.error?.message]).toEqual([poll, expect.stringContaining('systemError')]);
			expect(watch.staticData).toBe(before);
		}
		const third = await watch.poll();
		expect(third.error).toBeUndefined();
		expect(third.output!.map((item) => [item.json.name, item.binary])).toEqual([
			['flaky.pdf', undefined],
		]);
		expect(third.output![0].json.downloadError).toMatchObject({
			code: 'systemError',
			retryable: true,
		});
		expect((await watch.poll()).output).toBeNull();
	});

	test('a temporary failure that clears delivers the file with its bytes, and the count starts again', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { download: true } });
		await watch.poll();
		const added = emulator.drive.addFile(SPACE, '0', 'later.pdf');
		emulator.setFault(added.id, { downloadInfoError: 'systemError' });
		expect((await watch.poll()).error).toBeDefined();
		emulator.clearFaults();
		const retried = await watch.poll();
		expect(retried.output!.map((item) => item.json.name)).toEqual(['later.pdf']);
		expect(await binarySha256(retried.output![0].binary!.data)).toBe(emulator.sha256(added.id));
	});
});

describe('Max Items per Poll', () => {
	test('changes beyond it wait for the next poll, oldest first; each is delivered once', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { options: { maxItemsPerPoll: 2, download: true } });
		await watch.poll();
		for (let day = 1; day <= 5; day++)
			emulator.drive.addFile(SPACE, '0', `day-${day}.txt`, { at: `2026-06-0${day}T00:00:00Z` });
		emulator.drive.remove(SPACE, '1006', true);
		const names: string[][] = [];
		for (let poll = 0; poll < 4; poll++)
			names.push(
				((await watch.poll()).output ?? []).map((item) => `${item.json.event} ${item.json.name}`),
			);
		expect(names).toEqual([
			['deleted empty.txt', 'created day-1.txt'],
			['created day-2.txt', 'created day-3.txt'],
			['created day-4.txt', 'created day-5.txt'],
			[],
		]);
	});
});

describe('no deletion from a short or odd listing', () => {
	/** A watcher of the flat folder 2007 (125 entries, 3 pages) with deletions on, after its baseline. */
	async function watchingPagedFolder(emulator: Emulator) {
		const watch = watcher(emulator, { folderId: rl('2007') });
		await watch.poll();
		return watch;
	}

	test.each([
		[
			'a page token that comes back',
			(answer: IDataObject, query: Record<string, string>) =>
				query.nextToken ? { ...answer, nextToken: query.nextToken } : answer,
			'listing is incomplete',
		],
		[
			'an answer without its list',
			(answer: IDataObject, query: Record<string, string>) =>
				query.nextToken ? { nextToken: answer.nextToken } : answer,
			'no "dentries" list',
		],
	])(
		'%s fails the poll; the state stays; nothing is reported deleted',
		async (_name, rewrite, message) => {
			const { emulator } = ctx;
			const watch = await watchingPagedFolder(emulator);
			const before = watch.staticData;
			emulator.rewriteListings(rewrite);
			const failed = await watch.poll();
			expect(failed.output).toBeUndefined();
			expect(failed.error?.message).toContain(message);
			expect(watch.staticData).toBe(before);
			emulator.rewriteListings(undefined);
			expect((await watch.poll()).output).toBeNull();
		},
	);

	test('a second page that fails fails the poll; nothing is reported deleted', async () => {
		const { emulator } = ctx;
		const watch = await watchingPagedFolder(emulator);
		const before = watch.staticData;
		emulator.failNextApiCalls('systemError', 1, 'dentries.list', 1);
		const failed = await watch.poll();
		expect(failed.error?.message).toContain('systemError');
		expect(watch.staticData).toBe(before);
		expect((await watch.poll()).output).toBeNull();
	});

	test('an entry a complete-looking listing lacks is checked: still there, so nothing is reported (and it is not forgotten)', async () => {
		const { emulator } = ctx;
		const watch = await watchingPagedFolder(emulator);
		const hidden = String(
			(emulator.drive.list(SPACE, { parentId: '2007' }).dentries as IDataObject[])[0].id,
		);
		emulator.rewriteListings((answer) => ({
			...answer,
			dentries: (answer.dentries as IDataObject[]).filter((entry) => entry.id !== hidden),
		}));
		emulator.apiCounts.clear();
		expect((await watch.poll()).output).toBeNull();
		expect(callsTo(emulator, 'dentries.query')).toBe(1);
		emulator.rewriteListings(undefined);
		expect((await watch.poll()).output).toBeNull();
	});

	test('a deleted file is confirmed by its details (gone, or in the recycle bin) and reported once', async () => {
		const { emulator } = ctx;
		const watch = await watchingPagedFolder(emulator);
		const [first, second] = (
			emulator.drive.list(SPACE, { parentId: '2007' }).dentries as IDataObject[]
		).map((entry) => String(entry.id));
		emulator.drive.remove(SPACE, first, true);
		emulator.drive.remove(SPACE, second, false);
		emulator.apiCounts.clear();
		const { output } = await watch.poll();
		expect(output!.map((item) => [item.json.event, item.json.dentryId]).sort()).toEqual(
			[
				['deleted', first],
				['deleted', second],
			].sort(),
		);
		expect(callsTo(emulator, 'dentries.query')).toBe(2);
		expect((await watch.poll()).output).toBeNull();
	});

	test('many vanishing at once wait for a second complete listing: hidden once, nothing is reported; gone twice, all are', async () => {
		const { emulator } = ctx;
		const watch = await watchingPagedFolder(emulator);
		const ids = (emulator.drive.list(SPACE, { parentId: '2007' }).dentries as IDataObject[])
			.slice(0, 30)
			.map((entry) => String(entry.id));
		emulator.rewriteListings((answer) => ({
			...answer,
			dentries: (answer.dentries as IDataObject[]).filter(
				(entry) => !ids.includes(String(entry.id)),
			),
		}));
		emulator.apiCounts.clear();
		expect((await watch.poll()).output).toBeNull();
		expect(callsTo(emulator, 'dentries.query')).toBe(0);
		emulator.rewriteListings(undefined);
		expect((await watch.poll()).output).toBeNull();
		for (const id of ids) emulator.drive.remove(SPACE, id, true);
		expect((await watch.poll()).output).toBeNull();
		const { output } = await watch.poll();
		expect(output!.map((item) => item.json.dentryId).sort()).toEqual([...ids].sort());
		expect(output!.every((item) => item.json.event === 'deleted')).toBe(true);
		expect((await watch.poll()).output).toBeNull();
	});
});

describe('eventId', () => {
	test('every item has one; the same changes seen again from the same state get the same IDs', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator);
		await watch.poll();
		const state = watch.staticData;
		emulator.drive.addFile(SPACE, '0', 'again.pdf');
		emulator.drive.editFile('1004');
		const parameters = {
			spaceId: rl(SPACE),
			folderId: rl('0'),
			unionId: emulator.unionId,
			events: ['created', 'updated', 'deleted'],
			options: {},
		};
		const first = await runPoll({
			parameters,
			credentials: appCredentials(emulator),
			staticData: state,
		});
		const replay = await runPoll({
			parameters,
			credentials: appCredentials(emulator),
			staticData: state,
		});
		const ids = first.output!.map((item) => item.json.eventId);
		expect(ids).toHaveLength(2);
		expect(ids.every((id) => typeof id === 'string' && id.length > 10)).toBe(true);
		expect(replay.output!.map((item) => item.json.eventId)).toEqual(ids);
	});
});

describe('the watched folder must be a folder', () => {
	test('a file given by ID is refused by name at the first poll, before any listing', async () => {
		const { emulator } = ctx;
		const { error } = await watcher(emulator, { folderId: rl('1004') }).poll();
		expect(error?.message).toContain('1004 ("notes.md") is a file, not a folder');
		expect(callsTo(emulator, 'dentries.list')).toBe(0);
	});
});

describe('API calls per poll', () => {
	test.each([
		['a flat folder of 125 entries', { folderId: rl('2007') }, 3],
		['the root, not recursive (7 entries)', {}, 1],
		['the whole tree of 146 entries (9 folders)', { options: { recursive: true } }, 1 + 8 + 3],
	])(
		'%s: one listing call per 50 entries per folder, nothing per file',
		async (_name, parameters, calls) => {
			const { emulator } = ctx;
			const watch = watcher(emulator, parameters as IDataObject);
			await watch.poll();
			emulator.apiCounts.clear();
			await watch.poll();
			expect(callsTo(emulator, 'dentries.list')).toBe(calls);
			expect([...emulator.apiCounts.values()].reduce((sum, count) => sum + count, 0)).toBe(calls);
		},
	);
});

describe('Watch: File', () => {
	test("one file watched: its new version and its rename are updated, a move too (never a deletion); the others' changes cost nothing and say nothing", async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, { watch: 'file', fileId: rl('3001') });
		const first = await watch.poll();
		expect(first.error).toBeUndefined();
		expect(first.output).toBeNull();
		// One details call per poll, no listing.
		const listings = callsTo(emulator, 'dentries.list');
		emulator.drive.editFile('3002', { at: '2026-03-01T00:00:00Z' });
		expect((await watch.poll()).output).toBeNull();
		emulator.drive.editFile('3001', { at: '2026-03-02T00:00:00Z' });
		const edited = await watch.poll();
		expect(summary(edited)).toEqual([['updated', '合同-2025-001.pdf', ['content']]]);
		emulator.drive.rename(SPACE, '3001', '合同-2025-001-终版.pdf');
		expect(summary(await watch.poll())).toEqual([
			['updated', '合同-2025-001-终版.pdf', ['renamed']],
		]);
		emulator.drive.move(SPACE, '3001', { targetSpaceId: SPACE, targetFolderId: '2009' });
		const moved = await watch.poll();
		expect(moved.output![0].json).toMatchObject({ event: 'updated', parentId: '2009' });
		expect(callsTo(emulator, 'dentries.list')).toBe(listings);
	});

	test('its deletion (to the recycle bin) is reported once; a file put at its path again is watched from then on; a folder given as the file is refused', async () => {
		const { emulator } = ctx;
		const watch = watcher(emulator, {
			watch: 'file',
			fileId: rl('/合同/2025/合同-2025-002.pdf', 'path'),
		});
		await watch.poll();
		emulator.drive.remove(SPACE, '3002', true);
		const deleted = await watch.poll();
		expect(summary(deleted)).toEqual([['deleted', '合同-2025-002.pdf', []]]);
		expect((await watch.poll()).output).toBeNull();
		// Put there again (deleted and uploaded anew, as some programs replace a file): the
		// path now names the new file, which is reported as created, then watched.
		const again = emulator.drive.addFile(SPACE, '2002', '合同-2025-002.pdf') as { id: string };
		const created = await watch.poll();
		expect(summary(created)).toEqual([['created', '合同-2025-002.pdf', []]]);
		expect(created.output![0].json.dentryId).toBe(again.id);
		emulator.drive.editFile(again.id, { at: '2026-03-03T00:00:00Z' });
		expect(summary(await watch.poll())).toEqual([['updated', '合同-2025-002.pdf', ['content']]]);
		expect((await watch.poll()).output).toBeNull();
		const folder = await watcher(emulator, { watch: 'file', fileId: rl('2002') }).poll();
		expect(folder.error?.message).toMatch(
			/"fileId": 2002 .* is a folder, not a file: use Watch: Folder/,
		);
	});
});
