/**
 * The pickers' "From List" (n8n's listSearch methods) against the emulator: what the editor
 * shows for spaces, folders and files, page by page, filtered by the search box, read
 * through the credential; and the clear messages when something is missing.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import {
	searchFiles,
	searchFolders,
	searchSpaces,
	searchTargetFolders,
} from '../../nodes/DingTalk/n8n/listSearch';
import { appCredentials, callsTo, useEmulator, type Emulator } from '../harness/fixtures';

const ctx = useEmulator('filesystem');

/** What n8n hands a listSearch method: the node's current parameters and the credential. */
function editor(emulator: Emulator, parameters: Record<string, unknown>): ILoadOptionsFunctions {
	return {
		getCurrentNodeParameter: (name: string) => {
			const value = parameters[name];
			return value && typeof value === 'object' && 'value' in value
				? (value as { value: unknown }).value
				: value;
		},
		getCredentials: async () => appCredentials(emulator),
	} as unknown as ILoadOptionsFunctions;
}

type Search = (
	this: ILoadOptionsFunctions,
	filter?: string,
	token?: string,
) => Promise<INodeListSearchResult>;

/** Every page of a list, as "load more" would fetch them. */
async function allPages(search: Search, context: ILoadOptionsFunctions, filter?: string) {
	const names: string[] = [];
	const values: string[] = [];
	let token: string | undefined;
	let pages = 0;
	do {
		const page = await search.call(context, filter, token);
		names.push(...page.results.map((result) => result.name));
		values.push(...page.results.map((result) => String(result.value)));
		token = page.paginationToken as string | undefined;
		pages++;
	} while (token && pages < 100);
	return { names, values, pages };
}

test("spaces: the organization's Drive spaces as 'name (id)', 50 a page, filtered by name", async () => {
	const { emulator } = ctx;
	const context = editor(emulator, { unionId: emulator.unionId });
	const first = await searchSpaces.call(context);
	expect(first.results).toHaveLength(50);
	expect(first.results[0]).toEqual({ name: '公司文档 (1000)', value: '1000' });
	expect(first.paginationToken).toBeDefined();
	const all = await allPages(searchSpaces, context);
	expect(all.values).toHaveLength(57);
	const filtered = await searchSpaces.call(context, '项目');
	expect(filtered.results).toEqual([{ name: '项目资料 (2000)', value: '2000' }]);
});

test("folders: the space's root first, then every folder by its path, level by level across pages", async () => {
	const { emulator } = ctx;
	const context = editor(emulator, {
		unionId: emulator.unionId,
		spaceId: { __rl: true, mode: 'list', value: '1000' },
	});
	const { names, values } = await allPages(searchFolders, context);
	expect(names[0]).toBe("/ (the space's root)");
	expect(values[0]).toBe('0');
	expect(names.slice(1).sort()).toEqual(
		[
			'/合同',
			'/合同/2025',
			'/合同/2025/归档',
			'/合同/2025/归档/旧版',
			'/合同/2026',
			'/报表',
			'/报表/月报',
			'/空文件夹',
			'/设计',
		].sort(),
	);
	expect(values[names.indexOf('/报表/月报')]).toBe('2007');
	const filtered = await allPages(searchFolders, context, '2025');
	expect(filtered.names).toEqual(['/合同/2025', '/合同/2025/归档', '/合同/2025/归档/旧版']);
});

test('files: every file by its path; each request reads at most a few pages (the quota)', async () => {
	const { emulator } = ctx;
	const context = editor(emulator, { unionId: emulator.unionId, spaceId: '1000' });
	const first = await searchFiles.call(context);
	expect(callsTo(emulator, 'dentries.list')).toBeLessThanOrEqual(4);
	expect(first.paginationToken).toBeDefined();
	const { names, values } = await allPages(searchFiles, context);
	expect(names).toHaveLength(12 + 125);
	expect(values[names.indexOf('/合同/2026/合同-2026年度采购.pdf')]).toBe('1001');
	const filtered = await allPages(searchFiles, context, '扫描件');
	expect(filtered.names).toEqual(['/合同/2025/归档/旧版/扫描件-2019.pdf']);
});

test("target folders: the target space's when one is chosen, otherwise the item's own space", async () => {
	const { emulator } = ctx;
	const other = await allPages(
		searchTargetFolders,
		editor(emulator, {
			unionId: emulator.unionId,
			spaceId: '1000',
			targetSpaceId: { __rl: true, mode: 'id', value: '2000' },
		}),
	);
	expect(other.names).toEqual(["/ (the space's root)", '/收件箱']);
	const same = await allPages(
		searchTargetFolders,
		editor(emulator, {
			unionId: emulator.unionId,
			spaceId: '1000',
			targetSpaceId: { __rl: true, mode: 'list', value: '' },
		}),
	);
	expect(same.names).toContain('/报表/月报');
});

test('without an operator, a space, or with a refused call: a message the editor can show, never a secret', async () => {
	const { emulator } = ctx;
	await expect(searchSpaces.call(editor(emulator, { unionId: '' }))).rejects.toThrow(
		/Operator Union ID/,
	);
	await expect(
		searchSpaces.call(editor(emulator, { unionId: '={{ $json.user }}' })),
	).rejects.toThrow(/Operator Union ID/);
	await expect(
		searchFolders.call(editor(emulator, { unionId: emulator.unionId, spaceId: '' })),
	).rejects.toThrow(/Choose the space first/);
	emulator.failNextApiCalls('permissionDenied', 1);
	const refused = searchFolders.call(
		editor(emulator, { unionId: emulator.unionId, spaceId: '1000' }),
	);
	await expect(refused).rejects.toThrow(/Listing the folder failed: Permission denied/);
	const message = await refused.catch((error: Error) => error.message);
	expect(message).not.toContain(emulator.appSecret);
	const missingSpace = searchFiles.call(
		editor(emulator, { unionId: emulator.unionId, spaceId: '999' }),
	);
	await expect(missingSpace).rejects.toThrow(/spaceNotExist/);
});
