/**
 * This app's own properties on files and folders: Set Properties (at most 3; an existing name
 * updated), Remove Properties, File → Get with Include App Properties, and listings, which
 * carry them as DingTalk gives them. A sync workflow marks what it has done this way.
 */
import { callsTo, rl, runStorage, tokenCredentials, useEmulator } from '../harness/fixtures';

const ctx = useEmulator('filesystem');

const props = (...pairs: Array<[string, string]>) => ({
	property: pairs.map(([name, value]) => ({ name, value, visibility: 'PRIVATE' })),
});

describe('app properties', () => {
	test('a file marked as synced; read back with Get; updated; one removed', async () => {
		const { emulator } = ctx;
		const set = await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('1001'),
			appProperties: props(['syncedAt', '2026-12-06T05:00:00Z'], ['target', 's3']),
		});
		expect(set.output![0].json).toMatchObject({
			success: true,
			dentryId: '1001',
			appPropertyValues: { syncedAt: '2026-12-06T05:00:00Z', target: 's3' },
		});
		const queries = callsTo(emulator, 'dentries.query');
		const read = await runStorage(emulator, 'file', 'get', {
			dentryId: rl('1001'),
			options: { includeAppProperties: true },
		});
		// One details call, asking for the properties: it also tells the kind.
		expect(callsTo(emulator, 'dentries.query') - queries).toBe(1);
		expect(read.output![0].json.appPropertyValues).toEqual({
			syncedAt: '2026-12-06T05:00:00Z',
			target: 's3',
		});
		await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('1001'),
			appProperties: props(['syncedAt', '2026-12-07T05:00:00Z']),
		});
		await runStorage(emulator, 'file', 'removeProperties', {
			dentryId: rl('1001'),
			propertyNames: 'target',
		});
		const after = await runStorage(emulator, 'file', 'get', {
			dentryId: rl('1001'),
			options: { includeAppProperties: true },
		});
		expect(after.output![0].json.appPropertyValues).toEqual({ syncedAt: '2026-12-07T05:00:00Z' });
		// Without the option, Get makes no extra call and adds nothing.
		const calls = callsTo(emulator, 'dentries.query');
		const plain = await runStorage(emulator, 'file', 'get', { dentryId: rl('1001') });
		expect(plain.output![0].json).not.toHaveProperty('appPropertyValues');
		expect(callsTo(emulator, 'dentries.query') - calls).toBe(1);
	});

	test("a folder's properties, and a listing shows them as DingTalk gives them", async () => {
		const { emulator } = ctx;
		await runStorage(emulator, 'folder', 'setProperties', {
			folderId: rl('2005'),
			appProperties: props(['state', 'done']),
		});
		const listed = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('2001'),
			returnAll: true,
		});
		const folder = listed.output!.find((item) => item.json.dentryId === '2005')!.json;
		expect(JSON.stringify(folder.appProperties)).toContain('"done"');
		// With Include App Properties, as name → value too, at no extra call.
		const listings = callsTo(emulator, 'dentries.list');
		const withValues = await runStorage(emulator, 'folder', 'list', {
			folderId: rl('2001'),
			returnAll: true,
			options: { includeAppProperties: true },
		});
		expect(callsTo(emulator, 'dentries.list') - listings).toBe(1);
		const values = Object.fromEntries(
			withValues.output!.map((item) => [item.json.dentryId, item.json.appPropertyValues]),
		);
		expect(values['2005']).toEqual({ state: 'done' });
		expect(values['2002']).toEqual({});
	});

	test('more than 3, a fourth on the item, an empty name, the wrong kind: each refused, naming what is wrong', async () => {
		const { emulator } = ctx;
		const four = await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('1004'),
			appProperties: props(['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']),
		});
		expect(four.error?.message).toMatch(
			/"appProperties": 4 properties are given; an app may keep at most 3/,
		);
		await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('1004'),
			appProperties: props(['a', '1'], ['b', '2'], ['c', '3']),
		});
		const fourth = await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('1004'),
			appProperties: props(['d', '4']),
		});
		expect(fourth.error?.message).toContain('dentryAppPropertiesNumberExceedsLimit');
		expect(fourth.error?.description).toContain('Remove a property of this app first');
		const unnamed = await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('1004'),
			appProperties: props(['  ', '1']),
		});
		expect(unnamed.error?.message).toMatch(
			/"appProperties\[0\]\.name": the property name is empty/,
		);
		const folder = await runStorage(emulator, 'file', 'setProperties', {
			dentryId: rl('2005'),
			appProperties: props(['a', '1']),
		});
		expect(folder.error?.message).toMatch(/a folder, not a file: use Folder → Set Properties/);
	});

	test("with an access-token credential this app's ID is not known: App IDs must be given", async () => {
		const { emulator } = ctx;
		const token = emulator.issueToken();
		const result = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('1001'), options: { includeAppProperties: true } },
			{ credentials: tokenCredentials(emulator, token) },
		);
		expect(result.error?.message).toMatch(/"appIds": this app's ID is not known/);
	});
});
