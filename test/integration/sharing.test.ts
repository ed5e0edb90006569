/**
 * The "DingTalk Storage" node's sharing: Permission → Add, Update, Remove, List, Get and Set
 * Inheritance over storage 2.0 (the item's UUID found once per execution), and File → Get
 * Link, against the emulator's grants and links.
 */
import type { IDataObject } from 'n8n-workflow';

import { EMULATOR_DEFAULTS } from '../../emulator';
import { callsTo, rl, runStorage, useEmulator } from '../harness/fixtures';

const ctx = useEmulator('filesystem');

const reader = (id: string) => ({ member: [{ type: 'USER', id }] });

describe('permission', () => {
	test('a folder shared by path with a user as reader: listed back; update makes an editor; remove takes it away', async () => {
		const { emulator } = ctx;
		const added = await runStorage(emulator, 'permission', 'add', {
			dentryId: rl('/合同/2026', 'path'),
			role: 'READER',
			members: reader('newhire01'),
		});
		expect(added.output![0].json).toMatchObject({
			success: true,
			spaceId: '1000',
			dentryId: '2005',
			role: 'READER',
		});
		const listed = await runStorage(emulator, 'permission', 'list', {
			dentryId: rl('2005'),
			returnAll: true,
		});
		expect(listed.output!.map((item) => item.json)).toEqual([
			expect.objectContaining({
				memberType: 'USER',
				memberId: 'newhire01',
				roleId: 'READER',
				dentryId: '2005',
				duration: null,
			}),
		]);
		await runStorage(emulator, 'permission', 'update', {
			dentryId: rl('2005'),
			role: 'EDITOR',
			members: reader('newhire01'),
		});
		const after = await runStorage(emulator, 'permission', 'list', {
			dentryId: rl('2005'),
			returnAll: true,
		});
		expect(after.output!.map((item) => item.json.roleId)).toEqual(['EDITOR']);
		await runStorage(emulator, 'permission', 'remove', {
			dentryId: rl('2005'),
			role: 'EDITOR',
			members: reader('newhire01'),
		});
		const none = await runStorage(emulator, 'permission', 'list', {
			dentryId: rl('2005'),
			returnAll: true,
		});
		expect(none.output ?? []).toHaveLength(0);
	});

	test('the UUID is asked once per item and execution; the list pages (Return All, Limit)', async () => {
		const { emulator } = ctx;
		const members = {
			member: Array.from({ length: 30 }, (_, index) => ({ type: 'USER', id: `user${index}` })),
		};
		await runStorage(emulator, 'permission', 'add', {
			dentryId: rl('3001'),
			role: 'READER',
			members,
		});
		await runStorage(emulator, 'permission', 'add', {
			dentryId: rl('3001'),
			role: 'DOWNLOADER',
			members: { member: [{ type: 'DEPT', id: '42', corpId: EMULATOR_DEFAULTS.corpId }] },
		});
		const uuidCalls = callsTo(emulator, 'doc.dentries.queryDentryUuid');
		const all = await runStorage(
			emulator,
			'permission',
			'list',
			{ dentryId: rl('3001'), returnAll: true },
			{ items: [{}, {}] },
		);
		expect(all.output).toHaveLength(62);
		expect(callsTo(emulator, 'doc.dentries.queryDentryUuid') - uuidCalls).toBe(1);
		const some = await runStorage(emulator, 'permission', 'list', {
			dentryId: rl('3001'),
			returnAll: false,
			limit: 5,
		});
		expect(some.output).toHaveLength(5);
		const readers = await runStorage(emulator, 'permission', 'list', {
			dentryId: rl('3001'),
			returnAll: true,
			options: { roles: ['DOWNLOADER'] },
		});
		expect(readers.output!.map((item) => item.json)).toEqual([
			expect.objectContaining({ memberType: 'DEPT', memberId: '42', roleId: 'DOWNLOADER' }),
		]);
	});

	test("member types in people's words (an expression may give 'department' or 'dynamic group') are DingTalk's", async () => {
		const { emulator } = ctx;
		const added = await runStorage(emulator, 'permission', 'add', {
			dentryId: rl('2002'),
			role: 'READER',
			members: {
				member: [
					{ type: 'department', id: '7', corpId: EMULATOR_DEFAULTS.corpId },
					{ type: 'dynamic group', id: 'dg1' },
					{ type: 'user', id: 'u9' },
				],
			},
		});
		expect(added.output![0].json.members).toEqual([
			{ type: 'DEPT', id: '7', corpId: EMULATOR_DEFAULTS.corpId },
			{ type: 'DYNAMIC_GROUP', id: 'dg1' },
			{ type: 'USER', id: 'u9' },
		]);
	});

	test('bad members are refused before any call: none, more than 30, a department without its Corp ID', async () => {
		const { emulator } = ctx;
		const before = callsTo(emulator, 'permissions.add');
		const cases: Array<[IDataObject, RegExp]> = [
			[{ member: [] }, /"members": no member is given/],
			[
				{ member: Array.from({ length: 31 }, (_, i) => ({ type: 'USER', id: `u${i}` })) },
				/31 members are given; DingTalk takes at most 30/,
			],
			[
				{ member: [{ type: 'DEPT', id: '7' }] },
				/"members\[0\]\.corpId": a department needs its Corp ID/,
			],
			[{ member: [{ type: 'USER', id: '' }] }, /"members\[0\]\.id"/],
		];
		for (const [members, message] of cases) {
			const result = await runStorage(emulator, 'permission', 'add', {
				dentryId: rl('3001'),
				role: 'READER',
				members,
			});
			expect(result.error?.message).toMatch(message);
		}
		expect(callsTo(emulator, 'permissions.add')).toBe(before);
	});

	test('a duration: refused in a space not owned by an app, kept in an app-owned space', async () => {
		const { emulator } = ctx;
		const refused = await runStorage(emulator, 'permission', 'add', {
			dentryId: rl('3001'),
			role: 'READER',
			members: reader('temp01'),
			duration: 600,
		});
		expect(refused.error?.message).toMatch(
			/"duration": a grant with a duration is only possible in a space owned by an app/,
		);
		expect(callsTo(emulator, 'permissions.add')).toBe(0);
		const kept = await runStorage(emulator, 'permission', 'add', {
			spaceId: rl(EMULATOR_DEFAULTS.appSpaceId),
			dentryId: rl(EMULATOR_DEFAULTS.appFolderId),
			role: 'READER',
			members: reader('temp01'),
			duration: 600,
		});
		expect(kept.output![0].json).toMatchObject({ success: true, duration: 600 });
		const listed = await runStorage(emulator, 'permission', 'list', {
			spaceId: rl(EMULATOR_DEFAULTS.appSpaceId),
			dentryId: rl(EMULATOR_DEFAULTS.appFolderId),
			returnAll: true,
		});
		expect(listed.output![0].json).toMatchObject({ memberId: 'temp01', duration: 600 });
		const tooLong = await runStorage(emulator, 'permission', 'add', {
			spaceId: rl(EMULATOR_DEFAULTS.appSpaceId),
			dentryId: rl(EMULATOR_DEFAULTS.appFolderId),
			role: 'READER',
			members: reader('temp01'),
			duration: 7200,
		});
		expect(tooLong.error?.message).toMatch(/"duration"/);
	});

	test("inheritance: read, broken, passed on again; the space's root refused before any call, DingTalk's own refusal explained", async () => {
		const { emulator } = ctx;
		const read = await runStorage(emulator, 'permission', 'getInheritance', {
			dentryId: rl('2002'),
		});
		expect(read.output![0].json).toMatchObject({ dentryId: '2002', inheritance: 'PASS_ON' });
		await runStorage(emulator, 'permission', 'setInheritance', {
			dentryId: rl('2002'),
			inheritance: 'BREAK',
		});
		const broken = await runStorage(emulator, 'permission', 'getInheritance', {
			dentryId: rl('2002'),
		});
		expect(broken.output![0].json.inheritance).toBe('BREAK');
		const root = await runStorage(
			emulator,
			'permission',
			'setInheritance',
			{ dentryId: rl('/', 'path'), inheritance: 'BREAK' },
			{ continueOnFail: true },
		);
		expect(root.output![0].json.error).toMatch(
			/"dentryId": the space's root folder inherits from nothing/,
		);
		expect(callsTo(emulator, 'permissions.inheritance.set')).toBe(1);
		// Root given by its UUID's own answer: DingTalk refuses, and the node says why.
		emulator.failNextApiCalls(
			'permissionInheritanceUnsupportedForRootDentry',
			1,
			'permissions.inheritance.get',
		);
		const refused = await runStorage(emulator, 'permission', 'getInheritance', {
			dentryId: rl('2002'),
		});
		expect(refused.error?.message).toContain('permissionInheritanceUnsupportedForRootDentry');
		expect(refused.error?.description).toContain("A space's root folder inherits from nothing");
	});

	test('a missing permission names it; Continue On Fail keeps the other items', async () => {
		const { emulator } = ctx;
		emulator.state.missingPermissions.add('Storage.Permission.Write');
		const result = await runStorage(
			emulator,
			'permission',
			'add',
			{ dentryId: rl('={{ $json.id }}'), role: 'READER', members: reader('u1') },
			{ items: [{ id: '3001' }, { id: 'nope' }], continueOnFail: true },
		);
		expect(result.output).toHaveLength(2);
		expect(result.output![0].json.description).toContain('"Storage.Permission.Write"');
		expect(result.output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});

describe('file: get link', () => {
	test('a preview link (signed in), and one without login: what each allows and how long it lives', async () => {
		const { emulator } = ctx;
		const preview = await runStorage(emulator, 'file', 'getLink', { dentryId: rl('1001') });
		expect(preview.output![0].json).toMatchObject({
			spaceId: '1000',
			dentryId: '1001',
			type: 'PREVIEW',
			requiresLogin: true,
			url: expect.stringMatching(/^https:\/\//),
			allows: expect.stringContaining('signed-in DingTalk user'),
		});
		const open = await runStorage(emulator, 'file', 'getLink', {
			dentryId: rl('1001'),
			options: { requireLogin: false, waterMark: true },
		});
		expect(open.output![0].json).toMatchObject({
			requiresLogin: false,
			hasWaterMark: true,
			expires: 'Expires after 5 minutes unused',
		});
		expect(emulator.issuedLinks[1]).toMatchObject({
			type: 'PREVIEW',
			checkLogin: false,
			waterMark: true,
		});
	});

	test("an edit link for a document; DingTalk's refusals for other kinds explained; a folder refused before any call", async () => {
		const { emulator } = ctx;
		const edit = await runStorage(emulator, 'file', 'getLink', {
			dentryId: rl('3003'),
			linkType: 'EDIT',
		});
		expect(edit.output![0].json).toMatchObject({ type: 'EDIT', url: expect.any(String) });
		const pdf = await runStorage(emulator, 'file', 'getLink', {
			dentryId: rl('1001'),
			linkType: 'EDIT',
		});
		expect(pdf.error?.message).toContain('dentryEditNotSupport');
		expect(pdf.error?.description).toContain('Ask for a preview link instead');
		const zip = await runStorage(emulator, 'file', 'getLink', { dentryId: rl('1005') });
		expect(zip.error?.message).toContain('dentryExtensionNotSupport');
		const viral = emulator.drive.addFile('1000', '0', 'virus-sample.docx') as { id: string };
		const infected = await runStorage(emulator, 'file', 'getLink', { dentryId: rl(viral.id) });
		expect(infected.error?.message).toMatch(
			/Getting the link failed: The file contains a virus \(code fileViral/,
		);
		const folder = await runStorage(emulator, 'file', 'getLink', { dentryId: rl('2001') });
		expect(folder.error?.message).toMatch(/a folder, not a file/);
		const noLoginEdit = await runStorage(emulator, 'file', 'getLink', {
			dentryId: rl('3003'),
			linkType: 'EDIT',
			options: { requireLogin: false },
		});
		expect(noLoginEdit.error?.message).toMatch(/"requireLogin"/);
		expect(callsTo(emulator, 'openInfos.query')).toBe(4);
	});
});
