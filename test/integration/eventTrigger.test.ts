/**
 * The DingTalk Storage Event Trigger in n8n-core's TriggerContext against the emulator: its
 * Stream gateway (real WebSocket on 127.0.0.1) and its tree. Static data is carried as n8n
 * saves it (after activation, at every emit). Every change is made through the emulator's
 * control API, which raises the storage event DingTalk would. Nothing is timed: each test
 * waits for a condition, with a deadline that only bounds a failing run.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { StreamRegistry } from '../../nodes/DingTalk/shared/stream';
import {
	activateEventTrigger,
	type ActiveEventTrigger,
	type EventTriggerOptions,
} from '../harness/n8n';
import {
	apiCalls,
	appCredentials,
	binarySha256,
	callsTo,
	rl,
	secretsSeen,
	tokenCredentials,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { waitFor } from '../helpers/waitFor';

const ctx = useEmulator('filesystem');
const SPACE = '1000';
const CONTRACTS = '2001';
const CONTRACTS_2025 = '2002';
const DESIGN = '2008';

let registry: StreamRegistry;
const active: ActiveEventTrigger[] = [];

beforeEach(() => {
	registry = new StreamRegistry({
		backoff: { firstDelayMs: 40, factor: 2, maxDelayMs: 400, jitter: 'equal' },
		stableAfterMs: 200,
		heartbeatMs: 5_000,
		disconnectGraceMs: 2_000,
	});
});

afterEach(async () => {
	await Promise.all(active.splice(0).map(async (trigger) => await trigger.close()));
	await registry.closeAll();
	await until(
		'every gateway connection to end',
		() => ctx.emulator.stream.connections().length === 0,
	);
});

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
	await waitFor(condition, { what, timeoutMs });
}

/**
 * Lets whatever is in flight arrive (for "nothing more came" checks): a round trip through the
 * gateway, then a short grace for an item still on its way. Nothing can be waited for here:
 * what is checked next is that nothing more arrives, so this wait is timed on purpose.
 */
async function settle(trigger: ActiveEventTrigger, emulator: Emulator): Promise<void> {
	const before = emulator.stream.acks().length;
	emulator.stream.sendEvent({ eventType: 'some_other_event', data: { hello: 'world' } });
	await until('the marker event to be acknowledged', () => emulator.stream.acks().length > before);
	await new Promise((resolve) => setTimeout(resolve, 50));
	void trigger;
}

interface Watch extends Partial<EventTriggerOptions> {
	folderId?: IDataObject | string;
	events?: string[];
	options?: IDataObject;
}

async function activate(emulator: Emulator, watch: Watch = {}): Promise<ActiveEventTrigger> {
	const trigger = await activateEventTrigger({
		parameters: {
			spaceId: rl(SPACE),
			folderId:
				typeof watch.folderId === 'string' ? rl(watch.folderId) : (watch.folderId ?? rl('0')),
			unionId: emulator.unionId,
			events: watch.events ?? ['created', 'updated', 'deleted'],
			options: watch.options ?? {},
		},
		credentials: watch.credentials ?? appCredentials(emulator),
		staticData: watch.staticData,
		mode: watch.mode,
		name: watch.name,
		tunables: {
			registry,
			gapReconcileMinIntervalMs: 0,
			retryFirstDelayMs: 20,
			connectTimeoutMs: 5_000,
			...watch.tunables,
		},
	});
	active.push(trigger);
	return trigger;
}

function summary(items: INodeExecutionData[]) {
	return items.map((item) => [
		item.json.event,
		item.json.name,
		item.json.changes,
		item.json.source,
	]);
}

async function activationError(
	emulator: Emulator,
	watch: Watch,
): Promise<Error & { description?: string }> {
	const outcome = await activate(emulator, watch).then(
		() => undefined,
		(error: unknown) => error as Error & { description?: string },
	);
	if (!outcome) throw new Error('the activation succeeded');
	return outcome;
}

describe('activation', () => {
	test('subscribes the space, opens one connection, records a silent baseline (saved), and lists nothing more', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { options: { recursive: true } });
		expect(emulator.stream.subscriptions()).toEqual([`SPACE:${SPACE}`]);
		expect(emulator.stream.connections()).toHaveLength(1);
		expect(trigger.emits).toEqual([]);
		const saved = JSON.parse(trigger.saved()) as IDataObject;
		const snapshot = JSON.parse(
			String((saved['node:DingTalk Event Trigger'] as IDataObject).snapshot),
		) as { entries: Record<string, unknown> };
		expect(Object.keys(snapshot.entries)).toEqual(expect.arrayContaining(['3001', '1004']));

		const listingsBefore = emulator.log.filter(
			(entry) => entry.path.endsWith('/dentries') && entry.method === 'GET',
		).length;
		emulator.drive.addFile(SPACE, CONTRACTS_2025, '合同-2025-003.pdf');
		await until('the created item', () => trigger.items().length === 1);
		expect(trigger.items()[0].json).toMatchObject({
			event: 'created',
			changes: [],
			name: '合同-2025-003.pdf',
			path: '/合同/2025/合同-2025-003.pdf',
			spaceId: SPACE,
			source: 'stream',
			operatorUnionId: emulator.unionId,
		});
		expect(trigger.items()[0].json.eventId).toMatch(/^created-[0-9a-f]{32}$/);
		expect(trigger.items()[0].json.dingTalkEventId).toEqual(expect.any(String));
		// No listing between reconciles.
		expect(
			emulator.log.filter((entry) => entry.path.endsWith('/dentries') && entry.method === 'GET')
				.length,
		).toBe(listingsBefore);
		// The event was acknowledged.
		expect(emulator.stream.deliveries().every((delivery) => delivery.acked)).toBe(true);
	});

	test('an Access Token credential: a clear error (Stream mode needs the App Key and Secret)', async () => {
		const { emulator } = ctx;
		const error = await activationError(emulator, {
			credentials: tokenCredentials(emulator, 'some-token'),
		});
		expect(error.message).toMatch(/authentication.*access token.*Stream mode/);
		expect(error.description).toMatch(/App Key & Secret/);
		expect(emulator.stream.connections()).toHaveLength(0);
	});

	test('a missing Storage.Event.Write permission fails the activation with what to fix', async () => {
		const { emulator } = ctx;
		emulator.state.missingPermissions.add('Storage.Event.Write');
		const error = await activationError(emulator, {});
		expect(error.message).toMatch(/Subscribing to the space's storage events failed/);
		expect(error.description).toContain('"Storage.Event.Write" permission');
		expect(emulator.stream.connections()).toHaveLength(0);
	});

	test('a wrong App Secret fails the activation and names no secret', async () => {
		const { emulator } = ctx;
		const wrong = 'wrong-secret-0123456789abcdef';
		const error = await activationError(emulator, {
			credentials: { ...appCredentials(emulator), appSecret: wrong },
		});
		expect(`${error.message} ${error.description ?? ''}`).not.toContain(wrong);
		expect(`${error.message} ${error.description ?? ''}`).not.toContain(emulator.appSecret);
		expect(emulator.stream.connections()).toHaveLength(0);
	});

	test('a file given as the folder: refused before listening', async () => {
		const { emulator } = ctx;
		const error = await activationError(emulator, { folderId: '3001' });
		expect(error.message).toMatch(/"folderId": 3001 .* is a file, not a folder/);
		expect(emulator.stream.connections()).toHaveLength(0);
	});
});

describe('events', () => {
	test('created, updated (content, renamed, moved within), moved in, moved out, deleted: one item each, in order', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { folderId: CONTRACTS, options: { recursive: true } });
		const detailsBefore = apiCalls(emulator, 'dentry').length;
		emulator.drive.editFile('3001');
		emulator.drive.rename(SPACE, '3002', '合同-2025-002-签字版.pdf');
		emulator.drive.move(SPACE, '3003', { targetSpaceId: SPACE, targetFolderId: '2005' });
		emulator.drive.move(SPACE, '1005', { targetSpaceId: SPACE, targetFolderId: CONTRACTS_2025 });
		emulator.drive.move(SPACE, '3005', { targetSpaceId: SPACE, targetFolderId: DESIGN });
		emulator.drive.remove(SPACE, '3004', true);
		await until('six items', () => trigger.items().length === 6);
		expect(summary(trigger.items())).toEqual([
			['updated', '合同-2025-001.pdf', ['content'], 'stream'],
			['updated', '合同-2025-002-签字版.pdf', ['renamed'], 'stream'],
			['updated', '框架协议-2025.docx', ['moved'], 'stream'],
			['created', '设计稿 v2.zip', [], 'stream'],
			['deleted', '合同-2026-补充协议.docx', [], 'stream'],
			['deleted', '扫描件-2019.pdf', [], 'stream'],
		]);
		const items = trigger.items().map((item) => item.json);
		expect(items[0]).toMatchObject({
			version: 2,
			previous: { version: 1, path: '/合同/2025/合同-2025-001.pdf' },
		});
		expect(items[1].previous).toMatchObject({ name: '合同-2025-002.pdf' });
		expect(items[2]).toMatchObject({ parentId: '2005', previous: { parentId: CONTRACTS_2025 } });
		expect(items[4]).toMatchObject({
			dentryId: '3005',
			previous: { path: '/合同/2026/合同-2026-补充协议.docx' },
		});
		expect(items[5]).toMatchObject({
			dentryId: '3004',
			path: '/合同/2025/归档/旧版/扫描件-2019.pdf',
		});
		// One details query per create or update event, none for the delete.
		expect(apiCalls(emulator, 'dentry').length - detailsBefore).toBe(5);
		// Each change in its own execution, as it happened.
		expect(trigger.emits).toHaveLength(6);
		await settle(trigger, emulator);
		expect(trigger.items()).toHaveLength(6);
	});

	test('a folder deleted with its contents: each file watched in it is reported deleted', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { folderId: CONTRACTS, options: { recursive: true } });
		emulator.drive.remove(SPACE, CONTRACTS_2025, true);
		await until('four deletions', () => trigger.items().length === 4);
		expect(trigger.items().map((item) => [item.json.event, item.json.path])).toEqual([
			['deleted', '/合同/2025/合同-2025-001.pdf'],
			['deleted', '/合同/2025/合同-2025-002.pdf'],
			['deleted', '/合同/2025/归档/旧版/扫描件-2019.pdf'],
			['deleted', '/合同/2025/框架协议-2025.docx'],
		]);
	});

	test('a folder renamed: later changes under it carry the new path, and nothing is reported for the rename itself', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { folderId: CONTRACTS, options: { recursive: true } });
		emulator.drive.rename(SPACE, CONTRACTS_2025, '二〇二五');
		emulator.drive.editFile('3001');
		await until('the update', () => trigger.items().length === 1);
		expect(trigger.items()[0].json).toMatchObject({
			event: 'updated',
			changes: ['content'],
			path: '/合同/二〇二五/合同-2025-001.pdf',
		});
	});

	test('a folder copied in with its contents (recursive): the files it holds are reported, from one listing of it', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { folderId: DESIGN, options: { recursive: true } });
		const listingsOf = (folderId: string) =>
			emulator.log.filter((entry) => entry.path.includes(`parentId=${folderId}`)).length;
		// /合同/2025 (four files, one of them three levels down) copied into /设计.
		const copy = emulator.drive.copy(SPACE, CONTRACTS_2025, {
			targetSpaceId: SPACE,
			targetFolderId: DESIGN,
			option: { conflictStrategy: 'AUTO_RENAME' },
		}) as { dentry?: { id: string }; taskId?: string };
		await until('the four files', () => trigger.items().length === 4);
		expect(
			trigger.items().map((item) => [item.json.event, item.json.path, item.json.source]),
		).toEqual(
			expect.arrayContaining([
				['created', '/设计/2025/合同-2025-001.pdf', 'stream'],
				['created', '/设计/2025/归档/旧版/扫描件-2019.pdf', 'stream'],
			]),
		);
		void copy;
		const copiedRoot = emulator.drive
			.children(SPACE, DESIGN)
			.find((entry: { name: string }) => entry.name === '2025')!.id;
		expect(listingsOf(copiedRoot)).toBe(1);
	});

	test('a folder created, a file put in it, the folder deleted: the file is reported deleted (folders not reported, Recursive)', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { options: { recursive: true } });
		const fresh = emulator.drive.createFolder(SPACE, '0', '临时', 'AUTO_RENAME') as { id: string };
		emulator.drive.addFile(SPACE, fresh.id, 'draft.pdf');
		await until('the created file', () => trigger.items().length === 1);
		emulator.drive.remove(SPACE, fresh.id, false);
		await until('its deletion', () => trigger.items().length === 2);
		expect(summary(trigger.items())).toEqual([
			['created', 'draft.pdf', [], 'stream'],
			['deleted', 'draft.pdf', [], 'stream'],
		]);
	});

	test('a watched file moved to another space: deleted', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {});
		emulator.drive.move(SPACE, '1004', { targetSpaceId: '2000', targetFolderId: '0' });
		await until('the deletion', () => trigger.items().length === 1);
		expect(trigger.items()[0].json).toMatchObject({
			event: 'deleted',
			dentryId: '1004',
			previous: { path: '/notes.md' },
		});
	});

	test('an empty folder watched by ID, after a restart: what happens elsewhere in the space stays outside', async () => {
		const { emulator } = ctx;
		const first = await activate(emulator, { folderId: '2009', options: { recursive: true } });
		const saved = first.saved();
		await first.close();
		const second = await activate(emulator, {
			folderId: '2009',
			staticData: saved,
			options: { recursive: true },
		});
		emulator.drive.addFile(SPACE, DESIGN, 'elsewhere.pdf');
		emulator.drive.addFile(SPACE, '2009', 'inside.pdf');
		await until('the item', () => second.items().length === 1);
		await settle(second, emulator);
		expect(summary(second.items())).toEqual([['created', 'inside.pdf', [], 'stream']]);
		expect(second.items()[0].json.path).toBe('/空文件夹/inside.pdf');
	});

	test('filters: sub-folders without Recursive, extensions, folders, event types; filtered events cost no call when the event says enough', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {
			folderId: CONTRACTS_2025,
			events: ['created', 'deleted'],
			options: { fileExtensions: 'pdf' },
		});
		const detailsBefore = apiCalls(emulator, 'dentry').length;
		emulator.drive.addFile(SPACE, '2003', 'deeper.pdf'); // a sub-folder: not watched
		emulator.drive.addFile(SPACE, CONTRACTS_2025, 'notes.txt'); // another extension: no query
		emulator.drive.createFolder(SPACE, CONTRACTS_2025, '新文件夹', 'AUTO_RENAME'); // a folder: no query
		emulator.drive.editFile('3001'); // updated is not watched
		emulator.drive.addFile(SPACE, CONTRACTS_2025, 'wanted.pdf');
		await until('the wanted item', () => trigger.items().length === 1);
		await settle(trigger, emulator);
		expect(summary(trigger.items())).toEqual([['created', 'wanted.pdf', [], 'stream']]);
		// deeper.pdf, the edit and wanted.pdf were read; notes.txt and the folder were not.
		expect(apiCalls(emulator, 'dentry').length - detailsBefore).toBe(3);
		// A watched file renamed out of the extension filter leaves the watch: deleted.
		emulator.drive.rename(SPACE, '3002', '合同-2025-002.txt');
		await until('the deletion', () => trigger.items().length === 2);
		expect(trigger.items()[1].json).toMatchObject({
			event: 'deleted',
			dentryId: '3002',
			previous: { name: '合同-2025-002.pdf' },
		});
	});

	test('a duplicate delivery of an event is one item', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {});
		emulator.stream.duplicateNextEvents(2);
		emulator.drive.addFile(SPACE, '0', 'once.pdf');
		emulator.drive.editFile('1004');
		await until('two items', () => trigger.items().length === 2);
		await settle(trigger, emulator);
		expect(summary(trigger.items())).toEqual([
			['created', 'once.pdf', [], 'stream'],
			['updated', 'notes.md', ['content'], 'stream'],
		]);
		expect(
			emulator.stream.deliveries().filter((delivery) => delivery.eventType !== 'some_other_event'),
		).toHaveLength(4);
	});

	test('a failing details query is retried, then reported on an item; the next reconcile reports the change itself', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {});
		emulator.failNextApiCalls('systemError', 3, 'dentries.query');
		emulator.drive.addFile(SPACE, '0', 'unlucky.pdf');
		await until('the error item', () => trigger.items().length === 1);
		const item = trigger.items()[0].json;
		expect(item).toMatchObject({
			event: 'created',
			source: 'stream',
			spaceId: SPACE,
			error: { code: expect.any(String), retryable: true },
		});
		expect(item.dentryId).toEqual(expect.any(String));
		// A permanent refusal is reported at once.
		emulator.drive.editFile('1003');
		await until('the refusal item', () => trigger.items().length === 2);
		expect(trigger.items()[1].json).toMatchObject({
			event: 'updated',
			dentryId: '1003',
			error: { retryable: false },
		});

		// After a gap, the reconcile finds the file that could not be read.
		emulator.stream.dropConnections();
		await until('the reconcile item', () =>
			trigger.items().some((each) => each.json.source === 'reconcile'),
		);
		const reconciled = trigger.items().filter((each) => each.json.source === 'reconcile');
		expect(summary(reconciled)).toEqual(
			expect.arrayContaining([['created', 'unlucky.pdf', [], 'reconcile']]),
		);
	});

	test('details that do not say where the entry is: reported as a failed read, never as a deletion', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {});
		emulator.rewriteDetails((answer: { dentry: Record<string, unknown> }) => {
			const rest = { ...answer.dentry };
			delete rest.parentId;
			delete rest.path;
			return { dentry: rest };
		});
		emulator.drive.editFile('1004');
		await until('the item', () => trigger.items().length === 1);
		expect(trigger.items()[0].json).toMatchObject({
			event: 'updated',
			dentryId: '1004',
			error: { code: 'invalidResponse' },
		});
		// Retried (a failed read is not kept), then reported.
		expect(
			apiCalls(emulator, 'dentry').filter((entry) => entry.path.includes('/dentries/1004/query')),
		).toHaveLength(3);
		// A path alone places it (here: the root, without Recursive).
		emulator.rewriteDetails((answer: { dentry: Record<string, unknown> }) => {
			const rest = { ...answer.dentry };
			delete rest.parentId;
			return { dentry: rest };
		});
		emulator.drive.rename(SPACE, '1004', 'notes-renamed.md');
		await until('the rename', () => trigger.items().length === 2);
		// The failed edit's new version arrives with it: nothing was lost, and the parent is not taken as moved.
		expect(trigger.items()[1].json).toMatchObject({
			event: 'updated',
			changes: ['content', 'renamed'],
			dentryId: '1004',
			parentId: '0',
		});
		// The snapshot still holds it: with full answers again, the next change is an update, not a creation.
		emulator.rewriteDetails(undefined);
		emulator.drive.editFile('1004');
		await until('the update', () => trigger.items().length === 3);
		expect(trigger.items()[2].json).toMatchObject({
			event: 'updated',
			changes: ['content'],
			dentryId: '1004',
		});
	});

	test('with Download Files: the file is attached; over Max Download Size it is not', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {
			options: { download: true, maxDownloadSize: 10_000 },
		});
		const small = emulator.drive.addFile(SPACE, '0', 'small.pdf', { size: 2_000 });
		emulator.drive.addFile(SPACE, '0', 'big.pdf', { size: 20_000 });
		await until('two items', () => trigger.items().length === 2);
		const [first, second] = trigger.items();
		expect(first.json.name).toBe('small.pdf');
		expect(first.binary?.data?.fileName).toBe('small.pdf');
		expect(await binarySha256(first.binary!.data)).toBe(emulator.sha256(String(small.id)));
		expect(second.binary).toBeUndefined();
		expect(second.json.downloadSkipped).toMatch(/more than Max Download Size/);
		// No app secret, token or signed header in what the trigger emitted (or the error items below).
		emulator.failNextApiCalls('systemError', 3, 'dentries.query');
		emulator.drive.addFile(SPACE, '0', 'unreadable.pdf');
		await until('the error item', () => trigger.items().length === 3);
		const emitted = JSON.stringify(trigger.items());
		for (const secret of secretsSeen(emulator)) expect(emitted).not.toContain(secret);
	});
});

describe('connection and restarts', () => {
	test('two triggers of one app (two folders): one connection, each gets exactly its changes, one details query per event', async () => {
		const { emulator } = ctx;
		const contracts = await activate(emulator, {
			name: 'Contracts',
			folderId: CONTRACTS,
			options: { recursive: true },
		});
		const design = await activate(emulator, { name: 'Design', folderId: DESIGN });
		expect(emulator.stream.connections()).toHaveLength(1);
		const detailsBefore = apiCalls(emulator, 'dentry').length;
		emulator.drive.addFile(SPACE, CONTRACTS_2025, 'c1.pdf');
		emulator.drive.addFile(SPACE, DESIGN, 'd1.png');
		emulator.drive.editFile('3001');
		await until('the items', () => contracts.items().length === 2 && design.items().length === 1);
		await settle(contracts, emulator);
		expect(summary(contracts.items())).toEqual([
			['created', 'c1.pdf', [], 'stream'],
			['updated', '合同-2025-001.pdf', ['content'], 'stream'],
		]);
		expect(summary(design.items())).toEqual([['created', 'd1.png', [], 'stream']]);
		expect(apiCalls(emulator, 'dentry').length - detailsBefore).toBe(3);
		// The last one deactivated closes the connection.
		await contracts.close();
		expect(emulator.stream.connections()).toHaveLength(1);
		await design.close();
		await until('the connection to close', () => emulator.stream.connections().length === 0);
	});

	test('the gateway drops the connection: the next event still arrives, and what was sent meanwhile is found by a reconcile', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {});
		const opened = emulator.stream.openedCount();
		emulator.stream.dropConnections();
		// Raised while no connection is open: lost by the gateway, as in life.
		emulator.drive.addFile(SPACE, '0', 'while-down.pdf');
		await until(
			'a new connection',
			() => emulator.stream.openedCount() > opened && emulator.stream.connections().length === 1,
		);
		await until('the reconcile item', () => trigger.items().length === 1);
		expect(summary(trigger.items())).toEqual([['created', 'while-down.pdf', [], 'reconcile']]);
		expect(emulator.stream.lost().length).toBeGreaterThan(0);
		emulator.drive.addFile(SPACE, '0', 'after.pdf');
		await until('the next event', () => trigger.items().length === 2);
		expect(summary(trigger.items())[1]).toEqual(['created', 'after.pdf', [], 'stream']);
	});

	test("the gateway's disconnect: a new connection first, nothing lost, no reconcile needed", async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, {});
		const listings = () =>
			emulator.log.filter((entry) => entry.path.endsWith('/dentries') && entry.method === 'GET')
				.length;
		const before = listings();
		emulator.stream.disconnect(500);
		emulator.drive.addFile(SPACE, '0', 'during-handover.pdf');
		await until('the item', () => trigger.items().length === 1);
		await until('the old connection to end', () => emulator.stream.connections().length === 1);
		await settle(trigger, emulator);
		expect(summary(trigger.items())).toEqual([['created', 'during-handover.pdf', [], 'stream']]);
		expect(listings()).toBe(before);
	});

	test('n8n stopped, changes made, n8n started: exactly those changes (from the saved snapshot), nothing twice', async () => {
		const { emulator } = ctx;
		const first = await activate(emulator, { options: { recursive: true } });
		emulator.drive.addFile(SPACE, '0', 'seen-live.pdf');
		await until('the live item', () => first.items().length === 1);
		const saved = first.saved();
		await first.close();
		await until('the connection to close', () => emulator.stream.connections().length === 0);

		emulator.drive.addFile(SPACE, '2009', 'while-stopped.pdf');
		emulator.drive.editFile('3001');
		emulator.drive.remove(SPACE, '1006', true);

		const second = await activate(emulator, { staticData: saved, options: { recursive: true } });
		await until('the reconciled items', () => second.items().length === 3);
		await settle(second, emulator);
		expect(summary(second.items()).sort()).toEqual([
			['created', 'while-stopped.pdf', [], 'reconcile'],
			['deleted', 'empty.txt', [], 'reconcile'],
			['updated', '合同-2025-001.pdf', ['content'], 'reconcile'],
		]);
		expect(second.items().every((item) => item.json.operatorUnionId === null)).toBe(true);
		// The snapshot moved on with the emit: a third start reports nothing.
		const saved2 = second.saved();
		await second.close();
		const third = await activate(emulator, { staticData: saved2, options: { recursive: true } });
		await settle(third, emulator);
		expect(third.items()).toEqual([]);
		// And a change seen live is not reported again by a reconcile.
		emulator.drive.editFile('1004');
		await until('the live update', () => third.items().length === 1);
		const opened = emulator.stream.openedCount();
		const listings = () =>
			emulator.log.filter((entry) => entry.path.includes('parentId=0&')).length;
		const listed = listings();
		emulator.stream.dropConnections();
		await until(
			'a new connection',
			() => emulator.stream.openedCount() > opened && emulator.stream.connections().length === 1,
		);
		// The gap's reconcile: it lists the tree, and finds nothing to report.
		await until('the reconcile after the gap', () => listings() > listed);
		await settle(third, emulator);
		expect(summary(third.items())).toEqual([['updated', 'notes.md', ['content'], 'stream']]);
	});

	test('what DingTalk does not announce (a Knowledge Base document) is found by the scheduled reconcile', async () => {
		const { emulator } = ctx;
		// Every 1.8 s here; 24 hours by default.
		const trigger = await activate(emulator, { options: { reconcileEvery: 0.0005 } });
		const announce = emulator.drive.onChange;
		emulator.drive.onChange = undefined;
		try {
			emulator.drive.addFile(SPACE, '0', 'unannounced.adoc');
		} finally {
			emulator.drive.onChange = announce;
		}
		await until('the scheduled reconcile', () => trigger.items().length === 1);
		expect(summary(trigger.items())).toEqual([['created', 'unannounced.adoc', [], 'reconcile']]);
		expect(emulator.stream.deliveries()).toEqual([]);
	});

	test('another program on the same app in Stream mode takes its share of the events: the reconcile reports what it took', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { options: { reconcileEvery: 0.0005 } });
		// Another process (its own registry: its own connection) with the same App Key.
		const other = new StreamRegistry();
		const taken: string[] = [];
		const subscription = other.subscribe(
			{ baseUrl: emulator.baseUrl, appKey: emulator.appKey, appSecret: emulator.appSecret },
			{ onEvent: (event) => taken.push(event.dentryId) },
		);
		try {
			await subscription.waitUntilConnected();
			expect(emulator.stream.connections()).toHaveLength(2);
			emulator.drive.addFile(SPACE, '0', 'first.pdf');
			emulator.drive.addFile(SPACE, '0', 'second.pdf');
			// Round robin: one event each.
			await until('both events delivered', () => emulator.stream.acks().length >= 2);
			expect(taken).toHaveLength(1);
			await until('both files reported', () => trigger.items().length === 2);
			expect(
				trigger
					.items()
					.map((item) => item.json.source)
					.sort(),
			).toEqual(['reconcile', 'stream']);
			expect(
				trigger
					.items()
					.map((item) => item.json.name)
					.sort(),
			).toEqual(['first.pdf', 'second.pdf']);
		} finally {
			await other.closeAll();
		}
	});

	test('Reconcile Every must be 0 or more hours: a clear error naming it', async () => {
		const { emulator } = ctx;
		const error = await activationError(emulator, { options: { reconcileEvery: -1 } });
		expect(error.message).toMatch(/reconcileEvery/);
		expect(emulator.stream.connections()).toHaveLength(0);
	});

	test('the same change from a stream event and from a reconcile has the same eventId', async () => {
		const { emulator } = ctx;
		const live = await activate(emulator, {});
		const saved = live.saved();
		emulator.drive.editFile('1004');
		await until('the live update', () => live.items().length === 1);
		await live.close();
		const replay = await activate(emulator, { staticData: saved });
		await until('the reconciled update', () => replay.items().length === 1);
		expect(replay.items()[0].json.source).toBe('reconcile');
		expect(replay.items()[0].json.eventId).toBe(live.items()[0].json.eventId);
	});

	test('manual mode (listen for a test event): the first change is emitted, the saved state is not touched', async () => {
		const { emulator } = ctx;
		const trigger = await activate(emulator, { mode: 'manual' });
		emulator.drive.addFile(SPACE, '0', 'test-event.pdf');
		await until('the test item', () => trigger.items().length === 1);
		expect(trigger.items()[0].json).toMatchObject({
			event: 'created',
			name: 'test-event.pdf',
			source: 'stream',
		});
		expect(trigger.saved()).toBe('{}');
		expect(trigger.staticDataNow()).not.toContain('snapshot');
	});
});

describe('Watch: File', () => {
	test("one file watched: its new version, its rename and its move are updated, from the stream; others' events are passed over without a call; its deletion is deleted", async () => {
		const { emulator } = ctx;
		const trigger = await activateEventTrigger({
			parameters: {
				spaceId: rl(SPACE),
				watch: 'file',
				fileId: rl('3001'),
				unionId: emulator.unionId,
				events: ['created', 'updated', 'deleted'],
				options: {},
			},
			credentials: appCredentials(emulator),
			tunables: {
				registry,
				gapReconcileMinIntervalMs: 0,
				retryFirstDelayMs: 20,
				connectTimeoutMs: 5_000,
			},
		});
		active.push(trigger);
		const details = () => callsTo(emulator, 'dentries.query');
		const before = details();
		emulator.drive.editFile('3002');
		await settle(trigger, emulator);
		expect(trigger.items()).toHaveLength(0);
		expect(details()).toBe(before);
		emulator.drive.editFile('3001');
		await until('the update', () => trigger.items().length === 1);
		emulator.drive.rename(SPACE, '3001', '合同-改名.pdf');
		await until('the rename', () => trigger.items().length === 2);
		emulator.drive.move(SPACE, '3001', { targetSpaceId: SPACE, targetFolderId: DESIGN });
		await until('the move', () => trigger.items().length === 3);
		emulator.drive.remove(SPACE, '3001', true);
		await until('the deletion', () => trigger.items().length === 4);
		expect(summary(trigger.items())).toEqual([
			['updated', '合同-2025-001.pdf', ['content'], 'stream'],
			['updated', '合同-改名.pdf', ['renamed'], 'stream'],
			['updated', '合同-改名.pdf', ['moved'], 'stream'],
			['deleted', '合同-改名.pdf', [], 'stream'],
		]);
	});
});
