import { DingTalkApiError, InputError } from '../errors';

/**
 * Listings that come a page at a time, read the way DingTalk's paging needs: follow
 * `nextToken` until it is empty, never past a limit. A listing that cannot be complete
 * fails, never ends short: a page that fails fails it, and so does a token that comes
 * back (the listing would loop forever, or skip what lies between). A short listing would
 * read as deletions to whoever compares it with an earlier one. Pure: the fetcher is given.
 */

/** A listing that could not be read whole; retrying later may succeed. */
export function incompleteListing(problem: string): DingTalkApiError {
	return new DingTalkApiError(`The listing is incomplete: ${problem}`, {
		code: 'incompleteListing',
		retryable: true,
		description:
			'Nothing was output from a partial listing (a trigger keeps its state and tries again at its next poll). If it persists, check the folder in DingTalk, or any gateway between n8n and DingTalk.',
	});
}

export interface Page<T> {
	items: T[];
	nextToken?: string;
}

/** Fetches one page of at most `pageSize` items, after `nextToken` (none: the first page). */
export type FetchPage<T> = (pageSize: number, nextToken?: string) => Promise<Page<T>>;

export interface CollectOptions {
	/** Stop after this many items; absent: all of them. */
	limit?: number;
	/** The largest page the API gives (50 for folders, 100 for versions). */
	maxPageSize: number;
}

/**
 * All items, or the first `limit`. Each page asks only for what is still wanted, so a
 * limit of 3 costs one call for 3 entries, and no page is fetched after the limit is met.
 */
export async function collectPages<T>(
	fetchPage: FetchPage<T>,
	options: CollectOptions,
): Promise<T[]> {
	const items: T[] = [];
	const seen = new Set<string>();
	let nextToken: string | undefined;
	do {
		const wanted =
			options.limit === undefined
				? options.maxPageSize
				: Math.min(options.maxPageSize, options.limit - items.length);
		if (wanted <= 0) break;
		const page = await fetchPage(wanted, nextToken);
		items.push(
			...page.items.slice(
				0,
				options.limit === undefined ? undefined : options.limit - items.length,
			),
		);
		nextToken = page.nextToken;
		if (nextToken !== undefined) {
			if (seen.has(nextToken))
				throw incompleteListing(
					'DingTalk sent a page token it had sent before, so the pages cannot be read in order to the end',
				);
			seen.add(nextToken);
		}
	} while (
		nextToken !== undefined &&
		(options.limit === undefined || items.length < options.limit)
	);
	return items;
}

/** What the walk needs to know of an entry. */
export interface TreeEntry {
	id: string;
	name?: string;
	type?: string;
	path?: string;
}

export type EntryKind = 'all' | 'file' | 'folder';

export interface WalkOptions {
	/** Stop after this many emitted entries; absent: all. */
	limit?: number;
	/** Descend into sub-folders. */
	recursive: boolean;
	/** Levels to return: 1 is the folder's own entries, 2 adds its sub-folders' entries... */
	maxDepth: number;
	/** Which entries to emit; folders are walked into either way. */
	kind: EntryKind;
	maxPageSize: number;
	/** The listed folder's path, to complete entries that come without one ("" for the root). */
	rootPath: string;
}

export function isFolderEntry(entry: { type?: string }): boolean {
	return typeof entry.type === 'string' && entry.type.toUpperCase() === 'FOLDER';
}

/**
 * A folder's entries, and with `recursive` its sub-folders' entries, breadth first (a
 * level is finished before the next starts), each with its `path`. Pages are as small as
 * the limit allows when every entry of this one folder counts; otherwise full pages,
 * because the walk must see the folders it descends into.
 */
export async function walkTree<T extends TreeEntry>(
	fetchChildren: (folderId: string, pageSize: number, nextToken?: string) => Promise<Page<T>>,
	rootId: string,
	options: WalkOptions,
): Promise<T[]> {
	const out: T[] = [];
	const full = () => options.limit !== undefined && out.length >= options.limit;
	const queue: Array<{ folderId: string; depth: number; path: string }> = [
		{ folderId: rootId, depth: 1, path: options.rootPath },
	];
	const everyEntryCounts = options.kind === 'all' && !options.recursive;
	while (queue.length > 0 && !full()) {
		const folder = queue.shift()!;
		const descend = options.recursive && folder.depth < options.maxDepth;
		await collectPages<T>(
			async (pageSize, nextToken) => {
				const page = await fetchChildren(folder.folderId, pageSize, nextToken);
				for (const entry of page.items) {
					if (full()) break;
					if (entry.path === undefined && entry.name !== undefined)
						entry.path = `${folder.path}/${entry.name}`;
					const folderEntry = isFolderEntry(entry);
					if (options.kind === 'all' || (options.kind === 'folder') === folderEntry)
						out.push(entry);
					if (folderEntry && descend)
						queue.push({
							folderId: entry.id,
							depth: folder.depth + 1,
							path: entry.path ?? `${folder.path}/${entry.id}`,
						});
				}
				// Once full, report no more pages: nothing further is fetched.
				return { items: page.items, nextToken: full() ? undefined : page.nextToken };
			},
			{
				maxPageSize: options.maxPageSize,
				limit: everyEntryCounts && options.limit !== undefined ? options.limit : undefined,
			},
		);
	}
	return out;
}

/**
 * A path in a space, as a user writes it ("/合同/2026/a.pdf", "合同/2026/", "/"), as its
 * names. Empty segments (doubled or trailing slashes) are dropped; "." and ".." are not
 * names in DingTalk and are refused, as is a path of more than 100 levels.
 */
export function splitDrivePath(path: string, field: string): string[] {
	const names = path
		.split('/')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	const help =
		"Write the path from the space's root, folder by folder, for example /合同/2026/a.pdf.";
	if (names.some((name) => name === '.' || name === '..'))
		throw new InputError(field, `"." and ".." are not names in DingTalk ("${path}")`, help);
	if (names.length > 100) throw new InputError(field, 'the path has more than 100 levels', help);
	return names;
}
