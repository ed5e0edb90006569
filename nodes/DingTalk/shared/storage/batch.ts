import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { idOf, isRecord, readDentry, unexpectedAnswer } from './answers';
import type { Destination } from './dentries';
import type { Dentry } from './types';

/**
 * DingTalk's batch calls on many dentries of one space: details (≤ 30), delete (≤ 50), move
 * (≤ 30), copy (≤ 3). Each item has its own result (an item's failure is its error code,
 * not a failed call), so many items cost one call instead of one each.
 */
const READ = 'Storage.File.Read';
const WRITE = 'Storage.File.Write';

export const BATCH_APIS = {
	query: {
		name: 'dentries.batchQuery',
		action: 'Reading the details',
		permission: READ,
		readOnly: true,
	},
	remove: { name: 'dentries.batchRemove', action: 'Deleting', permission: WRITE },
	move: { name: 'dentries.batchMove', action: 'Moving', permission: WRITE },
	copy: { name: 'dentries.batchCopy', action: 'Copying', permission: WRITE },
} satisfies Record<string, ApiSpec>;

/** The most IDs each batch call takes. */
export const BATCH_LIMITS = { query: 30, remove: 50, move: 30, copy: 3 } as const;

/** One item's result in a batch answer. */
export interface BatchItemResult {
	dentryId: string;
	success: boolean;
	errorCode?: string;
	/** Set when DingTalk runs the item's change as a task. */
	taskId?: string;
	/** The item after the change (or its details, for a query), when DingTalk gives it. */
	dentry?: Dentry;
}

function readResults(
	answer: Record<string, unknown>,
	api: ApiSpec,
	ids: string[],
): BatchItemResult[] {
	const list = answer.resultItems;
	if (!Array.isArray(list)) throw unexpectedAnswer(api, 'the answer has no resultItems list');
	const results = list.map((value): BatchItemResult => {
		const dentryId = isRecord(value) ? idOf(value.dentryId) : undefined;
		if (!isRecord(value) || dentryId === undefined)
			throw unexpectedAnswer(api, 'a result does not say which item it is for');
		const async = value.async === true || value.async === 'true';
		const success = value.success !== false;
		return {
			dentryId,
			success,
			...(typeof value.errorCode === 'string' && value.errorCode !== ''
				? { errorCode: value.errorCode }
				: {}),
			...(success && async && idOf(value.taskId) ? { taskId: idOf(value.taskId) } : {}),
			...(success && isRecord(value.dentry) ? { dentry: readDentry(value.dentry, api) } : {}),
		};
	});
	// Every item asked for must have its result: one left out would be neither done nor failed.
	const answered = new Set(results.map((result) => result.dentryId));
	const missing = ids.filter((id) => !answered.has(id));
	if (missing.length > 0)
		throw unexpectedAnswer(api, `the answer has no result for ${missing.join(', ')}`);
	return results;
}

const dentriesPath = (spaceId: string) => apiPath`/v1.0/storage/spaces/${spaceId}/dentries`;

/** Up to 30 items' details, each with its own result. */
export async function queryDentries(
	client: DingTalkClient,
	spaceId: string,
	unionId: string,
	ids: string[],
): Promise<BatchItemResult[]> {
	const answer = await client.call({
		api: BATCH_APIS.query,
		method: 'POST',
		path: `${dentriesPath(spaceId)}/query`,
		query: { unionId },
		body: { dentryIds: ids, option: {} },
	});
	return readResults(answer, BATCH_APIS.query, ids);
}

/** Up to 50 items deleted (to the recycle bin, or for good). */
export async function removeDentries(
	client: DingTalkClient,
	spaceId: string,
	unionId: string,
	ids: string[],
	toRecycleBin: boolean,
): Promise<BatchItemResult[]> {
	const answer = await client.call({
		api: BATCH_APIS.remove,
		method: 'POST',
		path: `${dentriesPath(spaceId)}/batchRemove`,
		query: { unionId },
		body: { dentryIds: ids, option: { toRecycleBin } },
	});
	return readResults(answer, BATCH_APIS.remove, ids);
}

/** Up to 30 items moved (or 3 copied) into one folder. */
export async function transferDentries(
	client: DingTalkClient,
	kind: 'move' | 'copy',
	spaceId: string,
	unionId: string,
	ids: string[],
	to: Destination,
): Promise<BatchItemResult[]> {
	const api = BATCH_APIS[kind];
	const answer = await client.call({
		api,
		method: 'POST',
		path: `${dentriesPath(spaceId)}/${kind === 'move' ? 'batchMove' : 'batchCopy'}`,
		query: { unionId },
		body: {
			targetSpaceId: to.targetSpaceId,
			targetFolderId: to.targetFolderId,
			dentryIds: ids,
			option: { conflictStrategy: to.conflictStrategy },
		},
	});
	return readResults(answer, api, ids);
}
