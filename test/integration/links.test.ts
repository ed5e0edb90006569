/**
 * Links as input: a DingTalk document link pasted into a File or Folder picker (By URL, or an
 * expression that gives one) is read back to its space and item before the operation runs,
 * and every operation (and its check of the item's kind) works as with an ID.
 */
import {
	appCredentials,
	callsTo,
	download,
	rl,
	runStorage,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

const uuidOf = (emulator: Emulator, id: string): string =>
	String(emulator.drive.entries.get(id)?.uuid);
const nodeLink = (emulator: Emulator, id: string) =>
	`https://alidocs.dingtalk.com/i/nodes/${uuidOf(emulator, id)}`;

describe('links as input', () => {
	test("a file link By URL: the link's space wins over Space; one call to read it back, none to the URL API", async () => {
		const { emulator } = ctx;
		const result = await runStorage(emulator, 'file', 'get', {
			spaceId: rl('2000'),
			dentryId: rl(nodeLink(emulator, '1001'), 'url'),
		});
		expect(result.output![0].json).toMatchObject({ spaceId: '1000', dentryId: '1001' });
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(1);
		expect(callsTo(emulator, 'wiki.nodes.queryByUrl')).toBe(0);
	});

	test('an expression that gives a link is read as one; the same link in many items is read back once', async () => {
		const { emulator } = ctx;
		const link = nodeLink(emulator, '1004');
		const result = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('={{ $json.link }}') },
			{ items: [{ link }, { link }, { link }] },
		);
		expect(result.output!.map((item) => item.json.dentryId)).toEqual(['1004', '1004', '1004']);
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(1);
	});

	test("any other DingTalk document link goes through DingTalk's URL lookup first", async () => {
		const { emulator } = ctx;
		const link = `https://alidocs.dingtalk.com/i/team/abc123/docs/${uuidOf(emulator, '2005')}`;
		const listed = await runStorage(emulator, 'folder', 'list', {
			folderId: rl(link, 'url'),
			returnAll: true,
		});
		expect(listed.error).toBeUndefined();
		expect(listed.output!.map((item) => item.json.parentId)).toEqual(
			expect.arrayContaining(['2005']),
		);
		expect(callsTo(emulator, 'wiki.nodes.queryByUrl')).toBe(1);
		expect(callsTo(emulator, 'doc.dentries.queryDentryId')).toBe(1);
	});

	test("a Knowledge Base overview link with the document's ID in its query: DingTalk's URL lookup", async () => {
		const { emulator } = ctx;
		const link = `https://alidocs.dingtalk.com/i/spaces/kb01/overview?docId=${uuidOf(emulator, '3201')}`;
		const result = await runStorage(emulator, 'file', 'get', { dentryId: rl(link, 'url') });
		expect(result.output![0].json).toMatchObject({ spaceId: '3000', dentryId: '3201' });
		expect(callsTo(emulator, 'wiki.nodes.queryByUrl')).toBe(1);
	});

	test("a copy into a folder given by link goes to that folder's space", async () => {
		const { emulator } = ctx;
		const copied = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1004'),
			targetFolderId: rl(nodeLink(emulator, '2101'), 'url'),
		});
		expect(copied.output![0].json).toMatchObject({
			spaceId: '2000',
			parentId: '2101',
			name: 'notes.md',
		});
	});

	test("a folder's link given to File → Delete is refused for its kind: nothing deleted", async () => {
		const { emulator } = ctx;
		const result = await runStorage(emulator, 'file', 'delete', {
			dentryId: rl(nodeLink(emulator, '2002'), 'url'),
		});
		expect(result.error?.message).toMatch(/a folder, not a file: use Folder → Delete/);
		expect(emulator.drive.entries.get('2002')?.status).toBe('NORMAL');
	});

	test("not a DingTalk link: refused before any call, naming the field; an unknown document: DingTalk's not-found", async () => {
		const { emulator } = ctx;
		const other = await runStorage(emulator, 'file', 'get', {
			dentryId: rl('https://example.com/i/nodes/abc?signature=s3cr3t', 'url'),
		});
		expect(other.error?.message).toMatch(
			/Invalid "dentryId": the link is not a DingTalk document link: example.com is not DingTalk's/,
		);
		// The link is not repeated: its query may hold a signature.
		expect(`${other.error?.message} ${other.error?.description}`).not.toContain('s3cr3t');
		const notUrl = await runStorage(emulator, 'file', 'get', { dentryId: rl('not a link', 'url') });
		expect(notUrl.error?.message).toMatch(/is not a DingTalk document link: it is not a URL/);
		expect(emulator.log).toHaveLength(0);
		const unknown = await runStorage(emulator, 'file', 'get', {
			dentryId: rl('https://alidocs.dingtalk.com/i/nodes/000000000000000000000000', 'url'),
		});
		expect(unknown.error?.message).toMatch(/Finding the item the link names failed/);
	});

	test("where no link is read (the Download node's IDs, Target Space), a link is refused by name before any call", async () => {
		const { emulator } = ctx;
		const downloaded = await runNode({
			parameters: download(emulator, nodeLink(emulator, '1001')),
			credentials: appCredentials(emulator),
		});
		expect(downloaded.error?.message).toMatch(/Invalid "dentryId": a link is not accepted here/);
		const copied = await runStorage(emulator, 'file', 'copy', {
			dentryId: rl('1004'),
			targetSpaceId: rl(nodeLink(emulator, '2101'), 'id'),
			targetFolderId: rl('2101'),
		});
		expect(copied.error?.message).toMatch(/Invalid "targetSpaceId": a link is not accepted here/);
		expect(emulator.log.filter((entry) => !entry.path.includes('oauth2'))).toHaveLength(0);
	});

	test('permissions on an item given by link', async () => {
		const { emulator } = ctx;
		const added = await runStorage(emulator, 'permission', 'add', {
			dentryId: rl(nodeLink(emulator, '2005'), 'url'),
			role: 'READER',
			members: { member: [{ type: 'USER', id: 'u1' }] },
		});
		expect(added.output![0].json).toMatchObject({ spaceId: '1000', dentryId: '2005' });
	});
});
