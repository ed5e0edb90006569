import fc from 'fast-check';

import { InputError } from '../../nodes/DingTalk/shared/errors';
import {
	collectPages,
	splitDrivePath,
	walkTree,
	type Page,
} from '../../nodes/DingTalk/shared/helpers/paging';

/** A listing of `total` numbered items served `pageSize` at a time, recording each call. */
function numbered(total: number) {
	const calls: Array<{ pageSize: number; nextToken?: string }> = [];
	const fetchPage = async (pageSize: number, nextToken?: string): Promise<Page<number>> => {
		calls.push({ pageSize, nextToken });
		const offset = nextToken === undefined ? 0 : Number(nextToken);
		const items = Array.from(
			{ length: Math.max(0, Math.min(pageSize, total - offset)) },
			(_, i) => offset + i,
		);
		return { items, nextToken: offset + pageSize < total ? String(offset + pageSize) : undefined };
	};
	return { calls, fetchPage };
}

describe('collectPages', () => {
	test('without a limit follows nextToken to the end, in full pages', async () => {
		const { calls, fetchPage } = numbered(123);
		expect(await collectPages(fetchPage, { maxPageSize: 50 })).toEqual(
			Array.from({ length: 123 }, (_, i) => i),
		);
		expect(calls.map((call) => call.pageSize)).toEqual([50, 50, 50]);
	});

	test('a limit is met exactly, each page asking only for what is still wanted, and no page after it', async () => {
		const { calls, fetchPage } = numbered(123);
		expect(await collectPages(fetchPage, { maxPageSize: 50, limit: 73 })).toHaveLength(73);
		expect(calls.map((call) => call.pageSize)).toEqual([50, 23]);
		const few = numbered(123);
		expect(await collectPages(few.fetchPage, { maxPageSize: 50, limit: 3 })).toEqual([0, 1, 2]);
		expect(few.calls).toHaveLength(1);
	});

	test('a limit beyond the end returns everything there is', async () => {
		const { fetchPage } = numbered(7);
		expect(await collectPages(fetchPage, { maxPageSize: 50, limit: 500 })).toHaveLength(7);
	});

	test('a token that comes back fails the listing (code incompleteListing) instead of ending it short or looping', async () => {
		let calls = 0;
		const listing = collectPages<number>(
			async () => {
				calls++;
				return { items: [calls], nextToken: calls === 1 ? 'a' : 'b' };
			},
			{ maxPageSize: 50 },
		);
		await expect(listing).rejects.toMatchObject({
			code: 'incompleteListing',
			retryable: true,
			message: expect.stringContaining('page token it had sent before'),
		});
		expect(calls).toBe(3);
	});

	test('a page that fails fails the whole listing: no partial result', async () => {
		let calls = 0;
		const listing = collectPages<number>(
			async () => {
				calls++;
				if (calls === 2) throw new Error('page 2 failed');
				return { items: [calls], nextToken: `t${calls}` };
			},
			{ maxPageSize: 50 },
		);
		await expect(listing).rejects.toThrow('page 2 failed');
	});

	test('for any size, limit and page size: the first min(limit, size) items, in at most ceil(wanted / page) calls', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 0, max: 300 }),
				fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
				fc.integer({ min: 1, max: 60 }),
				async (total, limit, maxPageSize) => {
					const { calls, fetchPage } = numbered(total);
					const items = await collectPages(fetchPage, { maxPageSize, limit });
					const wanted = Math.min(total, limit ?? total);
					expect(items).toEqual(Array.from({ length: wanted }, (_, i) => i));
					expect(calls.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(wanted / maxPageSize)));
				},
			),
			{ numRuns: 300 },
		);
	});
});

interface Node {
	id: string;
	name: string;
	type: 'FILE' | 'FOLDER';
	path?: string;
	children?: Node[];
}

/** A tree: root → a/ (a1, b/ (b1, c/ (c1))), f1, f2; paths left out, as some answers do. */
function tree(): Map<string, Node[]> {
	const folders = new Map<string, Node[]>();
	const add = (parent: string, nodes: Node[]) => folders.set(parent, nodes);
	add('0', [
		{ id: 'a', name: 'a', type: 'FOLDER' },
		{ id: 'f1', name: 'f1.txt', type: 'FILE' },
		{ id: 'f2', name: 'f2.txt', type: 'FILE' },
	]);
	add('a', [
		{ id: 'a1', name: 'a1.txt', type: 'FILE' },
		{ id: 'b', name: 'b', type: 'FOLDER' },
	]);
	add('b', [
		{ id: 'b1', name: 'b1.txt', type: 'FILE' },
		{ id: 'c', name: 'c', type: 'FOLDER' },
	]);
	add('c', [{ id: 'c1', name: 'c1.txt', type: 'FILE' }]);
	return folders;
}

function walker(pageSize = 2) {
	const folders = tree();
	const calls: string[] = [];
	const fetchChildren = async (
		folderId: string,
		size: number,
		nextToken?: string,
	): Promise<Page<Node>> => {
		calls.push(folderId);
		const all = (folders.get(folderId) ?? []).map((node) => ({ ...node }));
		const offset = nextToken === undefined ? 0 : Number(nextToken);
		const take = Math.min(size, pageSize);
		return {
			items: all.slice(offset, offset + take),
			nextToken: offset + take < all.length ? String(offset + take) : undefined,
		};
	};
	return { calls, fetchChildren };
}

const base = { recursive: true, maxDepth: 10, kind: 'all' as const, maxPageSize: 50, rootPath: '' };

describe('walkTree', () => {
	test('walks breadth first, every entry with its path from the root', async () => {
		const { fetchChildren } = walker();
		const entries = await walkTree(fetchChildren, '0', base);
		expect(entries.map((entry) => entry.path)).toEqual([
			'/a',
			'/f1.txt',
			'/f2.txt',
			'/a/a1.txt',
			'/a/b',
			'/a/b/b1.txt',
			'/a/b/c',
			'/a/b/c/c1.txt',
		]);
	});

	test('without recursion lists only the folder itself', async () => {
		const { calls, fetchChildren } = walker();
		const entries = await walkTree(fetchChildren, '0', { ...base, recursive: false });
		expect(entries.map((entry) => entry.id)).toEqual(['a', 'f1', 'f2']);
		expect(new Set(calls)).toEqual(new Set(['0']));
	});

	test('maxDepth bounds the levels returned, and no folder below it is listed', async () => {
		const { calls, fetchChildren } = walker();
		const entries = await walkTree(fetchChildren, '0', { ...base, maxDepth: 2 });
		expect(entries.map((entry) => entry.id)).toEqual(['a', 'f1', 'f2', 'a1', 'b']);
		expect(calls).not.toContain('b');
	});

	test('a kind filter keeps files or folders, and still walks every folder for files', async () => {
		const files = await walkTree(walker().fetchChildren, '0', { ...base, kind: 'file' });
		expect(files.map((entry) => entry.id)).toEqual(['f1', 'f2', 'a1', 'b1', 'c1']);
		const folders = await walkTree(walker().fetchChildren, '0', { ...base, kind: 'folder' });
		expect(folders.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
	});

	test('a limit stops the walk: nothing is listed once it is met', async () => {
		const { calls, fetchChildren } = walker();
		const entries = await walkTree(fetchChildren, '0', { ...base, limit: 4 });
		expect(entries.map((entry) => entry.id)).toEqual(['a', 'f1', 'f2', 'a1']);
		expect(calls).not.toContain('b');
		expect(calls.filter((folder) => folder === 'a')).toHaveLength(1);
	});

	test('a path DingTalk gives is kept; a sub-folder of the listed folder gets paths under the one given', async () => {
		const { fetchChildren } = walker();
		const entries = await walkTree(fetchChildren, 'b', { ...base, rootPath: '/a/b' });
		expect(entries.map((entry) => entry.path)).toEqual(['/a/b/b1.txt', '/a/b/c', '/a/b/c/c1.txt']);
	});
});

describe('splitDrivePath', () => {
	test.each([
		['/合同/2026/a.pdf', ['合同', '2026', 'a.pdf']],
		['合同/2026/', ['合同', '2026']],
		['//合同//2026', ['合同', '2026']],
		['/', []],
		['', []],
		['/ 月报 /x.xlsx', ['月报', 'x.xlsx']],
		['/设计稿 v2.zip', ['设计稿 v2.zip']],
	])('%p is the names %p', (path, names) => {
		expect(splitDrivePath(path, 'dentryId')).toEqual(names);
	});

	test.each(['/a/../b', '/./a'])('%p is refused, naming the field', (path) => {
		expect(() => splitDrivePath(path, 'folderId')).toThrow(InputError);
		expect(() => splitDrivePath(path, 'folderId')).toThrow(/^Invalid "folderId"/);
	});
});
