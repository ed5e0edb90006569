import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { readDentry, readPage, idOf, unexpectedAnswer } from './answers';
import type { ConflictStrategy, Dentry, DentryRef, OrderBy, Page, SortOrder } from './types';

/**
 * The dentry APIs of DingTalk storage v1.0 (files and folders): the request each one
 * takes and the answer it gives, checked. One ApiSpec per API: DingTalk's rate limit
 * counts each separately, and each needs its own permission.
 */
const READ = 'Storage.File.Read';
const WRITE = 'Storage.File.Write';

export const DENTRY_APIS = {
	get: {
		name: 'dentries.query',
		action: 'Reading the file details',
		permission: READ,
		readOnly: true,
	},
	list: { name: 'dentries.list', action: 'Listing the folder', permission: READ },
	versions: { name: 'dentries.versions', action: 'Listing the file versions', permission: READ },
	createFolder: { name: 'folders.add', action: 'Creating the folder', permission: WRITE },
	rename: { name: 'dentries.rename', action: 'Renaming', permission: WRITE },
	move: { name: 'dentries.move', action: 'Moving', permission: WRITE },
	copy: { name: 'dentries.copy', action: 'Copying', permission: WRITE },
	delete: { name: 'dentries.delete', action: 'Deleting', permission: WRITE },
	revert: {
		name: 'dentries.versions.revert',
		action: 'Reverting the file to the version',
		permission: WRITE,
	},
} satisfies Record<string, ApiSpec>;

/** DingTalk's largest page: 50 entries for a folder, 100 for versions. */
export const MAX_LIST_PAGE = 50;
export const MAX_VERSIONS_PAGE = 100;

const dentriesPath = (spaceId: string) => apiPath`/v1.0/storage/spaces/${spaceId}/dentries`;
const dentryPath = (ref: { spaceId: string; dentryId: string }) =>
	apiPath`/v1.0/storage/spaces/${ref.spaceId}/dentries/${ref.dentryId}`;

/** One file's or folder's details; with `appIds`, those apps' properties on it too (at most 20). */
export async function getDentry(
	client: DingTalkClient,
	ref: DentryRef,
	appIds?: string[],
): Promise<Dentry> {
	const answer = await client.call({
		api: DENTRY_APIS.get,
		method: 'POST',
		path: `${dentryPath(ref)}/query`,
		query: { unionId: ref.unionId },
		body: { option: appIds?.length ? { appIdsForAppProperties: appIds } : {} },
	});
	return readDentry(answer.dentry, DENTRY_APIS.get);
}

export interface ListRequest {
	spaceId: string;
	folderId: string;
	unionId: string;
	maxResults: number;
	nextToken?: string;
	orderBy?: OrderBy;
	order?: SortOrder;
}

/** One page of a folder's entries. */
export async function listDentries(
	client: DingTalkClient,
	request: ListRequest,
): Promise<Page<Dentry>> {
	const answer = await client.call({
		api: DENTRY_APIS.list,
		method: 'GET',
		path: dentriesPath(request.spaceId),
		query: {
			unionId: request.unionId,
			parentId: request.folderId,
			maxResults: request.maxResults,
			nextToken: request.nextToken,
			orderBy: request.orderBy,
			order: request.order,
		},
	});
	return readPage(answer, 'dentries', DENTRY_APIS.list, (value) =>
		readDentry(value, DENTRY_APIS.list, 'entry'),
	);
}

/** One page of a file's versions (one dentry per version). */
export async function listVersions(
	client: DingTalkClient,
	ref: DentryRef,
	maxResults: number,
	nextToken?: string,
): Promise<Page<Dentry>> {
	const answer = await client.call({
		api: DENTRY_APIS.versions,
		method: 'GET',
		path: `${dentryPath(ref)}/versions`,
		query: { unionId: ref.unionId, maxResults, nextToken },
	});
	return readPage(
		answer,
		'dentries',
		DENTRY_APIS.versions,
		(value) => readDentry(value, DENTRY_APIS.versions, 'version'),
		true,
	);
}

/**
 * Makes a new latest version of a file with an older version's content (at v5, reverting to
 * v3 makes v6); the versions in between stay.
 */
export async function revertToVersion(
	client: DingTalkClient,
	ref: DentryRef,
	version: number,
): Promise<void> {
	const answer = await client.call({
		api: DENTRY_APIS.revert,
		method: 'POST',
		path: `${dentryPath(ref)}/versions/${encodeURIComponent(String(version))}/revert`,
		query: { unionId: ref.unionId },
		body: {},
	});
	if (answer.success === false)
		throw unexpectedAnswer(DENTRY_APIS.revert, 'DingTalk answered success: false');
}

export async function createFolder(
	client: DingTalkClient,
	parent: DentryRef,
	name: string,
	conflictStrategy: ConflictStrategy,
): Promise<Dentry> {
	const answer = await client.call({
		api: DENTRY_APIS.createFolder,
		method: 'POST',
		path: `${dentryPath(parent)}/folders`,
		query: { unionId: parent.unionId },
		body: { name, option: { conflictStrategy } },
	});
	return readDentry(answer.dentry, DENTRY_APIS.createFolder);
}

export async function renameDentry(
	client: DingTalkClient,
	ref: DentryRef,
	newName: string,
): Promise<Dentry> {
	const answer = await client.call({
		api: DENTRY_APIS.rename,
		method: 'POST',
		path: `${dentryPath(ref)}/rename`,
		query: { unionId: ref.unionId },
		body: { newName },
	});
	return readDentry(answer.dentry, DENTRY_APIS.rename);
}

/** What DingTalk answers to a change it may carry out later (moving or copying a folder with children...). */
export interface MaybeAsync<T> {
	/** Absent when DingTalk answered a task without the item (it exists once the task ends). */
	result?: T;
	/** Set when DingTalk runs the change as a task: poll it (see tasks.ts). */
	taskId?: string;
}

function taskOf(answer: Record<string, unknown>): string | undefined {
	return answer.async === true || answer.async === 'true' ? idOf(answer.taskId) : undefined;
}

export interface Destination {
	targetSpaceId: string;
	targetFolderId: string;
	conflictStrategy: ConflictStrategy;
}

async function transfer(
	client: DingTalkClient,
	kind: 'move' | 'copy',
	ref: DentryRef,
	to: Destination,
): Promise<MaybeAsync<Dentry>> {
	const api = DENTRY_APIS[kind];
	const answer = await client.call({
		api,
		method: 'POST',
		path: `${dentryPath(ref)}/${kind}`,
		query: { unionId: ref.unionId },
		// "presevePermissions" is how the API spells it; it is left to DingTalk's default.
		body: {
			targetSpaceId: to.targetSpaceId,
			targetFolderId: to.targetFolderId,
			option: { conflictStrategy: to.conflictStrategy },
		},
	});
	const taskId = taskOf(answer);
	return {
		result: answer.dentry === undefined && taskId ? undefined : readDentry(answer.dentry, api),
		taskId,
	};
}

export async function moveDentry(
	client: DingTalkClient,
	ref: DentryRef,
	to: Destination,
): Promise<MaybeAsync<Dentry>> {
	return await transfer(client, 'move', ref, to);
}

export async function copyDentry(
	client: DingTalkClient,
	ref: DentryRef,
	to: Destination,
): Promise<MaybeAsync<Dentry>> {
	return await transfer(client, 'copy', ref, to);
}

/** Deletes a file or folder; `toRecycleBin: false` deletes it for good (DingTalk's own default). */
export async function deleteDentry(
	client: DingTalkClient,
	ref: DentryRef,
	toRecycleBin: boolean,
): Promise<MaybeAsync<never>> {
	const answer = await client.call({
		api: DENTRY_APIS.delete,
		method: 'DELETE',
		path: dentryPath(ref),
		query: { unionId: ref.unionId, toRecycleBin },
	});
	return { taskId: taskOf(answer) };
}
