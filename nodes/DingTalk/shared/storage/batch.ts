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
	/**
	 * The answer does not say what became of the item (no readable result for it): a change
	 * may have been made. Never treated as failed-and-safe-to-repeat.
	 */
	unknown?: { error: Error };
}

/**
 * Each asked-for item's result. The call has been carried out, so an answer that cannot be
 * read, whole or for one item, does not fail the items it covers: they are `unknown`
 * (changed or not), and the items with a readable result keep it.
 */
function readResults(
	answer: Record<string, unknown>,
	api: ApiSpec,
	ids: string[],
): BatchItemResult[] {
	const list = answer.resultItems;
	const byId = new Map<string, BatchItemResult>();
	let problem = Array.isArray(list) ? undefined : 'the answer has no resultItems list';
	for (const value of Array.isArray(list) ? list : []) {
		const dentryId = isRecord(value) ? idOf(value.dentryId) : undefined;
		if (!isRecord(value) || dentryId === undefined) {
			problem = 'a result does not say which item it is for';
			continue;
		}
		const async = value.async === true || value.async === 'true';
		const success = value.success !== false;
		try {
			byId.set(dentryId, {
				dentryId,
				success,
				...(typeof value.errorCode === 'string' && value.errorCode !== ''
					? { errorCode: value.errorCode }
					: {}),
				...(success && async && idOf(value.taskId) ? { taskId: idOf(value.taskId) } : {}),
				...(success && isRecord(value.dentry) ? { dentry: readDentry(value.dentry, api) } : {}),
			});
		} catch (error) {
			byId.set(dentryId, { dentryId, success: false, unknown: { error: error as Error } });
		}
	}
	// Every item asked for has its result: one left out is neither done nor failed.
	return ids.map(
		(id) =>
			byId.get(id) ?? {
				dentryId: id,
				success: false,
				unknown: {
					error: unexpectedAnswer(api, problem ?? `the answer has no result for ${id}`),
				},
			},
	);
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
	const results = readResults(answer, BATCH_APIS.query, ids);
	// Only read: an unreadable answer fails the items (nothing was changed).
	const unreadable = results.find((result) => result.unknown);
	if (unreadable?.unknown) throw unreadable.unknown.error;
	return results;
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
