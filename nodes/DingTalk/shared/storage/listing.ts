import type { DingTalkClient } from '../api/client';
import { DingTalkApiError } from '../errors';
import {
	collectPages,
	isFolderEntry,
	splitDrivePath,
	walkTree,
	type EntryKind,
} from '../helpers/paging';
import {
	getDentry,
	listDentries,
	listVersions,
	MAX_LIST_PAGE,
	MAX_VERSIONS_PAGE,
} from './dentries';
import { idsOfLink } from './links';
import { queryDentryUuid } from './permissions';
import { findRecycleBin } from './recycleBin';
import { listOrgSpaces, MAX_SPACES_PAGE, type Space } from './spaces';
import { ROOT_FOLDER_ID, type Dentry, type DentryRef, type OrderBy, type SortOrder } from './types';

/**
 * Whole listings on top of the one-page APIs: a folder (optionally its whole tree), a
 * file's versions, the organization's spaces; and a path resolved to its item. Each call
 * goes through the client, so the shared rate budget holds for a walk of any size.
 */

/** Levels a recursive listing goes down by default (the Storage node's list and both triggers). */
export const DEFAULT_MAX_DEPTH = 10;

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

export async function listFolder(
	client: DingTalkClient,
	listing: FolderListing,
): Promise<Dentry[]> {
	return await walkTree<Dentry>(
		async (folderId, maxResults, nextToken) =>
			await listDentries(client, {
				spaceId: listing.spaceId,
				folderId,
				unionId: listing.unionId,
				maxResults,
				nextToken,
				orderBy: listing.orderBy,
				order: listing.order,
			}),
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

export async function listAllVersions(
	client: DingTalkClient,
	ref: DentryRef,
	limit?: number,
): Promise<Dentry[]> {
	return await collectPages(
		(pageSize, nextToken) => listVersions(client, ref, pageSize, nextToken),
		{ limit, maxPageSize: MAX_VERSIONS_PAGE },
	);
}

export async function listAllOrgSpaces(
	client: DingTalkClient,
	unionId: string,
	limit?: number,
): Promise<Space[]> {
	return await collectPages(
		(pageSize, nextToken) => listOrgSpaces(client, unionId, pageSize, nextToken),
		{ limit, maxPageSize: MAX_SPACES_PAGE },
	);
}

/** A path resolved: the space's root (no dentry), or an item with its dentry. */
export type Resolved =
	{ kind: 'root'; id: typeof ROOT_FOLDER_ID } | { kind: 'item'; id: string; dentry: Dentry };

/** A name as compared: NFC, so a name typed on macOS (NFD) matches the one DingTalk keeps. */
export function comparableName(name: string): string {
	return name.normalize('NFC');
}

/**
 * What an execution reads about items, each read once: paths such as "/合同/2026/a.pdf"
 * resolved level by level (each folder on the way listed once, so items under the same
 * folders cost no further calls), and items' details by ID. Names match exactly (case and
 * spaces inside included, as DingTalk keeps them), in Unicode's composed form (NFC). Also
 * what does not change with the tree (UUIDs, the recycle bin), kept past `forget`.
 */
export class PathResolver {
	private readonly folders = new Map<string, Promise<Dentry[]>>();
	private readonly details = new Map<string, Promise<Dentry>>();
	/** What does not change when the tree does: dentries' UUIDs, the recycle bin's ID. */
	private readonly lasting = new Map<string, Promise<string>>();

	/** A dentry's UUID (storage 2.0's address for it), once per execution. */
	async uuid(client: DingTalkClient, ref: DentryRef): Promise<string> {
		return await this.once(
			this.lasting,
			`uuid\n${ref.spaceId}\n${ref.unionId}\n${ref.dentryId}`,
			async () => await queryDentryUuid(client, ref),
		);
	}

	/** The space and item a DingTalk document link names, once per execution. */
	async link(
		client: DingTalkClient,
		url: string,
		unionId: string,
	): Promise<{ spaceId: string; dentryId: string }> {
		const ids = await this.once(this.lasting, `link\n${unionId}\n${url.trim()}`, async () =>
			JSON.stringify(await idsOfLink(client, url, unionId)),
		);
		return JSON.parse(ids) as { spaceId: string; dentryId: string };
	}

	/** A recycle bin's ID (the organization's, or a space's), once per execution. */
	async recycleBin(
		client: DingTalkClient,
		scope: { scope: 'ORG' | 'SPACE'; scopeId: string },
		unionId: string,
	): Promise<string> {
		return await this.once(
			this.lasting,
			`bin\n${scope.scope}\n${scope.scopeId}\n${unionId}`,
			async () => await findRecycleBin(client, scope, unionId),
		);
	}

	async resolve(
		client: DingTalkClient,
		spaceId: string,
		unionId: string,
		path: string,
		field: string,
	): Promise<Resolved> {
		const names = splitDrivePath(path, field);
		let current: Resolved = { kind: 'root', id: ROOT_FOLDER_ID };
		const walked: string[] = [];
		for (const name of names) {
			if (current.kind === 'item' && !isFolderEntry(current.dentry)) {
				throw notFound(path, `/${walked.join('/')} is a file, not a folder`, spaceId);
			}
			const children = await this.childrenOf(client, spaceId, unionId, current.id);
			const wanted = comparableName(name);
			const match = children.find(
				(child) => typeof child.name === 'string' && comparableName(child.name) === wanted,
			);
			if (!match)
				throw notFound(
					path,
					`there is no "${name}" in ${walked.length ? `/${walked.join('/')}` : 'the root'}`,
					spaceId,
				);
			walked.push(name);
			current = { kind: 'item', id: match.id, dentry: match };
		}
		return current;
	}

	/** An item's details (one call per item and execution, until `forget`). */
	async dentry(client: DingTalkClient, ref: DentryRef): Promise<Dentry> {
		return await this.once(
			this.details,
			`${ref.spaceId}\n${ref.unionId}\n${ref.dentryId}`,
			async () => await getDentry(client, ref),
		);
	}

	/** Forgets every listing and detail: after a change, a folder may hold other things. */
	forget(): void {
		this.folders.clear();
		this.details.clear();
	}

	private async childrenOf(
		client: DingTalkClient,
		spaceId: string,
		unionId: string,
		folderId: string,
	): Promise<Dentry[]> {
		return await this.once(
			this.folders,
			`${spaceId}\n${unionId}\n${folderId}`,
			async () =>
				await listFolder(client, {
					spaceId,
					folderId,
					unionId,
					recursive: false,
					maxDepth: 1,
					kind: 'all',
				}),
		);
	}

	/**
	 * One read per key, shared by items that want it at the same time. A failed read is not
	 * remembered, nor shared: an item that was waiting on another's read that failed reads
	 * for itself, so one item's failure (a rate limit, a fault) never fails another.
	 */
	private async once<T>(
		cache: Map<string, Promise<T>>,
		key: string,
		read: () => Promise<T>,
	): Promise<T> {
		const shared = cache.get(key);
		if (shared) {
			const outcome = await shared.then(
				(value) => ({ value }),
				() => undefined,
			);
			if (outcome) return outcome.value;
		}
		const own = read();
		cache.set(key, own);
		own.catch(() => {
			if (cache.get(key) === own) cache.delete(key);
		});
		return await own;
	}
}

function notFound(path: string, problem: string, spaceId: string): DingTalkApiError {
	return new DingTalkApiError(`The path "${path}" was not found in space ${spaceId}: ${problem}`, {
		code: 'pathNotFound',
		httpCode: 404,
		description:
			'Paths start at the space\'s root and match names exactly, case included. Pick the item "From list" or use its ID to be sure.',
	});
}
