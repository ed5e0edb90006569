/**
 * The "DingTalk Storage" node's Recycle Bin resource: the bin found from the Corp ID (once
 * per execution), List (paged), Restore (one or many, conflict strategies, tasks awaited),
 * Delete Permanently (one or many, batched), Empty (only with EMPTY typed).
 */
import { EMULATOR_DEFAULTS } from '../../emulator';
import { callsTo, rl, runStorage, useEmulator, type Emulator } from '../harness/fixtures';

const ctx = useEmulator('filesystem');
const corpId = EMULATOR_DEFAULTS.corpId;

async function deleteToBin(emulator: Emulator, ...ids: string[]): Promise<void> {
	for (const id of ids) {
		const kind = emulator.drive.entries.get(id)?.type === 'FOLDER' ? 'folder' : 'file';
		const result = await runStorage(emulator, kind, 'delete', {
			[kind === 'folder' ? 'folderId' : 'dentryId']: rl(id),
		});
		expect(result.error).toBeUndefined();
	}
}

async function listBin(emulator: Emulator) {
	const result = await runStorage(emulator, 'recycleBin', 'list', { corpId, returnAll: true });
	expect(result.error).toBeUndefined();
	return (result.output ?? []).map((item) => item.json);
}

describe('recycle bin', () => {
	test('a deleted file is listed (newest first) and restored to its folder, with its ID', async () => {
		const { emulator } = ctx;
		await deleteToBin(emulator, '3001', '3002');
		const items = await listBin(emulator);
		expect(items.map((item) => [item.originalName, item.originalPath, item.type])).toEqual([
			['合同-2025-002.pdf', '/合同/2025/合同-2025-002.pdf', 'FILE'],
			['合同-2025-001.pdf', '/合同/2025/合同-2025-001.pdf', 'FILE'],
		]);
		expect(items[0].recycleItemId).toBe(items[0].id);
		const restored = await runStorage(emulator, 'recycleBin', 'restore', {
			corpId,
			recycleItemIds: String(items[1].id),
		});
		expect(restored.output![0].json).toMatchObject({
			recycleItemId: items[1].id,
			restored: true,
			spaceId: '1000',
			dentryId: '3001',
		});
		expect(emulator.drive.entries.get('3001')).toMatchObject({
			status: 'NORMAL',
			parentId: '2002',
		});
		expect(await listBin(emulator)).toHaveLength(1);
	});

	test('many restored in one call; a folder with contents waits for its task; a name taken there is auto-renamed', async () => {
		const { emulator } = ctx;
		await deleteToBin(emulator, '2003', '3003');
		// Something new of the same name where the file was.
		await runStorage(emulator, 'file', 'createFromText', {
			folderId: rl('2002'),
			fileName: '框架协议-2025.docx',
			content: 'new',
		});
		const ids = (await listBin(emulator)).map((item) => String(item.id));
		const before = callsTo(emulator, 'recycleItems.batchRestore');
		const restored = await runStorage(emulator, 'recycleBin', 'restore', {
			corpId,
			recycleItemIds: ids.join(', '),
		});
		expect(restored.error).toBeUndefined();
		expect(callsTo(emulator, 'recycleItems.batchRestore') - before).toBe(1);
		const byId = Object.fromEntries(
			restored.output!.map((item) => [item.json.dentryId, item.json]),
		);
		expect(byId['2003']).toMatchObject({ restored: true, async: true, taskStatus: 'SUCCESS' });
		expect(emulator.drive.entries.get('2004')?.status).toBe('NORMAL');
		const names = emulator.drive
			.children('1000', '2002')
			.map((entry: { name: string }) => entry.name)
			.sort();
		expect(names).toContain('框架协议-2025(1).docx');
		expect(names).toContain('框架协议-2025.docx');
	});

	test('Fail as conflict strategy: the item stays in the bin, the error says which failed', async () => {
		const { emulator } = ctx;
		await deleteToBin(emulator, '3003');
		await runStorage(emulator, 'file', 'createFromText', {
			folderId: rl('2002'),
			fileName: '框架协议-2025.docx',
			content: 'new',
		});
		const [item] = await listBin(emulator);
		const failed = await runStorage(
			emulator,
			'recycleBin',
			'restore',
			{
				corpId,
				recycleItemIds: String(item.id),
				options: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' },
			},
			{ continueOnFail: true },
		);
		expect(failed.output![0].json.code).toBe('dentryNameConflict');
		expect(await listBin(emulator)).toHaveLength(1);
	});

	test('deleted for good, one and many (batched by 50); the list pages', async () => {
		const { emulator } = ctx;
		const reports = emulator.drive.children('1000', '2007').slice(0, 60) as Array<{ id: string }>;
		await deleteToBin(emulator, ...reports.map((entry) => entry.id));
		const some = await runStorage(emulator, 'recycleBin', 'list', {
			corpId,
			returnAll: false,
			limit: 55,
		});
		expect(some.output).toHaveLength(55);
		expect(callsTo(emulator, 'recycleItems.list')).toBe(2);
		const ids = (await listBin(emulator)).map((item) => String(item.id));
		expect(ids).toHaveLength(60);
		const one = await runStorage(emulator, 'recycleBin', 'deletePermanently', {
			corpId,
			recycleItemIds: ids[0],
		});
		expect(one.output![0].json).toMatchObject({ recycleItemId: ids[0], deleted: true });
		const rest = await runStorage(emulator, 'recycleBin', 'deletePermanently', {
			corpId,
			recycleItemIds: ids.slice(1).join(','),
		});
		expect(rest.output).toHaveLength(59);
		expect(callsTo(emulator, 'recycleItems.batchRemove')).toBe(2);
		expect(await listBin(emulator)).toHaveLength(0);
		expect(emulator.drive.entries.get(reports[0].id)).toBeUndefined();
	});

	test('many IDs over several calls: a call that fails after others keeps what they did in the error; an ID left out of an answer is named', async () => {
		const { emulator } = ctx;
		const reports = (emulator.drive.children('1000', '2007') as Array<{ id: string }>).slice(0, 40);
		// Deleted in batches (one node run).
		const deleted = await runStorage(
			emulator,
			'file',
			'delete',
			{ dentryId: rl('={{ $json.id }}') },
			{ items: reports.map((entry) => ({ id: entry.id })) },
		);
		expect(deleted.error).toBeUndefined();
		const ids = (await listBin(emulator)).map((item) => String(item.id));
		expect(ids).toHaveLength(40);

		// Restore: the second of two calls fails; the first call's 30 stay reported as restored.
		emulator.failNextApiCalls('systemError', 1, 'recycleItems.batchRestore', 1);
		const restored = await runStorage(
			emulator,
			'recycleBin',
			'restore',
			{ corpId, recycleItemIds: ids.join(',') },
			{ continueOnFail: true },
		);
		const error = restored.output![0].json;
		expect(error.error).toMatch(/^Restoring failed for 10 of 40 items: /);
		expect(error.description).toContain(`These were done: ${ids.slice(0, 30).join(', ')}.`);
		expect(error.description).toMatch(
			/A call failed, so the items after it were not tried: .*system error/,
		);
		expect(await listBin(emulator)).toHaveLength(10);

		// Delete Permanently: DingTalk's answer leaves one ID out; it is named, not taken as done.
		const left = ids.slice(30);
		emulator.rewriteBatchAnswers(
			(answer: { resultItems: Array<{ recycleItemId: string }> }, api: string) =>
				api === 'recycleItems.batchRemove'
					? { resultItems: answer.resultItems.filter((result) => result.recycleItemId !== left[3]) }
					: answer,
		);
		const removed = await runStorage(
			emulator,
			'recycleBin',
			'deletePermanently',
			{ corpId, recycleItemIds: left.join(',') },
			{ continueOnFail: true },
		);
		expect(removed.output![0].json.error).toBe(
			`Deleting permanently failed for 1 of 10 items: ${left[3]} (noResultFromDingTalk)`,
		);
	});

	test('restore tasks still running after the Wait Timeout (one for all of them): may have been done, said so in their own words, never "nothing was done"', async () => {
		const { emulator } = ctx;
		await deleteToBin(emulator, '2003', '2007');
		const ids = (await listBin(emulator)).map((item) => String(item.id));
		emulator.drive.pollsUntilDone = 1_000;
		const restored = await runStorage(
			emulator,
			'recycleBin',
			'restore',
			{ corpId, recycleItemIds: ids.join(','), options: { waitTimeout: 1 } },
			{ continueOnFail: true },
		);
		const error = restored.output![0].json;
		expect(error.code).toBe('taskTimeout');
		expect(error.description).toMatch(
			/^These may have been done, so check them in Recycle Bin → List before running them again: /,
		);
		expect(error.description).not.toContain('Nothing was done');
		expect(String(error.description).match(/still running/g)).toHaveLength(2);
	});

	test('Empty runs only with EMPTY typed; the bin is found and emptied once per execution; a wrong Corp ID is explained', async () => {
		const { emulator } = ctx;
		await deleteToBin(emulator, '3001');
		// (Left empty, n8n itself refuses to run the node: the parameter is required.)
		for (const typed of ['empty', 'yes', 'EMPTY ALL']) {
			const refused = await runStorage(emulator, 'recycleBin', 'empty', {
				corpId,
				confirmEmpty: typed,
			});
			expect(refused.error?.message).toMatch(/"confirmEmpty": it must be EMPTY/);
		}
		expect(callsTo(emulator, 'recycleBins.clear')).toBe(0);
		expect(await listBin(emulator)).toHaveLength(1);
		const finds = callsTo(emulator, 'recycleBins.get');
		const emptied = await runStorage(
			emulator,
			'recycleBin',
			'empty',
			{ corpId, confirmEmpty: 'EMPTY' },
			{ items: [{}, {}] },
		);
		expect(emptied.output!.map((item) => item.json)).toEqual([
			{ success: true, emptied: true },
			{ success: true, emptied: true },
		]);
		expect(callsTo(emulator, 'recycleBins.get') - finds).toBe(1);
		// One clear for the two items: the bin is emptied once per execution.
		expect(callsTo(emulator, 'recycleBins.clear')).toBe(1);
		expect(await listBin(emulator)).toHaveLength(0);
		const wrong = await runStorage(emulator, 'recycleBin', 'list', {
			corpId: 'dingother',
			returnAll: true,
		});
		expect(wrong.error?.message).toContain('The recycle bin was not found');
		expect(wrong.error?.description).toContain('Check the Corp ID');
	});

	test("an ID that is not in the bin: DingTalk's not-found, explained", async () => {
		const { emulator } = ctx;
		const result = await runStorage(emulator, 'recycleBin', 'restore', {
			corpId,
			recycleItemIds: '1001',
		});
		expect(result.error?.message).toContain('The item is not in the recycle bin');
		expect(result.error?.description).toContain('a dentry ID rather than a recycle bin item ID');
	});

	test('bad input is refused before any call: no IDs, no Corp ID, a link as the Space', async () => {
		const { emulator } = ctx;
		const noIds = await runStorage(emulator, 'recycleBin', 'restore', {
			corpId,
			recycleItemIds: ' , ',
		});
		expect(noIds.error?.message).toMatch(/"recycleItemIds": no recycle bin item is given/);
		const noCorp = await runStorage(emulator, 'recycleBin', 'list', {
			corpId: '={{ "" }}',
			returnAll: true,
		});
		expect(noCorp.error?.message).toMatch(/"corpId": no Corp ID \(and no Space\) is given/);
		// A link names a document, not a space: refused by name, never sent as the bin's scope.
		const link = await runStorage(emulator, 'recycleBin', 'list', {
			binSpaceId: rl('https://alidocs.dingtalk.com/i/nodes/abc?sign=secret'),
			returnAll: true,
		});
		expect(link.error?.message).toMatch(/"binSpaceId"/);
		expect(link.error?.message).not.toContain('secret');
		expect(callsTo(emulator, 'recycleBins.get')).toBe(0);
	});

	test("without a Corp ID, a Drive space's recycle bin (⚠ SPACE scope); a Knowledge Base has none, explained", async () => {
		const { emulator } = ctx;
		await deleteToBin(emulator, '3001');
		const bySpace = await runStorage(emulator, 'recycleBin', 'list', {
			binSpaceId: rl('1000'),
			returnAll: true,
		});
		expect(bySpace.output!.map((item) => item.json.dentryId)).toEqual(['3001']);
		expect(
			emulator.log.some((entry) => entry.path.includes('recycleBinScope=SPACE&scopeId=1000')),
		).toBe(true);
		const knowledgeBase = await runStorage(emulator, 'recycleBin', 'list', {
			binSpaceId: rl('3000'),
			returnAll: true,
		});
		expect(knowledgeBase.error?.message).toContain('The recycle bin was not found');
	});
});
