import type { DingTalkClient } from '../api/client';
import { DingTalkApiError } from '../errors';
import { collectPages, isFolderEntry, splitDrivePath, walkTree, type EntryKind } from '../helpers/paging';
import { listDentries, listVersions, MAX_LIST_PAGE, MAX_VERSIONS_PAGE } from './dentries';
import { listOrgSpaces, MAX_SPACES_PAGE, type Space } from './spaces';
import { ROOT_FOLDER_ID, type Dentry, type DentryRef, type OrderBy, type SortOrder } from './types';

/**
 * Whole listings on top of the one-page APIs: a folder (optionally its whole tree), a
 * file's versions, the organization's spaces; and a path resolved to its item. Each call
 * goes through the client, so the shared rate budget holds for a walk of any size.
 */

export interface FolderListing {
	spaceId: string;
	folderId: string;
	unionId: string;
	/** Stop after this many entries; absent: all. */
	limit?: number;
	recursive: boolean;
	/** Levels returned: 1 is the folder's own entries. */
	maxDepth: number;
	kind: EntryKind;
	orderBy?: OrderBy;
	order?: SortOrder;
	/** The folder's path, for entries without one ("" for the root). */
	folderPath?: string;
}

export async function listFolder(client: DingTalkClient, listing: FolderListing): Promise<Dentry[]> {
	return await walkTree<Dentry>(
		async (folderId, maxResults, nextToken) =>
			await listDentries(client, { spaceId: listing.spaceId, folderId, unionId: listing.unionId, maxResults, nextToken, orderBy: listing.orderBy, order: listing.order }),
		listing.folderId,
		{
			limit: listing.limit,
			recursive: listing.recursive,
			maxDepth: listing.maxDepth,
			kind: listing.kind,
			maxPageSize: MAX_LIST_PAGE,
			rootPath: listing.folderPath ?? '',
		},
	);
}

export async function listAllVersions(client: DingTalkClient, ref: DentryRef, limit?: number): Promise<Dentry[]> {
	return await collectPages((pageSize, nextToken) => listVersions(client, ref, pageSize, nextToken), { limit, maxPageSize: MAX_VERSIONS_PAGE });
}

export async function listAllOrgSpaces(client: DingTalkClient, unionId: string, limit?: number): Promise<Space[]> {
	return await collectPages((pageSize, nextToken) => listOrgSpaces(client, unionId, pageSize, nextToken), { limit, maxPageSize: MAX_SPACES_PAGE });
}

/** A path resolved: the space's root (no dentry), or an item with its dentry. */
export type Resolved = { kind: 'root'; id: typeof ROOT_FOLDER_ID } | { kind: 'item'; id: string; dentry: Dentry };

/**
 * Resolves paths such as "/合同/2026/a.pdf" level by level, listing each folder on the way
 * once per execution: items resolved under the same folders cost no further calls. Names
 * match exactly (case and spaces inside included), as DingTalk keeps them.
 */
export class PathResolver {
	private readonly folders = new Map<string, Promise<Dentry[]>>();

	async resolve(client: DingTalkClient, spaceId: string, unionId: string, path: string, field: string): Promise<Resolved> {
		const names = splitDrivePath(path, field);
		let current: Resolved = { kind: 'root', id: ROOT_FOLDER_ID };
		const walked: string[] = [];
		for (const name of names) {
			if (current.kind === 'item' && !isFolderEntry(current.dentry)) {
				throw notFound(path, `/${walked.join('/')} is a file, not a folder`, spaceId);
			}
			const children = await this.childrenOf(client, spaceId, unionId, current.id);
			const match = children.find((child) => child.name === name);
			if (!match) throw notFound(path, `there is no "${name}" in ${walked.length ? `/${walked.join('/')}` : 'the root'}`, spaceId);
			walked.push(name);
			current = { kind: 'item', id: match.id, dentry: match };
		}
		return current;
	}

	/** Forgets every listing: after a change, a folder may hold other things. */
	forget(): void {
		this.folders.clear();
	}

	private async childrenOf(client: DingTalkClient, spaceId: string, unionId: string, folderId: string): Promise<Dentry[]> {
		const key = `${spaceId}\n${unionId}\n${folderId}`;
		let children = this.folders.get(key);
		if (!children) {
			children = listFolder(client, { spaceId, folderId, unionId, recursive: false, maxDepth: 1, kind: 'all' });
			// A failed listing is not remembered: the next item may try again.
			children.catch(() => this.folders.delete(key));
			this.folders.set(key, children);
		}
		return await children;
	}
}

function notFound(path: string, problem: string, spaceId: string): DingTalkApiError {
	return new DingTalkApiError(`The path "${path}" was not found in space ${spaceId}: ${problem}`, {
		code: 'pathNotFound',
		httpCode: 404,
		description: 'Paths start at the space\'s root and match names exactly, case included. Pick the item "From list" or use its ID to be sure.',
	});
}
