import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { DingTalkStorageError } from '../shared/errors';
import { isFolderEntry } from '../shared/helpers/paging';
import { listDentries, MAX_LIST_PAGE } from '../shared/storage/dentries';
import { listOrgSpaces, MAX_SPACES_PAGE } from '../shared/storage/spaces';
import { ROOT_FOLDER_ID } from '../shared/storage/types';
import { DEFAULT_TIMEOUTS } from '../shared/transport/http';
import { clientFor } from './credentials';

/**
 * "From list" for the pickers: the organization's Drive spaces, and the folders or files
 * of the chosen space, read through the node's credential. The tree is read breadth
 * first a few pages per request; "load more" carries on where the last request stopped
 * (its state travels in the pagination token). The search box filters by name and path.
 */

/** Listing calls per request of the editor: enough to fill a page, few enough for the quota. */
const CALLS_PER_SEARCH = 4;

async function context(ctx: ILoadOptionsFunctions) {
	const unionId = String(ctx.getCurrentNodeParameter('unionId') ?? '').trim();
	if (!unionId || unionId.startsWith('=')) {
		throw new Error(
			'Fill in "Operator Union ID" first (a fixed value): the list is read on that user\'s behalf',
		);
	}
	const credentials = await ctx.getCredentials('dingTalkApi');
	return { unionId, client: clientFor(credentials, { ...DEFAULT_TIMEOUTS, responseMs: 15_000 }) };
}

function spaceOf(ctx: ILoadOptionsFunctions, parameter: string): string {
	const value = ctx.getCurrentNodeParameter(parameter, { extractValue: true });
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function matches(filter: string | undefined, ...texts: Array<string | undefined>): boolean {
	if (!filter) return true;
	const wanted = filter.toLowerCase();
	return texts.some((text) => text?.toLowerCase().includes(wanted));
}

/** Turns a failure into a message the editor shows, never a secret (the package's errors carry none). */
async function readable<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		if (error instanceof DingTalkStorageError) throw new Error(error.message);
		throw error;
	}
}

export async function searchSpaces(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await readable(async () => {
		const { client, unionId } = await context(this);
		const page = await listOrgSpaces(client, unionId, MAX_SPACES_PAGE, paginationToken);
		const results: INodeListSearchItems[] = page.items
			.map((space) => ({
				name: `${String(space.spaceName ?? space.spaceId)} (${space.spaceId})`,
				value: space.spaceId,
			}))
			.filter((item) => matches(filter, item.name));
		return { results, paginationToken: page.nextToken };
	});
}

interface WalkState {
	/** Folders still to read: [id, path]. */
	queue: Array<[string, string]>;
	/** Where reading the first folder of the queue stopped. */
	nextToken?: string;
}

async function searchTree(
	ctx: ILoadOptionsFunctions,
	spaceParameter: string,
	want: 'file' | 'folder' | 'all',
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await readable(async () => {
		const spaceId = spaceOf(ctx, spaceParameter);
		if (!spaceId) throw new Error('Choose the space first');
		const { client, unionId } = await context(ctx);
		const state: WalkState = paginationToken
			? (JSON.parse(paginationToken) as WalkState)
			: { queue: [[ROOT_FOLDER_ID, '']] };
		const results: INodeListSearchItems[] = [];
		if (!paginationToken && want !== 'file' && matches(filter, '/'))
			results.push({ name: "/ (the space's root)", value: ROOT_FOLDER_ID });
		for (let calls = 0; calls < CALLS_PER_SEARCH && state.queue.length > 0; calls++) {
			const [folderId, folderPath] = state.queue[0];
			const page = await listDentries(client, {
				spaceId,
				folderId,
				unionId,
				maxResults: MAX_LIST_PAGE,
				nextToken: state.nextToken,
				orderBy: 'NAME',
				order: 'ASC',
			});
			for (const entry of page.items) {
				const path = entry.path ?? `${folderPath}/${entry.name ?? entry.id}`;
				const folder = isFolderEntry(entry);
				if (folder) state.queue.push([entry.id, path]);
				if ((want === 'all' || (want === 'folder') === folder) && matches(filter, path))
					results.push({ name: path, value: entry.id });
			}
			state.nextToken = page.nextToken;
			if (!page.nextToken) state.queue.shift();
		}
		return { results, paginationToken: state.queue.length > 0 ? JSON.stringify(state) : undefined };
	});
}

export async function searchFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchTree(this, 'spaceId', 'folder', filter, paginationToken);
}

/** Folders of the copy or move target: the target space, or the item's own space when none is chosen. */
export async function searchTargetFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchTree(
		this,
		spaceOf(this, 'targetSpaceId') ? 'targetSpaceId' : 'spaceId',
		'folder',
		filter,
		paginationToken,
	);
}

export async function searchFiles(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchTree(this, 'spaceId', 'file', filter, paginationToken);
}

/** Files and folders alike (what a permission is given on). */
export async function searchItems(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchTree(this, 'spaceId', 'all', filter, paginationToken);
}
