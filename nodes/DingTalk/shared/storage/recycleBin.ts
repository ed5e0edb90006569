import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { idOf, isRecord, readPage, unexpectedAnswer } from './answers';
import type { ConflictStrategy, Page } from './types';

/**
 * The organization's recycle bin (storage 1.0): found by the organization's corp ID, then
 * its items listed, restored or deleted for good. Only Drive spaces put what they delete
 * there (a Knowledge Base deletes at once).
 */
const READ = 'Storage.RecycleBin.Read';
const WRITE = 'Storage.RecycleBin.Write';

export const RECYCLE_BIN_APIS = {
	find: {
		name: 'recycleBins.get',
		action: 'Finding the recycle bin',
		permission: READ,
	},
	list: { name: 'recycleItems.list', action: 'Listing the recycle bin', permission: READ },
	restore: { name: 'recycleItems.restore', action: 'Restoring', permission: WRITE },
	batchRestore: {
		name: 'recycleItems.batchRestore',
		action: 'Restoring',
		permission: WRITE,
	},
	remove: {
		name: 'recycleItems.remove',
		action: 'Deleting permanently',
		permission: WRITE,
	},
	batchRemove: {
		name: 'recycleItems.batchRemove',
		action: 'Deleting permanently',
		permission: WRITE,
	},
	clear: { name: 'recycleBins.clear', action: 'Emptying the recycle bin', permission: WRITE },
} satisfies Record<string, ApiSpec>;

export const MAX_RECYCLE_PAGE = 50;
export const MAX_BATCH_RESTORE = 30;
export const MAX_BATCH_REMOVE = 50;

/** What was deleted: `{id, spaceId, dentryId, size, type, originalName, originalPath, operatorId, operatorTime}`. */
export interface RecycleItem {
	id: string;
	[field: string]: unknown;
}

/** What a restore did: the item is back (or will be, when a task finishes). */
export interface RestoreResult {
	recycleItemId: string;
	success: boolean;
	errorCode?: string;
	taskId?: string;
	spaceId?: string;
	dentryId?: string;
}

const binPath = (binId: string) => apiPath`/v1.0/storage/recycleBins/${binId}`;

function readItem(value: unknown, api: ApiSpec): RecycleItem {
	const id = isRecord(value) ? idOf(value.id) : undefined;
	if (!isRecord(value) || id === undefined)
		throw unexpectedAnswer(api, 'a recycle bin item has no id');
	const item: RecycleItem = { ...value, id };
	for (const field of ['spaceId', 'dentryId'] as const) {
		const fieldId = idOf(value[field]);
		if (fieldId !== undefined) item[field] = fieldId;
	}
	return item;
}

/**
 * The bin's ID: the organization's (scope ORG, by its corp ID), or, ⚠ as only an SDK example
 * shows, a space's (scope SPACE, by the space ID).
 */
export async function findRecycleBin(
	client: DingTalkClient,
	scope: { scope: 'ORG' | 'SPACE'; scopeId: string },
	unionId: string,
): Promise<string> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.find,
		method: 'GET',
		path: '/v1.0/storage/recycleBins',
		query: { recycleBinScope: scope.scope, scopeId: scope.scopeId, unionId },
	});
	const bin = answer.recycleBin;
	const id = isRecord(bin) ? idOf(bin.id) : undefined;
	if (id === undefined)
		throw unexpectedAnswer(RECYCLE_BIN_APIS.find, 'the answer has no recycle bin with an id');
	return id;
}

export async function listRecycleItems(
	client: DingTalkClient,
	bin: { binId: string; unionId: string },
	maxResults: number,
	nextToken?: string,
): Promise<Page<RecycleItem>> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.list,
		method: 'GET',
		path: `${binPath(bin.binId)}/recycleItems`,
		query: { unionId: bin.unionId, maxResults, nextToken },
	});
	return readPage(
		answer,
		'recycleItems',
		RECYCLE_BIN_APIS.list,
		(value) => readItem(value, RECYCLE_BIN_APIS.list),
		true,
	);
}

function readRestore(value: unknown, api: ApiSpec, itemId?: string): RestoreResult {
	if (!isRecord(value)) throw unexpectedAnswer(api, 'a restore result is not an object');
	const recycleItemId = idOf(value.recycleItemId) ?? itemId;
	if (recycleItemId === undefined)
		throw unexpectedAnswer(api, 'a restore result does not say which item it is for');
	const async = value.async === true || value.async === 'true';
	return {
		recycleItemId,
		// The single call answers no `success`: its HTTP status said so.
		success: value.success === undefined ? true : value.success === true,
		...(typeof value.errorCode === 'string' ? { errorCode: value.errorCode } : {}),
		...(async && idOf(value.taskId) ? { taskId: idOf(value.taskId) } : {}),
		...(idOf(value.spaceId) ? { spaceId: idOf(value.spaceId) } : {}),
		...(idOf(value.dentryId) ? { dentryId: idOf(value.dentryId) } : {}),
	};
}

export async function restoreRecycleItem(
	client: DingTalkClient,
	bin: { binId: string; unionId: string },
	itemId: string,
	conflictStrategy: ConflictStrategy,
): Promise<RestoreResult> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.restore,
		method: 'POST',
		path: `${binPath(bin.binId)}/recycleItems/${encodeURIComponent(itemId)}/restore`,
		query: { unionId: bin.unionId },
		body: { option: { conflictStrategy } },
	});
	return readRestore(answer, RECYCLE_BIN_APIS.restore, itemId);
}

/** Up to 30 items in one call; each with its own result. */
export async function restoreRecycleItems(
	client: DingTalkClient,
	bin: { binId: string; unionId: string },
	itemIds: string[],
	conflictStrategy: ConflictStrategy,
): Promise<RestoreResult[]> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.batchRestore,
		method: 'POST',
		path: `${binPath(bin.binId)}/recycleItems/batchRestore`,
		query: { unionId: bin.unionId },
		body: { recycleItemIds: itemIds, option: { conflictStrategy } },
	});
	const results = answer.resultItems;
	if (!Array.isArray(results))
		throw unexpectedAnswer(RECYCLE_BIN_APIS.batchRestore, 'the answer has no resultItems list');
	return results.map((value) => readRestore(value, RECYCLE_BIN_APIS.batchRestore));
}

export async function removeRecycleItem(
	client: DingTalkClient,
	bin: { binId: string; unionId: string },
	itemId: string,
): Promise<void> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.remove,
		method: 'DELETE',
		path: `${binPath(bin.binId)}/recycleItems/${encodeURIComponent(itemId)}`,
		query: { unionId: bin.unionId },
	});
	if (answer.success === false)
		throw unexpectedAnswer(RECYCLE_BIN_APIS.remove, 'DingTalk answered success: false');
}

/** Up to 50 items in one call; each with its own result. */
export async function removeRecycleItems(
	client: DingTalkClient,
	bin: { binId: string; unionId: string },
	itemIds: string[],
): Promise<Array<{ recycleItemId: string; success: boolean; errorCode?: string }>> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.batchRemove,
		method: 'POST',
		path: `${binPath(bin.binId)}/recycleItems/batchRemove`,
		query: { unionId: bin.unionId },
		body: { recycleItemIds: itemIds },
	});
	const results = answer.resultItems;
	// ⚠ The facts give batchRemove's request, not its answer: without a list, every item is
	// taken as done (the HTTP status said so).
	if (results === undefined)
		return itemIds.map((recycleItemId) => ({ recycleItemId, success: true }));
	if (!Array.isArray(results))
		throw unexpectedAnswer(RECYCLE_BIN_APIS.batchRemove, 'resultItems is not a list');
	return results.map((value) => {
		if (!isRecord(value) || idOf(value.recycleItemId) === undefined)
			throw unexpectedAnswer(RECYCLE_BIN_APIS.batchRemove, 'a result does not name its item');
		return {
			recycleItemId: idOf(value.recycleItemId) as string,
			success: value.success !== false,
			...(typeof value.errorCode === 'string' ? { errorCode: value.errorCode } : {}),
		};
	});
}

export async function emptyRecycleBin(
	client: DingTalkClient,
	bin: { binId: string; unionId: string },
): Promise<void> {
	const answer = await client.call({
		api: RECYCLE_BIN_APIS.clear,
		method: 'POST',
		path: `${binPath(bin.binId)}/clear`,
		query: { unionId: bin.unionId },
		body: {},
	});
	if (answer.success === false)
		throw unexpectedAnswer(RECYCLE_BIN_APIS.clear, 'DingTalk answered success: false');
}
