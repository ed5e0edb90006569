import { createHash } from 'node:crypto';

/**
 * What changed in a watched folder between two polls (or two reconciles of the Event
 * Trigger), decided by comparing the listing
 * with what the last poll saw: never by a time watermark alone, so files moved in,
 * renamed, edited twice in a minute, or stamped by a skewed clock are all caught. Pure:
 * previous state + listing → events + next state; the trigger stores the state in the
 * workflow's static data, and only after a complete, successful poll.
 */

/** An entry as the listing gives it (a DingTalk dentry, with its path). */
export interface ListedEntry {
	id: string;
	name?: string;
	parentId?: string;
	type?: string;
	version?: number;
	size?: number;
	modifiedTime?: string;
	status?: string;
	path?: string;
	[field: string]: unknown;
}

/**
 * What is remembered of an entry, kept small (see docs/performance.md: the state of 100,000 entries):
 * [version, size, modifiedTime, name, parentId]. Paths are not repeated per entry: each
 * folder's path is kept once (WatchState.folders).
 */
export type Seen = [
	version: number | null,
	size: number | null,
	modifiedTime: string | null,
	name: string,
	parentId: string,
];

export interface WatchState {
	/** Format of this state; another format is read as no state (a new baseline). */
	format: 2;
	/** What was watched (space, folder, depth, filters): another scope starts a new baseline. */
	scope: string;
	/** The entries seen, by dentry ID. */
	entries: Record<string, Seen>;
	/** The path of every folder of the watched tree (the watched folder's own included), by ID. */
	folders: Record<string, string>;
	/**
	 * Entries that one complete listing lacked, not yet reported deleted (still in `entries`):
	 * gone for good when the next complete listing lacks them too. Absent: none.
	 */
	missing?: string[];
}

export type EventName = 'created' | 'updated' | 'deleted';
/**
 * What an update changed: `content` (a new version or size, or a new modified time that no
 * rename or move explains), `renamed`, `moved` (within the watched tree).
 */
export type ChangeKind = 'content' | 'renamed' | 'moved';

export interface Previous {
	name: string;
	path: string;
	parentId: string;
	version: number | null;
	size: number | null;
	modifiedTime: string | null;
}

export interface ChangeEvent {
	event: EventName;
	/** For `updated`: what changed. Empty for the others. */
	changes: ChangeKind[];
	dentryId: string;
	/** The entry now (created, updated); undefined for deleted. */
	current?: ListedEntry;
	/** The entry as last seen (updated, deleted). */
	previous?: Previous;
}

export interface WatchOptions {
	events: EventName[];
	/** Report folders themselves (created, renamed, moved, deleted). */
	includeFolders: boolean;
	/** Lower-case extensions without the dot; empty: every file. */
	extensions: string[];
}

export function isFolder(entry: { type?: unknown }): boolean {
	return typeof entry.type === 'string' && entry.type.toUpperCase() === 'FOLDER';
}

function extensionOf(name: string | undefined): string {
	if (!name) return '';
	const dot = name.lastIndexOf('.');
	return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Whether an entry is watched at all: present (NORMAL), and passing the folder and extension filters. */
export function tracked(entry: ListedEntry, options: WatchOptions): boolean {
	if (entry.status !== undefined && String(entry.status).toUpperCase() !== 'NORMAL') return false;
	if (isFolder(entry)) return options.includeFolders;
	return options.extensions.length === 0 || options.extensions.includes(extensionOf(entry.name));
}

export function seen(entry: ListedEntry): Seen {
	return [
		typeof entry.version === 'number' ? entry.version : null,
		typeof entry.size === 'number' ? entry.size : null,
		typeof entry.modifiedTime === 'string' ? entry.modifiedTime : null,
		entry.name ?? '',
		entry.parentId ?? '',
	];
}

export function previousOf(entry: Seen, folders: Record<string, string>): Previous {
	const [version, size, modifiedTime, name, parentId] = entry;
	const folderPath = folders[parentId];
	return {
		name,
		path: folderPath === undefined ? name : `${folderPath}/${name}`,
		parentId,
		version,
		size,
		modifiedTime,
	};
}

/**
 * What an update changed, from what was seen before to what is seen now (empty: nothing).
 * A rename or a move also stamps a new modified time: alone, the time says "content" only
 * when nothing else explains it; a new version or size always does.
 */
export function changesBetween(before: Seen, now: Seen): ChangeKind[] {
	const [version, size, modifiedTime, name, parentId] = before;
	const renamed = now[3] !== name;
	const moved = now[4] !== parentId;
	const content =
		now[0] !== version || now[1] !== size || (now[2] !== modifiedTime && !renamed && !moved);
	const changes: ChangeKind[] = [];
	if (content) changes.push('content');
	if (renamed) changes.push('renamed');
	if (moved) changes.push('moved');
	return changes;
}

/** When a change happened, for ordering: its modified time (a deletion: when it was last seen changed). */
function timeOf(event: ChangeEvent): number {
	const text = event.current?.modifiedTime ?? event.previous?.modifiedTime ?? undefined;
	const time = text === undefined || text === null ? Number.NaN : Date.parse(text);
	return Number.isFinite(time) ? time : Number.POSITIVE_INFINITY;
}

/** Where the watched folder is: its ID and path ("" for a space's root). */
export interface WatchedFolder {
	id: string;
	path: string;
}

/**
 * The changes from `previous` to `listing`, oldest first, each entry at most once, and the
 * state to keep. No previous state (or another scope): a silent baseline, no events.
 * `vanished` lists every entry the listing lacks (whether or not deletions are watched):
 * a deletion is inferred from absence, so the caller confirms it before it is believed
 * (see `keepUnconfirmed`).
 */
export function detectChanges(
	previous: WatchState | undefined,
	listing: ListedEntry[],
	scope: string,
	options: WatchOptions,
	watched: WatchedFolder = { id: '0', path: '' },
): { events: ChangeEvent[]; next: WatchState; vanished: string[] } {
	const entries: Record<string, Seen> = {};
	const folders: Record<string, string> = { [watched.id]: watched.path };
	const current = new Map<string, ListedEntry>();
	for (const entry of listing) {
		if (isFolder(entry) && typeof entry.path === 'string') folders[entry.id] = entry.path;
		// A folder watched by its ID: its path shows in its entries' paths.
		if (
			entry.parentId === watched.id &&
			typeof entry.path === 'string' &&
			entry.name &&
			entry.path.endsWith(`/${entry.name}`)
		) {
			folders[watched.id] = entry.path.slice(0, -entry.name.length - 1);
		}
		if (!tracked(entry, options) || current.has(entry.id)) continue;
		current.set(entry.id, entry);
		entries[entry.id] = seen(entry);
	}
	const next: WatchState = { format: 2, scope, entries, folders };
	if (!previous || previous.format !== 2 || previous.scope !== scope)
		return { events: [], next, vanished: [] };

	const events: ChangeEvent[] = [];
	for (const [dentryId, entry] of current) {
		const before = previous.entries[dentryId];
		if (!before) {
			events.push({ event: 'created', changes: [], dentryId, current: entry });
			continue;
		}
		const changes = changesBetween(before, seen(entry));
		if (changes.length > 0)
			events.push({
				event: 'updated',
				changes,
				dentryId,
				current: entry,
				previous: previousOf(before, previous.folders),
			});
	}
	const vanished: string[] = [];
	for (const [dentryId, before] of Object.entries(previous.entries)) {
		if (current.has(dentryId)) continue;
		vanished.push(dentryId);
		events.push({
			event: 'deleted',
			changes: [],
			dentryId,
			previous: previousOf(before, previous.folders),
		});
	}
	const wanted = events.filter((event) => options.events.includes(event.event));
	wanted.sort(
		(a, b) =>
			timeOf(a) - timeOf(b) || (a.dentryId < b.dentryId ? -1 : a.dentryId > b.dentryId ? 1 : 0),
	);
	return { events: wanted, next, vanished };
}

/**
 * The state to keep when some changes are not to be delivered now: `held` changes (beyond
 * Max Items per Poll, or a deletion not yet confirmed) keep what `previous` knew of their
 * entries, so the next poll finds them again; `missing` entries are kept as unconfirmed
 * deletions. Everything else moves on to `next`.
 */
export function keepUnconfirmed(
	previous: WatchState,
	next: WatchState,
	held: Array<{ event: EventName; dentryId: string }>,
	missing: string[],
): WatchState {
	const entries = { ...next.entries };
	const folders = { ...next.folders };
	const keepPrevious = (dentryId: string) => {
		const before = previous.entries[dentryId];
		if (!before) return;
		entries[dentryId] = before;
		// A kept entry's folder path stays known, even when the folder itself is gone.
		const parentId = before[4];
		if (folders[parentId] === undefined && previous.folders[parentId] !== undefined)
			folders[parentId] = previous.folders[parentId];
	};
	for (const change of held) {
		if (change.event === 'created') delete entries[change.dentryId];
		else keepPrevious(change.dentryId);
	}
	for (const dentryId of missing) keepPrevious(dentryId);
	const kept: WatchState = { ...next, entries, folders };
	if (missing.length > 0) kept.missing = [...missing].sort();
	else delete kept.missing;
	return kept;
}

/**
 * A change's stable ID: the same change (the same entry, event, version, size, time, name
 * and place) always gets the same ID, whichever poll or trigger reports it, so a workflow
 * can drop one it has seen (delivery is at least once).
 */
export function eventIdOf(change: ChangeEvent, spaceId: string): string {
	const entry = change.current;
	const facts = entry
		? [
				entry.version ?? null,
				entry.size ?? null,
				entry.modifiedTime ?? null,
				entry.name ?? '',
				entry.parentId ?? '',
			]
		: change.previous
			? [
					change.previous.version,
					change.previous.size,
					change.previous.modifiedTime,
					change.previous.name,
					change.previous.parentId,
				]
			: [];
	const digest = createHash('sha256')
		.update(JSON.stringify([spaceId, change.dentryId, change.event, ...facts]))
		.digest('hex');
	return `${change.event}-${digest.slice(0, 32)}`;
}
