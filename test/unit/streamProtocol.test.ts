/**
 * The pure pieces of the Stream mode client: reading frames, answering pings, acknowledging
 * events, turning EVENT frames into storage events, remembering event IDs within a bound,
 * and the checks on the endpoint the gateway hands out.
 */
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import {
	acknowledgement,
	dataOf,
	headerOf,
	parseFrame,
	pingAnswer,
	type StreamFrame,
} from '../../nodes/DingTalk/shared/stream/frames';
import { checkedEndpoint, redact } from '../../nodes/DingTalk/shared/stream/gateway';
import { RecentIds } from '../../nodes/DingTalk/shared/stream/recentIds';
import { readStorageEvent } from '../../nodes/DingTalk/shared/stream/storageEvents';

function eventFrame(headers: Record<string, unknown>, data: unknown): StreamFrame {
	return {
		specVersion: '1.0',
		type: 'EVENT',
		headers: { messageId: 'm-1', eventId: 'e-1', ...headers },
		data,
	};
}

describe('frames', () => {
	test('a frame as the gateway sends it', () => {
		const text = JSON.stringify({
			specVersion: '1.0',
			type: 'SYSTEM',
			headers: { topic: 'ping', messageId: 'm-9', time: 1700000000000 },
			data: '{"opaque":"x"}',
		});
		const frame = parseFrame(text);
		expect(frame).toEqual({
			specVersion: '1.0',
			type: 'SYSTEM',
			headers: { topic: 'ping', messageId: 'm-9', time: 1700000000000 },
			data: '{"opaque":"x"}',
		});
		expect(headerOf(frame!, 'topic')).toBe('ping');
		// A number is taken as text; an absent or empty header is not there.
		expect(headerOf(frame!, 'time')).toBe('1700000000000');
		expect(headerOf(frame!, 'eventId')).toBeUndefined();
	});

	test.each([
		['not JSON', 'hello'],
		['JSON but no object', '[1, 2]'],
		['no type', '{"headers": {}, "data": ""}'],
		['headers that are no object', '{"type": "EVENT", "headers": "x"}'],
	])('%s is not a frame', (_what, text) => {
		expect(parseFrame(text)).toBeUndefined();
	});

	test('a frame without headers has empty ones', () => {
		expect(parseFrame('{"type": "SYSTEM"}')).toEqual({
			specVersion: undefined,
			type: 'SYSTEM',
			headers: {},
			data: undefined,
		});
	});

	test("a ping's answer echoes its headers and data exactly, with code 200", () => {
		const ping = parseFrame(
			JSON.stringify({
				type: 'SYSTEM',
				headers: { topic: 'ping', messageId: 'm-2', extra: { nested: true } },
				data: '{"opaque":"4f2c"}',
			}),
		)!;
		expect(JSON.parse(pingAnswer(ping))).toEqual({
			code: 200,
			headers: { topic: 'ping', messageId: 'm-2', extra: { nested: true } },
			message: 'OK',
			data: '{"opaque":"4f2c"}',
		});
	});

	test('an acknowledgement: the message ID, and SUCCESS as a JSON text', () => {
		expect(JSON.parse(acknowledgement('m-3'))).toEqual({
			code: 200,
			headers: { contentType: 'application/json', messageId: 'm-3' },
			message: 'OK',
			data: '{"status":"SUCCESS"}',
		});
	});

	test('the payload: a JSON text, or (tolerated) an object', () => {
		expect(dataOf(eventFrame({}, '{"a":1}'))).toEqual({ a: 1 });
		expect(dataOf(eventFrame({}, { a: 2 }))).toEqual({ a: 2 });
		expect(dataOf(eventFrame({}, 'not json'))).toBeUndefined();
		expect(dataOf(eventFrame({}, '[1]'))).toBeUndefined();
		expect(dataOf(eventFrame({}, 42))).toBeUndefined();
	});
});

describe('storage events', () => {
	const payload = {
		spaceId: '1000',
		dentryId: '3001',
		eventScope: 'SPACE',
		eventScopeId: '1000',
		extension: 'pdf',
		unionId: 'u-7',
		type: 'FILE',
	};

	test.each([
		['storage_dentry_create', 'created'],
		['storage_dentry_update', 'updated'],
		['storage_dentry_delete', 'deleted'],
	])('%s is %s, with every field', (dingTalkEventType, eventType) => {
		const frame = eventFrame(
			{ eventType: dingTalkEventType, topic: dingTalkEventType, eventBornTime: '1767600000000' },
			JSON.stringify(payload),
		);
		expect(readStorageEvent(frame)).toEqual({
			kind: 'storage',
			event: {
				eventId: 'e-1',
				eventType,
				dingTalkEventType,
				spaceId: '1000',
				dentryId: '3001',
				type: 'FILE',
				operatorUnionId: 'u-7',
				extension: 'pdf',
				bornTime: 1767600000000,
				scope: 'SPACE',
				scopeId: '1000',
			},
		});
	});

	test('the type from the topic when eventType is absent; IDs as numbers; a folder; only what is given', () => {
		const frame = eventFrame(
			{ topic: 'storage_dentry_create', eventBornTime: 1767600000000 },
			JSON.stringify({ spaceId: 1000, dentryId: 3001, type: 'folder' }),
		);
		expect(readStorageEvent(frame)).toEqual({
			kind: 'storage',
			event: {
				eventId: 'e-1',
				eventType: 'created',
				dingTalkEventType: 'storage_dentry_create',
				spaceId: '1000',
				dentryId: '3001',
				type: 'FOLDER',
				bornTime: 1767600000000,
			},
		});
	});

	test('an unknown entry type, a dotted extension, a born time that is not a time', () => {
		const frame = eventFrame(
			{ eventType: 'storage_dentry_update', eventBornTime: 'yesterday' },
			JSON.stringify({ spaceId: '1', dentryId: '2', type: 'ADOC', extension: '.docx' }),
		);
		const reading = readStorageEvent(frame);
		expect(reading).toMatchObject({ kind: 'storage', event: { extension: 'docx' } });
		expect(reading.kind === 'storage' && 'type' in reading.event).toBe(false);
		expect(reading.kind === 'storage' && 'bornTime' in reading.event).toBe(false);
	});

	test('without an eventId, the message ID stands in', () => {
		const frame = {
			type: 'EVENT',
			headers: { messageId: 'm-5', eventType: 'storage_dentry_delete' },
			data: JSON.stringify(payload),
		};
		expect(readStorageEvent(frame)).toMatchObject({ kind: 'storage', event: { eventId: 'm-5' } });
	});

	test('other event types are not storage events', () => {
		expect(readStorageEvent(eventFrame({ eventType: 'user_add_org' }, '{}'))).toEqual({
			kind: 'other',
			eventType: 'user_add_org',
		});
		expect(readStorageEvent(eventFrame({}, '{}'))).toEqual({ kind: 'other', eventType: '' });
	});

	test.each([
		['a payload that is not JSON', 'oops', 'its payload is not a JSON object'],
		['no spaceId', JSON.stringify({ dentryId: '1' }), 'its payload has no spaceId'],
		['no dentryId', JSON.stringify({ spaceId: '1' }), 'its payload has no dentryId'],
		[
			'an empty dentryId',
			JSON.stringify({ spaceId: '1', dentryId: '' }),
			'its payload has no dentryId',
		],
	])('a storage event with %s cannot be used, and says why', (_what, data, problem) => {
		expect(readStorageEvent(eventFrame({ eventType: 'storage_dentry_create' }, data))).toEqual({
			kind: 'invalid',
			eventType: 'storage_dentry_create',
			problem,
		});
	});
});

describe('remembered event IDs', () => {
	test('a repeat is recognised', () => {
		const recent = new RecentIds(3);
		expect(recent.add('a')).toBe(true);
		expect(recent.add('a')).toBe(false);
		expect(recent.size).toBe(1);
	});

	test('bounded: the oldest is forgotten first, and the memory never grows past the bound', () => {
		const recent = new RecentIds(10_000);
		for (let i = 0; i < 25_000; i++) recent.add(`event-${i}`);
		expect(recent.size).toBe(10_000);
		expect(recent.has('event-14999')).toBe(false);
		expect(recent.has('event-15000')).toBe(true);
		expect(recent.add('event-24999')).toBe(false);
		expect(recent.add('event-0')).toBe(true);
		expect(recent.size).toBe(10_000);
	});

	test('an ID seen again counts as recent again', () => {
		const recent = new RecentIds(2);
		recent.add('a');
		recent.add('b');
		recent.add('a');
		recent.add('c');
		expect([recent.has('a'), recent.has('b'), recent.has('c')]).toEqual([true, false, true]);
	});

	test('a bound below 1 is a mistake', () => {
		expect(() => new RecentIds(0)).toThrow(RangeError);
	});
});

describe("the gateway's endpoint", () => {
	test.each([
		'wss://wss-open-connection.dingtalk.com:443/connect',
		'wss://gw.example.com/stream?region=cn',
	])('%s is accepted', (endpoint) => {
		expect(checkedEndpoint(endpoint).href).toBe(new URL(endpoint).href);
	});

	test.each([
		'ws://127.0.0.1:1234/connect',
		'ws://127.9.8.7/connect',
		'ws://localhost:80/connect',
		'ws://[::1]:99/connect',
	])('%s (this machine) is accepted', (endpoint) => {
		expect(checkedEndpoint(endpoint).protocol).toBe('ws:');
	});

	test.each([
		[
			'ws://gateway.example.com/connect?token=abc',
			'the gateway answered an unencrypted endpoint (ws://gateway.example.com/connect)',
		],
		[
			'ws://10.0.0.5/connect',
			'the gateway answered an unencrypted endpoint (ws://10.0.0.5/connect)',
		],
		[
			'ws://127.0.0.1.example.com/connect',
			'the gateway answered an unencrypted endpoint (ws://127.0.0.1.example.com/connect)',
		],
		[
			'https://gateway.example.com/connect',
			'the gateway answered a https:// address, not a wss:// endpoint',
		],
		['not a url', 'the gateway answered an endpoint that is not a URL'],
	])('%s is refused, named without its query', (endpoint, problem) => {
		let caught: unknown;
		try {
			checkedEndpoint(endpoint);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(DingTalkApiError);
		expect(caught).toMatchObject({ code: 'invalidStreamEndpoint', retryable: false });
		expect((caught as Error).message).toContain(problem);
		expect((caught as Error).message).not.toContain('token=abc');
	});

	test('redact: every occurrence of each secret', () => {
		expect(redact('a s3cret and s3cret, tk', ['s3cret', undefined, 'tk'])).toBe(
			'a *** and ***, ***',
		);
	});
});
