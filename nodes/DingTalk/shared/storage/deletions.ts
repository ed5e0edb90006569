import type { DingTalkClient } from '../api/client';
import { DingTalkStorageError, isCancelled } from '../errors';
import { isFolderEntry } from '../helpers/paging';
import { getDentry } from './dentries';
import type { DentryRef } from './types';

/**
 * Deciding that an entry a watcher saw before is really gone. A deletion is inferred from
 * absence in a listing, so before it is believed it is confirmed: by the entry's details
 * (DingTalk no longer knows it, it is in the recycle bin, or it now lies outside the
 * watched tree), or, when many vanish at once (one details call each would cost too much
 * of the organization's API quota), by a second complete listing that still lacks them.
 */

/** Vanished entries confirmed by their details, one call each, up to this many at a time. */
export const MAX_DELETIONS_CHECKED = 20;

/**
 * The folders whose entries a listing holds: the watched one and, when the tree was walked,
 * every folder less than `maxDepth` levels down (see walkTree). An entry whose parent is one
 * of them would have been listed.
 */
export function listedFolders(
	listing: Array<{ id: string; parentId?: string; type?: string }>,
	watchedId: string,
	walk: { recursive: boolean; maxDepth: number },
): Set<string> {
	const listed = new Set([watchedId]);
	if (!walk.recursive) return listed;
	const depth = new Map<string, number>([[watchedId, 0]]);
	// Breadth first: a folder's entries come after the folder itself.
	for (const entry of listing) {
		const parentDepth = entry.parentId === undefined ? undefined : depth.get(entry.parentId);
		if (parentDepth === undefined) continue;
		depth.set(entry.id, parentDepth + 1);
		if (isFolderEntry(entry) && parentDepth + 1 < walk.maxDepth) listed.add(entry.id);
	}
	return listed;
}

/** Whether a details query's failure says DingTalk no longer knows the entry. */
export function isGoneError(error: unknown): boolean {
	return (
		error instanceof DingTalkStorageError &&
		!isCancelled(error) &&
		(error.httpCode === 404 || /NotExist|NotFound/i.test(error.code))
	);
}

/**
 * What a vanished entry's details say: `gone` (DingTalk knows it no more, it is not NORMAL,
 * or its folder is outside the watched tree), `present` (still where the listing should
 * have shown it), or `unknown` (DingTalk refused to say, e.g. the operator lost access).
 * A temporary failure or a cancellation is thrown: the caller tries again later.
 */
export async function fateOf(
	client: DingTalkClient,
	ref: DentryRef,
	listed: Set<string>,
): Promise<'gone' | 'present' | 'unknown'> {
	const outcome = await getDentry(client, ref).then(
		(dentry) => ({ dentry }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		const { error } = outcome;
		if (isGoneError(error)) return 'gone';
		if (!(error instanceof DingTalkStorageError) || error.retryable || isCancelled(error))
			throw error;
		return 'unknown';
	}
	const { dentry } = outcome;
	if (typeof dentry.status === 'string' && dentry.status.toUpperCase() !== 'NORMAL') return 'gone';
	if (dentry.parentId !== undefined && !listed.has(dentry.parentId)) return 'gone';
	return 'present';
}

export interface Vanished {
	spaceId: string;
	unionId: string;
	/** Entries the last complete listing lacks. */
	vanished: string[];
	/** Entries the listing before it lacked too (a second complete listing confirms them). */
	missedBefore: string[];
	/** Folders whose entries the listing holds (see listedFolders). */
	listed: Set<string>;
	/** Whether deletions are reported at all; if not, a second listing decides, at no cost. */
	checkDetails: boolean;
}

/**
 * Which vanished entries are gone for good (`confirmed`), which wait for the next complete
 * listing (`missing`), and which the details show still in the watched tree (`present`:
 * the listing missed them, so nothing is to be reported).
 */
export async function confirmVanished(
	client: DingTalkClient,
	request: Vanished,
): Promise<{ confirmed: Set<string>; missing: string[]; present: string[] }> {
	const missedBefore = new Set(request.missedBefore);
	const confirmed = new Set(request.vanished.filter((id) => missedBefore.has(id)));
	const unchecked = request.vanished.filter((id) => !missedBefore.has(id));
	if (!request.checkDetails || unchecked.length > MAX_DELETIONS_CHECKED)
		return { confirmed, missing: unchecked, present: [] };
	const missing: string[] = [];
	const present: string[] = [];
	for (const dentryId of unchecked) {
		const fate = await fateOf(
			client,
			{ spaceId: request.spaceId, dentryId, unionId: request.unionId },
			request.listed,
		);
		if (fate === 'gone') confirmed.add(dentryId);
		else (fate === 'present' ? present : missing).push(dentryId);
	}
	return { confirmed, missing, present };
}
