/**
 * The Stream mode client against the emulator's gateway, over real HTTP and WebSocket on
 * 127.0.0.1: the ticket, the connection, pings, storage events from changes to the tree and
 * their acknowledgements, duplicates, the gateway's `disconnect`, an abrupt drop, refusals
 * (a wrong secret, a missing permission, an endpoint that is not wss), and the one connection
 * per app shared by two subscribers. Nothing is timed: each test waits for a condition, with
 * a deadline that only bounds a failing run.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { WebSocketServer } from 'ws';

import { EMULATOR_DEFAULTS, startEmulator } from '../../emulator';
import { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import { TokenCache } from '../../nodes/DingTalk/shared/api/tokenCache';
import { DingTalkApiError, DingTalkStorageError } from '../../nodes/DingTalk/shared/errors';
import { DEFAULT_TIMEOUTS } from '../../nodes/DingTalk/shared/transport/http';
import {
	StreamRegistry,
	subscribeStorageEvents,
	unsubscribeStorageEvents,
	type StorageEvent,
	type StreamApp,
	type StreamState,
	type StreamSubscriber,
} from '../../nodes/DingTalk/shared/stream';
import { waitFor } from '../helpers/waitFor';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

let emulator: Emulator;
let registry: StreamRegistry;

const SPACE = EMULATOR_DEFAULTS.spaceId;
const CONTRACTS_FOLDER = '2001';

beforeAll(async () => {
	emulator = await startEmulator();
});

beforeEach(() => {
	emulator.reset();
	// Short waits, so that a reconnection takes milliseconds here.
	registry = new StreamRegistry({
		backoff: { firstDelayMs: 40, factor: 2, maxDelayMs: 400, jitter: 'equal' },
		stableAfterMs: 200,
		heartbeatMs: 5_000,
		disconnectGraceMs: 5_000,
	});
});

afterEach(async () => {
	await registry.closeAll();
	await until('every gateway connection to end', () => emulator.stream.connections().length === 0);
});

afterAll(async () => {
	await emulator.close();
});

/** Waits for `condition`; the deadline only ends a run that would otherwise hang. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
	await waitFor(condition, { what, timeoutMs });
}

function app(overrides: Partial<StreamApp> = {}): StreamApp {
	return {
		baseUrl: emulator.baseUrl,
		appKey: emulator.appKey,
		appSecret: emulator.appSecret,
		...overrides,
	};
}

function apiClient(): DingTalkClient {
	return new DingTalkClient({
		baseUrl: emulator.baseUrl,
		auth: { kind: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret },
		timeouts: DEFAULT_TIMEOUTS,
		tokenCache: new TokenCache(),
	});
}

/** A subscriber that records what it is given. */
function recorder(): StreamSubscriber & {
	events: StorageEvent[];
	states: StreamState[];
	warnings: string[];
} {
	const events: StorageEvent[] = [];
	const states: StreamState[] = [];
	const warnings: string[] = [];
	return {
		events,
		states,
		warnings,
		onEvent: (event) => events.push(event),
		onStateChange: (state) => states.push(state),
		onWarning: (message) => warnings.push(message),
	};
}

async function subscribeSpace(spaceId = SPACE): Promise<void> {
	await subscribeStorageEvents(apiClient(), { scope: 'SPACE', scopeId: spaceId }, emulator.unionId);
}

describe('the connection', () => {
	test('a ticket from connections/open (JSON, the client name, every event), then one WebSocket', async () => {
		const subscription = registry.subscribe(app(), recorder());
		await subscription.waitUntilConnected();

		expect(subscription.state.status).toBe('connected');
		expect(emulator.stream.connections()).toHaveLength(1);
		expect(emulator.stream.opens()).toEqual([
			{ ua: 'n8n-nodes-dingtalk-storage', subscriptions: [{ type: 'EVENT', topic: '*' }] },
		]);
		const request = emulator.log.find((entry) => entry.path === '/v1.0/gateway/connections/open');
		expect(request?.headers['content-type']).toContain('application/json');
		expect(request?.headers.accept).toContain('application/json');
		// No access token: the gateway is opened with the key and secret alone.
		expect(request?.headers['x-acs-dingtalk-access-token']).toBeUndefined();
	});

	test("the gateway's pings are answered with their own headers and data", async () => {
		const subscription = registry.subscribe(app(), recorder());
		await subscription.waitUntilConnected();

		const [messageId] = emulator.stream.ping();
		await until('the ping to be answered', () => emulator.stream.pingAnswers().length === 1);
		expect(emulator.stream.pingAnswers()).toEqual([
			{ connectionId: emulator.stream.connections()[0].id, messageId, matches: true },
		]);

		// And periodic ones, as the gateway sends them.
		emulator.stream.setPingInterval(20);
		await until('three more answers', () => emulator.stream.pingAnswers().length >= 4);
		expect(emulator.stream.pingAnswers().every((answer) => answer.matches)).toBe(true);
		expect(emulator.stream.strayMessages()).toEqual([]);
	});

	test('a wrong App Secret: a clear error that names neither secret', async () => {
		const wrongSecret = 'wrong-secret-0123456789abcdef';
		const watcher = recorder();
		const subscription = registry.subscribe(app({ appSecret: wrongSecret }), watcher);

		const error = await subscription.waitUntilConnected().then(
			() => undefined,
			(reason: unknown) => reason,
		);
		expect(error).toBeInstanceOf(DingTalkApiError);
		const refusal = error as DingTalkApiError;
		expect(refusal.message).toMatch(
			/did not accept the App Key and App Secret for Stream mode \(code invalidClientSecret, HTTP 400/,
		);
		expect(refusal.description).toMatch(
			/Check the App Key and App Secret in the "DingTalk API" credential/,
		);
		expect(refusal.retryable).toBe(false);
		// The connection keeps trying (with back-off), and says why it is not connected.
		await until('the state to carry the error', () =>
			watcher.states.some(
				(state) =>
					state.status === 'reconnecting' && state.lastError?.code === 'invalidClientSecret',
			),
		);
		const shown = JSON.stringify([
			refusal.message,
			refusal.description,
			watcher.states.map((state) => [state.lastError?.message, state.lastError?.description]),
			watcher.warnings,
		]);
		expect(shown).not.toContain(wrongSecret);
		expect(shown).not.toContain(emulator.appSecret);
		expect(emulator.stream.connections()).toHaveLength(0);
	});

	test('an endpoint that is not wss:// (nor ws:// to this machine) is refused, without the ticket', async () => {
		const ticket = 'TICKET-must-not-show-0123456789';
		const endpoints = ['ws://gateway.example.com/connect', 'http://127.0.0.1:1/connect'];
		const server = http.createServer((req, res) => {
			req.resume();
			const endpoint = endpoints.shift() ?? 'ws://gateway.example.com/connect';
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ endpoint, ticket }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const watcher = recorder();
			const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			const subscription = registry.subscribe(app({ baseUrl }), watcher);
			await expect(subscription.waitUntilConnected()).rejects.toMatchObject({
				code: 'invalidStreamEndpoint',
				message: expect.stringContaining(
					'the gateway answered an unencrypted endpoint (ws://gateway.example.com/connect); only wss:// is accepted',
				),
			});
			await expect(subscription.waitUntilConnected()).rejects.toMatchObject({
				code: 'invalidStreamEndpoint',
				message: expect.stringContaining(
					'the gateway answered a http:// address, not a wss:// endpoint',
				),
			});
			const shown = JSON.stringify(
				watcher.states.map((state) => [state.lastError?.message, state.lastError?.description]),
			);
			expect(shown).not.toContain(ticket);
			expect(shown).not.toContain(emulator.appSecret);
		} finally {
			await registry.closeAll();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});

	test('a gateway that repeats the secret in its refusal: the secret is not repeated further', async () => {
		const server = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				const { clientSecret } = JSON.parse(body) as { clientSecret: string };
				res.writeHead(401, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						code: 'invalidClient',
						message: `client secret ${clientSecret} is not valid`,
						requestid: 'r-1',
					}),
				);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const subscription = registry.subscribe(
				app({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
				recorder(),
			);
			const error = (await subscription
				.waitUntilConnected()
				.catch((reason: unknown) => reason)) as DingTalkApiError;
			expect(error.code).toBe('invalidClient');
			expect(error.description).toContain('DingTalk says: "client secret *** is not valid"');
			expect(JSON.stringify([error.message, error.description])).not.toContain(emulator.appSecret);
		} finally {
			await registry.closeAll();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});

	test("the ticket is URL-encoded into the endpoint's query; a frame sent with the handshake's answer is taken", async () => {
		const ticket = 'a+b/c=d&e f?g#h';
		const server = http.createServer((req, res) => {
			req.resume();
			const { port } = server.address() as AddressInfo;
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ endpoint: `ws://127.0.0.1:${port}/connect?region=cn`, ticket }));
		});
		const sockets = new WebSocketServer({ noServer: true });
		const upgrades: string[] = [];
		const answers: string[] = [];
		server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
			upgrades.push(req.url ?? '');
			// The event is written at once, in the same read as the 101 answer as often as not.
			sockets.handleUpgrade(req, socket, head, (ws) => {
				ws.on('message', (data: Buffer) => answers.push(data.toString()));
				ws.send(
					JSON.stringify({
						specVersion: '1.0',
						type: 'EVENT',
						headers: {
							messageId: 'early-1',
							eventId: 'e-early',
							eventType: 'storage_dentry_create',
						},
						data: '{"spaceId":"1000","dentryId":"42"}',
					}),
				);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const watcher = recorder();
			const subscription = registry.subscribe(
				app({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
				watcher,
			);
			await subscription.waitUntilConnected();
			await until('the early event to be acknowledged', () => answers.length === 1);
			expect(JSON.parse(answers[0])).toMatchObject({
				code: 200,
				headers: { messageId: 'early-1' },
			});
			expect(watcher.events.map((event) => event.dentryId)).toEqual(['42']);
			expect(upgrades).toEqual([`/connect?region=cn&ticket=${encodeURIComponent(ticket)}`]);
			expect(new URL(upgrades[0], 'ws://x').searchParams.get('ticket')).toBe(ticket);
		} finally {
			await registry.closeAll();
			for (const client of sockets.clients) client.terminate();
			sockets.close();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});

	test('the storage subscription without Storage.Event.Write: a clear error naming the permission', async () => {
		emulator.state.missingPermissions.add('Storage.Event.Write');
		const error = await subscribeSpace().then(
			() => undefined,
			(reason: unknown) => reason,
		);
		expect(error).toBeInstanceOf(DingTalkStorageError);
		expect(error).toMatchObject({
			code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
			httpCode: 403,
		});
		const refusal = error as DingTalkStorageError;
		expect(refusal.message).toMatch(
			/^Subscribing to the space's storage events failed: Permission denied/,
		);
		expect(refusal.description).toContain('"Storage.Event.Write" permission');
		expect(emulator.stream.subscriptions()).toEqual([]);
	});

	test('subscribe and unsubscribe a space (scope SPACE), and an unknown space is refused', async () => {
		await subscribeSpace();
		expect(emulator.stream.subscriptions()).toEqual([`SPACE:${SPACE}`]);
		await unsubscribeStorageEvents(
			apiClient(),
			{ scope: 'SPACE', scopeId: SPACE },
			emulator.unionId,
		);
		expect(emulator.stream.subscriptions()).toEqual([]);
		await expect(subscribeSpace('9999')).rejects.toMatchObject({ code: 'spaceNotExist' });
	});
});

describe('events', () => {
	test('each change to a subscribed space arrives once, typed, and is acknowledged on its socket', async () => {
		await subscribeSpace();
		const watcher = recorder();
		const subscription = registry.subscribe(app(), watcher);
		await subscription.waitUntilConnected();

		const added = emulator.drive.addFile(SPACE, CONTRACTS_FOLDER, '合同-2026-003.pdf');
		await until('the created event', () => watcher.events.length === 1);
		emulator.drive.editFile(added.id);
		await until('the updated event', () => watcher.events.length === 2);
		emulator.drive.remove(SPACE, added.id, true);
		await until('the deleted event', () => watcher.events.length === 3);

		expect(
			watcher.events.map((event) => [
				event.eventType,
				event.dingTalkEventType,
				event.spaceId,
				event.dentryId,
				event.type,
				event.extension,
				event.operatorUnionId,
			]),
		).toEqual([
			['created', 'storage_dentry_create', SPACE, added.id, 'FILE', 'pdf', emulator.unionId],
			['updated', 'storage_dentry_update', SPACE, added.id, 'FILE', 'pdf', emulator.unionId],
			['deleted', 'storage_dentry_delete', SPACE, added.id, 'FILE', 'pdf', emulator.unionId],
		]);
		const deliveries = emulator.stream.deliveries();
		expect(watcher.events.map((event) => event.eventId)).toEqual(
			deliveries.map((delivery) => delivery.eventId),
		);
		expect(
			watcher.events.every(
				(event) =>
					typeof event.bornTime === 'number' && event.scope === 'SPACE' && event.scopeId === SPACE,
			),
		).toBe(true);
		await until('every event to be acknowledged', () => emulator.stream.acks().length === 3);
		expect(
			emulator.stream
				.acks()
				.map((ack) => [ack.eventId, ack.code, ack.status, ack.onSameConnection]),
		).toEqual(deliveries.map((delivery) => [delivery.eventId, 200, 'SUCCESS', true]));
	});

	test('a folder created, renamed and moved; a change in an unsubscribed space raises nothing', async () => {
		await subscribeSpace();
		const watcher = recorder();
		await registry.subscribe(app(), watcher).waitUntilConnected();

		const folder = emulator.drive.createFolder(SPACE, '0', '新建文件夹', undefined);
		emulator.drive.rename(SPACE, folder.id, '客户资料');
		emulator.drive.move(SPACE, folder.id, {
			targetSpaceId: SPACE,
			targetFolderId: CONTRACTS_FOLDER,
		});
		// Space 2000 is not subscribed: the next event seen must be the one after it.
		emulator.drive.addFile(EMULATOR_DEFAULTS.otherSpaceId, '0', 'elsewhere.txt');
		const last = emulator.drive.addFile(SPACE, '0', 'after.txt');
		await until('four events', () => watcher.events.length === 4);

		expect(watcher.events.map((event) => [event.eventType, event.dentryId, event.type])).toEqual([
			['created', folder.id, 'FOLDER'],
			['updated', folder.id, 'FOLDER'],
			['updated', folder.id, 'FOLDER'],
			['created', last.id, 'FILE'],
		]);
		expect(emulator.stream.lost()).toEqual([]);
	});

	test('a duplicate delivery (the same eventId) is acknowledged and passed on once', async () => {
		await subscribeSpace();
		const watcher = recorder();
		await registry.subscribe(app(), watcher).waitUntilConnected();

		emulator.stream.duplicateNextEvents(1);
		const added = emulator.drive.addFile(SPACE, '0', 'twice.txt');
		// Both deliveries acknowledged means both were handed over (an ack follows the hand-over).
		await until('both deliveries to be acknowledged', () => emulator.stream.acks().length === 2);
		const deliveries = emulator.stream.deliveries();
		expect(deliveries).toHaveLength(2);
		expect(deliveries[0].eventId).toBe(deliveries[1].eventId);
		expect(deliveries[0].messageId).not.toBe(deliveries[1].messageId);
		expect(watcher.events.map((event) => event.dentryId)).toEqual([added.id]);
	});

	test('other event types are acknowledged and ignored; IDs sent as numbers become text', async () => {
		const watcher = recorder();
		await registry.subscribe(app(), watcher).waitUntilConnected();

		emulator.stream.sendEvent({ eventType: 'user_add_org', data: { userId: 'u1' } });
		emulator.stream.sendEvent({
			eventType: 'storage_dentry_update',
			data: { spaceId: 1000, dentryId: 123456, type: 'file', unionId: 'someone' },
		});
		emulator.stream.sendEvent({ eventType: 'storage_dentry_create', data: { spaceId: '1000' } });
		await until('three acknowledgements', () => emulator.stream.acks().length === 3);

		expect(watcher.events).toEqual([
			expect.objectContaining({
				eventType: 'updated',
				spaceId: '1000',
				dentryId: '123456',
				type: 'FILE',
				operatorUnionId: 'someone',
			}),
		]);
		expect(watcher.warnings).toEqual([
			'A storage_dentry_create event from DingTalk was ignored: its payload has no dentryId.',
		]);
		expect(emulator.stream.acks().every((ack) => ack.status === 'SUCCESS')).toBe(true);
	});
});

describe('reconnection', () => {
	test("the gateway's disconnect: a new ticket and connection, and events still arrive", async () => {
		await subscribeSpace();
		const watcher = recorder();
		const subscription = registry.subscribe(app(), watcher);
		await subscription.waitUntilConnected();
		const [first] = emulator.stream.connections();

		emulator.stream.disconnect(200);
		await until('a second connection', () => emulator.stream.openedCount() === 2);
		expect(emulator.stream.opens()).toHaveLength(2);
		await until('the first connection to be closed by the gateway', () =>
			emulator.stream
				.closures()
				.some((closure) => closure.connectionId === first.id && closure.by === 'gateway'),
		);
		await until('connected again', () => subscription.state.status === 'connected');

		const added = emulator.drive.addFile(SPACE, '0', 'after-disconnect.txt');
		await until('the event', () => watcher.events.length === 1);
		expect(watcher.events[0].dentryId).toBe(added.id);
		const [second] = emulator.stream.connections();
		expect(second.id).not.toBe(first.id);
		expect(emulator.stream.deliveries()[0].connectionId).toBe(second.id);
		await until('its acknowledgement', () => emulator.stream.acks().length === 1);
		expect(emulator.stream.acks()[0].onSameConnection).toBe(true);
	});

	test('events sent on a retiring connection before the new one opens are still taken', async () => {
		await subscribeSpace();
		const watcher = recorder();
		await registry.subscribe(app(), watcher).waitUntilConnected();
		const [retiring] = emulator.stream.connections();

		// No new connection can open, so the retiring socket stays the only one.
		emulator.stream.failNextOpens(1_000);
		emulator.stream.disconnect(60_000);
		await until('a failed attempt', () =>
			watcher.states.some((state) => state.lastError?.code === 'systemError'),
		);
		const added = emulator.drive.addFile(SPACE, '0', 'during-handover.txt');
		await until('the event', () => watcher.events.length === 1);
		expect(watcher.events[0].dentryId).toBe(added.id);
		expect(emulator.stream.deliveries()[0].connectionId).toBe(retiring.id);
		await until('its acknowledgement', () => emulator.stream.acks().length === 1);
		expect(emulator.stream.acks()[0].onSameConnection).toBe(true);
	});

	test('an abrupt drop: reconnected after a back-off, and the next event arrives', async () => {
		await subscribeSpace();
		const watcher = recorder();
		const subscription = registry.subscribe(app(), watcher);
		await subscription.waitUntilConnected();

		emulator.stream.dropConnections();
		await until(
			'reconnected',
			() => emulator.stream.openedCount() === 2 && subscription.state.status === 'connected',
		);
		const reconnecting = watcher.states.find((state) => state.status === 'reconnecting');
		expect(reconnecting).toMatchObject({
			lastError: expect.objectContaining({ code: 'streamConnectionLost' }),
		});
		expect(reconnecting?.retryInMs).toBeGreaterThan(0);
		expect(reconnecting?.lastError?.message).not.toContain('ticket');

		const added = emulator.drive.addFile(SPACE, '0', 'after-drop.txt');
		await until('the event', () => watcher.events.length === 1);
		expect(watcher.events[0].dentryId).toBe(added.id);
	});

	test('a connection gone silent (no pong, no frame) is given up for a new one; a quiet healthy one is kept', async () => {
		const quick = new StreamRegistry({
			heartbeatMs: 30,
			backoff: { firstDelayMs: 40, jitter: 'equal' },
		});
		try {
			await subscribeSpace();
			emulator.stream.setPingInterval(0);
			const watcher = recorder();
			const subscription = quick.subscribe(app(), watcher);
			await subscription.waitUntilConnected();

			// Quiet but alive: the heartbeats are answered (pongs), so ten of them change nothing.
			await until('ten heartbeats', () => emulator.stream.clientPings() >= 10);
			expect(emulator.stream.openedCount()).toBe(1);
			expect(subscription.state.status).toBe('connected');

			const [silent] = emulator.stream.connections();
			emulator.stream.silenceConnections();
			await until(
				'a new connection',
				() => emulator.stream.openedCount() === 2 && subscription.state.status === 'connected',
			);
			expect(
				watcher.states.find((state) => state.status === 'reconnecting')?.lastError,
			).toMatchObject({
				code: 'streamConnectionSilent',
				message: expect.stringMatching(
					/no sign of life from ws:\/\/127\.0\.0\.1:\d+\/connect for about 1 s$/,
				),
			});
			// The silent one is still open at the gateway (it cannot tell): the gateway ends it,
			// and the client's new one with it, and the client connects once more.
			expect(emulator.stream.connections().map((connection) => connection.id)).toContain(silent.id);
			emulator.stream.dropConnections();
			await until(
				'a third connection',
				() => emulator.stream.openedCount() === 3 && subscription.state.status === 'connected',
			);
			const added = emulator.drive.addFile(SPACE, '0', 'after-silence.txt');
			await until('the event', () => watcher.events.length === 1);
			expect(watcher.events[0].dentryId).toBe(added.id);
		} finally {
			await quick.closeAll();
		}
	});

	test('failed attempts wait longer each time, then connect', async () => {
		const watcher = recorder();
		emulator.stream.failNextOpens(3);
		const subscription = registry.subscribe(app(), watcher);
		await until('connected', () => subscription.state.status === 'connected');

		const failures = watcher.states.filter((state) => state.status === 'reconnecting');
		expect(
			failures.map((state) => [state.lastError?.code, state.lastError?.retryable, state.failures]),
		).toEqual([
			['systemError', true, 1],
			['systemError', true, 2],
			['systemError', true, 3],
		]);
		// Equal jitter: 20-40, 40-80, 80-160 ms (steps of 40, 80, 160).
		const waits = failures.map((state) => state.retryInMs ?? -1);
		expect(waits[0]).toBeGreaterThanOrEqual(20);
		expect(waits[0]).toBeLessThanOrEqual(40);
		expect(waits[1]).toBeGreaterThanOrEqual(40);
		expect(waits[1]).toBeLessThanOrEqual(80);
		expect(waits[2]).toBeGreaterThanOrEqual(80);
		expect(waits[2]).toBeLessThanOrEqual(160);
		expect(subscription.state.failures).toBe(0);
	});
});

describe('one connection per app', () => {
	test('two subscribers share one connection, both get each event; the last to leave closes it', async () => {
		await subscribeSpace();
		const first = recorder();
		const second = recorder();
		const one = registry.subscribe(app(), first);
		const two = registry.subscribe(app(), second);
		await Promise.all([one.waitUntilConnected(), two.waitUntilConnected()]);
		expect(emulator.stream.connections()).toHaveLength(1);
		expect(emulator.stream.openedCount()).toBe(1);
		expect(registry.connectionCount).toBe(1);

		const added = emulator.drive.addFile(SPACE, '0', 'for-both.txt');
		await until(
			'both subscribers to get it',
			() => first.events.length === 1 && second.events.length === 1,
		);
		expect(first.events[0]).toEqual(second.events[0]);
		expect(first.events[0].dentryId).toBe(added.id);
		expect(emulator.stream.deliveries()).toHaveLength(1);

		await one.unsubscribe();
		expect(emulator.stream.connections()).toHaveLength(1);
		const later = emulator.drive.addFile(SPACE, '0', 'for-the-second.txt');
		await until('the second subscriber to get it', () => second.events.length === 2);
		expect(second.events[1].dentryId).toBe(later.id);
		expect(first.events).toHaveLength(1);

		await two.unsubscribe();
		expect(registry.connectionCount).toBe(0);
		await until(
			'the gateway to see the connection end',
			() => emulator.stream.connections().length === 0,
		);
		expect(emulator.stream.closures()).toEqual([
			expect.objectContaining({ code: 1000, by: 'client' }),
		]);
		expect(emulator.stream.openedCount()).toBe(1);

		// Nobody listens: an event now is lost, as with DingTalk.
		emulator.drive.addFile(SPACE, '0', 'nobody.txt');
		expect(emulator.stream.lost()).toHaveLength(1);
	});

	test('another secret for the same App Key is another connection', async () => {
		const one = registry.subscribe(app(), recorder());
		const two = registry.subscribe(app({ appSecret: `${emulator.appSecret}-old` }), recorder());
		await one.waitUntilConnected();
		await expect(two.waitUntilConnected()).rejects.toMatchObject({ code: 'invalidClientSecret' });
		expect(registry.connectionCount).toBe(2);
		expect(emulator.stream.connections()).toHaveLength(1);
	});
});
