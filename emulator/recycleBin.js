// @ts-check
'use strict';
/**
 * The org's recycle bin, as dingtalk-storage-more-apis.md describes it: one bin (scope ORG,
 * the org's corp ID), holding one item per entry deleted to it from a Drive space
 * (drive.js tells of each through `onRecycled`); listing, restoring (a task for a folder
 * with contents, as drive.js runs changes) and removing for good. Cleared by reset().
 *
 * Where the facts file is silent, the emulator's own rules:
 *  - The bin's ID is RECYCLE_BIN_ID; item IDs are `ri-<n>`.
 *  - Items are listed newest deletion first, at most 50 a page (default 50).
 *  - A restore puts back what was deleted with the item (not what was deleted on its own
 *    before: that is an item of its own) at its old parent, or at the space's root when the
 *    parent is no longer a NORMAL folder. A name taken there: AUTO_RENAME (default) names
 *    it as DingTalk's Auto Rename does, RETURN_ERROR_IF_EXISTS answers dentryNameConflict,
 *    OVERWRITE deletes the item that is there to the bin (an item of its own),
 *    RETURN_DENTRY_IF_EXISTS answers the existing one and leaves the item in the bin.
 *  - A restore of an item with contents is a task: the change is made at once, the task
 *    answers IN_PROGRESS then SUCCESS (a task failed with failNextTasks changes nothing
 *    and the item stays).
 *  - In the batch APIs an ID `error-<code>` fails with that code (as IDs do elsewhere).
 *  - Items replaced by an upload's or a move's Overwrite are marked deleted without an item.
 */
const { ApiFault } = require('./errors');
const { Drive, page } = require('./drive');

/** The ID of the org's recycle bin. */
const RECYCLE_BIN_ID = 'rb-org-1';

/**
 * One item of the bin as the API answers it, and what the emulator keeps with it.
 * @typedef {{id: string, spaceId: string, dentryId: string, size: number, type: 'FILE' | 'FOLDER', originalName: string, originalPath: string, operatorId: string, operatorTime: string}} RecycleItem
 * @typedef {RecycleItem & {parentId: string, entryIds: string[]}} KeptItem
 */

class RecycleBin {
	/**
	 * @param {Drive} drive
	 * @param {{unionId: () => string, corpId: () => string}} org the operator and the org's corp ID
	 */
	constructor(drive, org) {
		this.drive = drive;
		this.org = org;
		/** The items, oldest deletion first. @type {KeptItem[]} */
		this.items = [];
		this.nextItem = 1;
		drive.onRecycled = ({ entry, entryIds, path, size }) => {
			this.items.push({
				id: `ri-${this.nextItem++}`,
				spaceId: entry.spaceId,
				dentryId: entry.id,
				size,
				type: entry.type,
				originalName: entry.name,
				originalPath: path,
				operatorId: this.org.unionId(),
				operatorTime: new Date(drive.now()).toISOString(),
				parentId: entry.parentId,
				entryIds,
			});
		};
	}

	reset() {
		this.items.length = 0;
		this.nextItem = 1;
	}

	/**
	 * GET /v1.0/storage/recycleBins?recycleBinScope=ORG&scopeId=<corpId>.
	 * @param {URLSearchParams} query
	 */
	find(query) {
		const scope = query.get('recycleBinScope');
		const scopeId = query.get('scopeId');
		if (!scope || !scopeId)
			throw new ApiFault('paramError', 'recycleBinScope and scopeId are required');
		// SPACE scope (⚠ only an SDK example value in the facts): the emulator answers the org's
		// bin for a Drive space (which deletes to it) and recycleBinNotExist for any other.
		if (scope === 'SPACE') {
			const space = this.drive.spaces.get(scopeId);
			if (!space || !space.drive) throw new ApiFault('recycleBinNotExist');
			return { recycleBin: { id: RECYCLE_BIN_ID, scope: 'SPACE', scopeId } };
		}
		if (scope !== 'ORG' || scopeId !== this.org.corpId()) throw new ApiFault('recycleBinNotExist');
		return { recycleBin: { id: RECYCLE_BIN_ID, scope: 'ORG', scopeId } };
	}

	/** @param {string} binId */
	checkBin(binId) {
		if (binId !== RECYCLE_BIN_ID) throw new ApiFault('recycleBinNotExist');
	}

	/** @param {KeptItem} item @returns {RecycleItem} */
	static json(item) {
		const { parentId: _parent, entryIds: _entries, ...shown } = item;
		return shown;
	}

	/** @param {string} itemId */
	item(itemId) {
		const item = this.items.find((each) => each.id === itemId);
		if (!item) throw new ApiFault('recycleItemNotExist');
		return item;
	}

	/** @param {{maxResults?: string, nextToken?: string}} query */
	list(query) {
		const newestFirst = [...this.items].reverse();
		const { items, nextToken } = page(newestFirst, 'recycleItems', query, 50);
		return { recycleItems: items.map(RecycleBin.json), ...(nextToken ? { nextToken } : {}) };
	}

	/** @param {KeptItem} item */
	drop(item) {
		this.items.splice(this.items.indexOf(item), 1);
	}

	/**
	 * Puts an item back (see the rules above).
	 * @param {string} itemId @param {any} option
	 * @returns {{async: boolean, taskId?: string, spaceId: string, dentryId: string}}
	 */
	restore(itemId, option) {
		const item = this.item(itemId);
		const strategy = Drive.strategy(option?.conflictStrategy);
		const drive = this.drive;
		const entry = drive.entries.get(item.dentryId);
		if (!entry || entry.status !== 'DELETED') {
			this.drop(item);
			throw new ApiFault('recycleItemNotExist');
		}
		const oldParent = drive.entries.get(item.parentId);
		const parentId =
			item.parentId === '0' ||
			(oldParent?.status === 'NORMAL' &&
				oldParent.type === 'FOLDER' &&
				oldParent.spaceId === item.spaceId)
				? item.parentId
				: '0';
		let name = entry.name;
		const existing = drive.childNamed(item.spaceId, parentId, name);
		if (existing && strategy === 'RETURN_ERROR_IF_EXISTS') throw new ApiFault('dentryNameConflict');
		if (existing && strategy === 'RETURN_DENTRY_IF_EXISTS')
			return { async: false, spaceId: existing.spaceId, dentryId: existing.id };
		if (existing && strategy === 'AUTO_RENAME')
			name = drive.freeName(item.spaceId, parentId, name, entry.type === 'FILE');
		const run = drive.maybeAsync(
			entry,
			() => {
				if (existing && strategy === 'OVERWRITE') drive.recycle(existing);
				for (const id of item.entryIds) {
					const each = drive.entries.get(id);
					if (each?.status === 'DELETED') each.status = 'NORMAL';
				}
				entry.parentId = parentId;
				entry.name = name;
				this.drop(item);
				drive.changed('created', entry);
				return {};
			},
			item.entryIds.length,
		);
		return {
			async: run.async,
			...(typeof run.taskId === 'string' ? { taskId: run.taskId } : {}),
			spaceId: entry.spaceId,
			dentryId: entry.id,
		};
	}

	/**
	 * Removes an item for good, with everything deleted with it.
	 * @param {string} itemId
	 */
	remove(itemId) {
		const item = this.item(itemId);
		for (const id of item.entryIds) {
			if (this.drive.entries.get(id)?.status === 'DELETED') this.drive.entries.delete(id);
		}
		this.drop(item);
		return { success: true };
	}

	clear() {
		for (const item of [...this.items]) this.remove(item.id);
		return { success: true };
	}
}

/**
 * `recycleItemIds`: 1 to `max` IDs.
 * @param {any} body @param {number} max @returns {string[]}
 */
function itemIds(body, max) {
	const ids = body?.recycleItemIds;
	if (!Array.isArray(ids) || ids.length === 0 || ids.length > max)
		throw new ApiFault('paramError', `recycleItemIds must list 1 to ${max} IDs`);
	return ids.map(String);
}

/**
 * One item of a batch: the answer, or its error code.
 * @template T
 * @param {string} id @param {() => T} run
 * @returns {{ok: true, answer: T} | {ok: false, errorCode: string}}
 */
function attempt(id, run) {
	try {
		if (id.startsWith('error-')) throw new ApiFault(id.slice('error-'.length));
		return { ok: true, answer: run() };
	} catch (error) {
		if (error instanceof ApiFault) return { ok: false, errorCode: error.code };
		throw error;
	}
}

/**
 * The routes (see api.js for the table's shape).
 * @param {import('./state').EmulatorState} shared
 * @returns {import('./api').Route[]}
 */
function recycleBinRoutes(shared) {
	const bin = shared.recycleBin;
	/** @param {any} answer @param {string} api */
	const answered = (answer, api) =>
		shared.settings.batchRewrite ? shared.settings.batchRewrite(answer, api) : answer;
	const under = '^\\/v1\\.0\\/storage\\/recycleBins\\/([^/]+)';
	return [
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/recycleBins$/,
			api: 'recycleBins.get',
			permission: 'Storage.RecycleBin.Read',
			handle: ({ query }) => bin.find(query),
		},
		{
			method: 'GET',
			pattern: new RegExp(`${under}\\/recycleItems$`),
			api: 'recycleItems.list',
			permission: 'Storage.RecycleBin.Read',
			handle: ({ params: [binId], query }) => {
				bin.checkBin(binId);
				return bin.list({
					maxResults: query.get('maxResults') ?? undefined,
					nextToken: query.get('nextToken') ?? undefined,
				});
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${under}\\/recycleItems\\/batchRestore$`),
			api: 'recycleItems.batchRestore',
			permission: 'Storage.RecycleBin.Write',
			handle: ({ params: [binId], body }) => {
				bin.checkBin(binId);
				const ids = itemIds(body, 30);
				Drive.strategy(body?.option?.conflictStrategy);
				return answered(
					{
						resultItems: ids.map((recycleItemId) => {
							const known = bin.items.find((each) => each.id === recycleItemId);
							const where = known ? { spaceId: known.spaceId, dentryId: known.dentryId } : {};
							const result = attempt(recycleItemId, () => bin.restore(recycleItemId, body?.option));
							return result.ok
								? { recycleItemId, success: true, ...result.answer }
								: {
										recycleItemId,
										async: false,
										success: false,
										errorCode: result.errorCode,
										...where,
									};
						}),
					},
					'recycleItems.batchRestore',
				);
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${under}\\/recycleItems\\/batchRemove$`),
			api: 'recycleItems.batchRemove',
			permission: 'Storage.RecycleBin.Write',
			handle: ({ params: [binId], body }) => {
				bin.checkBin(binId);
				return answered(
					{
						resultItems: itemIds(body, 50).map((recycleItemId) => {
							const result = attempt(recycleItemId, () => bin.remove(recycleItemId));
							return result.ok
								? { recycleItemId, success: true }
								: { recycleItemId, success: false, errorCode: result.errorCode };
						}),
					},
					'recycleItems.batchRemove',
				);
			},
		},
		{
			method: 'GET',
			pattern: new RegExp(`${under}\\/recycleItems\\/([^/]+)$`),
			api: 'recycleItems.get',
			permission: 'Storage.RecycleBin.Read',
			handle: ({ params: [binId, itemId] }) => {
				bin.checkBin(binId);
				return { item: RecycleBin.json(bin.item(itemId)) };
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${under}\\/recycleItems\\/([^/]+)\\/restore$`),
			api: 'recycleItems.restore',
			permission: 'Storage.RecycleBin.Write',
			handle: ({ params: [binId, itemId], body }) => {
				bin.checkBin(binId);
				return bin.restore(itemId, body?.option);
			},
		},
		{
			method: 'DELETE',
			pattern: new RegExp(`${under}\\/recycleItems\\/([^/]+)$`),
			api: 'recycleItems.delete',
			permission: 'Storage.RecycleBin.Write',
			handle: ({ params: [binId, itemId] }) => {
				bin.checkBin(binId);
				return bin.remove(itemId);
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${under}\\/clear$`),
			api: 'recycleBins.clear',
			permission: 'Storage.RecycleBin.Write',
			handle: ({ params: [binId] }) => {
				bin.checkBin(binId);
				return bin.clear();
			},
		},
	];
}

module.exports = { RecycleBin, recycleBinRoutes, RECYCLE_BIN_ID, attempt };
