/**
 * Both nodes as an AI agent's tools, in n8n's execution engine against the emulator: the
 * changes (Copy, Move, Rename, Delete, Create, Upload) refused unless the node allows them,
 * with nothing sent to DingTalk; the operator and Delete Permanently never left to
 * `$fromAI()`; and what goes back to the model cut to an allow-list of fields.
 */
import type { IDataObject } from 'n8n-workflow';

import { EMULATOR_DEFAULTS } from '../../emulator';
import { DingTalkStorage } from '../../nodes/DingTalk/Storage/DingTalkStorage.node';
import { CHANGE_OPERATIONS } from '../../nodes/DingTalk/Storage/actions/agentChanges';
import { fileOperations } from '../../nodes/DingTalk/Storage/actions/file';
import { folderOperations } from '../../nodes/DingTalk/Storage/actions/folder';
import { permissionOperations } from '../../nodes/DingTalk/Storage/actions/permission';
import { recycleBinOperations } from '../../nodes/DingTalk/Storage/actions/recycleBin';
import { spaceOperations } from '../../nodes/DingTalk/Storage/actions/space';
import { NAMES_ARE_DATA } from '../../nodes/DingTalk/n8n/toolMode';
import { appCredentials, rl, runStorage, useEmulator, type Emulator } from '../harness/fixtures';
import { DOWNLOAD_TOOL_TYPE, runNode, STORAGE_TOOL_TYPE, type RunOptions } from '../harness/n8n';

const ctx = useEmulator('filesystem');
const SPACE = EMULATOR_DEFAULTS.spaceId;

/** The "DingTalk Storage Tool" (the type n8n gives an agent), in the seeded space, as the emulator's operator. */
async function runTool(
	emulator: Emulator,
	resource: string,
	operation: string,
	parameters: IDataObject = {},
	options: Partial<RunOptions> = {},
) {
	return await runNode({
		nodeType: STORAGE_TOOL_TYPE,
		credentials: appCredentials(emulator),
		...options,
		parameters: {
			resource,
			operation,
			spaceId: rl(SPACE),
			unionId: emulator.unionId,
			options: {},
			...parameters,
		},
	});
}

/** The emulator's whole tree, to compare before and after. */
function tree(emulator: Emulator): string {
	return JSON.stringify([...emulator.drive.entries.entries()]);
}

function entry(emulator: Emulator, id: string): { name: string; parentId: string; status: string } {
	const found = emulator.drive.entries.get(id);
	if (!found) throw new Error(`no emulated entry ${id}`);
	return found;
}

/** An empty folder in the space's root (no background task when copied, moved or deleted). */
function emptyFolder(emulator: Emulator, name = '空文件夹'): string {
	return String(emulator.drive.createFolder(SPACE, '0', name, 'AUTO_RENAME').id);
}

/** Each change an agent could ask for, its parameters, and what it did when allowed. */
const CHANGES: Array<{
	resource: 'file' | 'folder';
	operation: string;
	parameters: (emulator: Emulator) => IDataObject;
	changed: (emulator: Emulator, output: IDataObject) => void;
}> = [
	{
		resource: 'file',
		operation: 'delete',
		parameters: () => ({ dentryId: rl('1002') }),
		changed: (emulator, output) => {
			expect(entry(emulator, '1002').status).toBe('DELETED');
			expect(output).toEqual({
				spaceId: SPACE,
				dentryId: '1002',
				deleted: true,
				toRecycleBin: true,
			});
		},
	},
	{
		resource: 'file',
		operation: 'move',
		parameters: () => ({ dentryId: rl('1002'), targetFolderId: rl('2001') }),
		changed: (emulator, output) => {
			expect(entry(emulator, '1002').parentId).toBe('2001');
			expect(output).toMatchObject({ dentryId: '1002', parentId: '2001' });
		},
	},
	{
		resource: 'file',
		operation: 'rename',
		parameters: () => ({ dentryId: rl('1002'), newName: '改名.pdf' }),
		changed: (emulator, output) => {
			expect(entry(emulator, '1002').name).toBe('改名.pdf');
			expect(output).toMatchObject({ dentryId: '1002', name: '改名.pdf' });
		},
	},
	{
		resource: 'file',
		operation: 'copy',
		parameters: () => ({ dentryId: rl('1002'), targetFolderId: rl('2001') }),
		changed: (emulator, output) => {
			expect(entry(emulator, String(output.dentryId)).parentId).toBe('2001');
			expect(output.dentryId).not.toBe('1002');
		},
	},
	{
		resource: 'folder',
		operation: 'create',
		parameters: () => ({ folderId: rl('2001'), name: '新建' }),
		changed: (emulator, output) => {
			expect(entry(emulator, String(output.dentryId))).toMatchObject({
				name: '新建',
				parentId: '2001',
			});
		},
	},
	{
		resource: 'folder',
		operation: 'delete',
		parameters: (emulator) => ({ folderId: rl(emptyFolder(emulator)) }),
		changed: (emulator, output) => {
			expect(entry(emulator, String(output.dentryId)).status).toBe('DELETED');
		},
	},
	{
		resource: 'folder',
		operation: 'move',
		parameters: (emulator) => ({ folderId: rl(emptyFolder(emulator)), targetFolderId: rl('2001') }),
		changed: (emulator, output) => {
			expect(entry(emulator, String(output.dentryId)).parentId).toBe('2001');
		},
	},
	{
		resource: 'folder',
		operation: 'rename',
		parameters: (emulator) => ({ folderId: rl(emptyFolder(emulator)), newName: '改名' }),
		changed: (emulator, output) => {
			expect(entry(emulator, String(output.dentryId)).name).toBe('改名');
		},
	},
	{
		resource: 'folder',
		operation: 'copy',
		parameters: (emulator) => ({ folderId: rl(emptyFolder(emulator)), targetFolderId: rl('2001') }),
		changed: (emulator, output) => {
			expect(entry(emulator, String(output.dentryId))).toMatchObject({
				name: expect.stringMatching(/^空文件夹/),
				parentId: '2001',
			});
		},
	},
];

describe('changes by an agent: refused unless "Allow Changes by the Agent" is on', () => {
	test.each(CHANGES)(
		'$resource → $operation, option off (the default): refused in plain words, nothing sent to DingTalk, nothing changed',
		async ({ resource, operation, parameters }) => {
			const { emulator } = ctx;
			const given = parameters(emulator);
			const before = tree(emulator);
			// The refusal is the tool's answer (an item, not an error: n8n 1.x ends the execution on a tool's error).
			const { output, error } = await runTool(emulator, resource, operation, given);
			expect(error).toBeUndefined();
			expect(output!.map((item) => item.json)).toEqual([
				{
					refused: true,
					error: expect.stringMatching(
						/^Refused: this tool may not change files \(Allow Changes by the Agent is off\), so nothing was \w+ and nothing was sent to DingTalk\. Tell the user/,
					),
				},
			]);
			expect(emulator.log).toHaveLength(0);
			expect(tree(emulator)).toBe(before);

			// Set off explicitly, for several items: one refusal each, nothing sent.
			const off = await runTool(
				emulator,
				resource,
				operation,
				{ ...given, allowAgentChanges: false },
				{ items: [{}, {}] },
			);
			expect(off.output!.map((item) => [item.json.refused, item.pairedItem])).toEqual([
				[true, { item: 0 }],
				[true, { item: 1 }],
			]);
			expect(emulator.log).toHaveLength(0);
			expect(tree(emulator)).toBe(before);
		},
	);

	test.each(CHANGES)(
		'$resource → $operation, option on: runs, and answers the model the allowed fields',
		async ({ resource, operation, parameters, changed }) => {
			const { emulator } = ctx;
			const { output, error } = await runTool(emulator, resource, operation, {
				...parameters(emulator),
				allowAgentChanges: true,
			});
			expect(error).toBeUndefined();
			changed(emulator, output![0].json);
			expect(output![0].json).not.toHaveProperty('creatorId');
			expect(output![0].json).not.toHaveProperty('modifierId');
		},
	);

	test('Upload is refused to an agent even with the option on (an agent has no binary data to give)', async () => {
		const { emulator } = ctx;
		for (const allowAgentChanges of [false, true]) {
			const { output } = await runTool(emulator, 'file', 'upload', {
				folderId: rl('2001'),
				binaryPropertyName: 'data',
				allowAgentChanges,
			});
			expect(output![0].json).toEqual({
				refused: true,
				error: expect.stringMatching(
					/^Refused: Upload is not available to AI agents.*nothing was sent to DingTalk/,
				),
			});
		}
		expect(emulator.log).toHaveLength(0);
	});

	test("the recycle bin's Delete Permanently and Empty, and Update Content, are refused to an agent even with the option on", async () => {
		const { emulator } = ctx;
		const calls: Array<[string, string, IDataObject]> = [
			[
				'recycleBin',
				'deletePermanently',
				{ corpId: EMULATOR_DEFAULTS.corpId, recycleItemIds: 'ri-1' },
			],
			['recycleBin', 'empty', { corpId: EMULATOR_DEFAULTS.corpId, confirmEmpty: 'EMPTY' }],
			['file', 'updateContent', { dentryId: rl('1002'), binaryPropertyName: 'data' }],
		];
		for (const [resource, operation, parameters] of calls) {
			const { output } = await runTool(emulator, resource, operation, {
				...parameters,
				allowAgentChanges: true,
			});
			expect(output![0].json).toEqual({
				refused: true,
				error: expect.stringMatching(
					/^Refused: .* is not available to AI agents, so nothing was changed and nothing was sent to DingTalk/,
				),
			});
		}
		expect(emulator.log).toHaveLength(0);
	});

	test('sharing by an agent needs Allow Changes by the Agent; listing who has access does not', async () => {
		const { emulator } = ctx;
		const share = {
			dentryId: rl('2005'),
			role: 'READER',
			members: { member: [{ type: 'USER', id: 'someone' }] },
		};
		const refused = await runTool(emulator, 'permission', 'add', share);
		expect(refused.output![0].json).toMatchObject({ refused: true });
		expect(emulator.log).toHaveLength(0);
		const allowed = await runTool(emulator, 'permission', 'add', {
			...share,
			allowAgentChanges: true,
		});
		expect(allowed.output![0].json).toMatchObject({
			success: true,
			dentryId: '2005',
			role: 'READER',
		});
		const listed = await runTool(emulator, 'permission', 'list', {
			dentryId: rl('2005'),
			returnAll: true,
		});
		expect(listed.output!.map((item) => item.json)).toEqual([
			expect.objectContaining({ memberType: 'USER', memberId: 'someone', roleId: 'READER' }),
		]);
		// The grant's nested objects stay out of what the model reads; its flat fields pass.
		expect(listed.output![0].json).not.toHaveProperty('member');
	});

	test('a link for an agent only with Allow Links for the Agent on (a link opens the file); then the model reads it', async () => {
		const { emulator } = ctx;
		const refused = await runTool(emulator, 'file', 'getLink', {
			dentryId: rl('1001'),
			allowAgentChanges: true,
		});
		expect(refused.output![0].json).toEqual({
			refused: true,
			error: expect.stringMatching(
				/^Refused: this tool may not get links to files \(Allow Links for the Agent is off\)/,
			),
		});
		expect(emulator.log).toHaveLength(0);
		const allowed = await runTool(emulator, 'file', 'getLink', {
			dentryId: rl('1001'),
			allowAgentLinks: true,
		});
		expect(allowed.output![0].json).toMatchObject({
			url: expect.stringMatching(/^https:\/\//),
			linkType: 'PREVIEW',
			requiresLogin: true,
			allows: expect.any(String),
		});
	});

	test('reads need no option; the regular node ignores it (a workflow step changes what its author set)', async () => {
		const { emulator } = ctx;
		const read = await runTool(emulator, 'file', 'get', { dentryId: rl('1002') });
		expect(read.error).toBeUndefined();
		expect(read.output![0].json.dentryId).toBe('1002');
		const { error } = await runStorage(emulator, 'file', 'delete', { dentryId: rl('1002') });
		expect(error).toBeUndefined();
		expect(entry(emulator, '1002').status).toBe('DELETED');
	});

	test('every operation that changes something is in the gated list (changes run one at a time; reads in parallel)', () => {
		const all = {
			file: fileOperations,
			folder: folderOperations,
			space: spaceOperations,
			permission: permissionOperations,
			recycleBin: recycleBinOperations,
		};
		for (const [resource, operations] of Object.entries(all)) {
			const gated = CHANGE_OPERATIONS[resource as keyof typeof all];
			for (const [name, operation] of Object.entries(operations))
				expect([resource, name, gated.has(name)]).toEqual([resource, name, !operation.parallel]);
			for (const name of gated) expect(Object.keys(operations)).toContain(name);
		}
	});

	test('the option and its notice show in the tool type, for the changes only', () => {
		const { properties } = new DingTalkStorage().description;
		const option = properties.find((property) => property.name === 'allowAgentChanges')!;
		expect(option).toMatchObject({
			type: 'boolean',
			default: false,
			displayOptions: { show: { '@tool': [true] } },
		});
		// Upload and Update Content (binary input) and the recycle bin's Delete Permanently and
		// Empty are never an agent's, so the option does not show for them.
		expect([...(option.displayOptions!.show!.operation as string[])].sort()).toEqual([
			'add',
			'copy',
			'create',
			'createFromText',
			'delete',
			'move',
			'remove',
			'removeProperties',
			'rename',
			'restore',
			'revertToVersion',
			'setInheritance',
			'setProperties',
			'update',
		]);
		const notice = properties.find(
			(property) => property.type === 'notice' && property.displayOptions?.show?.['@tool'],
		)!;
		expect(notice.displayOptions).toEqual(option.displayOptions);
		expect(notice.displayName).toMatch(
			/delete, move, rename and copy files and folders, create folders and files from text, revert versions, change who has access and restore from the recycle bin, with arguments its model chooses/,
		);
		expect(notice.displayName).toMatch(/human review of tool calls/);
	});
});

describe('the operator and Delete Permanently are never chosen by the model', () => {
	test.each([
		["={{ $fromAI('unionId', 'The operator', 'string') }}"],
		["={{ $fromai('who') }}"],
		['={{ $fromAi ("who") }}'],
	])(
		'Operator Union ID %s: the node is refused, naming the field, before any request',
		async (unionId) => {
			const { emulator } = ctx;
			const { error } = await runTool(emulator, 'file', 'search', { keyword: '合同', unionId });
			expect(error?.message).toMatch(/^Invalid "unionId": it may not be taken from \$fromAI\(\)/);
			expect(emulator.log).toHaveLength(0);
		},
	);

	test('Move to Recycle Bin from $fromAI(): refused even with changes allowed; the file stays', async () => {
		const { emulator } = ctx;
		const before = tree(emulator);
		const { error } = await runTool(emulator, 'file', 'delete', {
			dentryId: rl('1002'),
			allowAgentChanges: true,
			options: {
				toRecycleBin: "={{ $fromAI('toRecycleBin', 'Whether it can be restored', 'boolean') }}",
			},
		});
		expect(error?.message).toMatch(
			/^Invalid "toRecycleBin": it may not be taken from \$fromAI\(\)/,
		);
		expect(emulator.log).toHaveLength(0);
		expect(tree(emulator)).toBe(before);
	});

	test('Allow Changes by the Agent from $fromAI(): refused (the model would give itself the right)', async () => {
		const { emulator } = ctx;
		const before = tree(emulator);
		const { error } = await runTool(emulator, 'file', 'delete', {
			dentryId: rl('1002'),
			allowAgentChanges: "={{ $fromAI('allow', 'Whether changes are allowed', 'boolean') }}",
		});
		expect(error?.message).toMatch(
			/^Invalid "allowAgentChanges": it may not be taken from \$fromAI\(\)/,
		);
		expect(emulator.log).toHaveLength(0);
		expect(tree(emulator)).toBe(before);
	});

	test('fixed values (and expressions without $fromAI) run', async () => {
		const { emulator } = ctx;
		const { error } = await runTool(emulator, 'file', 'delete', {
			dentryId: rl('1002'),
			unionId: '={{ "' + emulator.unionId + '" }}',
			allowAgentChanges: true,
			options: { toRecycleBin: false },
		});
		expect(error).toBeUndefined();
		expect(emulator.drive.entries.has('1002')).toBe(false);
	});

	test('DingTalk Storage Download Tool: an operator from $fromAI() is refused before any request', async () => {
		const { emulator } = ctx;
		const { error } = await runNode({
			nodeType: DOWNLOAD_TOOL_TYPE,
			credentials: appCredentials(emulator),
			parameters: {
				operation: 'download',
				spaceId: SPACE,
				dentryId: '1001',
				unionId: "={{ $fromAI('unionId') }}",
				binaryPropertyName: 'data',
				options: {},
			},
		});
		expect(error?.message).toMatch(/^Invalid "unionId": it may not be taken from \$fromAI\(\)/);
		expect(emulator.log).toHaveLength(0);
	});
});

describe('what goes back to the model: an allow-list of fields', () => {
	/** Fields that are people's IDs, links, or DingTalk internals: never sent to a model provider. */
	const NEVER = [
		'creatorId',
		'modifierId',
		'creator',
		'modifier',
		'url',
		'storageDriver',
		'partitionType',
		'properties',
		'capabilities',
		'partitions',
		'ownerType',
		'permissionMode',
	];

	function expectOnlyAllowed(items: Array<{ json: IDataObject }> | undefined) {
		expect(items?.length).toBeGreaterThan(0);
		for (const { json } of items!) {
			for (const field of NEVER) expect(json).not.toHaveProperty(field);
			for (const value of Object.values(json))
				expect(value === null || typeof value !== 'object').toBe(true);
		}
	}

	test('Search: names, IDs, paths, size, times; no creator or modifier, no link (the regular node keeps them)', async () => {
		const { emulator } = ctx;
		const regular = await runStorage(emulator, 'file', 'search', { keyword: '年度采购' });
		expect(regular.output![0].json).toMatchObject({
			creatorId: 'emulator-user-id',
			creator: { userId: 'emulator-user-id' },
			url: expect.any(String),
		});

		const { output } = await runTool(emulator, 'file', 'search', { keyword: '年度采购' });
		expectOnlyAllowed(output);
		expect(output![0].json).toEqual({
			id: '1001',
			uuid: expect.any(String),
			dentryUuid: expect.any(String),
			spaceId: SPACE,
			dentryId: '1001',
			parentId: '2005',
			type: 'FILE',
			name: '合同-2026年度采购.pdf',
			size: 200_000,
			extension: 'pdf',
			path: '/合同/2026/合同-2026年度采购.pdf',
			folderPath: '合同/2026',
			version: 3,
			status: 'NORMAL',
			createTime: expect.any(String),
			modifiedTime: expect.any(String),
		});
	});

	test.each([
		['folder', 'list', { folderId: rl('2005') }],
		['file', 'get', { dentryId: rl('1001') }],
		['file', 'listVersions', { dentryId: rl('1001') }],
		['file', 'download', { dentryId: rl('1001'), binaryPropertyName: 'data' }],
		['space', 'list', {}],
		['space', 'get', {}],
	] as const)('%s → %s: only allowed fields', async (resource, operation, parameters) => {
		const { emulator } = ctx;
		const { output, error } = await runTool(emulator, resource, operation, parameters);
		expect(error).toBeUndefined();
		expectOnlyAllowed(output);
	});

	test('Space → List keeps what its description promises (spaceId, spaceName, quota, usedQuota)', async () => {
		const { emulator } = ctx;
		const { output } = await runTool(emulator, 'space', 'list', {});
		expect(output![0].json).toEqual({
			spaceId: SPACE,
			spaceName: expect.any(String),
			spaceType: 'org',
			quota: expect.any(Number),
			usedQuota: expect.any(Number),
			createTime: expect.any(String),
			modifyTime: expect.any(String),
		});
	});

	test('DingTalk Storage Download Tool: the details and the note, no creator or modifier', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			nodeType: DOWNLOAD_TOOL_TYPE,
			credentials: appCredentials(emulator),
			parameters: {
				operation: 'download',
				spaceId: SPACE,
				dentryId: '1001',
				unionId: emulator.unionId,
				binaryPropertyName: 'data',
				options: {},
			},
		});
		expectOnlyAllowed(output);
		expect(output![0].json).toMatchObject({
			dentryId: '1001',
			name: '合同-2026年度采购.pdf',
			contentIncluded: false,
			note: expect.any(String),
		});
	});

	test('an error item under Continue On Fail keeps its error fields', async () => {
		const { emulator } = ctx;
		const { output } = await runTool(
			emulator,
			'file',
			'get',
			{ dentryId: rl('999999') },
			{ continueOnFail: true },
		);
		expect(output![0].json).toMatchObject({ error: expect.any(String), code: expect.any(String) });
	});

	test('every tool description says that names are data, not instructions', () => {
		const pickers = new DingTalkStorage().description.properties.filter(
			(property) =>
				property.name === 'operation' && property.displayOptions?.show?.['@tool']?.[0] === true,
		);
		expect(pickers).toHaveLength(5);
		for (const picker of pickers) {
			for (const option of picker.options as Array<{ action: string }>)
				expect(option.action.endsWith(NAMES_ARE_DATA)).toBe(true);
		}
	});
});
