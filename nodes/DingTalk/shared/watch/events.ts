import { idOf } from '../storage/answers';
import { ROOT_FOLDER_ID } from '../storage/types';
import {
	changesBetween,
	isFolder,
	previousOf,
	seen,
	tracked,
	type ChangeEvent,
	type ListedEntry,
	type WatchedFolder,
	type WatchOptions,
	type WatchState,
} from './changes';

/**
 * One storage event applied to a watch's snapshot (the same snapshot the polling trigger's
 * diff keeps, see changes.ts), for the Event Trigger. DingTalk's event says only which entry
 * changed; what the change IS comes from comparing the entry now (its details) with what the
 * snapshot knew, so the event's own type is a hint, never trusted:
 * - now inside the watched tree and tracked: `created` if the snapshot did not know it (new,
 *   or moved in from outside, or renamed into the extension filter), `updated` with what
 *   changed if it did (nothing changed: nothing to say, e.g. a second delivery);
 * - no longer inside, no longer tracked (moved out, recycled, renamed out of the filter), or
 *   gone: `deleted`, from what the snapshot knew (nothing known: nothing to say);
 * - a folder that leaves (deleted, moved out) takes everything the snapshot knew under it;
 *   a folder renamed or moved within the tree carries its sub-folders' paths along.
 * The snapshot is changed in place (it is the trigger's working copy), so that a later
 * reconcile reports nothing twice. Pure otherwise: no I/O, no clock.
 */

export interface EventWatch extends WatchOptions {
	/** The watched space: an entry of another space is outside. */
	spaceId: string;
	/** The watched folder: its ID and path ("" for the root). */
	watched: WatchedFolder;
	recursive: boolean;
	/** With recursive: levels watched, 1 being the folder's own entries (as the listing's). */
	maxDepth: number;
}

/** What the event's entry is now: its details, or gone (DingTalk no longer knows it). */
export type EntryNow = { kind: 'present'; entry: ListedEntry } | { kind: 'gone' };

function segments(relative: string): number {
	return relative === '' ? 0 : relative.split('/').length;
}

/** `path` relative to the folder at `base` ("" for the root), or undefined when it is not below it. */
function below(path: string, base: string): string | undefined {
	if (base === '') return path.startsWith('/') ? path.slice(1) : undefined;
	return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined;
}

/** The watched folder's path as the snapshot knows it (the listing may have told it more exactly). */
function watchedPath(state: WatchState, watch: EventWatch): string {
	return state.folders[watch.watched.id] ?? watch.watched.path;
}

/**
 * How deep below the watched folder an entry is (1: directly in it), or undefined when it is
 * not in the watched tree (another space, another folder, deeper than Max Depth). Decided by
 * the entry's own path (its details say where it is now, even when the snapshot's idea of a
 * folder is stale), else by its parent's path as the snapshot knows it.
 */
export function depthInWatch(
	entry: ListedEntry,
	state: WatchState,
	watch: EventWatch,
): number | undefined {
	const spaceId = entry.spaceId;
	if (typeof spaceId === 'string' && spaceId !== '' && spaceId !== watch.spaceId) return undefined;
	const parentId = idOf(entry.parentId);
	if (parentId !== undefined && parentId === watch.watched.id) return 1;
	// Without Recursive only the folder's own entries count: the parent says it, or (no parent
	// given) the path below.
	if (!watch.recursive && parentId !== undefined) return undefined;
	const base = watchedPath(state, watch);
	// "" is the root's path: for another folder it means its path is not known.
	const baseKnown = base !== '' || watch.watched.id === ROOT_FOLDER_ID;
	let depth: number | undefined;
	if (baseKnown && usablePath(entry.path)) {
		const relative = below(entry.path, base);
		depth = relative === undefined || relative === '' ? undefined : segments(relative);
	} else {
		const parentPath = parentId === undefined ? undefined : state.folders[parentId];
		const relative = parentPath === undefined || !baseKnown ? undefined : below(parentPath, base);
		depth = relative === undefined ? undefined : segments(relative) + 1;
	}
	const limit = watch.recursive ? watch.maxDepth : 1;
	return depth !== undefined && depth <= limit ? depth : undefined;
}

function usablePath(path: unknown): path is string {
	return typeof path === 'string' && path.startsWith('/');
}

/** Details without a parent: the parent is the known folder at the path's directory, when there is one. */
function withParent(entry: ListedEntry, state: WatchState, watch: EventWatch): ListedEntry {
	if (idOf(entry.parentId) !== undefined || !usablePath(entry.path)) return entry;
	const directory = entry.path.slice(0, entry.path.lastIndexOf('/'));
	if (directory === watchedPath(state, watch)) return { ...entry, parentId: watch.watched.id };
	const folder = Object.entries(state.folders).find(([, path]) => path === directory);
	return folder ? { ...entry, parentId: folder[0] } : entry;
}

/**
 * Whether details say where an entry is (its folder, or a path from the space's root). An
 * answer that says neither must never read as "moved out": it is a failed read.
 */
export function placeable(entry: ListedEntry): boolean {
	return idOf(entry.parentId) !== undefined || usablePath(entry.path);
}

/** The path of a folder of the tree, from its details: its own path, or its parent's and its name. */
function folderPathOf(entry: ListedEntry, state: WatchState): string | undefined {
	if (typeof entry.path === 'string' && entry.path !== '') return entry.path;
	const parentPath = entry.parentId === undefined ? undefined : state.folders[entry.parentId];
	return parentPath === undefined || !entry.name ? undefined : `${parentPath}/${entry.name}`;
}

/**
 * Forgets a folder's sub-tree: every folder under it (and itself, unless `keepItself`) leaves
 * `folders`, every entry the snapshot knew under it leaves `entries` and is returned as
 * deleted, by path.
 */
function dropSubtree(state: WatchState, folderId: string, keepItself: boolean): ChangeEvent[] {
	const path = state.folders[folderId];
	if (path === undefined) return [];
	const gone = new Set<string>([folderId]);
	for (const [id, folderPath] of Object.entries(state.folders)) {
		if (below(folderPath, path) !== undefined) gone.add(id);
	}
	const deleted: ChangeEvent[] = [];
	for (const [dentryId, before] of Object.entries(state.entries)) {
		if (dentryId === folderId || !gone.has(before[4])) continue;
		deleted.push({
			event: 'deleted',
			changes: [],
			dentryId,
			previous: previousOf(before, state.folders),
		});
	}
	for (const change of deleted) delete state.entries[change.dentryId];
	for (const id of gone) {
		if (id !== folderId || !keepItself) delete state.folders[id];
	}
	return deleted.sort((a, b) =>
		a.previous!.path < b.previous!.path ? -1 : a.previous!.path > b.previous!.path ? 1 : 0,
	);
}

/** A folder of the tree now at `path`: its sub-folders' paths follow it. */
function moveSubtree(state: WatchState, folderId: string, path: string): void {
	const before = state.folders[folderId];
	state.folders[folderId] = path;
	if (before === undefined || before === path) return;
	for (const [id, folderPath] of Object.entries(state.folders)) {
		const relative = below(folderPath, before);
		if (id !== folderId && relative !== undefined) state.folders[id] = `${path}/${relative}`;
	}
}

/**
 * Applies what is now known of `dentryId` to `state` (in place) and returns the changes,
 * whatever the watch's `events` (the caller keeps those it reports): deletions of a folder's
 * contents first, by path, then the entry's own change.
 */
export function applyEntryChange(
	state: WatchState,
	dentryId: string,
	now: EntryNow,
	watch: EventWatch,
): ChangeEvent[] {
	const before = state.entries[dentryId];
	const previous = before ? previousOf(before, state.folders) : undefined;
	const changes: ChangeEvent[] = [];
	if (now.kind === 'gone') {
		// The watched folder itself gone: its contents are, its ID stays (a reconcile will say it is missing).
		changes.push(...dropSubtree(state, dentryId, dentryId === watch.watched.id));
		if (before) {
			delete state.entries[dentryId];
			changes.push({ event: 'deleted', changes: [], dentryId, previous });
		}
		return changes;
	}
	const entry = withParent({ ...now.entry, id: dentryId }, state, watch);
	if (dentryId === watch.watched.id) {
		// The watched folder itself renamed or moved: what is under it keeps its place, under a new path.
		if (isFolder(entry) && typeof entry.path === 'string' && entry.path !== '')
			moveSubtree(state, dentryId, entry.path);
		return changes;
	}
	const inside = depthInWatch(entry, state, watch) !== undefined;
	if (isFolder(entry)) {
		// A folder no longer NORMAL (in the recycle bin) has left the tree like one moved out.
		const present = entry.status === undefined || String(entry.status).toUpperCase() === 'NORMAL';
		const path = inside && present ? folderPathOf(entry, state) : undefined;
		if (path !== undefined) moveSubtree(state, dentryId, path);
		// Moved out of the tree (or out of reach): what was known under it left with it.
		else if (state.folders[dentryId] !== undefined)
			changes.push(...dropSubtree(state, dentryId, false));
	}
	// A folder the snapshot did not know (created or moved in, not reported itself): known from
	// now on by its path, so that its own later deletion or move takes this entry with it.
	const parentId = entry.parentId;
	if (
		inside &&
		parentId !== undefined &&
		parentId !== watch.watched.id &&
		state.folders[parentId] === undefined &&
		typeof entry.path === 'string'
	) {
		const slash = entry.path.lastIndexOf('/');
		if (slash > 0) state.folders[parentId] = entry.path.slice(0, slash);
	}
	if (inside && tracked(entry, watch)) {
		const seenNow = seen(entry);
		state.entries[dentryId] = seenNow;
		if (!before) changes.push({ event: 'created', changes: [], dentryId, current: entry });
		else {
			const what = changesBetween(before, seenNow);
			if (what.length > 0)
				changes.push({ event: 'updated', changes: what, dentryId, current: entry, previous });
		}
	} else if (before) {
		delete state.entries[dentryId];
		changes.push({ event: 'deleted', changes: [], dentryId, previous });
	}
	return changes;
}

/**
 * Whether a create or update event can be passed over without reading its entry (no API
 * call): an entry the snapshot does not know, and that cannot concern the watch: another
 * space's; a file whose extension the filter excludes (a known one may have been renamed out
 * of the filter: that is a deletion to report); a folder, when folders are not reported and
 * the watch is not recursive (a folder entering a recursive watch brings its contents).
 */
export function needsNoDetails(
	event: { spaceId: string; dentryId: string; type?: string; extension?: string },
	state: WatchState,
	watch: EventWatch,
): boolean {
	// Known: whatever the event says, it may have left (another space included).
	if (state.entries[event.dentryId] !== undefined || state.folders[event.dentryId] !== undefined)
		return false;
	if (event.spaceId !== watch.spaceId) return true;
	if (event.type === 'FOLDER') return !watch.includeFolders && !watch.recursive;
	if (event.type === 'FILE' && watch.extensions.length > 0 && event.extension !== undefined) {
		return !watch.extensions.includes(event.extension.toLowerCase());
	}
	return false;
}
