/**
 * The Stream connection's reconnect loop and the per-app registry, with the socket replaced by
 * a fake and time by a clock whose waits are recorded and pass at once: the back-off schedule
 * (exponential, jittered, capped, reset after a connection that stayed up), the gateway's
 * `disconnect`, duplicates across reconnects, and one connection per app shared by its
 * subscribers, closed by the last to leave.
 */
import { DingTalkApiError, InputError } from '../../nodes/DingTalk/shared/errors';
import type { RetryClock } from '../../nodes/DingTalk/shared/helpers/retry';
import {
	StreamConnection,
	type ConnectionListener,
	type SessionOpener,
	type StreamState,
} from '../../nodes/DingTalk/shared/stream/connection';
import type { StreamFrame } from '../../nodes/DingTalk/shared/stream/frames';
import type { StreamApp } from '../../nodes/DingTalk/shared/stream/gateway';
import { StreamRegistry } from '../../nodes/DingTalk/shared/stream/registry';
import type { GatewaySession, SocketHandlers } from '../../nodes/DingTalk/shared/stream/socket';
import type { StorageEvent } from '../../nodes/DingTalk/shared/stream/storageEvents';

const APP: StreamApp = {
	baseUrl: 'https://api.dingtalk.com',
	appKey: 'dingappkey',
	appSecret: 'app-secret-value',
};

/** A clock whose waits are recorded and pass at once (advancing its time); chance is fixed. */
function fakeClock(random = 0.5): RetryClock & { slept: number[]; time: number } {
	const clock = {
		slept: [] as number[],
		time: 1_000_000,
		now: () => clock.time,
		random: () => random,
		sleep: async (ms: number) => {
			clock.slept.push(ms);
			clock.time += ms;
		},
	};
	return clock;
}

class FakeSession implements GatewaySession {
	readonly ended: Promise<DingTalkApiError | undefined>;
	closed = false;
	private finish!: (reason: DingTalkApiError | undefined) => void;

	constructor(readonly handlers: SocketHandlers) {
		this.ended = new Promise((resolve) => (this.finish = resolve));
	}

	close(): void {
		this.closed = true;
		this.finish(undefined);
	}

	drop(): void {
		this.finish(
			new DingTalkApiError('the connection was lost', {
				code: 'streamConnectionLost',
				retryable: true,
			}),
		);
	}

	event(eventId: string, dentryId = '3001'): void {
		const frame: StreamFrame = {
			type: 'EVENT',
			headers: {
				messageId: `m-${eventId}-${Math.random()}`,
				eventId,
				eventType: 'storage_dentry_create',
			},
			data: JSON.stringify({ spaceId: '1000', dentryId }),
		};
		this.handlers.onMessage(frame);
	}
}

/**
 * An opener that plays a script: 'fail' rejects (a retryable refusal), 'open' opens a fake
 * session. Past the script's end, an attempt waits until the connection is closed.
 */
function scriptedOpener(script: Array<'fail' | 'open'>) {
	const sessions: FakeSession[] = [];
	let attempts = 0;
	let notify: (() => void) | undefined;
	const opener: SessionOpener = async (handlers, signal) => {
		attempts++;
		notify?.();
		const step = script.shift();
		if (step === 'fail')
			throw new DingTalkApiError('the gateway failed', { code: 'systemError', retryable: true });
		if (step === 'open') {
			const session = new FakeSession(handlers);
			sessions.push(session);
			return session;
		}
		return await new Promise<GatewaySession>((_resolve, reject) =>
			signal.addEventListener(
				'abort',
				() => reject(new DingTalkApiError('closed', { code: 'cancelled' })),
				{ once: true },
			),
		);
	};
	return {
		opener,
		sessions,
		get attempts() {
			return attempts;
		},
		/** Resolves once `count` attempts have been made. */
		async untilAttempts(count: number) {
			while (attempts < count) await new Promise<void>((resolve) => (notify = resolve));
		},
		push: (...steps: Array<'fail' | 'open'>) => script.push(...steps),
	};
}

function recordingListener(): ConnectionListener & {
	events: StorageEvent[];
	states: StreamState[];
	warnings: string[];
} {
	const listener = {
		events: [] as StorageEvent[],
		states: [] as StreamState[],
		warnings: [] as string[],
		onEvent: (event: StorageEvent) => listener.events.push(event),
		onState: (state: StreamState) => listener.states.push(state),
		onWarning: (message: string) => listener.warnings.push(message),
	};
	return listener;
}

/** Lets the connection's loop run until it waits for something the test controls. */
async function settle(): Promise<void> {
	for (let i = 0; i < 20; i++) await Promise.resolve();
}

const BACKOFF = { firstDelayMs: 1000, factor: 2, maxDelayMs: 60_000, jitter: 'equal' as const };

describe('the back-off between attempts', () => {
	test('exponential with jitter (equal: half a step to a step), up to the cap', async () => {
		const clock = fakeClock(0.5);
		const script = scriptedOpener([
			'fail',
			'fail',
			'fail',
			'fail',
			'fail',
			'fail',
			'fail',
			'fail',
			'open',
		]);
		const listener = recordingListener();
		const connection = new StreamConnection(
			APP,
			listener,
			{ clock, backoff: { ...BACKOFF, maxDelayMs: 10_000 } },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(9);
		await settle();

		// Steps 1, 2, 4, 8, then the cap of 10 s; each 3/4 of its step with random() = 0.5.
		expect(clock.slept).toEqual([750, 1500, 3000, 6000, 7500, 7500, 7500, 7500]);
		expect(
			listener.states
				.filter((state) => state.status === 'reconnecting')
				.map((state) => [state.failures, state.retryInMs, state.lastError?.code]),
		).toEqual([
			[1, 750, 'systemError'],
			[2, 1500, 'systemError'],
			[3, 3000, 'systemError'],
			[4, 6000, 'systemError'],
			[5, 7500, 'systemError'],
			[6, 7500, 'systemError'],
			[7, 7500, 'systemError'],
			[8, 7500, 'systemError'],
		]);
		expect(connection.state).toEqual({ status: 'connected', failures: 0 });
		await connection.close();
		expect(connection.state.status).toBe('closed');
		expect(script.sessions[0].closed).toBe(true);
	});

	test('the jitter spreads each wait between half its step and the step', async () => {
		for (const [random, expected] of [
			[0, [500, 1000, 2000]],
			[1, [1000, 2000, 4000]],
		] as const) {
			const clock = fakeClock(random);
			const script = scriptedOpener(['fail', 'fail', 'fail', 'open']);
			const connection = new StreamConnection(
				APP,
				recordingListener(),
				{ clock, backoff: BACKOFF },
				script.opener,
			);
			connection.start();
			await script.untilAttempts(4);
			await settle();
			expect(clock.slept).toEqual(expected);
			await connection.close();
		}
	});

	test('a connection that stayed up resets the back-off; one that did not, does not', async () => {
		const clock = fakeClock(0.5);
		const script = scriptedOpener(['fail', 'fail', 'open']);
		const listener = recordingListener();
		const connection = new StreamConnection(
			APP,
			listener,
			{ clock, backoff: BACKOFF, stableAfterMs: 30_000 },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(3);
		await settle();
		expect(clock.slept).toEqual([750, 1500]);

		// Up for 30 s, then dropped: the next wait starts from the first step again.
		clock.time += 30_000;
		script.push('fail', 'open');
		script.sessions[0].drop();
		await script.untilAttempts(5);
		await settle();
		expect(clock.slept).toEqual([750, 1500, 750, 1500]);
		const afterDrop = listener.states.filter((state) => state.status === 'reconnecting')[2];
		expect(afterDrop).toMatchObject({
			failures: 0,
			retryInMs: 750,
			lastError: expect.objectContaining({ code: 'streamConnectionLost' }),
		});

		// Up for a moment only, then dropped: the back-off goes on growing.
		script.push('open');
		script.sessions[1].drop();
		await script.untilAttempts(6);
		await settle();
		expect(clock.slept).toEqual([750, 1500, 750, 1500, 3000]);
		await connection.close();
	});

	test("the gateway's disconnect after a good connection: a new one at once, the old one kept until closed", async () => {
		const clock = fakeClock(0.5);
		const script = scriptedOpener(['open', 'open']);
		const listener = recordingListener();
		const connection = new StreamConnection(
			APP,
			listener,
			{ clock, backoff: BACKOFF, stableAfterMs: 30_000 },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(1);
		await settle();
		clock.time += 30_000;

		const [old] = script.sessions;
		old.handlers.onDisconnectRequested();
		await script.untilAttempts(2);
		await settle();
		expect(clock.slept).toEqual([0]);
		expect(listener.states.find((state) => state.status === 'reconnecting')).toMatchObject({
			retryInMs: 0,
			lastError: expect.objectContaining({ code: 'streamDisconnect' }),
		});
		expect(old.closed).toBe(false);
		// What the gateway still sends on the old socket is taken.
		old.event('e-old');
		expect(listener.events.map((event) => event.eventId)).toEqual(['e-old']);

		await connection.close();
		expect(old.closed).toBe(true);
		expect(script.sessions[1].closed).toBe(true);
	});

	test('a disconnect right after connecting waits its back-off (no reconnection storm)', async () => {
		const clock = fakeClock(0.5);
		const script = scriptedOpener(['open', 'open']);
		const connection = new StreamConnection(
			APP,
			recordingListener(),
			{ clock, backoff: BACKOFF, stableAfterMs: 30_000 },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(1);
		await settle();
		script.sessions[0].handlers.onDisconnectRequested();
		await script.untilAttempts(2);
		await settle();
		expect(clock.slept).toEqual([750]);
		await connection.close();
	});
});

describe('events on the connection', () => {
	test('a repeated eventId is passed on once, across reconnects', async () => {
		const clock = fakeClock();
		const script = scriptedOpener(['open', 'open']);
		const listener = recordingListener();
		const connection = new StreamConnection(
			APP,
			listener,
			{ clock, backoff: BACKOFF },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(1);
		await settle();
		script.sessions[0].event('e-1', 'a');
		script.sessions[0].event('e-1', 'a');
		script.sessions[0].event('e-2', 'b');
		script.sessions[0].drop();
		await script.untilAttempts(2);
		await settle();
		script.sessions[1].event('e-2', 'b');
		script.sessions[1].event('e-3', 'c');
		expect(listener.events.map((event) => event.eventId)).toEqual(['e-1', 'e-2', 'e-3']);
		await connection.close();
	});

	test('the memory of IDs is bounded: an ID forgotten long ago passes again', async () => {
		const script = scriptedOpener(['open']);
		const listener = recordingListener();
		const connection = new StreamConnection(
			APP,
			listener,
			{ clock: fakeClock(), rememberedEvents: 3 },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(1);
		await settle();
		for (const id of ['a', 'b', 'c', 'd', 'a', 'd']) script.sessions[0].event(id);
		expect(listener.events.map((event) => event.eventId)).toEqual(['a', 'b', 'c', 'd', 'a']);
		await connection.close();
	});

	test('other frames: ignored; unusable storage events and unreadable frames: said', async () => {
		const script = scriptedOpener(['open']);
		const listener = recordingListener();
		const connection = new StreamConnection(APP, listener, { clock: fakeClock() }, script.opener);
		connection.start();
		await script.untilAttempts(1);
		await settle();
		const { handlers } = script.sessions[0];
		handlers.onMessage({
			type: 'CALLBACK',
			headers: { messageId: 'c-1', topic: 'storage_dentry_create' },
			data: '{"spaceId":"1","dentryId":"2"}',
		});
		handlers.onMessage({
			type: 'EVENT',
			headers: { messageId: 'm-1', eventType: 'chat_update_title' },
			data: '{}',
		});
		handlers.onMessage({
			type: 'EVENT',
			headers: { messageId: 'm-2', eventType: 'storage_dentry_update' },
			data: '{"spaceId":"1"}',
		});
		handlers.onUnreadableFrame();
		expect(listener.events).toEqual([]);
		expect(listener.warnings).toEqual([
			'A storage_dentry_update event from DingTalk was ignored: its payload has no dentryId.',
			'A message from the DingTalk Stream gateway could not be read (not a JSON frame) and was ignored.',
		]);
		await connection.close();
	});

	test('closing while an attempt is under way ends it, and nothing starts after', async () => {
		const script = scriptedOpener([]);
		const connection = new StreamConnection(
			APP,
			recordingListener(),
			{ clock: fakeClock() },
			script.opener,
		);
		connection.start();
		await script.untilAttempts(1);
		await connection.close();
		expect(script.attempts).toBe(1);
		expect(connection.state.status).toBe('closed');
	});
});

describe('the registry: one connection per app', () => {
	function fakeRegistry(script: ReturnType<typeof scriptedOpener>) {
		const openers: StreamApp[] = [];
		const registry = new StreamRegistry({ clock: fakeClock(), backoff: BACKOFF }, (app) => {
			openers.push(app);
			return script.opener;
		});
		return { registry, openers };
	}

	function subscriber() {
		const received = { events: [] as string[], states: [] as string[], warnings: [] as string[] };
		return {
			received,
			onEvent: (event: StorageEvent) => received.events.push(event.eventId),
			onStateChange: (state: StreamState) => received.states.push(state.status),
			onWarning: (message: string) => received.warnings.push(message),
		};
	}

	test('two subscribers share one connection and each gets every event; the last to leave closes it', async () => {
		const script = scriptedOpener(['open', 'open']);
		const { registry, openers } = fakeRegistry(script);
		const first = subscriber();
		const second = subscriber();
		const one = registry.subscribe(APP, first);
		const two = registry.subscribe({ ...APP, baseUrl: 'https://api.dingtalk.com/' }, second);
		await Promise.all([one.waitUntilConnected(), two.waitUntilConnected()]);
		expect(openers).toHaveLength(1);
		expect(script.attempts).toBe(1);
		expect(registry.connectionCount).toBe(1);

		const [session] = script.sessions;
		session.event('e-1');
		expect(first.received.events).toEqual(['e-1']);
		expect(second.received.events).toEqual(['e-1']);

		await one.unsubscribe();
		expect(session.closed).toBe(false);
		session.event('e-2');
		expect(first.received.events).toEqual(['e-1']);
		expect(second.received.events).toEqual(['e-1', 'e-2']);
		await one.unsubscribe();
		expect(registry.connectionCount).toBe(1);

		await two.unsubscribe();
		expect(session.closed).toBe(true);
		expect(registry.connectionCount).toBe(0);

		// A newcomer after that gets a connection of its own.
		const three = registry.subscribe(APP, subscriber());
		await three.waitUntilConnected();
		expect(script.attempts).toBe(2);
		await registry.closeAll();
		expect(script.sessions[1].closed).toBe(true);
	});

	test('a subscriber whose handler throws is told; the others still get the event', async () => {
		const script = scriptedOpener(['open']);
		const { registry } = fakeRegistry(script);
		const failing = subscriber();
		const healthy = subscriber();
		registry.subscribe(APP, {
			...failing,
			onEvent: () => {
				throw new Error('queue is full');
			},
		});
		await registry.subscribe(APP, healthy).waitUntilConnected();
		script.sessions[0].event('e-9');
		expect(healthy.received.events).toEqual(['e-9']);
		expect(failing.received.warnings).toEqual([
			'Handling DingTalk event e-9 failed: queue is full',
		]);
		expect(healthy.received.warnings).toEqual([]);
		await registry.closeAll();
	});

	test('another secret, another App Key or another base URL is another connection', async () => {
		const script = scriptedOpener(['open', 'open', 'open', 'open']);
		const { registry, openers } = fakeRegistry(script);
		registry.subscribe(APP, subscriber());
		registry.subscribe({ ...APP, appSecret: 'rotated-secret' }, subscriber());
		registry.subscribe({ ...APP, appKey: 'otherkey' }, subscriber());
		registry.subscribe({ ...APP, baseUrl: 'https://api.dingtalk.io' }, subscriber());
		registry.subscribe(APP, subscriber());
		expect(openers.map((app) => [app.baseUrl, app.appKey])).toEqual([
			['https://api.dingtalk.com', 'dingappkey'],
			['https://api.dingtalk.com', 'dingappkey'],
			['https://api.dingtalk.com', 'otherkey'],
			['https://api.dingtalk.io', 'dingappkey'],
		]);
		expect(registry.connectionCount).toBe(4);
		await registry.closeAll();
		expect(registry.connectionCount).toBe(0);
	});

	test('waiting for the connection: the next failure is the answer, or the time limit', async () => {
		const script = scriptedOpener(['fail', 'fail', 'open']);
		const { registry } = fakeRegistry(script);
		const watcher = subscriber();
		const subscription = registry.subscribe(APP, watcher);
		await expect(subscription.waitUntilConnected()).rejects.toMatchObject({ code: 'systemError' });
		await subscription.waitUntilConnected().catch(() => undefined);
		await subscription.waitUntilConnected();
		expect(watcher.received.states).toEqual(['reconnecting', 'reconnecting', 'connected']);
		await registry.closeAll();

		const stuck = scriptedOpener([]);
		const hanging = fakeRegistry(stuck).registry.subscribe(APP, subscriber());
		await expect(hanging.waitUntilConnected({ timeoutMs: 5 })).rejects.toMatchObject({
			code: 'streamConnectTimeout',
		});
		const cancel = new AbortController();
		const waiting = hanging.waitUntilConnected({ signal: cancel.signal });
		cancel.abort();
		await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
		const untilLeft = hanging.waitUntilConnected();
		await hanging.unsubscribe();
		await expect(untilLeft).rejects.toMatchObject({ code: 'cancelled' });
	});

	test('an App Key or Secret missing, or an unusable base URL, is an input error', () => {
		const { registry } = fakeRegistry(scriptedOpener([]));
		expect(() => registry.subscribe({ ...APP, appSecret: ' ' }, subscriber())).toThrow(InputError);
		expect(() => registry.subscribe({ ...APP, appSecret: '' }, subscriber())).toThrow(
			/Invalid "appSecret": it is empty/,
		);
		expect(() => registry.subscribe({ ...APP, appKey: '' }, subscriber())).toThrow(
			/Invalid "appKey"/,
		);
		expect(() =>
			registry.subscribe({ ...APP, baseUrl: 'http://api.dingtalk.com' }, subscriber()),
		).toThrow(/Invalid "baseUrl"/);
		expect(registry.connectionCount).toBe(0);
	});
});
