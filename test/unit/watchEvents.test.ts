/**
 * The Event Trigger's pure parts: one storage event applied to the snapshot (the event → item
 * mapping and the scope filter), which events need no details query, the work queue (order,
 * bound) and the shared details reads. And the property that ties the two drivers together:
 * applying each changed entry's present state to the snapshot ends where a fresh listing's
 * diff does.
 */
import fc from 'fast-check';

import {
	detectChanges,
	type ListedEntry,
	type WatchState,
} from '../../nodes/DingTalk/shared/watch/changes';
import { SharedReads } from '../../nodes/DingTalk/shared/watch/eventDetails';
import {
	applyEntryChange,
	depthInWatch,
	needsNoDetails,
	placeable,
	type EventWatch,
} from '../../nodes/DingTalk/shared/watch/events';
import { WorkQueue } from '../../nodes/DingTalk/shared/watch/workQueue';

const SPACE = '1000';

function watchOf(overrides: Partial<EventWatch> = {}): EventWatch {
	return {
		spaceId: SPACE,
		watched: { id: 'w', path: '/watched' },
		recursive: true,
		maxDepth: 10,
		events: ['created', 'updated', 'deleted'],
		includeFolders: false,
		extensions: [],
		...overrides,
	};
}

function folder(id: string, parentId: string, path: string): ListedEntry {
	return {
		id,
		name: path.split('/').pop(),
		parentId,
		type: 'FOLDER',
		path,
		status: 'NORMAL',
		spaceId: SPACE,
		modifiedTime: '2026-01-01T00:00:00Z',
	};
}

function file(
	id: string,
	parentId: string,
	path: string,
	overrides: Partial<ListedEntry> = {},
): ListedEntry {
	return {
		id,
		name: path.split('/').pop(),
		parentId,
		type: 'FILE',
		path,
		status: 'NORMAL',
		spaceId: SPACE,
		version: 1,
		size: 100,
		modifiedTime: '2026-01-01T00:00:00Z',
		...overrides,
	};
}

/** The watched tree: /watched/{a.pdf, sub/{b.pdf, deep/c.pdf}}; outside: /other/x.pdf. */
const TREE: ListedEntry[] = [
	file('a', 'w', '/watched/a.pdf'),
	folder('sub', 'w', '/watched/sub'),
	file('b', 'sub', '/watched/sub/b.pdf'),
	folder('deep', 'sub', '/watched/sub/deep'),
	file('c', 'deep', '/watched/sub/deep/c.pdf'),
];

function snapshot(watch = watchOf(), listing = TREE): WatchState {
	return detectChanges(undefined, listing, 'scope', watch, watch.watched).next;
}

function shape(changes: ReturnType<typeof applyEntryChange>) {
	return changes.map((change) => [change.event, change.dentryId, change.changes]);
}

describe('applyEntryChange', () => {
	test('a new file in the tree is created; the same again is nothing (a second delivery)', () => {
		const state = snapshot();
		const now = { kind: 'present' as const, entry: file('n', 'deep', '/watched/sub/deep/n.pdf') };
		expect(shape(applyEntryChange(state, 'n', now, watchOf()))).toEqual([['created', 'n', []]]);
		expect(applyEntryChange(state, 'n', now, watchOf())).toEqual([]);
		expect(state.entries.n).toBeDefined();
	});

	test('updated: content, renamed, moved within, with what was known before', () => {
		const state = snapshot();
		const [content] = applyEntryChange(
			state,
			'a',
			{ kind: 'present', entry: file('a', 'w', '/watched/a.pdf', { version: 2, size: 120 }) },
			watchOf(),
		);
		expect(content).toMatchObject({
			event: 'updated',
			changes: ['content'],
			previous: { version: 1, path: '/watched/a.pdf' },
		});
		const [renamed] = applyEntryChange(
			state,
			'b',
			{
				kind: 'present',
				entry: file('b', 'sub', '/watched/sub/b2.pdf', { modifiedTime: '2026-02-01T00:00:00Z' }),
			},
			watchOf(),
		);
		expect(renamed).toMatchObject({
			event: 'updated',
			changes: ['renamed'],
			previous: { name: 'b.pdf' },
		});
		const [moved] = applyEntryChange(
			state,
			'c',
			{
				kind: 'present',
				entry: file('c', 'w', '/watched/c.pdf', { modifiedTime: '2026-02-01T00:00:00Z' }),
			},
			watchOf(),
		);
		expect(moved).toMatchObject({
			event: 'updated',
			changes: ['moved'],
			previous: { path: '/watched/sub/deep/c.pdf', parentId: 'deep' },
		});
	});

	test('moved in from outside: created; moved out, recycled, gone: deleted from what was known; unknown and gone: nothing', () => {
		const state = snapshot();
		expect(
			shape(
				applyEntryChange(
					state,
					'x',
					{ kind: 'present', entry: file('x', 'w', '/watched/x.pdf') },
					watchOf(),
				),
			),
		).toEqual([['created', 'x', []]]);
		const [out] = applyEntryChange(
			state,
			'a',
			{ kind: 'present', entry: file('a', 'o', '/other/a.pdf') },
			watchOf(),
		);
		expect(out).toMatchObject({
			event: 'deleted',
			dentryId: 'a',
			previous: { path: '/watched/a.pdf' },
		});
		expect(out.current).toBeUndefined();
		expect(
			shape(
				applyEntryChange(
					state,
					'b',
					{ kind: 'present', entry: file('b', 'sub', '/watched/sub/b.pdf', { status: 'DELETED' }) },
					watchOf(),
				),
			),
		).toEqual([['deleted', 'b', []]]);
		expect(shape(applyEntryChange(state, 'c', { kind: 'gone' }, watchOf()))).toEqual([
			['deleted', 'c', []],
		]);
		expect(applyEntryChange(state, 'never-seen', { kind: 'gone' }, watchOf())).toEqual([]);
		expect(Object.keys(state.entries).sort()).toEqual(['x']);
	});

	test('another space, another folder, deeper than Max Depth, or below the folder without Recursive: outside', () => {
		const state = snapshot();
		const watch = watchOf({ maxDepth: 2 });
		expect(
			depthInWatch(file('n', 'w', '/watched/n.pdf', { spaceId: '2000' }), state, watch),
		).toBeUndefined();
		expect(depthInWatch(file('n', 'o', '/other/n.pdf'), state, watch)).toBeUndefined();
		expect(depthInWatch(file('n', 'o', '/watchedness/n.pdf'), state, watch)).toBeUndefined();
		expect(depthInWatch(file('n', 'sub', '/watched/sub/n.pdf'), state, watch)).toBe(2);
		expect(
			depthInWatch(file('n', 'deep', '/watched/sub/deep/n.pdf'), state, watch),
		).toBeUndefined();
		// A folder the snapshot does not know: placed by the entry's own path.
		expect(depthInWatch(file('n', 'new', '/watched/sub/n.pdf'), state, watch)).toBe(2);
		expect(
			depthInWatch(file('n', 'sub', '/watched/sub/n.pdf'), state, watchOf({ recursive: false })),
		).toBeUndefined();
		expect(
			depthInWatch(file('n', 'w', '/watched/n.pdf'), state, watchOf({ recursive: false })),
		).toBe(1);
		// The space's root, watched: every path below "/".
		const root = watchOf({ watched: { id: '0', path: '' } });
		expect(
			depthInWatch(
				file('n', 'sub', '/watched/sub/n.pdf'),
				snapshot(
					root,
					TREE.map((entry) => ({ ...entry })),
				),
				root,
			),
		).toBe(3);
	});

	test('extensions and folders: a file renamed out of the filter is deleted, into it created; folders only with Include Folders', () => {
		const watch = watchOf({ extensions: ['pdf'] });
		const state = snapshot(watch);
		expect(
			shape(
				applyEntryChange(
					state,
					'a',
					{ kind: 'present', entry: file('a', 'w', '/watched/a.txt') },
					watch,
				),
			),
		).toEqual([['deleted', 'a', []]]);
		expect(
			shape(
				applyEntryChange(
					state,
					'a',
					{ kind: 'present', entry: file('a', 'w', '/watched/a.pdf') },
					watch,
				),
			),
		).toEqual([['created', 'a', []]]);
		expect(
			applyEntryChange(
				state,
				'f',
				{ kind: 'present', entry: folder('f', 'w', '/watched/f') },
				watch,
			),
		).toEqual([]);
		const withFolders = watchOf({ includeFolders: true });
		expect(
			shape(
				applyEntryChange(
					snapshot(withFolders),
					'f',
					{ kind: 'present', entry: folder('f', 'w', '/watched/f') },
					withFolders,
				),
			),
		).toEqual([['created', 'f', []]]);
	});

	test('a folder gone or moved out takes what was known under it (by path); renamed or moved within, its sub-folders follow', () => {
		const deleted = snapshot();
		expect(shape(applyEntryChange(deleted, 'sub', { kind: 'gone' }, watchOf()))).toEqual([
			['deleted', 'b', []],
			['deleted', 'c', []],
		]);
		expect(Object.keys(deleted.folders).sort()).toEqual(['w']);

		const movedOut = snapshot();
		expect(
			shape(
				applyEntryChange(
					movedOut,
					'sub',
					{ kind: 'present', entry: folder('sub', 'o', '/other/sub') },
					watchOf(),
				),
			),
		).toEqual([
			['deleted', 'b', []],
			['deleted', 'c', []],
		]);

		const renamed = snapshot();
		expect(
			applyEntryChange(
				renamed,
				'sub',
				{ kind: 'present', entry: folder('sub', 'w', '/watched/sub2') },
				watchOf(),
			),
		).toEqual([]);
		expect(renamed.folders).toMatchObject({ sub: '/watched/sub2', deep: '/watched/sub2/deep' });
		// A later change below it: placed, and reported with the new path.
		const [later] = applyEntryChange(
			renamed,
			'c',
			{ kind: 'present', entry: file('c', 'deep', '/watched/sub2/deep/c.pdf', { version: 2 }) },
			watchOf(),
		);
		expect(later).toMatchObject({
			event: 'updated',
			changes: ['content'],
			previous: { path: '/watched/sub2/deep/c.pdf' },
		});
	});

	test('the watched folder itself renamed: nothing to report, and changes below it are still placed (by their new paths)', () => {
		const state = snapshot();
		expect(
			applyEntryChange(
				state,
				'w',
				{ kind: 'present', entry: folder('w', '0', '/renamed') },
				watchOf(),
			),
		).toEqual([]);
		expect(state.folders).toMatchObject({
			w: '/renamed',
			sub: '/renamed/sub',
			deep: '/renamed/sub/deep',
		});
		const [created] = applyEntryChange(
			state,
			'n',
			{ kind: 'present', entry: file('n', 'new-folder', '/renamed/sub/new-folder/n.pdf') },
			watchOf(),
		);
		expect(created).toMatchObject({ event: 'created', dentryId: 'n' });
	});

	test('the watched folder itself gone: its contents are deleted, its own place is kept', () => {
		const state = snapshot();
		expect(
			shape(applyEntryChange(state, 'w', { kind: 'gone' }, watchOf())).map(([, id]) => id),
		).toEqual(['a', 'b', 'c']);
		expect(state.folders.w).toBe('/watched');
	});
});

describe('where the snapshot is unsure', () => {
	test("a watched folder (not the root) whose path the snapshot does not know: an entry is placed by its parent, never by its path's prefix", () => {
		const watch = watchOf({ watched: { id: 'w', path: '' } });
		const state = snapshot(watch, []);
		expect(depthInWatch(file('x', 'elsewhere', '/其他/x.pdf'), state, watch)).toBeUndefined();
		expect(depthInWatch(file('x', 'w', '/其他/x.pdf'), state, watch)).toBe(1);
		expect(
			applyEntryChange(
				state,
				'x',
				{ kind: 'present', entry: file('x', 'elsewhere', '/其他/x.pdf') },
				watch,
			),
		).toEqual([]);
	});

	test("a folder the snapshot still places in the tree, now elsewhere: the entry's own path decides", () => {
		const state = snapshot();
		expect(depthInWatch(file('n', 'sub', '/other/sub/n.pdf'), state, watchOf())).toBeUndefined();
		expect(
			applyEntryChange(
				state,
				'n',
				{ kind: 'present', entry: file('n', 'sub', '/other/sub/n.pdf') },
				watchOf(),
			),
		).toEqual([]);
	});

	test('a file placed by its path makes its folder known: the folder deleted later takes the file with it', () => {
		const state = snapshot();
		expect(
			shape(
				applyEntryChange(
					state,
					'n',
					{ kind: 'present', entry: file('n', 'fresh', '/watched/sub/fresh/n.pdf') },
					watchOf(),
				),
			),
		).toEqual([['created', 'n', []]]);
		expect(state.folders.fresh).toBe('/watched/sub/fresh');
		expect(shape(applyEntryChange(state, 'fresh', { kind: 'gone' }, watchOf()))).toEqual([
			['deleted', 'n', []],
		]);
	});

	test('a folder moved to the recycle bin (details say DELETED) takes what it holds', () => {
		const state = snapshot();
		expect(
			shape(
				applyEntryChange(
					state,
					'deep',
					{
						kind: 'present',
						entry: { ...folder('deep', 'sub', '/watched/sub/deep'), status: 'DELETED' },
					},
					watchOf(),
				),
			),
		).toEqual([['deleted', 'c', []]]);
		expect(state.folders.deep).toBeUndefined();
	});

	test('details without a parent: placed by their path (with or without Recursive); with neither, not placeable', () => {
		const flat = watchOf({ recursive: false });
		const state = snapshot(flat);
		expect(
			depthInWatch(
				file('a', undefined as never, '/watched/a.pdf', { parentId: undefined }),
				state,
				flat,
			),
		).toBe(1);
		expect(
			depthInWatch(
				file('a', undefined as never, '/watched/sub/a.pdf', { parentId: undefined }),
				state,
				flat,
			),
		).toBeUndefined();
		expect(
			depthInWatch(file('a', '', '/watched/a.pdf', { parentId: null as never }), state, flat),
		).toBe(1);
		expect(placeable(file('a', 'w', '/watched/a.pdf'))).toBe(true);
		expect(placeable({ id: 'a', path: '/watched/a.pdf' })).toBe(true);
		expect(placeable({ id: 'a', parentId: '0' })).toBe(true);
		expect(placeable({ id: 'a', parentId: null as never, path: 'a.pdf' })).toBe(false);
		expect(placeable({ id: 'a', parentId: '' })).toBe(false);
	});

	test('a known file moved to another space: deleted', () => {
		const state = snapshot();
		expect(
			shape(
				applyEntryChange(
					state,
					'a',
					{ kind: 'present', entry: file('a', '0', '/a.pdf', { spaceId: '2000' }) },
					watchOf(),
				),
			),
		).toEqual([['deleted', 'a', []]]);
	});
});

describe('needsNoDetails', () => {
	const watch = watchOf({ extensions: ['pdf'] });
	const state = snapshot(watch);
	test("another space's, an excluded extension, a folder when neither folders nor sub-folders are watched (none known): no query", () => {
		expect(needsNoDetails({ spaceId: '2000', dentryId: 'n' }, state, watch)).toBe(true);
		expect(
			needsNoDetails(
				{ spaceId: SPACE, dentryId: 'n', type: 'FILE', extension: 'txt' },
				state,
				watch,
			),
		).toBe(true);
		const flat = watchOf({ recursive: false });
		expect(
			needsNoDetails({ spaceId: SPACE, dentryId: 'n', type: 'FOLDER' }, snapshot(flat), flat),
		).toBe(true);
	});
	test('a known entry (even from another space), a wanted extension, a folder in a recursive watch, an event that does not say enough: a query', () => {
		expect(
			needsNoDetails(
				{ spaceId: SPACE, dentryId: 'a', type: 'FILE', extension: 'txt' },
				state,
				watch,
			),
		).toBe(false);
		expect(needsNoDetails({ spaceId: '2000', dentryId: 'a' }, state, watch)).toBe(false);
		expect(needsNoDetails({ spaceId: SPACE, dentryId: 'n', type: 'FOLDER' }, state, watch)).toBe(
			false,
		);
		expect(needsNoDetails({ spaceId: SPACE, dentryId: 'sub', type: 'FOLDER' }, state, watch)).toBe(
			false,
		);
		expect(
			needsNoDetails(
				{ spaceId: SPACE, dentryId: 'n', type: 'FILE', extension: 'PDF' },
				state,
				watch,
			),
		).toBe(false);
		expect(needsNoDetails({ spaceId: SPACE, dentryId: 'n' }, state, watch)).toBe(false);
	});
});

describe('the two drivers agree', () => {
	// A tree of up to 12 entries under the watched folder, changed at random; applying the
	// present state of every entry that changed ends where a fresh listing's diff does.
	const entryArb = fc.record({
		parent: fc.integer({ min: 0, max: 3 }),
		name: fc.constantFrom('a.pdf', 'b.txt', 'c.pdf', 'd.doc'),
		version: fc.integer({ min: 1, max: 3 }),
		present: fc.boolean(),
	});
	test('events applied one by one end in the state a reconcile would record, with the same changes', () => {
		fc.assert(
			fc.property(
				fc.array(entryArb, { minLength: 1, maxLength: 12 }),
				fc.array(entryArb, { minLength: 12, maxLength: 12 }),
				fc.boolean(),
				(before, after, pdfOnly) => {
					const watch = watchOf({ extensions: pdfOnly ? ['pdf'] : [] });
					const folders = [
						folder('f1', 'w', '/watched/f1'),
						folder('f2', 'w', '/watched/f2'),
						folder('f3', 'f1', '/watched/f1/f3'),
					];
					const parents = [
						['w', '/watched'],
						['f1', '/watched/f1'],
						['f2', '/watched/f2'],
						['f3', '/watched/f1/f3'],
					];
					const listingOf = (entries: typeof before) =>
						entries.flatMap((entry, index) =>
							entry.present
								? [
										file(
											`e${index}`,
											parents[entry.parent][0],
											`${parents[entry.parent][1]}/${index}-${entry.name}`,
											{ version: entry.version },
										),
									]
								: [],
						);
					const first = [...folders, ...listingOf(before)];
					const second = [...folders, ...listingOf(after)];
					const state = detectChanges(undefined, first, 'scope', watch, watch.watched).next;
					const expected = detectChanges(state, second, 'scope', watch, watch.watched);
					const byId = new Map(second.map((entry) => [entry.id, entry]));
					const ids = new Set([...first, ...second].map((entry) => entry.id));
					const applied = [...ids].flatMap((id) => {
						const entry = byId.get(id);
						return applyEntryChange(
							state,
							id,
							entry ? { kind: 'present', entry } : { kind: 'gone' },
							watch,
						);
					});
					const key = (change: { event: string; dentryId: string; changes: string[] }) =>
						`${change.event}:${change.dentryId}:${change.changes.join('+')}`;
					expect(applied.map(key).sort()).toEqual(expected.events.map(key).sort());
					expect(state.entries).toEqual(expected.next.entries);
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('WorkQueue', () => {
	test('one task at a time, in arrival order; a failing task does not stop the others', async () => {
		const done: number[] = [];
		const errors: number[] = [];
		let running = 0;
		const queue = new WorkQueue<number>(
			async (task) => {
				running++;
				expect(running).toBe(1);
				await new Promise((resolve) => setTimeout(resolve, task % 3));
				running--;
				if (task === 2) throw new Error('two');
				done.push(task);
			},
			(_error, task) => errors.push(task),
		);
		for (let task = 0; task < 6; task++) queue.push(task);
		await queue.idle();
		expect(done).toEqual([0, 1, 3, 4, 5]);
		expect(errors).toEqual([2]);
	});

	test('beyond its bound, tasks are dropped and the owner is told; pushFront goes first', async () => {
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const done: string[] = [];
		let overflows = 0;
		const queue = new WorkQueue<string>(
			async (task) => {
				if (task === 'gate') await gate;
				done.push(task);
			},
			() => undefined,
			2,
			() => overflows++,
		);
		queue.push('gate');
		await new Promise((resolve) => setImmediate(resolve));
		expect(queue.push('a')).toBe(true);
		expect(queue.push('b')).toBe(true);
		expect(queue.push('c')).toBe(false);
		queue.pushFront('first');
		expect(overflows).toBe(1);
		expect(queue.takeOverflow()).toBe(1);
		release();
		await queue.idle();
		expect(done).toEqual(['gate', 'first', 'a', 'b']);
	});
});

describe('SharedReads', () => {
	test('one read for everyone asking the same while it runs and for its time to live; a failure is not kept', async () => {
		let time = 0;
		const reads = new SharedReads<string>(1_000, 10, () => time);
		let calls = 0;
		const read = async () => {
			calls++;
			await new Promise((resolve) => setTimeout(resolve, 5));
			return `answer ${calls}`;
		};
		expect(await Promise.all([reads.get('k', read), reads.get('k', read)])).toEqual([
			'answer 1',
			'answer 1',
		]);
		expect(await reads.get('k', read)).toBe('answer 1');
		time = 2_000;
		expect(await reads.get('k', read)).toBe('answer 2');
		await expect(
			reads.get('bad', async () => await Promise.reject(new Error('no'))),
		).rejects.toThrow('no');
		expect(await reads.get('bad', async () => 'fine')).toBe('fine');
	});

	test('keeps at most its bound of answers', async () => {
		const reads = new SharedReads<number>(60_000, 3);
		for (let i = 0; i < 10; i++) await reads.get(String(i), async () => i);
		expect(reads.size).toBe(3);
	});
});
