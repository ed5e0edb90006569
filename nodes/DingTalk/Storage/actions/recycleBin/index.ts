import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { linkNotAccepted, readLocator, spaceLocator } from '../../../n8n/locators';
import { operationPickers } from '../../../n8n/operationTexts';
import {
	changeMayHaveHappened,
	DingTalkApiError,
	DingTalkStorageError,
	InputError,
} from '../../../shared/errors';
import { collectPages } from '../../../shared/helpers/paging';
import { oneOf, requireId, textList } from '../../../shared/helpers/validate';
import {
	emptyRecycleBin,
	listRecycleItems,
	MAX_BATCH_REMOVE,
	MAX_BATCH_RESTORE,
	MAX_RECYCLE_PAGE,
	removeRecycleItem,
	removeRecycleItems,
	restoreRecycleItem,
	restoreRecycleItems,
	type RestoreResult,
} from '../../../shared/storage/recycleBin';
import { waitForTask } from '../../../shared/storage/tasks';
import { CONFLICT_STRATEGIES } from '../../../shared/storage/types';
import { readWaiting, waitOptions } from '../common/changes';
import {
	conflictStrategyOption,
	optionsCollection,
	readLimit,
	readOptions,
	returnAllAndLimit,
	show,
} from '../common/parameters';
import type { ItemContext, ResourceOperation, StorageOperation } from '../types';

/**
 * The organization's recycle bin: what Drive spaces deleted (to the bin), listed, restored,
 * or deleted for good. The bin is found from the organization's Corp ID (⚠ DingTalk's only
 * documented way), once per execution.
 */

const ALL = ['list', 'restore', 'deletePermanently', 'empty'];

const corpIdProperty: INodeProperties = {
	displayName: 'Corp ID',
	name: 'corpId',
	type: 'string',
	default: '',
	placeholder: 'e.g. ding8196cd9a2b2405da24f2f5cc6abecb85',
	description:
		"Your organization's Corp ID (DingTalk Developer Console, top right; or DingTalk admin console → Settings): the organization's recycle bin. Empty: the recycle bin of the Space below.",
	displayOptions: show('recycleBin', ALL),
};

/** Without a Corp ID, the bin is looked for by a space (⚠ DingTalk shows this scope only as an SDK example). */
const binSpaceProperty: INodeProperties = spaceLocator('binSpaceId', 'Space', {
	required: false,
	description:
		"With Corp ID empty: the Drive space whose recycle bin to use (⚠ DingTalk documents the organization's bin; a space's is tried as its SDK shows)",
	displayOptions: show('recycleBin', ALL),
});

const itemIdsProperty: INodeProperties = {
	displayName: 'Recycle Item IDs',
	name: 'recycleItemIds',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 31415926',
	description:
		"The recycle bin items (recycleItemId of Recycle Bin → List, not the file's dentry ID): one, or several separated by commas",
	displayOptions: show('recycleBin', ['restore', 'deletePermanently']),
};

/** Where to find the bin: by Corp ID (the organization's), else by Space; checked before any call. */
function binScope(item: ItemContext): { scope: 'ORG' | 'SPACE'; scopeId: string } {
	const { ctx, itemIndex } = item;
	const corpId = ctx.getNodeParameter('corpId', itemIndex, '');
	if (typeof corpId === 'string' && corpId.trim() !== '')
		return { scope: 'ORG', scopeId: requireId('corpId', corpId) };
	const locator = readLocator(ctx, 'binSpaceId', itemIndex);
	// A link names a document, not a space: refused by name, as by every other Space picker.
	if (locator.mode === 'url') throw linkNotAccepted('binSpaceId');
	const space = locator.value;
	if (space === undefined || space === null || String(space).trim() === '')
		throw new InputError(
			'corpId',
			'no Corp ID (and no Space) is given to find the recycle bin',
			"Give your organization's Corp ID (DingTalk Developer Console, top right), or a Drive space.",
		);
	return { scope: 'SPACE', scopeId: requireId('binSpaceId', space) };
}

async function binOf(item: ItemContext): Promise<{ binId: string; unionId: string }> {
	const { ctx, itemIndex, client, paths } = item;
	const scope = binScope(item);
	const unionId = requireId('unionId', ctx.getNodeParameter('unionId', itemIndex));
	return { binId: await paths.recycleBin(client, scope, unionId), unionId };
}

function readItemIds(item: ItemContext): string[] {
	const ids = textList(
		'recycleItemIds',
		item.ctx.getNodeParameter('recycleItemIds', item.itemIndex),
	);
	if (ids.length === 0)
		throw new InputError(
			'recycleItemIds',
			'no recycle bin item is given',
			'Give the id of an item of Recycle Bin → List.',
		);
	return [...new Set(ids)];
}

function groups<T>(values: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let start = 0; start < values.length; start += size)
		out.push(values.slice(start, start + size));
	return out;
}

/**
 * One ID's end among several. `maybe`: its change may have been made all the same (its task
 * outlived the wait, or its call got no readable answer after it may have reached DingTalk),
 * with the reason; `detail`: why it failed, in DingTalk's or the task's words.
 */
type ItemResult = {
	recycleItemId: string;
	success: boolean;
	errorCode?: string;
	maybe?: string;
	detail?: string;
};

/** The items that failed, as one error that says which were done, which may have been, and which not. */
function partialFailure(
	action: string,
	results: ItemResult[],
	callError?: unknown,
): DingTalkApiError | undefined {
	const failed = results.filter((result) => !result.success && result.maybe === undefined);
	const maybe = results.filter((result) => !result.success && result.maybe !== undefined);
	if (failed.length + maybe.length === 0) return undefined;
	const done = results.filter((result) => result.success).map((result) => result.recycleItemId);
	const said = (list: ItemResult[]) =>
		list
			.map(
				(result) =>
					`${result.recycleItemId} (${result.errorCode ?? 'no reason given'}${result.detail ? `: ${result.detail}` : ''})`,
			)
			.join(', ');
	const parts = [
		done.length ? `These were done: ${done.join(', ')}.` : '',
		maybe.length
			? `These may have been done, so check them in Recycle Bin → List before running them again: ${maybe
					.map((result) => `${result.recycleItemId} (${result.maybe})`)
					.join(', ')}.`
			: '',
		failed.length
			? done.length + maybe.length
				? 'Run the item again with only the failed IDs.'
				: 'Nothing was done. Check the IDs with Recycle Bin → List.'
			: '',
		callError instanceof Error
			? `A call failed, so the items after it were not tried: ${callError.message}.`
			: '',
	].filter(Boolean);
	const all = [...failed, ...maybe];
	return new DingTalkApiError(
		`${action} failed for ${all.length} of ${results.length} items: ${said(all)}`,
		{ code: all[0].errorCode ?? 'partialFailure', description: parts.join(' ') },
	);
}

/** The error's code, for the items of a call that failed (or were not tried after it). */
function codeOf(error: unknown): string {
	return error instanceof DingTalkStorageError ? error.code : 'unknownError';
}

/**
 * Several IDs, one call per group: each ID ends with its result. An ID left out of an answer
 * is neither done nor failed: it says so (noResultFromDingTalk). When a call fails after
 * others were done, its IDs carry its error and the later ones `notTried`, so that what
 * was done is still reported; when the first call fails, its error is thrown as it is.
 */
async function inGroups<R extends ItemResult>(
	ids: string[],
	size: number,
	call: (group: string[]) => Promise<R[]>,
): Promise<{ results: Array<R | ItemResult>; callError?: unknown }> {
	const results: Array<R | ItemResult> = [];
	const all = groups(ids, size);
	for (const [index, group] of all.entries()) {
		const outcome = await call(group).then(
			(answered) => ({ answered }),
			(error: unknown) => ({ error }),
		);
		if ('error' in outcome) {
			const { error } = outcome;
			// Nothing done yet: the call's own error, with its advice (a permission, a bin).
			if (index === 0) throw error;
			const code = codeOf(error);
			// A call that may have reached DingTalk: its items may have been done.
			const maybe = changeMayHaveHappened(error)
				? { maybe: 'its call got no readable answer' }
				: {};
			results.push(
				...group.map((recycleItemId) => ({
					recycleItemId,
					success: false,
					errorCode: code,
					...maybe,
				})),
			);
			for (const later of all.slice(index + 1))
				results.push(
					...later.map((recycleItemId) => ({
						recycleItemId,
						success: false,
						errorCode: 'notTried',
					})),
				);
			return { results, callError: error };
		}
		const { answered } = outcome;
		const named = new Set(answered.map((result) => result.recycleItemId));
		results.push(
			...answered,
			...group
				.filter((id) => !named.has(id))
				.map((recycleItemId) => ({
					recycleItemId,
					success: false,
					errorCode: 'noResultFromDingTalk',
				})),
		);
	}
	return { results };
}

const list: StorageOperation = {
	parallel: true,
	// Not operatorId: who deleted it is a person's ID, as creators and modifiers are.
	modelFields: ['recycleItemId', 'originalName', 'originalPath', 'operatorTime'],
	properties: returnAllAndLimit('recycleBin', 'list'),
	async execute(item) {
		const limit = readLimit(item.ctx, item.itemIndex);
		const bin = await binOf(item);
		const items = await collectPages(
			async (pageSize, nextToken) => await listRecycleItems(item.client, bin, pageSize, nextToken),
			{ limit, maxPageSize: MAX_RECYCLE_PAGE },
		);
		return items.map((entry) => ({
			json: { ...(entry as IDataObject), recycleItemId: entry.id },
		}));
	},
};

const restore: StorageOperation = {
	parallel: false,
	modelFields: ['recycleItemId', 'restored', 'success', 'errorCode'],
	properties: [
		optionsCollection(
			'recycleBin',
			['restore'],
			[conflictStrategyOption('AUTO_RENAME', 'the original folder'), ...waitOptions('folder')],
		),
	],
	async execute(item) {
		const ids = readItemIds(item);
		const conflictStrategy = oneOf(
			'conflictStrategy',
			readOptions(item.ctx, item.itemIndex).conflictStrategy,
			CONFLICT_STRATEGIES,
			'AUTO_RENAME',
		);
		const waiting = readWaiting(item);
		const bin = await binOf(item);
		const { results, callError } =
			ids.length === 1
				? { results: [await restoreRecycleItem(item.client, bin, ids[0], conflictStrategy)] }
				: await inGroups(ids, MAX_BATCH_RESTORE, (group) =>
						restoreRecycleItems(item.client, bin, group, conflictStrategy),
					);
		const output: IDataObject[] = [];
		// One Wait Timeout for all the tasks of the item, not one each.
		const deadline = waiting.timeoutMs === undefined ? undefined : Date.now() + waiting.timeoutMs;
		for (const [index, result] of results.entries()) {
			const fields: IDataObject = { ...result, restored: result.success };
			const taskId = (result as RestoreResult).taskId;
			if (result.success && taskId) {
				fields.async = true;
				if (deadline !== undefined) {
					const task = await waitForTask(item.client, taskId, bin.unionId, {
						timeoutMs: Math.max(0, deadline - Date.now()),
						action: 'Restoring from the recycle bin',
					}).then(
						(done) => ({ status: done.status }),
						(error: unknown) => ({ error }),
					);
					if ('error' in task) {
						// One ID: its error as it is. Several: its own end, in its own words (a task
						// still running may yet restore it), the others' results kept.
						if (ids.length === 1) throw task.error;
						const why = task.error instanceof Error ? task.error.message : String(task.error);
						const code = codeOf(task.error);
						results[index] = {
							...result,
							success: false,
							errorCode: code,
							...(code === 'taskFailed' ? { detail: why } : { maybe: why }),
						};
					} else fields.taskStatus = task.status;
				}
			}
			output.push(fields);
		}
		const failure = partialFailure('Restoring', results, callError);
		if (failure) throw failure;
		return output.map((json) => ({ json }));
	},
};

const deletePermanently: StorageOperation = {
	parallel: false,
	properties: [],
	async execute(item) {
		const ids = readItemIds(item);
		const bin = await binOf(item);
		if (ids.length === 1) {
			await removeRecycleItem(item.client, bin, ids[0]);
			return { json: { recycleItemId: ids[0], success: true, deleted: true } };
		}
		const { results, callError } = await inGroups(ids, MAX_BATCH_REMOVE, (group) =>
			removeRecycleItems(item.client, bin, group),
		);
		const failure = partialFailure('Deleting permanently', results, callError);
		if (failure) throw failure;
		return results.map((result) => ({ json: { ...result, deleted: true } }));
	},
};

const empty: StorageOperation = {
	parallel: false,
	properties: [
		{
			displayName: 'Type EMPTY to Confirm',
			name: 'confirmEmpty',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'EMPTY',
			description:
				'Emptying deletes everything in the recycle bin for good, for the whole organization. Type EMPTY (capitals) to confirm.',
			displayOptions: show('recycleBin', ['empty']),
		},
	],
	async execute(item) {
		const confirmation = item.ctx.getNodeParameter('confirmEmpty', item.itemIndex, '');
		if (confirmation !== 'EMPTY')
			throw new InputError(
				'confirmEmpty',
				`it must be EMPTY to empty the recycle bin${typeof confirmation === 'string' && confirmation !== '' ? ` (it is "${confirmation}")` : ''}`,
				'Nothing was deleted. Type EMPTY, in capitals, to empty the recycle bin for good.',
			);
		const bin = await binOf(item);
		// Once per bin in a run of the node, however many items: a second call moments later
		// would only delete for good what someone has put in the bin since.
		const emptied = emptiedBins.get(item.paths) ?? new Set<string>();
		emptiedBins.set(item.paths, emptied);
		// By bin and operator: another operator's permission is checked by their own call.
		const key = `${bin.binId}\n${bin.unionId}`;
		if (!emptied.has(key)) {
			await emptyRecycleBin(item.client, bin);
			emptied.add(key);
		}
		return { json: { success: true, emptied: true } };
	},
};

/** The bins emptied in a run of the node (keyed by its PathResolver, one per run). */
const emptiedBins = new WeakMap<object, Set<string>>();

const RECYCLE_BIN_OPERATIONS: ResourceOperation[] = [
	{
		name: 'Delete Permanently',
		value: 'deletePermanently',
		description: 'Delete items of the recycle bin for good',
		action: 'Delete recycle bin items permanently',
		run: deletePermanently,
	},
	{
		name: 'Empty',
		value: 'empty',
		description: 'Delete everything in the recycle bin for good',
		action: 'Empty the recycle bin',
		run: empty,
	},
	{
		name: 'List',
		value: 'list',
		description: 'List what was deleted to the recycle bin, newest first',
		action: 'List the recycle bin',
		agent: {
			action:
				'List the DingTalk recycle bin: id (to restore it), originalName, originalPath, type, size, operatorTime per deleted item',
		},
		run: list,
	},
	{
		name: 'Restore',
		value: 'restore',
		description: 'Put items of the recycle bin back where they were',
		action: 'Restore from the recycle bin',
		agent: {
			action:
				'Restore deleted DingTalk items from the recycle bin by their recycle item id; returns where each is now',
		},
		run: restore,
	},
];

export const recycleBinOperations: Record<string, StorageOperation> = Object.fromEntries(
	RECYCLE_BIN_OPERATIONS.map(({ value, run }) => [value, run]),
);

export const recycleBinProperties: {
	operations: INodeProperties[];
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operations: operationPickers(RECYCLE_BIN_OPERATIONS, 'list', {
		show: { resource: ['recycleBin'] },
	}),
	pickers: [corpIdProperty, binSpaceProperty, itemIdsProperty],
	parameters: RECYCLE_BIN_OPERATIONS.flatMap(({ run }) => run.properties),
};
