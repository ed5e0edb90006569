/**
 * Delete, Move and Copy of many input items through DingTalk's batch calls: kinds checked
 * with batch details queries (30 at a time) before anything changes, then batchRemove (50),
 * batchMove (30), batchCopy (3); per-item results paired with their inputs; a lone item the
 * single way. The calls saved are counted here (the figures in the closing note).
 */
import type { IDataObject } from 'n8n-workflow';

import { MONTHLY_REPORTS } from '../../emulator';
import { callsTo, rl, runStorage, useEmulator, type Emulator } from '../harness/fixtures';

const ctx = useEmulator('filesystem');
const SPACE = '1000';

const reportIds = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ id: String(5001 + index) }));

function calls(emulator: Emulator, ...apis: string[]): Record<string, number> {
	return Object.fromEntries(apis.map((api) => [api, callsTo(emulator, api)]));
}

describe('batches', () => {
	test('120 files deleted: 4 details queries and 3 delete calls instead of 240 calls; each item paired, each file in the bin', async () => {
		const { emulator } = ctx;
		expect(MONTHLY_REPORTS).toBeGreaterThanOrEqual(120);
		const items: IDataObject[] = reportIds(120);
		const result = await runStorage(
			emulator,
			'file',
			'delete',
			{ dentryId: rl('={{ $json.id }}') },
			{ items },
		);
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(120);
		result.output!.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual({
				spaceId: SPACE,
				dentryId: String(5001 + index),
				deleted: true,
				toRecycleBin: true,
			});
		});
		expect(
			calls(
				emulator,
				'dentries.batchQuery',
				'dentries.batchRemove',
				'dentries.query',
				'dentries.delete',
			),
		).toEqual({
			'dentries.batchQuery': 4,
			'dentries.batchRemove': 3,
			'dentries.query': 0,
			'dentries.delete': 0,
		});
		expect(emulator.recycleBin.items).toHaveLength(120);
	});

	test('40 files moved: 2 queries and 2 move calls; each output is the moved file', async () => {
		const { emulator } = ctx;
		const result = await runStorage(
			emulator,
			'file',
			'move',
			{ dentryId: rl('={{ $json.id }}'), targetFolderId: rl('/空文件夹', 'path') },
			{ items: reportIds(40) },
		);
		expect(result.error).toBeUndefined();
		expect(result.output!.map((item) => [item.json.dentryId, item.json.parentId])).toEqual(
			reportIds(40).map(({ id }) => [id, '2009']),
		);
		expect(calls(emulator, 'dentries.batchQuery', 'dentries.batchMove', 'dentries.move')).toEqual({
			'dentries.batchQuery': 2,
			'dentries.batchMove': 2,
			'dentries.move': 0,
		});
	});

	test('7 files copied: batches of 3, the last one alone the single way', async () => {
		const { emulator } = ctx;
		const result = await runStorage(
			emulator,
			'file',
			'copy',
			{ dentryId: rl('={{ $json.id }}'), targetFolderId: rl('2009') },
			{ items: reportIds(7) },
		);
		expect(result.error).toBeUndefined();
		expect(result.output!.map((item) => item.json.parentId)).toEqual(Array(7).fill('2009'));
		expect(new Set(result.output!.map((item) => item.json.dentryId)).size).toBe(7);
		expect(calls(emulator, 'dentries.batchCopy', 'dentries.copy')).toEqual({
			'dentries.batchCopy': 2,
			'dentries.copy': 1,
		});
	});

	test('Continue On Fail: a missing file and a folder among them fail on their own items; the others are deleted', async () => {
		const { emulator } = ctx;
		const items = [{ id: '5001' }, { id: 'no-such-file' }, { id: '2003' }, { id: '5002' }];
		const result = await runStorage(
			emulator,
			'file',
			'delete',
			{ dentryId: rl('={{ $json.id }}') },
			{ items, continueOnFail: true },
		);
		const json = result.output!.map((item) => item.json);
		expect(json[0]).toMatchObject({ dentryId: '5001', deleted: true });
		expect(json[1]).toMatchObject({ code: 'dentryNotExist' });
		expect(json[2].error).toMatch(/2003 \("归档"\) is a folder, not a file: use Folder → Delete/);
		expect(json[3]).toMatchObject({ dentryId: '5002', deleted: true });
		expect(result.output!.map((item) => item.pairedItem)).toEqual(
			items.map((_, index) => ({ item: index })),
		);
		expect(emulator.drive.entries.get('2003')?.status).toBe('NORMAL');
	});

	test('without Continue On Fail, one bad item stops the node before anything is deleted', async () => {
		const { emulator } = ctx;
		const result = await runStorage(
			emulator,
			'file',
			'delete',
			{ dentryId: rl('={{ $json.id }}') },
			{ items: [{ id: '5001' }, { id: '5002' }, { id: '2003' }] },
		);
		expect(result.error?.message).toMatch(/is a folder, not a file/);
		expect(emulator.drive.entries.get('5001')?.status).toBe('NORMAL');
		expect(callsTo(emulator, 'dentries.batchRemove')).toBe(0);
	});

	test('folders with contents deleted in one call: each task waited for', async () => {
		const { emulator } = ctx;
		const result = await runStorage(
			emulator,
			'folder',
			'delete',
			{ folderId: rl('={{ $json.id }}') },
			{ items: [{ id: '2002' }, { id: '2008' }] },
		);
		expect(result.output!.map((item) => item.json)).toEqual([
			expect.objectContaining({
				dentryId: '2002',
				deleted: true,
				async: true,
				taskStatus: 'SUCCESS',
			}),
			expect.objectContaining({
				dentryId: '2008',
				deleted: true,
				async: true,
				taskStatus: 'SUCCESS',
			}),
		]);
		expect(callsTo(emulator, 'dentries.batchRemove')).toBe(1);
	});

	test('where the order could matter, one at a time as without batches: an item named twice, an item by path, a folder moved into another item', async () => {
		const { emulator } = ctx;
		const items = [{ id: '2002' }, { id: '2008' }, { id: '2002' }];
		const result = await runStorage(
			emulator,
			'folder',
			'delete',
			{ folderId: rl('={{ $json.id }}') },
			{ items, continueOnFail: true },
		);
		const json = result.output!.map((item) => item.json);
		expect(json[0]).toMatchObject({
			dentryId: '2002',
			deleted: true,
			async: true,
			taskStatus: 'SUCCESS',
		});
		expect(json[1]).toMatchObject({
			dentryId: '2008',
			deleted: true,
			async: true,
			taskStatus: 'SUCCESS',
		});
		// Already deleted by the first item: its own failure.
		expect(json[2]).toMatchObject({ code: 'dentryNotExist' });
		expect(callsTo(emulator, 'dentries.batchRemove')).toBe(0);
		expect(callsTo(emulator, 'dentries.delete')).toBe(3);
		// By path: item 2 names what item 1 has just moved there.
		const byPath = await runStorage(
			emulator,
			'file',
			'move',
			{ dentryId: rl('={{ $json.path }}', 'path'), targetFolderId: rl('={{ $json.to }}') },
			{
				items: [
					{ path: '/notes.md', to: '2001' },
					{ path: '/合同/notes.md', to: '2009' },
				],
			},
		);
		expect(byPath.output!.map((item) => item.json.parentId)).toEqual(['2001', '2009']);
		// A folder moved into a folder that another item moves.
		const nested = await runStorage(
			emulator,
			'folder',
			'move',
			{ folderId: rl('={{ $json.id }}'), targetFolderId: rl('={{ $json.to }}') },
			{
				items: [
					{ id: '2005', to: '2009' },
					{ id: '2009', to: '2006' },
				],
			},
		);
		expect(nested.error).toBeUndefined();
		expect(emulator.drive.entries.get('2005')?.parentId).toBe('2009');
		expect(emulator.drive.entries.get('2009')?.parentId).toBe('2006');
		expect(callsTo(emulator, 'dentries.batchMove')).toBe(0);
		// The same across spaces: item 1's target (2101) is item 2, in the other space.
		const queries = callsTo(emulator, 'dentries.batchQuery');
		const across = await runStorage(
			emulator,
			'folder',
			'move',
			{
				spaceId: rl('={{ $json.space }}'),
				folderId: rl('={{ $json.id }}'),
				targetSpaceId: rl('={{ $json.toSpace }}'),
				targetFolderId: rl('={{ $json.to }}'),
			},
			{
				items: [
					{ space: SPACE, id: '2007', toSpace: '2000', to: '2101' },
					{ space: '2000', id: '2101', toSpace: SPACE, to: '2008' },
				],
				continueOnFail: true,
			},
		);
		expect(across.output).toHaveLength(2);
		// One at a time (each item's own details and move), not checked and moved in batches.
		expect(callsTo(emulator, 'dentries.batchQuery')).toBe(queries);
		expect(callsTo(emulator, 'dentries.batchMove')).toBe(0);
	});

	test('without Continue On Fail, a failed call stops the node: the calls after it are not made, and the error says what was changed', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls('systemError', 5, 'dentries.batchRemove', 1);
		const result = await runStorage(
			emulator,
			'file',
			'delete',
			{ dentryId: rl('={{ $json.id }}') },
			{ items: reportIds(120) },
		);
		expect(result.error?.message).toContain('DingTalk reported a system error');
		expect(result.error?.description).toMatch(
			/Items changed before this failure \(by position\): 1, 2, .*, 50\. Items not listed were not changed/,
		);
		expect(emulator.drive.entries.get('5050')?.status).toBe('DELETED');
		expect(emulator.drive.entries.get('5051')?.status).toBe('NORMAL');
		expect(emulator.drive.entries.get('5120')?.status).toBe('NORMAL');
	});

	test('an answer that leaves an item out, or says nothing readable about it: that item may have been changed (never reported as failed-and-safe), the others keep their results', async () => {
		const { emulator } = ctx;
		// DingTalk copied all three; its answer drops 5002's result and garbles 5003's.
		emulator.rewriteBatchAnswers((answer: { resultItems: IDataObject[] }) => ({
			resultItems: answer.resultItems
				.filter((result) => result.dentryId !== '5002')
				.map((result) =>
					result.dentryId === '5003' ? { ...result, dentry: { name: 'no id' } } : result,
				),
		}));
		const copied = await runStorage(
			emulator,
			'file',
			'copy',
			{ dentryId: rl('={{ $json.id }}'), targetFolderId: rl('2009') },
			{ items: reportIds(3), continueOnFail: true },
		);
		expect(copied.error).toBeUndefined();
		const [first, left, garbled] = copied.output!;
		expect(first.json).toMatchObject({ parentId: '2009' });
		for (const [item, index] of [
			[left, 1],
			[garbled, 2],
		] as const) {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.code).toBe('outcomeUnknown');
			expect(item.json.error).toContain('it may have been changed');
			expect(item.json.description).toMatch(/Check the item in DingTalk before running/);
		}
		// They were copied: a rerun would copy them twice.
		expect(emulator.drive.children(SPACE, '2009')).toHaveLength(3);

		// Without Continue On Fail: the node stops, naming what was changed and what may have been.
		emulator.reset();
		emulator.rewriteBatchAnswers((answer: { resultItems: IDataObject[] }) => ({
			resultItems: answer.resultItems.filter((result) => result.dentryId !== '5012'),
		}));
		const moved = await runStorage(
			emulator,
			'file',
			'move',
			{ dentryId: rl('={{ $json.id }}'), targetFolderId: rl('2009') },
			{ items: reportIds(40) },
		);
		expect(moved.error?.message).toContain('the answer has no result for 5012');
		expect(moved.error?.description).toMatch(
			/Items changed before this failure \(by position\): 1, 2, .*, 11, 13, .*, 30\. Items that may have been changed \(check them before running again\): 12\. Items not listed were not changed/,
		);
		expect(callsTo(emulator, 'dentries.batchMove')).toBe(1);
		expect(emulator.drive.entries.get('5012')?.parentId).toBe('2009');
		expect(emulator.drive.entries.get('5031')?.parentId).not.toBe('2009');
	});

	test('a move done in a batch stays reported as done when the read after it fails', async () => {
		const { emulator } = ctx;
		// The answer without the moved items; the first read after it fails.
		emulator.rewriteBatchAnswers((answer: { resultItems: IDataObject[] }) => {
			emulator.failNextApiCalls('systemError', 1, 'dentries.query');
			return {
				resultItems: answer.resultItems.map((result) => {
					const { dentry, ...rest } = result;
					return dentry === undefined ? result : rest;
				}),
			};
		});
		const result = await runStorage(
			emulator,
			'file',
			'move',
			{ dentryId: rl('={{ $json.id }}'), targetFolderId: rl('2009') },
			{ items: reportIds(2) },
		);
		expect(result.error).toBeUndefined();
		expect(result.output!.map((item) => item.json)).toEqual([
			{ spaceId: SPACE, parentId: '2009', dentryId: '5001' },
			expect.objectContaining({ dentryId: '5002', parentId: '2009', name: expect.any(String) }),
		]);
	});
});
