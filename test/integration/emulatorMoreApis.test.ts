/**
 * The emulator's storage APIs beyond the first release's (dingtalk-storage-more-apis.md),
 * driven over HTTP: storage 2.0 permissions and their inheritance, a dentry's UUID by its ID,
 * preview and edit links, the recycle bin, reverting to an old version, app properties,
 * batch copy / move / remove and a document URL to its node. Each documented answer, error
 * code, limit and page, and that the emulator's reset clears it all.
 */
import { createHash } from 'node:crypto';

import { EMULATOR_DEFAULTS } from '../../emulator';
import { useEmulator, type Emulator } from '../harness/fixtures';

const SPACE = EMULATOR_DEFAULTS.spaceId;
const BIN = EMULATOR_DEFAULTS.recycleBinId;

/** A JSON answer as parsed, read field by field. */
type Json = ReturnType<typeof JSON.parse>;
type Answer = { status: number; body: Json };

/** One API call as the node makes it: the token header, JSON, the operator in the query. */
async function call(
	emulator: Emulator,
	method: string,
	path: string,
	body?: unknown,
	query: Record<string, string> = { unionId: emulator.unionId },
): Promise<Answer> {
	const url = new URL(path, emulator.baseUrl);
	for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
	const response = await fetch(url, {
		method,
		headers: {
			'x-acs-dingtalk-access-token': emulator.issueToken(),
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

function expectError(answer: Answer, status: number, code: string) {
	expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
}

const uuidOf = (emulator: Emulator, id: string) => emulator.drive.entries.get(id)!.uuid;

describe('emulator: storage 2.0 permissions', () => {
	const ctx = useEmulator();
	const perms = (uuid: string, rest = '') =>
		`/v2.0/storage/spaces/dentries/${encodeURIComponent(uuid)}/permissions${rest}`;
	const user = (id: string) => ({ type: 'USER', id });

	test('add, list, update, remove: one grant per member, role names, replaced on re-add', async () => {
		const { emulator } = ctx;
		const uuid = uuidOf(emulator, '1001');
		expect(
			(await call(emulator, 'POST', perms(uuid), { roleId: 'READER', members: [user('u1')] })).body,
		).toEqual({ success: true });
		await call(emulator, 'POST', perms(uuid), {
			roleId: 'EDITOR',
			members: [user('u2'), { type: 'DEPT', id: '42', corpId: 'dingcorp' }],
		});
		// Adding a member who has a role replaces the role.
		await call(emulator, 'POST', perms(uuid), { roleId: 'DOWNLOADER', members: [user('u1')] });
		const listed = await call(emulator, 'POST', perms(uuid, '/query'), {});
		expect(listed.status).toBe(200);
		expect(listed.body).toEqual({
			permissions: [
				{
					dentryUuid: uuid,
					member: { type: 'USER', id: 'u1' },
					role: { id: 'DOWNLOADER', name: '可下载' },
					duration: null,
				},
				{
					dentryUuid: uuid,
					member: { type: 'USER', id: 'u2' },
					role: { id: 'EDITOR', name: '可编辑' },
					duration: null,
				},
				{
					dentryUuid: uuid,
					member: { type: 'DEPT', id: '42', corpId: 'dingcorp' },
					role: { id: 'EDITOR', name: '可编辑' },
					duration: null,
				},
			],
		});

		// Update changes the role of a grant, and adds one for a member without.
		expect(
			(
				await call(emulator, 'PUT', perms(uuid), {
					roleId: 'MANAGER',
					members: [user('u2'), user('u9')],
				})
			).body,
		).toEqual({ success: true });
		// Remove takes away the grants of that role only.
		expect(
			(
				await call(emulator, 'POST', perms(uuid, '/remove'), {
					roleId: 'MANAGER',
					members: [user('u2'), user('u1')],
				})
			).body,
		).toEqual({ success: true });
		const after = (await call(emulator, 'POST', perms(uuid, '/query'), { option: {} })).body;
		expect(
			after.permissions.map((each: Json) => `${each.member.id}:${each.role.id}:${each.role.name}`),
		).toEqual(['u1:DOWNLOADER:可下载', '42:EDITOR:可编辑', 'u9:MANAGER:管理者']);
		expect(after.nextToken).toBeUndefined();
		// Every role has its name.
		for (const [roleId, name] of [
			['OWNER', '所有者'],
			['READER', '可查看'],
		]) {
			await call(emulator, 'POST', perms(uuid), { roleId, members: [user(`r-${roleId}`)] });
			const only = await call(emulator, 'POST', perms(uuid, '/query'), {
				option: { filterRoleIds: [roleId] },
			});
			expect(only.body.permissions).toEqual([
				expect.objectContaining({ role: { id: roleId, name } }),
			]);
		}
	});

	test('bad roles and members, an unknown UUID, a bad duration: paramError or dentryNotExist', async () => {
		const { emulator } = ctx;
		const uuid = uuidOf(emulator, '1001');
		const thirtyOne = Array.from({ length: 31 }, (_, i) => user(`u${i}`));
		for (const body of [
			{ roleId: 'ADMIN', members: [user('u1')] },
			{ members: [user('u1')] },
			{ roleId: 'READER', members: [] },
			{ roleId: 'READER' },
			{ roleId: 'READER', members: thirtyOne },
			{ roleId: 'READER', members: [{ type: 'GROUP', id: 'x' }] },
			{ roleId: 'READER', members: [{ type: 'USER', id: '' }] },
			{ roleId: 'READER', members: [{ type: 'USER' }] },
			{ roleId: 'READER', members: ['u1'] },
			{ roleId: 'READER', members: [{ type: 'DEPT', id: '42' }] },
			{ roleId: 'READER', members: [user('u1')], option: { duration: 0 } },
			{ roleId: 'READER', members: [user('u1')], option: { duration: 3601 } },
			{ roleId: 'READER', members: [user('u1')], option: { duration: 1.5 } },
			{ roleId: 'READER', members: [user('u1')], option: { duration: '60' } },
		]) {
			expectError(await call(emulator, 'POST', perms(uuid), body), 400, 'paramError');
		}
		expectError(
			await call(emulator, 'PUT', perms(uuid), { roleId: 'nope', members: [user('u1')] }),
			400,
			'paramError',
		);
		expectError(
			await call(emulator, 'POST', perms(uuid, '/remove'), { roleId: 'READER', members: [] }),
			400,
			'paramError',
		);
		expectError(
			await call(emulator, 'POST', perms(uuid, '/query'), { option: { filterRoleIds: ['X'] } }),
			400,
			'paramError',
		);
		// Thirty members is the most, and every member type is known.
		const thirty = [
			...Array.from({ length: 24 }, (_, i) => user(`u${i}`)),
			{ type: 'DEPT', id: '1', corpId: 'c' },
			{ type: 'ORG', id: 'dingcorp' },
			{ type: 'TAG', id: 't' },
			{ type: 'CONVERSATION', id: 'cid' },
			{ type: 'DYNAMIC_GROUP', id: 'g' },
			{ type: 'USER', id: 'u99', corpId: 'c' },
		];
		expect(
			(await call(emulator, 'POST', perms(uuid), { roleId: 'READER', members: thirty })).status,
		).toBe(200);
		for (const [method, rest] of [
			['POST', ''],
			['PUT', ''],
			['POST', '/remove'],
			['POST', '/query'],
			['GET', '/inheritances'],
			['PUT', '/inheritances'],
		]) {
			expectError(
				await call(
					emulator,
					method,
					perms('no-such-uuid', rest),
					method === 'GET'
						? undefined
						: {
								roleId: 'READER',
								members: [user('u1')],
								inheritance: 'BREAK',
							},
				),
				404,
				'dentryNotExist',
			);
		}
		// A recycled dentry's UUID is unknown too.
		await call(emulator, 'DELETE', `/v1.0/storage/spaces/${SPACE}/dentries/1004`, undefined, {
			unionId: emulator.unionId,
			toRecycleBin: 'true',
		});
		expectError(
			await call(emulator, 'POST', perms(uuidOf(emulator, '1004'), '/query'), {}),
			404,
			'dentryNotExist',
		);
	});

	test('a duration is kept on an app space (ownerType APP) only; elsewhere it is null', async () => {
		const { emulator } = ctx;
		const space = await call(
			emulator,
			'GET',
			`/v1.0/storage/spaces/${EMULATOR_DEFAULTS.appSpaceId}`,
		);
		expect(space.body.space).toMatchObject({ id: '6000', name: '应用空间', ownerType: 'APP' });
		expect(
			(await call(emulator, 'GET', `/v1.0/storage/spaces/${SPACE}`)).body.space.ownerType,
		).toBe('ORG');
		// The app space is not one of the org's Drive spaces.
		const spaces = await call(emulator, 'GET', '/v1.0/drive/spaces', undefined, {
			unionId: emulator.unionId,
			spaceType: 'org',
		});
		expect(spaces.body.spaces.map((each: Json) => each.spaceId)).not.toContain('6000');

		const appFile = uuidOf(emulator, EMULATOR_DEFAULTS.appFileId);
		const orgFile = uuidOf(emulator, '1001');
		for (const uuid of [appFile, orgFile]) {
			await call(emulator, 'POST', perms(uuid), {
				roleId: 'READER',
				members: [user('u1')],
				option: { duration: 600 },
			});
			await call(emulator, 'PUT', perms(uuid), {
				roleId: 'EDITOR',
				members: [user('u2')],
				option: { duration: 3600 },
			});
		}
		const durations = async (uuid: string) =>
			(await call(emulator, 'POST', perms(uuid, '/query'), {})).body.permissions.map(
				(each: Json) => each.duration,
			);
		expect(await durations(appFile)).toEqual([600, 3600]);
		expect(await durations(orgFile)).toEqual([null, null]);
		// Re-adding without a duration drops it.
		await call(emulator, 'POST', perms(appFile), { roleId: 'READER', members: [user('u1')] });
		expect(await durations(appFile)).toEqual([null, 3600]);
	});

	test('list pages with option.nextToken and option.maxResults (default 30), filtered by role', async () => {
		const { emulator } = ctx;
		const uuid = uuidOf(emulator, '2001');
		const members = (from: number, count: number) =>
			Array.from({ length: count }, (_, i) => user(`u${from + i}`));
		await call(emulator, 'POST', perms(uuid), { roleId: 'READER', members: members(0, 30) });
		await call(emulator, 'POST', perms(uuid), { roleId: 'EDITOR', members: members(30, 7) });
		const first = (await call(emulator, 'POST', perms(uuid, '/query'), {})).body;
		expect(first.permissions).toHaveLength(30);
		expect(first.nextToken).toEqual(expect.any(String));
		const second = (
			await call(emulator, 'POST', perms(uuid, '/query'), {
				option: { nextToken: first.nextToken },
			})
		).body;
		expect(second.permissions.map((each: Json) => each.member.id)).toEqual(
			members(30, 7).map((each) => each.id),
		);
		expect(second.nextToken).toBeUndefined();

		const ids: string[] = [];
		let nextToken: string | undefined;
		do {
			const answer = (
				await call(emulator, 'POST', perms(uuid, '/query'), {
					option: { maxResults: 10, filterRoleIds: ['READER'], nextToken },
				})
			).body;
			expect(answer.permissions.length).toBeLessThanOrEqual(10);
			ids.push(...answer.permissions.map((each: Json) => each.member.id));
			nextToken = answer.nextToken;
		} while (nextToken);
		expect(ids).toEqual(members(0, 30).map((each) => each.id));

		for (const option of [{ maxResults: 0 }, { maxResults: 101 }, { nextToken: 'garbage' }])
			expectError(
				await call(emulator, 'POST', perms(uuid, '/query'), { option }),
				400,
				'paramError',
			);
	});

	test('inheritance: PASS_ON until set; PASS_ON | BREAK; refused on a space root', async () => {
		const { emulator } = ctx;
		const uuid = uuidOf(emulator, '2002');
		expect((await call(emulator, 'GET', perms(uuid, '/inheritances'))).body).toEqual({
			inheritance: 'PASS_ON',
		});
		expect(
			(await call(emulator, 'PUT', perms(uuid, '/inheritances'), { inheritance: 'BREAK' })).body,
		).toEqual({ success: true });
		expect((await call(emulator, 'GET', perms(uuid, '/inheritances'))).body).toEqual({
			inheritance: 'BREAK',
		});
		for (const body of [{}, { inheritance: 'KEEP' }, { inheritance: 'break' }])
			expectError(
				await call(emulator, 'PUT', perms(uuid, '/inheritances'), body),
				400,
				'paramError',
			);

		// The root's UUID, from queryDentryUuid with dentry ID 0.
		const root = await call(emulator, 'GET', '/v2.0/doc/dentries/0/queryDentryUuid', undefined, {
			spaceId: SPACE,
			operatorId: emulator.unionId,
		});
		expect(root.status).toBe(200);
		expect(root.body).toEqual({ dentryUuid: expect.any(String), dentryId: '0', spaceId: SPACE });
		const rootUuid = root.body.dentryUuid;
		expectError(
			await call(emulator, 'GET', perms(rootUuid, '/inheritances')),
			400,
			'permissionInheritanceUnsupportedForRootDentry',
		);
		expectError(
			await call(emulator, 'PUT', perms(rootUuid, '/inheritances'), { inheritance: 'BREAK' }),
			400,
			'permissionInheritanceUnsupportedForRootDentry',
		);
		// Grants on the root itself are allowed.
		await call(emulator, 'POST', perms(rootUuid), { roleId: 'READER', members: [user('u1')] });
		expect(
			(await call(emulator, 'POST', perms(rootUuid, '/query'), {})).body.permissions,
		).toHaveLength(1);
		// The root's UUID is stable, differs per space, and maps back with queryDentryId.
		const otherRoot = await call(
			emulator,
			'GET',
			'/v2.0/doc/dentries/0/queryDentryUuid',
			undefined,
			{
				spaceId: EMULATOR_DEFAULTS.otherSpaceId,
				operatorId: emulator.unionId,
			},
		);
		expect(otherRoot.body.dentryUuid).not.toBe(rootUuid);
		const back = await call(
			emulator,
			'GET',
			`/v2.0/doc/dentries/${rootUuid}/queryDentryId`,
			undefined,
			{ operatorId: emulator.unionId },
		);
		expect(back.body).toEqual({ dentryUuid: rootUuid, dentryId: '0', spaceId: SPACE });
	});

	test('queryDentryUuid: a dentry ID to its UUID; unknown: 404; operatorId and spaceId required', async () => {
		const { emulator } = ctx;
		const asked = (dentryId: string, query: Record<string, string>) =>
			call(emulator, 'GET', `/v2.0/doc/dentries/${dentryId}/queryDentryUuid`, undefined, query);
		const operator = { operatorId: emulator.unionId };
		expect((await asked('3001', { ...operator, spaceId: SPACE })).body).toEqual({
			dentryUuid: uuidOf(emulator, '3001'),
			dentryId: '3001',
			spaceId: SPACE,
		});
		expectError(await asked('999999', { ...operator, spaceId: SPACE }), 404, 'dentryNotExist');
		expectError(await asked('3001', { ...operator, spaceId: '2000' }), 404, 'dentryNotExist');
		expectError(await asked('3001', { ...operator, spaceId: '9999' }), 404, 'spaceNotExist');
		expectError(await asked('3001', operator), 400, 'paramError');
		expectError(
			await asked('3001', { unionId: emulator.unionId, spaceId: SPACE }),
			400,
			'paramError',
		);
		expectError(
			await asked('3001', { operatorId: 'someone-else', spaceId: SPACE }),
			403,
			'permissionDenied',
		);
		emulator.state.missingPermissions.add('Document.WorkspaceDocument.Read');
		const refused = await asked('3001', { ...operator, spaceId: SPACE });
		expectError(refused, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
		expect(refused.body.requiredScopes).toEqual(['Document.WorkspaceDocument.Read']);
	});

	test('each permissions API needs its permission', async () => {
		const { emulator } = ctx;
		const uuid = uuidOf(emulator, '1001');
		emulator.state.missingPermissions.add('Storage.Permission.Write');
		const refused = await call(emulator, 'POST', perms(uuid), {
			roleId: 'READER',
			members: [user('u1')],
		});
		expectError(refused, 403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied');
		expect(refused.body.requiredScopes).toEqual(['Storage.Permission.Write']);
		expect((await call(emulator, 'POST', perms(uuid, '/query'), {})).status).toBe(200);
		emulator.state.missingPermissions.add('Storage.Permission.Read');
		expect((await call(emulator, 'GET', perms(uuid, '/inheritances'))).body.requiredScopes).toEqual(
			['Storage.Permission.Read'],
		);
		expect(emulator.apiCounts.get('permissions.add')).toBe(1);
	});
});

describe('emulator: preview and edit links', () => {
	const ctx = useEmulator();
	const openInfo = (emulator: Emulator, dentryId: string, option?: object, spaceId = SPACE) =>
		call(
			emulator,
			'POST',
			`/v1.0/storage/spaces/${spaceId}/dentries/${dentryId}/openInfos/query`,
			option === undefined ? {} : { option },
		);

	test('PREVIEW by default; EDIT for office and text formats; a watermark on WPS formats only', async () => {
		const { emulator } = ctx;
		const preview = await openInfo(emulator, '1001');
		expect(preview.status).toBe(200);
		expect(preview.body).toEqual({ url: expect.any(String), hasWaterMark: false });
		expect(preview.body.url).toMatch(
			/^https:\/\/alidocs\.dingtalk\.com\/i\/preview\/[0-9a-f]+\?type=PREVIEW$/,
		);
		expect((await openInfo(emulator, '1001', { waterMark: true })).body.hasWaterMark).toBe(true);
		expect((await openInfo(emulator, '1004', { waterMark: true })).body.hasWaterMark).toBe(false);
		const edit = await openInfo(emulator, '3003', { type: 'EDIT', waterMark: true });
		expect(edit.body.url).toContain('type=EDIT');
		expect(edit.body.hasWaterMark).toBe(true);
		expect((await openInfo(emulator, '1002', { type: 'EDIT' })).status).toBe(200);
		expect((await openInfo(emulator, '1004', { type: 'EDIT' })).status).toBe(200);
		const once = await openInfo(emulator, '1001', { checkLogin: false, version: 2 });
		expect(once.body.url).toContain('checkLogin=false');
		expect(once.body.url).toContain('version=2');
		// Each link is new, and none carries a token or secret.
		expect(once.body.url).not.toBe(preview.body.url);
		for (const url of [preview.body.url, edit.body.url, once.body.url]) {
			expect(url).not.toContain(emulator.appSecret);
			expect(url).not.toContain('emu-token');
		}
		expect(emulator.issuedLinks).toEqual([
			expect.objectContaining({
				dentryId: '1001',
				type: 'PREVIEW',
				version: 3,
				checkLogin: true,
				waterMark: false,
				hasWaterMark: false,
				url: preview.body.url,
			}),
			expect.objectContaining({ dentryId: '1001', waterMark: true, hasWaterMark: true }),
			expect.objectContaining({ dentryId: '1004', waterMark: true, hasWaterMark: false }),
			expect.objectContaining({ dentryId: '3003', type: 'EDIT', url: edit.body.url }),
			expect.objectContaining({ dentryId: '1002', type: 'EDIT' }),
			expect.objectContaining({ dentryId: '1004', type: 'EDIT' }),
			expect.objectContaining({
				dentryId: '1001',
				version: 2,
				checkLogin: false,
				url: once.body.url,
			}),
		]);
	});

	test('what cannot be previewed or edited, and bad options', async () => {
		const { emulator } = ctx;
		emulator.drive.addFile(SPACE, '0', 'LICENSE');
		const viral = emulator.drive.addFile(SPACE, '0', 'virus-sample.docx');
		const malicious = emulator.drive.addFile(SPACE, '0', 'malicious.pdf');
		const noExtension = emulator.drive
			.children(SPACE, '0')
			.find((each) => each.name === 'LICENSE')!;
		expectError(await openInfo(emulator, '2001'), 400, 'dentryPreviewNotSupport');
		expectError(await openInfo(emulator, '1005'), 400, 'dentryExtensionNotSupport');
		expectError(await openInfo(emulator, noExtension.id), 400, 'dentryExtensionNotSupport');
		expectError(await openInfo(emulator, '1001', { type: 'EDIT' }), 400, 'dentryEditNotSupport');
		expectError(await openInfo(emulator, '3006', { type: 'EDIT' }), 400, 'dentryEditNotSupport');
		expectError(await openInfo(emulator, viral.id), 400, 'fileViral');
		expectError(await openInfo(emulator, malicious.id), 400, 'fileMalicious');
		for (const option of [
			{ version: 9 },
			{ version: 0 },
			{ version: '2' },
			{ type: 'DOWNLOAD' },
			{ waterMark: 'yes' },
			{ checkLogin: 1 },
		])
			expectError(await openInfo(emulator, '1001', option), 400, 'paramError');
		expectError(await openInfo(emulator, '999999'), 404, 'dentryNotExist');
		expectError(await openInfo(emulator, '1001', {}, '9999'), 404, 'spaceNotExist');
		expect(emulator.issuedLinks).toEqual([]);
		emulator.state.missingPermissions.add('Storage.File.Read');
		expectError(
			await openInfo(emulator, '1001'),
			403,
			'Forbidden.AccessDenied.AccessTokenPermissionDenied',
		);
	});
});

describe('emulator: the recycle bin', () => {
	const ctx = useEmulator();
	const items = (rest = '') => `/v1.0/storage/recycleBins/${BIN}/recycleItems${rest}`;
	const remove = (emulator: Emulator, dentryId: string, toRecycleBin = true, spaceId = SPACE) =>
		call(emulator, 'DELETE', `/v1.0/storage/spaces/${spaceId}/dentries/${dentryId}`, undefined, {
			unionId: emulator.unionId,
			toRecycleBin: String(toRecycleBin),
		});
	const listItems = async (emulator: Emulator) =>
		(await call(emulator, 'GET', items())).body.recycleItems;
	const pollTask = async (emulator: Emulator, taskId: string) => {
		for (;;) {
			const { task } = (await call(emulator, 'GET', `/v1.0/storage/tasks/${taskId}`)).body;
			if (task.status !== 'IN_PROGRESS') return task;
		}
	};

	test('the org has one bin, found by corp ID or a Drive space; another corp or a Knowledge Base has none', async () => {
		const { emulator } = ctx;
		const find = (query: Record<string, string>) =>
			call(emulator, 'GET', '/v1.0/storage/recycleBins', undefined, {
				unionId: emulator.unionId,
				...query,
			});
		expect(
			(await find({ recycleBinScope: 'ORG', scopeId: EMULATOR_DEFAULTS.corpId })).body,
		).toEqual({
			recycleBin: { id: BIN, scope: 'ORG', scopeId: 'dingemulatorcorpid' },
		});
		expectError(
			await find({ recycleBinScope: 'ORG', scopeId: 'dingothercorp' }),
			404,
			'recycleBinNotExist',
		);
		// SPACE scope (⚠ an SDK example only): a Drive space finds the org's bin; a Knowledge
		// Base (no recycle bin) none.
		expect((await find({ recycleBinScope: 'SPACE', scopeId: SPACE })).body).toEqual({
			recycleBin: { id: BIN, scope: 'SPACE', scopeId: SPACE },
		});
		expectError(
			await find({ recycleBinScope: 'SPACE', scopeId: EMULATOR_DEFAULTS.knowledgeBaseSpaceId }),
			404,
			'recycleBinNotExist',
		);
		expectError(await find({ recycleBinScope: 'ORG' }), 400, 'paramError');
		expectError(
			await call(emulator, 'GET', '/v1.0/storage/recycleBins/rb-other/recycleItems'),
			404,
			'recycleBinNotExist',
		);
		expectError(
			await call(emulator, 'POST', '/v1.0/storage/recycleBins/rb-other/clear', {}),
			404,
			'recycleBinNotExist',
		);
		emulator.state.missingPermissions.add('Storage.RecycleBin.Read');
		expect(
			(await find({ recycleBinScope: 'ORG', scopeId: EMULATOR_DEFAULTS.corpId })).body
				.requiredScopes,
		).toEqual(['Storage.RecycleBin.Read']);
	});

	test('a deletion to the bin is one item: path, size, type, operator, time; a permanent one none', async () => {
		const { emulator } = ctx;
		expect(await listItems(emulator)).toEqual([]);
		const before = Date.now();
		expect((await remove(emulator, '1004')).body).toEqual({ async: false });
		// A folder with contents: one item for it all, its size that of its files.
		const folder = await remove(emulator, '2002');
		expect(folder.body).toEqual({ async: true, taskId: expect.any(String) });
		await remove(emulator, '3101', false, EMULATOR_DEFAULTS.otherSpaceId);
		expectError(
			await remove(emulator, '3201', true, EMULATOR_DEFAULTS.knowledgeBaseSpaceId),
			400,
			'recycleBinNotSupport',
		);

		const listed = await listItems(emulator);
		const subtreeSize = ['3001', '3002', '3003', '3004'].reduce(
			(sum, id) => sum + emulator.file(id).size,
			0,
		);
		expect(listed).toEqual([
			{
				id: expect.any(String),
				spaceId: SPACE,
				dentryId: '2002',
				size: subtreeSize,
				type: 'FOLDER',
				originalName: '2025',
				originalPath: '/合同/2025',
				operatorId: emulator.unionId,
				operatorTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			},
			{
				id: expect.any(String),
				spaceId: SPACE,
				dentryId: '1004',
				size: 1_000,
				type: 'FILE',
				originalName: 'notes.md',
				originalPath: '/notes.md',
				operatorId: emulator.unionId,
				operatorTime: expect.any(String),
			},
		]);
		expect(Date.parse(listed[1].operatorTime)).toBeGreaterThanOrEqual(before - 1000);
		const one = await call(emulator, 'GET', items(`/${listed[0].id}`));
		expect(one.body).toEqual({ item: listed[0] });
		expectError(await call(emulator, 'GET', items('/ri-999')), 404, 'recycleItemNotExist');
	});

	test('restore: a file at once, a folder with contents as a task; the item leaves the bin', async () => {
		const { emulator } = ctx;
		await remove(emulator, '1004');
		await remove(emulator, '2005');
		const [folderItem, fileItem] = await listItems(emulator);
		const restoredFile = await call(emulator, 'POST', items(`/${fileItem.id}/restore`), {});
		expect(restoredFile.body).toEqual({ async: false, spaceId: SPACE, dentryId: '1004' });
		expect(emulator.drive.entries.get('1004')).toMatchObject({
			status: 'NORMAL',
			parentId: '0',
			name: 'notes.md',
		});

		const restoredFolder = await call(emulator, 'POST', items(`/${folderItem.id}/restore`), {
			option: { conflictStrategy: 'AUTO_RENAME' },
		});
		expect(restoredFolder.body).toEqual({
			async: true,
			taskId: expect.any(String),
			spaceId: SPACE,
			dentryId: '2005',
		});
		expect((await pollTask(emulator, restoredFolder.body.taskId)).status).toBe('SUCCESS');
		for (const id of ['2005', '1001', '3005'])
			expect(emulator.drive.entries.get(id)!.status).toBe('NORMAL');
		expect(await listItems(emulator)).toEqual([]);
		expectError(
			await call(emulator, 'POST', items(`/${fileItem.id}/restore`), {}),
			404,
			'recycleItemNotExist',
		);
		// A failed task changes nothing: the item stays.
		await remove(emulator, '2005');
		const [again] = await listItems(emulator);
		emulator.failNextTasks(1);
		const failing = await call(emulator, 'POST', items(`/${again.id}/restore`), {});
		expect(failing.body.async).toBe(true);
		expect((await pollTask(emulator, failing.body.taskId)).status).toBe('FAIL');
		expect((await listItems(emulator)).map((each: Json) => each.id)).toEqual([again.id]);
		expect(emulator.drive.entries.get('2005')!.status).toBe('DELETED');
	});

	test('restore goes to the root when the old parent is gone; what was deleted on its own stays in the bin', async () => {
		const { emulator } = ctx;
		await remove(emulator, '3001');
		await remove(emulator, '2002');
		const [folderItem, fileItem] = await listItems(emulator);
		expect(fileItem.originalPath).toBe('/合同/2025/合同-2025-001.pdf');
		await call(emulator, 'POST', items(`/${fileItem.id}/restore`), {});
		expect(emulator.drive.entries.get('3001')).toMatchObject({ status: 'NORMAL', parentId: '0' });
		// 2002 restored: its own contents come back, 3001 stays where it was restored.
		await call(emulator, 'POST', items(`/${folderItem.id}/restore`), {});
		expect(emulator.drive.entries.get('3002')).toMatchObject({
			status: 'NORMAL',
			parentId: '2002',
		});
		expect(emulator.drive.entries.get('3001')!.parentId).toBe('0');
	});

	test('restore onto a taken name: each conflict strategy', async () => {
		const { emulator } = ctx;
		const restore = (itemId: string, conflictStrategy?: string) =>
			call(
				emulator,
				'POST',
				items(`/${itemId}/restore`),
				conflictStrategy ? { option: { conflictStrategy } } : {},
			);
		await remove(emulator, '1004');
		const [item] = await listItems(emulator);
		const newer = emulator.drive.addFile(SPACE, '0', 'notes.md');
		expectError(await restore(item.id, 'RETURN_ERROR_IF_EXISTS'), 400, 'dentryNameConflict');
		expectError(await restore(item.id, 'SOMETIMES'), 400, 'paramError');
		expect((await restore(item.id, 'RETURN_DENTRY_IF_EXISTS')).body).toEqual({
			async: false,
			spaceId: SPACE,
			dentryId: newer.id,
		});
		expect((await listItems(emulator)).map((each: Json) => each.id)).toEqual([item.id]);
		expect((await restore(item.id)).body).toEqual({
			async: false,
			spaceId: SPACE,
			dentryId: '1004',
		});
		expect(emulator.drive.entries.get('1004')!.name).toBe('notes(1).md');

		// OVERWRITE: the one there goes to the bin, the restored one takes the name.
		await remove(emulator, '1004');
		const [second] = await listItems(emulator);
		emulator.drive.addFile(SPACE, '0', 'notes(1).md');
		expect((await restore(second.id, 'OVERWRITE')).body.dentryId).toBe('1004');
		expect(emulator.drive.entries.get('1004')).toMatchObject({
			status: 'NORMAL',
			name: 'notes(1).md',
		});
		const left = await listItems(emulator);
		expect(left).toEqual([
			expect.objectContaining({ originalName: 'notes(1).md', originalPath: '/notes(1).md' }),
		]);
		expect(left[0].dentryId).not.toBe('1004');
	});

	test('batch restore: per-item results, 1 to 30 IDs', async () => {
		const { emulator } = ctx;
		await remove(emulator, '1004');
		await remove(emulator, '2006');
		const [folderItem, fileItem] = await listItems(emulator);
		const answer = await call(emulator, 'POST', items('/batchRestore'), {
			recycleItemIds: [fileItem.id, 'ri-999', folderItem.id, 'error-permissionDenied'],
			option: { conflictStrategy: 'AUTO_RENAME' },
		});
		expect(answer.status).toBe(200);
		expect(answer.body.resultItems).toEqual([
			{ recycleItemId: fileItem.id, async: false, success: true, spaceId: SPACE, dentryId: '1004' },
			{ recycleItemId: 'ri-999', async: false, success: false, errorCode: 'recycleItemNotExist' },
			{
				recycleItemId: folderItem.id,
				async: true,
				success: true,
				taskId: expect.any(String),
				spaceId: SPACE,
				dentryId: '2006',
			},
			{
				recycleItemId: 'error-permissionDenied',
				async: false,
				success: false,
				errorCode: 'permissionDenied',
			},
		]);
		for (const recycleItemIds of [[], undefined, Array.from({ length: 31 }, (_, i) => `ri-${i}`)])
			expectError(
				await call(emulator, 'POST', items('/batchRestore'), { recycleItemIds }),
				400,
				'paramError',
			);
		emulator.state.missingPermissions.add('Storage.RecycleBin.Write');
		expectError(
			await call(emulator, 'POST', items('/batchRestore'), { recycleItemIds: ['ri-1'] }),
			403,
			'Forbidden.AccessDenied.AccessTokenPermissionDenied',
		);
	});

	test('remove for good: one, a batch (1 to 50), or the whole bin', async () => {
		const { emulator } = ctx;
		await remove(emulator, '1004');
		await remove(emulator, '2002');
		await remove(emulator, '1006');
		const [emptyItem, folderItem, notesItem] = await listItems(emulator);
		expect((await call(emulator, 'DELETE', items(`/${notesItem.id}`))).body).toEqual({
			success: true,
		});
		expect(emulator.drive.entries.has('1004')).toBe(false);
		expectError(
			await call(emulator, 'DELETE', items(`/${notesItem.id}`)),
			404,
			'recycleItemNotExist',
		);

		const batch = await call(emulator, 'POST', items('/batchRemove'), {
			recycleItemIds: [folderItem.id, notesItem.id],
		});
		expect(batch.body).toEqual({
			resultItems: [
				{ recycleItemId: folderItem.id, success: true },
				{ recycleItemId: notesItem.id, success: false, errorCode: 'recycleItemNotExist' },
			],
		});
		for (const id of ['2002', '3001', '2003', '3004'])
			expect(emulator.drive.entries.has(id)).toBe(false);
		for (const recycleItemIds of [[], Array.from({ length: 51 }, (_, i) => `ri-${i}`)])
			expectError(
				await call(emulator, 'POST', items('/batchRemove'), { recycleItemIds }),
				400,
				'paramError',
			);

		expect((await listItems(emulator)).map((each: Json) => each.id)).toEqual([emptyItem.id]);
		expect(
			(await call(emulator, 'POST', `/v1.0/storage/recycleBins/${BIN}/clear`, {})).body,
		).toEqual({ success: true });
		expect(await listItems(emulator)).toEqual([]);
		expect(emulator.drive.entries.has('1006')).toBe(false);
		expect(emulator.apiCounts.get('recycleBins.clear')).toBe(1);
	});

	test('items page newest first, at most 50 a page', async () => {
		const { emulator } = ctx;
		const reports = Array.from({ length: 55 }, (_, i) => String(5001 + i));
		const batch = await call(
			emulator,
			'POST',
			`/v1.0/storage/spaces/${SPACE}/dentries/batchRemove`,
			{
				dentryIds: reports.slice(0, 50),
				option: { toRecycleBin: true },
			},
		);
		expect(batch.body.resultItems.every((each: Json) => each.success)).toBe(true);
		for (const id of reports.slice(50)) await remove(emulator, id);
		const first = (await call(emulator, 'GET', items())).body;
		expect(first.recycleItems).toHaveLength(50);
		expect(first.recycleItems.slice(0, 5).map((each: Json) => each.dentryId)).toEqual(
			reports.slice(50).reverse(),
		);
		const second = (
			await call(emulator, 'GET', items(), undefined, {
				unionId: emulator.unionId,
				nextToken: first.nextToken,
			})
		).body;
		expect(second.recycleItems.map((each: Json) => each.dentryId)).toEqual(
			reports.slice(0, 5).reverse(),
		);
		expect(second.nextToken).toBeUndefined();
		const small = (
			await call(emulator, 'GET', items(), undefined, {
				unionId: emulator.unionId,
				maxResults: '7',
			})
		).body;
		expect(small.recycleItems).toHaveLength(7);
		for (const maxResults of ['0', '51', 'x'])
			expectError(
				await call(emulator, 'GET', items(), undefined, { unionId: emulator.unionId, maxResults }),
				400,
				'paramError',
			);
	});
});

describe('emulator: revert, app properties, batch changes, links to nodes', () => {
	const ctx = useEmulator();
	const dentry = (id: string, rest = '', spaceId = SPACE) =>
		`/v1.0/storage/spaces/${spaceId}/dentries/${id}${rest}`;

	async function downloadSha256(emulator: Emulator, dentryId: string, version?: number) {
		const info = await call(emulator, 'POST', dentry(dentryId, '/downloadInfos/query'), {
			option: { preferIntranet: false, ...(version === undefined ? {} : { version }) },
		});
		const { resourceUrls, headers } = info.body.headerSignatureInfo;
		const response = await fetch(resourceUrls[0], { headers });
		expect(response.status).toBe(200);
		return createHash('sha256')
			.update(Buffer.from(await response.arrayBuffer()))
			.digest('hex');
	}

	test('revert: a new latest version with the old bytes', async () => {
		const { emulator } = ctx;
		const v1 = await downloadSha256(emulator, '1001', 1);
		expect(v1).not.toBe(await downloadSha256(emulator, '1001'));
		expect((await call(emulator, 'POST', dentry('1001', '/versions/1/revert'), {})).body).toEqual({
			success: true,
		});
		const versions = (await call(emulator, 'GET', dentry('1001', '/versions'))).body.dentries;
		expect(versions.map((each: Json) => each.version)).toEqual([4, 3, 2, 1]);
		expect(versions[0].size).toBe(versions[3].size);
		expect(await downloadSha256(emulator, '1001')).toBe(v1);
		expect(await downloadSha256(emulator, '1001', 4)).toBe(v1);
		expect(emulator.sha256('1001')).toBe(v1);
		// The details show the new version.
		expect(
			(await call(emulator, 'POST', dentry('1001', '/query'), { option: {} })).body.dentry.version,
		).toBe(4);

		expectError(
			await call(emulator, 'POST', dentry('2001', '/versions/1/revert'), {}),
			400,
			'operationNotSupported',
		);
		expectError(
			await call(emulator, 'POST', dentry('1001', '/versions/9/revert'), {}),
			400,
			'paramError',
		);
		expectError(
			await call(emulator, 'POST', dentry('1001', '/versions/x/revert'), {}),
			400,
			'paramError',
		);
		expectError(
			await call(emulator, 'POST', dentry('999999', '/versions/1/revert'), {}),
			404,
			'dentryNotExist',
		);
		emulator.state.missingPermissions.add('Storage.File.Write');
		expectError(
			await call(emulator, 'POST', dentry('1001', '/versions/1/revert'), {}),
			403,
			'Forbidden.AccessDenied.AccessTokenPermissionDenied',
		);
	});

	test('app properties: set, update, read back in details, batch details and listings, remove', async () => {
		const { emulator } = ctx;
		const appId = emulator.appKey;
		const set = (id: string, appProperties: unknown) =>
			call(emulator, 'PUT', dentry(id, '/appProperties'), { appProperties });
		expect(
			(
				await set('3001', [
					{ name: 'status', value: 'draft', visibility: 'PUBLIC' },
					{ name: 'owner', value: 'ops', visibility: 'PRIVATE' },
				])
			).body,
		).toEqual({ success: true });
		await set('3001', [{ name: 'status', value: 'final', visibility: 'PRIVATE' }]);
		const expected = [
			{ name: 'status', value: 'final', visibility: 'PRIVATE' },
			{ name: 'owner', value: 'ops', visibility: 'PRIVATE' },
		];
		const details = await call(emulator, 'POST', dentry('3001', '/query'), {
			option: { appIdsForAppProperties: [appId, 'other-app'] },
		});
		expect(details.body.dentry.appProperties).toEqual({ [appId]: expected });
		// Without the option, details are as before.
		const plain = await call(emulator, 'POST', dentry('3001', '/query'), { option: {} });
		expect(plain.body.dentry).not.toHaveProperty('appProperties');
		const batch = await call(emulator, 'POST', `/v1.0/storage/spaces/${SPACE}/dentries/query`, {
			dentryIds: ['3001', '3002'],
			option: { appIdsForAppProperties: [appId] },
		});
		expect(batch.body.resultItems[0].dentry.appProperties).toEqual({ [appId]: expected });
		expect(batch.body.resultItems[1].dentry.appProperties).toEqual({});
		const listing = await call(
			emulator,
			'GET',
			`/v1.0/storage/spaces/${SPACE}/dentries`,
			undefined,
			{
				unionId: emulator.unionId,
				parentId: '2002',
			},
		);
		const byId = Object.fromEntries(listing.body.dentries.map((each: Json) => [each.id, each]));
		expect(byId['3001'].appProperties).toEqual({ [appId]: expected });
		expect(byId['3002']).not.toHaveProperty('appProperties');

		// At most 3 per app: a fourth is refused and nothing changes.
		await set('3001', [{ name: 'tag', value: 'x', visibility: 'PUBLIC' }]);
		expectError(
			await set('3001', [
				{ name: 'tag', value: 'y', visibility: 'PUBLIC' },
				{ name: 'fourth', value: 'z', visibility: 'PUBLIC' },
			]),
			400,
			'dentryAppPropertiesNumberExceedsLimit',
		);
		const remove = (names: unknown) =>
			call(emulator, 'POST', dentry('3001', '/appProperties/remove'), { propertyNames: names });
		expect((await remove(['owner', 'never-set'])).body).toEqual({ success: true });
		const after = await call(emulator, 'POST', dentry('3001', '/query'), {
			option: { appIdsForAppProperties: [appId] },
		});
		expect(
			after.body.dentry.appProperties[appId].map((each: Json) => `${each.name}=${each.value}`),
		).toEqual(['status=final', 'tag=x']);

		const four = Array.from({ length: 4 }, (_, i) => ({
			name: `p${i}`,
			value: 'v',
			visibility: 'PUBLIC',
		}));
		for (const bad of [
			[],
			four,
			[{ name: '', value: 'v', visibility: 'PUBLIC' }],
			[{ name: 'n', visibility: 'PUBLIC' }],
			[{ name: 'n', value: 'v', visibility: 'SECRET' }],
			undefined,
		])
			expectError(await set('3002', bad), 400, 'paramError');
		for (const names of [[], ['a', 'b', 'c', 'd'], undefined])
			expectError(await remove(names), 400, 'paramError');
		expectError(
			await set('999999', [{ name: 'n', value: 'v', visibility: 'PUBLIC' }]),
			404,
			'dentryNotExist',
		);
		const tooMany = Array.from({ length: 21 }, (_, i) => `app${i}`);
		expectError(
			await call(emulator, 'POST', dentry('3001', '/query'), {
				option: { appIdsForAppProperties: tooMany },
			}),
			400,
			'paramError',
		);
		expectError(
			await call(emulator, 'POST', `/v1.0/storage/spaces/${SPACE}/dentries/query`, {
				dentryIds: ['3001'],
				option: { appIdsForAppProperties: tooMany },
			}),
			400,
			'paramError',
		);
	});

	test('batch copy (1 to 3), move (1 to 30), remove (1 to 50): per-item results', async () => {
		const { emulator } = ctx;
		const batch = (kind: string, body: unknown) =>
			call(emulator, 'POST', `/v1.0/storage/spaces/${SPACE}/dentries/${kind}`, body);
		const copied = await batch('batchCopy', {
			targetSpaceId: SPACE,
			targetFolderId: '2009',
			dentryIds: ['1004', '999999', '2002'],
			option: { conflictStrategy: 'AUTO_RENAME' },
		});
		expect(copied.status).toBe(200);
		expect(copied.body.resultItems).toEqual([
			{
				dentryId: '1004',
				async: false,
				success: true,
				dentry: expect.objectContaining({ name: 'notes.md', parentId: '2009' }),
			},
			{ dentryId: '999999', async: false, success: false, errorCode: 'dentryNotExist' },
			{
				dentryId: '2002',
				async: true,
				success: true,
				taskId: expect.any(String),
				dentry: expect.objectContaining({ name: '2025', parentId: '2009', type: 'FOLDER' }),
			},
		]);
		expectError(
			await batch('batchCopy', {
				targetSpaceId: SPACE,
				targetFolderId: '2009',
				dentryIds: ['1', '2', '3', '4'],
			}),
			400,
			'paramError',
		);
		expectError(
			await batch('batchCopy', { targetFolderId: '2009', dentryIds: ['1004'] }),
			400,
			'paramError',
		);
		expectError(
			await batch('batchCopy', {
				targetSpaceId: SPACE,
				targetFolderId: '2009',
				dentryIds: ['1004'],
				option: { conflictStrategy: 'NO' },
			}),
			400,
			'paramError',
		);
		expectError(
			await batch('batchCopy', {
				targetSpaceId: SPACE,
				targetFolderId: '999999',
				dentryIds: ['1004'],
			}),
			404,
			'dentryNotExist',
		);

		const moved = await batch('batchMove', {
			targetSpaceId: SPACE,
			targetFolderId: '2009',
			dentryIds: ['1006', '3006', 'error-permissionDenied', '1004'],
			option: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS', preservePermissions: true },
		});
		expect(moved.body.resultItems).toEqual([
			expect.objectContaining({ dentryId: '1006', success: true, async: false }),
			expect.objectContaining({ dentryId: '3006', success: true }),
			{
				dentryId: 'error-permissionDenied',
				async: false,
				success: false,
				errorCode: 'permissionDenied',
			},
			// 2009 has a notes.md (the copy) already.
			{ dentryId: '1004', async: false, success: false, errorCode: 'dentryNameConflict' },
		]);
		expect(emulator.drive.entries.get('1006')!.parentId).toBe('2009');
		expectError(
			await batch('batchMove', {
				targetSpaceId: SPACE,
				targetFolderId: '0',
				dentryIds: Array.from({ length: 31 }, (_, i) => String(5001 + i)),
			}),
			400,
			'paramError',
		);
		const thirty = await batch('batchMove', {
			targetSpaceId: SPACE,
			targetFolderId: '0',
			dentryIds: Array.from({ length: 30 }, (_, i) => String(5001 + i)),
		});
		expect(thirty.body.resultItems.filter((each: Json) => each.success)).toHaveLength(30);

		// Remove: for good by default (nothing in the bin), to the bin when asked.
		const removed = await batch('batchRemove', { dentryIds: ['5001', '999999', '2006'] });
		expect(removed.body.resultItems).toEqual([
			{ dentryId: '5001', async: false, success: true },
			{ dentryId: '999999', async: false, success: false, errorCode: 'dentryNotExist' },
			{ dentryId: '2006', async: true, success: true, taskId: expect.any(String) },
		]);
		expect(emulator.drive.entries.has('5001')).toBe(false);
		expect(emulator.recycleBin.items).toEqual([]);
		await batch('batchRemove', { dentryIds: ['5002'], option: { toRecycleBin: true } });
		expect(emulator.drive.entries.get('5002')!.status).toBe('DELETED');
		expect(emulator.recycleBin.items.map((each) => each.dentryId)).toEqual(['5002']);
		expectError(
			await batch('batchRemove', {
				dentryIds: Array.from({ length: 51 }, (_, i) => String(5100 + i)),
			}),
			400,
			'paramError',
		);
		expectError(await batch('batchRemove', { dentryIds: [] }), 400, 'paramError');
		expectError(
			await batch('batchRemove', { dentryIds: ['5003'], option: { toRecycleBin: 'yes' } }),
			400,
			'paramError',
		);
		const kb = await call(
			emulator,
			'POST',
			`/v1.0/storage/spaces/${EMULATOR_DEFAULTS.knowledgeBaseSpaceId}/dentries/batchRemove`,
			{
				dentryIds: ['3201'],
				option: { toRecycleBin: true },
			},
		);
		expect(kb.body.resultItems).toEqual([
			{ dentryId: '3201', async: false, success: false, errorCode: 'recycleBinNotSupport' },
		]);
		expect(emulator.apiCounts.get('dentries.batchRemove')).toBe(6);
	});

	test('queryByUrl: an alidocs URL naming a dentry UUID is its node', async () => {
		const { emulator } = ctx;
		const byUrl = (url: unknown, query = { operatorId: emulator.unionId }) =>
			call(emulator, 'POST', '/v2.0/wiki/nodes/queryByUrl', { url }, query);
		const file = emulator.drive.entries.get('3003')!;
		const folder = emulator.drive.entries.get('2001')!;
		const node = {
			nodeId: file.uuid,
			workspaceId: SPACE,
			name: '框架协议-2025.docx',
			type: 'FILE',
			url: `https://alidocs.dingtalk.com/i/nodes/${file.uuid}`,
		};
		for (const url of [
			`https://alidocs.dingtalk.com/i/nodes/${file.uuid}`,
			`https://alidocs.dingtalk.com/i/nodes/${file.uuid}?utm_source=dingdoc`,
			`https://alidocs.dingtalk.com/i/team/abc123/docs/${file.uuid}`,
			`https://alidocs.dingtalk.com/i/spaces/xyz/overview?docId=${file.uuid}&from=share`,
		])
			expect((await byUrl(url)).body).toEqual({ node });
		expect(
			(await byUrl(`https://alidocs.dingtalk.com/i/nodes/${folder.uuid}`)).body.node,
		).toMatchObject({
			nodeId: folder.uuid,
			type: 'FOLDER',
			name: '合同',
		});
		expect(
			(await byUrl(`https://alidocs.dingtalk.com/i/nodes/${uuidOf(emulator, '6002')}`)).body.node
				.workspaceId,
		).toBe('6000');
		expectError(
			await byUrl('https://alidocs.dingtalk.com/i/nodes/0123456789abcdef01234567'),
			404,
			'nodeNotExist',
		);
		expectError(
			await byUrl('https://alidocs.dingtalk.com/i/spaces/xyz/overview?docId=unknown'),
			404,
			'nodeNotExist',
		);
		await call(emulator, 'DELETE', dentry('3003'), undefined, {
			unionId: emulator.unionId,
			toRecycleBin: 'true',
		});
		expectError(
			await byUrl(`https://alidocs.dingtalk.com/i/nodes/${file.uuid}`),
			404,
			'nodeNotExist',
		);
		for (const url of [
			`https://example.com/i/nodes/${folder.uuid}`,
			`https://alidocs.dingtalk.com/somewhere/else`,
			'not a url',
			'',
			undefined,
			42,
		])
			expectError(await byUrl(url), 400, 'paramError');
		expectError(
			await byUrl(`https://alidocs.dingtalk.com/i/nodes/${folder.uuid}`, {
				unionId: emulator.unionId,
			} as never),
			400,
			'paramError',
		);
		emulator.state.missingPermissions.add('Wiki.Node.Read');
		expect(
			(await byUrl(`https://alidocs.dingtalk.com/i/nodes/${folder.uuid}`)).body.requiredScopes,
		).toEqual(['Wiki.Node.Read']);
	});

	test('reset clears grants, inheritance, links, app properties and the bin', async () => {
		const { emulator } = ctx;
		const uuid = uuidOf(emulator, '1001');
		await call(emulator, 'POST', `/v2.0/storage/spaces/dentries/${uuid}/permissions`, {
			roleId: 'READER',
			members: [{ type: 'USER', id: 'u1' }],
		});
		await call(emulator, 'PUT', `/v2.0/storage/spaces/dentries/${uuid}/permissions/inheritances`, {
			inheritance: 'BREAK',
		});
		await call(emulator, 'POST', dentry('1001', '/openInfos/query'), {});
		await call(emulator, 'PUT', dentry('1001', '/appProperties'), {
			appProperties: [{ name: 'a', value: 'b', visibility: 'PUBLIC' }],
		});
		await call(emulator, 'DELETE', dentry('1004'), undefined, {
			unionId: emulator.unionId,
			toRecycleBin: 'true',
		});
		expect(emulator.issuedLinks).toHaveLength(1);
		expect(emulator.recycleBin.items).toHaveLength(1);

		emulator.reset();
		expect(emulator.issuedLinks).toHaveLength(0);
		expect(
			(await call(emulator, 'POST', `/v2.0/storage/spaces/dentries/${uuid}/permissions/query`, {}))
				.body,
		).toEqual({ permissions: [] });
		expect(
			(
				await call(
					emulator,
					'GET',
					`/v2.0/storage/spaces/dentries/${uuid}/permissions/inheritances`,
				)
			).body,
		).toEqual({ inheritance: 'PASS_ON' });
		expect(
			(
				await call(emulator, 'POST', dentry('1001', '/query'), {
					option: { appIdsForAppProperties: [emulator.appKey] },
				})
			).body.dentry.appProperties,
		).toEqual({});
		expect(
			(await call(emulator, 'GET', `/v1.0/storage/recycleBins/${BIN}/recycleItems`)).body,
		).toEqual({ recycleItems: [] });
		expect(emulator.drive.entries.get('1004')!.status).toBe('NORMAL');
		// The next item's ID starts again.
		await call(emulator, 'DELETE', dentry('1004'), undefined, {
			unionId: emulator.unionId,
			toRecycleBin: 'true',
		});
		expect(emulator.recycleBin.items[0].id).toBe('ri-1');
	});
});
