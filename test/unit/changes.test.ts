import fc from 'fast-check';

import {
	detectChanges,
	eventIdOf,
	keepUnconfirmed,
	type ListedEntry,
	type WatchOptions,
	type WatchState,
} from '../../nodes/DingTalk/shared/watch/changes';

const ALL: WatchOptions = {
	events: ['created', 'updated', 'deleted'],
	includeFolders: false,
	extensions: [],
};
const SCOPE = 'space-1000/folder-0';

function file(id: string, overrides: Partial<ListedEntry> = {}): ListedEntry {
	return {
		id,
		name: `${id}.pdf`,
		parentId: '0',
		type: 'FILE',
		version: 1,
		size: 100,
		modifiedTime: '2026-01-01T00:00:00Z',
		status: 'NORMAL',
		path: `/${id}.pdf`,
		...overrides,
	};
}

function baseline(listing: ListedEntry[], options = ALL): WatchState {
	return detectChanges(undefined, listing, SCOPE, options).next;
}

describe('detectChanges', () => {
	test('the first poll records a baseline silently', () => {
		const { events, next } = detectChanges(undefined, [file('a'), file('b')], SCOPE, ALL);
		expect(events).toEqual([]);
		expect(Object.keys(next.entries).sort()).toEqual(['a', 'b']);
	});

	test('created, updated (content, renamed, moved) and deleted, with what was seen before', () => {
		const before = baseline([file('a'), file('b'), file('c'), file('d')]);
		const { events } = detectChanges(
			before,
			[
				file('a', { version: 2, size: 120, modifiedTime: '2026-01-02T00:00:00Z' }),
				file('b', { name: 'b-renamed.pdf', modifiedTime: '2026-01-03T00:00:00Z' }),
				file('c', { parentId: 'sub', path: '/sub/c.pdf', modifiedTime: '2026-01-04T00:00:00Z' }),
				file('e', { modifiedTime: '2026-01-05T00:00:00Z' }),
			],
			SCOPE,
			ALL,
		);
		expect(events.map((event) => [event.event, event.dentryId, event.changes])).toEqual([
			['deleted', 'd', []],
			['updated', 'a', ['content']],
			['updated', 'b', ['renamed']],
			['updated', 'c', ['moved']],
			['created', 'e', []],
		]);
		expect(events.find((event) => event.dentryId === 'b')!.previous).toEqual({
			name: 'b.pdf',
			path: '/b.pdf',
			parentId: '0',
			version: 1,
			size: 100,
			modifiedTime: '2026-01-01T00:00:00Z',
		});
	});

	test('a rename or move with a new modified time is not a content change; an edit with a new version is, even renamed', () => {
		const before = baseline([file('a'), file('b')]);
		const { events } = detectChanges(
			before,
			[
				file('a', { name: 'x.pdf', modifiedTime: '2026-02-01T00:00:00Z' }),
				file('b', { name: 'y.pdf', version: 2, modifiedTime: '2026-02-02T00:00:00Z' }),
			],
			SCOPE,
			ALL,
		);
		expect(events.map((event) => event.changes)).toEqual([['renamed'], ['content', 'renamed']]);
	});

	test('an edit within the same minute is caught by version or size, not by time', () => {
		const before = baseline([file('a')]);
		const { events } = detectChanges(before, [file('a', { version: 2 })], SCOPE, ALL);
		expect(events.map((event) => event.changes)).toEqual([['content']]);
	});

	test("a deleted entry's previous path comes from its folder's path, kept once per folder, also when the watched folder was given by ID", () => {
		const watched = { id: 'w', path: '' };
		const listing = [
			file('a', { parentId: 'w', path: '/合同/2026/a.pdf' }),
			{
				id: 's',
				name: 'sub',
				type: 'FOLDER',
				parentId: 'w',
				path: '/合同/2026/sub',
				status: 'NORMAL',
			},
			file('b', { parentId: 's', path: '/合同/2026/sub/b.pdf' }),
		];
		const before = detectChanges(undefined, listing, SCOPE, ALL, watched).next;
		expect(before.folders).toEqual({ w: '/合同/2026', s: '/合同/2026/sub' });
		const { events } = detectChanges(before, [], SCOPE, ALL, watched);
		expect(events.map((event) => event.previous?.path).sort()).toEqual([
			'/合同/2026/a.pdf',
			'/合同/2026/sub/b.pdf',
		]);
	});

	test('only NORMAL entries count as present: a recycled file is deleted', () => {
		const before = baseline([file('a')]);
		const { events, next } = detectChanges(before, [file('a', { status: 'DELETED' })], SCOPE, ALL);
		expect(events.map((event) => event.event)).toEqual(['deleted']);
		expect(next.entries).toEqual({});
	});

	test('folders are reported only when asked; extension filters decide what is watched', () => {
		const folder: ListedEntry = {
			id: 'f',
			name: 'docs',
			type: 'FOLDER',
			parentId: '0',
			modifiedTime: '2026-01-02T00:00:00Z',
			status: 'NORMAL',
		};
		expect(
			detectChanges(baseline([]), [folder, file('a')], SCOPE, ALL).events.map(
				(event) => event.dentryId,
			),
		).toEqual(['a']);
		const withFolders = { ...ALL, includeFolders: true };
		expect(
			detectChanges(baseline([], withFolders), [folder, file('a')], SCOPE, withFolders)
				.events.map((event) => event.dentryId)
				.sort(),
		).toEqual(['a', 'f']);
		const pdfOnly = { ...ALL, extensions: ['pdf'] };
		const { events } = detectChanges(
			baseline([], pdfOnly),
			[file('a'), file('b', { name: 'b.DOCX' })],
			SCOPE,
			pdfOnly,
		);
		expect(events.map((event) => event.dentryId)).toEqual(['a']);
	});

	test('only the chosen events are emitted, but the state records everything', () => {
		const before = baseline([file('a'), file('b')]);
		const { events, next } = detectChanges(before, [file('a', { version: 2 }), file('c')], SCOPE, {
			...ALL,
			events: ['created'],
		});
		expect(events.map((event) => event.dentryId)).toEqual(['c']);
		expect(Object.keys(next.entries).sort()).toEqual(['a', 'c']);
		expect(detectChanges(next, [file('a', { version: 2 }), file('c')], SCOPE, ALL).events).toEqual(
			[],
		);
	});

	test('another scope (space, folder, depth, filters) starts a new baseline instead of a flood of events', () => {
		const before = baseline([file('a')]);
		expect(detectChanges(before, [file('b'), file('c')], 'another-folder', ALL).events).toEqual([]);
		expect(
			detectChanges({ ...before, format: 1 as never }, [file('b')], SCOPE, ALL).events,
		).toEqual([]);
	});
});

/** A model of a folder between two polls: operations on entries, and what they must produce. */
type Operation =
	| { kind: 'create'; id: string; time: number }
	| { kind: 'edit'; target: number; time: number }
	| { kind: 'rename'; target: number; name: string; time: number }
	| { kind: 'move'; target: number; parent: string; time: number }
	| { kind: 'delete'; target: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
	fc.record({
		kind: fc.constant('create' as const),
		id: fc.stringMatching(/^n[0-9]{1,3}$/),
		time: fc.integer({ min: 1, max: 10_000 }),
	}),
	fc.record({
		kind: fc.constant('edit' as const),
		target: fc.nat(),
		time: fc.integer({ min: 1, max: 10_000 }),
	}),
	fc.record({
		kind: fc.constant('rename' as const),
		target: fc.nat(),
		name: fc.stringMatching(/^[a-z]{1,4}\.pdf$/),
		time: fc.integer({ min: 1, max: 10_000 }),
	}),
	fc.record({
		kind: fc.constant('move' as const),
		target: fc.nat(),
		parent: fc.constantFrom('0', 'p1', 'p2'),
		time: fc.integer({ min: 1, max: 10_000 }),
	}),
	fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
);

function stamp(time: number): string {
	return new Date(Date.UTC(2026, 0, 1) + time * 1000).toISOString();
}

describe('detectChanges, for any sequence of operations between two polls', () => {
	test('no change: no event, and the state is the same', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 30 }),
				(ids) => {
					const listing = ids.map((id) => file(id));
					const before = baseline(listing);
					const { events, next } = detectChanges(
						before,
						listing.map((entry) => ({ ...entry })),
						SCOPE,
						ALL,
					);
					expect(events).toEqual([]);
					expect(next).toEqual(before);
				},
			),
		);
	});

	test('exactly the net effect: created, updated with the right kinds, deleted; each entry once; oldest first', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(fc.stringMatching(/^o[0-9]{1,3}$/), { maxLength: 20 }),
				fc.array(operation, { maxLength: 40 }),
				(ids, operations) => {
					const start = new Map(ids.map((id) => [id, file(id)]));
					const end = new Map([...start].map(([id, entry]) => [id, { ...entry }]));
					for (const op of operations) {
						const present = [...end.keys()];
						if (op.kind === 'create') {
							if (!end.has(op.id)) end.set(op.id, file(op.id, { modifiedTime: stamp(op.time) }));
							continue;
						}
						if (present.length === 0) continue;
						const id = present[op.target % present.length];
						const entry = end.get(id)!;
						if (op.kind === 'delete') end.delete(id);
						else if (op.kind === 'edit')
							Object.assign(entry, {
								version: (entry.version ?? 0) + 1,
								modifiedTime: stamp(op.time),
							});
						else if (op.kind === 'rename')
							Object.assign(entry, { name: op.name, modifiedTime: stamp(op.time) });
						else Object.assign(entry, { parentId: op.parent, modifiedTime: stamp(op.time) });
					}
					const { events, next } = detectChanges(
						baseline([...start.values()]),
						[...end.values()],
						SCOPE,
						ALL,
					);

					const expected = new Map<string, string>();
					for (const [id, entry] of end) {
						const before = start.get(id);
						if (!before) expected.set(id, 'created');
						else {
							const renamed = before.name !== entry.name;
							const moved = before.parentId !== entry.parentId;
							const newTime = before.modifiedTime !== entry.modifiedTime;
							const kinds = [
								before.version !== entry.version ||
								before.size !== entry.size ||
								(newTime && !renamed && !moved)
									? 'content'
									: '',
								renamed ? 'renamed' : '',
								moved ? 'moved' : '',
							].filter(Boolean);
							if (kinds.length > 0) expected.set(id, `updated:${kinds.join(',')}`);
						}
					}
					for (const id of start.keys()) if (!end.has(id)) expected.set(id, 'deleted');

					const got = new Map(
						events.map((event) => [
							event.dentryId,
							event.event === 'updated' ? `updated:${event.changes.join(',')}` : event.event,
						]),
					);
					expect(got).toEqual(expected);
					expect(events).toHaveLength(got.size);
					const times = events.map((event) =>
						Date.parse(String(event.current?.modifiedTime ?? event.previous?.modifiedTime)),
					);
					expect(times).toEqual([...times].sort((a, b) => a - b));
					// The next poll, with nothing changed, is quiet.
					expect(detectChanges(next, [...end.values()], SCOPE, ALL).events).toEqual([]);
				},
			),
			{ numRuns: 500 },
		);
	});

	test('a failed listing yields no events and leaves the old state: the caller keeps it (nothing is mutated)', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 20 }), (ids) => {
				const before = baseline(ids.map((id) => file(id)));
				const copy = JSON.parse(JSON.stringify(before)) as WatchState;
				detectChanges(before, [file('zz-new')], SCOPE, ALL);
				expect(before).toEqual(copy);
			}),
		);
	});
});

describe('vanished entries, held changes and event IDs', () => {
	test('vanished lists every entry the listing lacks, even when deletions are not watched', () => {
		const before = baseline([file('a'), file('b'), file('c')]);
		const onlyCreated = { ...ALL, events: ['created' as const] };
		const { events, vanished } = detectChanges(before, [file('a')], SCOPE, onlyCreated);
		expect(events).toEqual([]);
		expect(vanished.sort()).toEqual(['b', 'c']);
	});

	test('keepUnconfirmed: held changes keep what the previous state knew, missing entries are kept and flagged', () => {
		const before = baseline([file('a'), file('b'), file('c'), file('d')]);
		const { next } = detectChanges(
			before,
			[file('a', { version: 2 }), file('b', { name: 'b2.pdf' }), file('e')],
			SCOPE,
			ALL,
		);
		const kept = keepUnconfirmed(
			before,
			next,
			[
				{ event: 'updated', dentryId: 'b' },
				{ event: 'created', dentryId: 'e' },
				{ event: 'deleted', dentryId: 'c' },
			],
			['d'],
		);
		// a moved on; b, c and d are as before; e is not yet known, so the next poll reports it.
		expect(kept.entries.a).toEqual(next.entries.a);
		expect(kept.entries.b).toEqual(before.entries.b);
		expect(kept.entries.c).toEqual(before.entries.c);
		expect(kept.entries.d).toEqual(before.entries.d);
		expect(kept.entries.e).toBeUndefined();
		expect(kept.missing).toEqual(['d']);
		const again = detectChanges(
			kept,
			[file('a', { version: 2 }), file('b', { name: 'b2.pdf' }), file('e')],
			SCOPE,
			ALL,
		);
		expect(again.events.map((event) => [event.event, event.dentryId]).sort()).toEqual([
			['created', 'e'],
			['deleted', 'c'],
			['deleted', 'd'],
			['updated', 'b'],
		]);
	});

	test('for any split of the changes into delivered and held, the next poll reports exactly the held ones', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 15 }),
				fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 15 }),
				fc.integer({ min: 0, max: 30 }),
				(startIds, endIds, deliverCount) => {
					const before = baseline(startIds.map((id) => file(id)));
					const end = endIds.map((id) =>
						file(id, startIds.includes(id) && id.length % 2 === 0 ? { version: 2 } : {}),
					);
					const { events, next } = detectChanges(before, end, SCOPE, ALL);
					const held = events.slice(deliverCount);
					const kept = keepUnconfirmed(before, next, held, []);
					const again = detectChanges(kept, end, SCOPE, ALL).events;
					expect(again.map((event) => `${event.event}:${event.dentryId}`).sort()).toEqual(
						held.map((event) => `${event.event}:${event.dentryId}`).sort(),
					);
				},
			),
			{ numRuns: 300 },
		);
	});

	test('eventIdOf: the same change always gets the same ID; another change (or space) another', () => {
		const before = baseline([file('a'), file('b')]);
		const listing = [file('a', { version: 2, size: 200 }), file('c')];
		const first = detectChanges(before, listing, SCOPE, ALL).events;
		const second = detectChanges(
			before,
			JSON.parse(JSON.stringify(listing)) as ListedEntry[],
			SCOPE,
			ALL,
		).events;
		const ids = first.map((event) => eventIdOf(event, '1000'));
		expect(second.map((event) => eventIdOf(event, '1000'))).toEqual(ids);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.every((id) => /^(created|updated|deleted)-[0-9a-f]{32}$/.test(id))).toBe(true);
		expect(first.map((event) => eventIdOf(event, '2000'))).not.toEqual(ids);
		// A second rename of the same version is another change.
		const renamedOnce = detectChanges(before, [file('a', { name: 'x.pdf' }), file('b')], SCOPE, ALL)
			.events[0];
		const renamedTwice = detectChanges(
			before,
			[file('a', { name: 'y.pdf' }), file('b')],
			SCOPE,
			ALL,
		).events[0];
		expect(eventIdOf(renamedOnce, '1000')).not.toBe(eventIdOf(renamedTwice, '1000'));
	});
});
