// @ts-check
'use strict';
/**
 * Changes to several dentries at once and the revert of a file to an old version, as
 * dingtalk-storage-more-apis.md describes them. The batch APIs run drive.js's single-item
 * copy, move and remove on each ID and answer each item's result (an item's failure is a
 * result with its error code, not an error answer).
 *
 * Where the facts file is silent, the emulator's own rules:
 *  - A request-wide problem fails the whole request: too many or no IDs, the target
 *    missing or not a folder (copy, move), an unknown conflict strategy (paramError,
 *    spaceNotExist, dentryNotExist).
 *  - An ID `error-<code>` fails that item with that code (as IDs do elsewhere).
 *  - batchMove's `preservePermissions` is accepted and changes nothing (grants follow the
 *    dentry's UUID either way).
 *  - A revert to a version the file does not have answers 400 paramError (no
 *    versionNotExist code); a folder answers 400 operationNotSupported; the new version
 *    counts against the quota like any other (storageQuotaExceeded).
 */
const { ApiFault } = require('./errors');
const { Drive } = require('./drive');
const { attempt } = require('./recycleBin');

/**
 * `dentryIds`: 1 to `max` IDs.
 * @param {any} body @param {number} max @returns {string[]}
 */
function dentryIds(body, max) {
	const ids = body?.dentryIds;
	if (!Array.isArray(ids) || ids.length === 0 || ids.length > max)
		throw new ApiFault('paramError', `dentryIds must list 1 to ${max} IDs`);
	return ids.map(String);
}

/**
 * One batch's results.
 * @param {string[]} ids
 * @param {(dentryId: string) => {async: boolean, taskId?: unknown, dentry?: unknown}} run
 */
function resultItems(ids, run) {
	return {
		resultItems: ids.map((dentryId) => {
			const result = attempt(dentryId, () => run(dentryId));
			if (!result.ok)
				return { dentryId, async: false, success: false, errorCode: result.errorCode };
			const { async, taskId, dentry } = result.answer;
			return {
				dentryId,
				async,
				success: true,
				...(taskId === undefined ? {} : { taskId }),
				...(dentry === undefined ? {} : { dentry }),
			};
		}),
	};
}

/**
 * The body a single copy or move takes, checked for the whole batch.
 * @param {Drive} drive @param {any} body
 */
function relocation(drive, body) {
	const { targetSpaceId, targetFolderId } = body ?? {};
	if (
		typeof targetSpaceId !== 'string' ||
		targetSpaceId === '' ||
		typeof targetFolderId !== 'string' ||
		targetFolderId === ''
	)
		throw new ApiFault('paramError', 'targetSpaceId and targetFolderId are required');
	const conflictStrategy = Drive.strategy(body?.option?.conflictStrategy);
	drive.folderOrRoot(targetSpaceId, targetFolderId);
	return { targetSpaceId, targetFolderId, option: { conflictStrategy } };
}

/**
 * @param {Drive} drive @param {string} spaceId @param {string} dentryId @param {string} rawVersion
 */
function revert(drive, spaceId, dentryId, rawVersion) {
	const entry = drive.entry(spaceId, dentryId);
	if (entry.type !== 'FILE')
		throw new ApiFault('operationNotSupported', 'a folder has no versions');
	const version = Number(rawVersion);
	const old = entry.versions.find((each) => each.version === version);
	if (!Number.isInteger(version) || !old)
		throw new ApiFault('paramError', `the file has no version ${rawVersion}`);
	if (drive.usedBytes(spaceId) + old.content.size > drive.space(spaceId).quota)
		throw new ApiFault('storageQuotaExceeded');
	drive.appendVersion(entry, old.content);
	return { success: true };
}

/**
 * The routes (see api.js for the table's shape).
 * @param {import('./state').EmulatorState} shared
 * @returns {import('./api').Route[]}
 */
function batchRoutes(shared) {
	const drive = shared.drive;
	/** @param {any} answer @param {string} api */
	const answered = (answer, api) =>
		shared.settings.batchRewrite ? shared.settings.batchRewrite(answer, api) : answer;
	const dentries = '^\\/v1\\.0\\/storage\\/spaces\\/([^/]+)\\/dentries';
	return [
		{
			method: 'POST',
			pattern: new RegExp(`${dentries}\\/batchCopy$`),
			api: 'dentries.batchCopy',
			permission: 'Storage.File.Write',
			handle: ({ params: [spaceId], body }) => {
				drive.space(spaceId);
				const ids = dentryIds(body, 3);
				const target = relocation(drive, body);
				return answered(
					resultItems(ids, (dentryId) => drive.copy(spaceId, dentryId, target)),
					'dentries.batchCopy',
				);
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${dentries}\\/batchMove$`),
			api: 'dentries.batchMove',
			permission: 'Storage.File.Write',
			handle: ({ params: [spaceId], body }) => {
				drive.space(spaceId);
				const ids = dentryIds(body, 30);
				const target = relocation(drive, body);
				return answered(
					resultItems(ids, (dentryId) => drive.move(spaceId, dentryId, target)),
					'dentries.batchMove',
				);
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${dentries}\\/batchRemove$`),
			api: 'dentries.batchRemove',
			permission: 'Storage.File.Write',
			handle: ({ params: [spaceId], body }) => {
				drive.space(spaceId);
				const ids = dentryIds(body, 50);
				const toRecycleBin = body?.option?.toRecycleBin ?? false;
				if (typeof toRecycleBin !== 'boolean')
					throw new ApiFault('paramError', 'option.toRecycleBin must be true or false');
				return answered(
					resultItems(ids, (dentryId) => drive.remove(spaceId, dentryId, toRecycleBin)),
					'dentries.batchRemove',
				);
			},
		},
		{
			method: 'POST',
			pattern: new RegExp(`${dentries}\\/([^/]+)\\/versions\\/([^/]+)\\/revert$`),
			api: 'versions.revert',
			permission: 'Storage.File.Write',
			handle: ({ params: [spaceId, dentryId, version] }) =>
				revert(drive, spaceId, dentryId, version),
		},
	];
}

module.exports = { batchRoutes };
