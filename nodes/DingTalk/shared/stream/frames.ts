import { isRecord } from '../storage/answers';

/**
 * The frames of DingTalk's Stream mode, as its gateway sends them and as it wants them
 * answered (read from open-dingtalk's SDK source; see the reference's "Stream mode"). Pure:
 * no socket here, so every rule is tested on its own.
 */

/** SYSTEM frames' topics the client acts on. */
export const SYSTEM_TOPICS = {
	/** The gateway asks for an answer; an unanswered ping is taken for a dead client. */
	ping: 'ping',
	/** The gateway is about to close this connection: open a new one. */
	disconnect: 'disconnect',
} as const;

export interface StreamFrame {
	specVersion?: string;
	/** SYSTEM, EVENT or CALLBACK (kept as sent: an unknown type is ignored, not an error). */
	type: string;
	/** The headers as sent, echoed unchanged in a ping's answer. */
	headers: Record<string, unknown>;
	/** The payload as sent (a JSON text), echoed unchanged in a ping's answer. */
	data: unknown;
}

/**
 * A frame from its text; undefined for anything that is not one (not JSON, no type, headers
 * that are not an object), which is ignored: without a message ID it cannot be answered.
 */
export function parseFrame(text: string): StreamFrame | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!isRecord(value) || typeof value.type !== 'string') return undefined;
	const headers = value.headers ?? {};
	if (!isRecord(headers)) return undefined;
	return {
		specVersion: typeof value.specVersion === 'string' ? value.specVersion : undefined,
		type: value.type,
		headers,
		data: value.data,
	};
}

/** A header as text: DingTalk sends strings, and numbers for some (times, IDs) are taken as well. */
export function headerOf(frame: StreamFrame, name: string): string | undefined {
	const value = frame.headers[name];
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/**
 * The frame's payload as an object: a JSON text (as DingTalk sends it) or, tolerated, an
 * object already. Undefined when it is neither.
 */
export function dataOf(frame: StreamFrame): Record<string, unknown> | undefined {
	if (isRecord(frame.data)) return frame.data;
	if (typeof frame.data !== 'string') return undefined;
	try {
		const value: unknown = JSON.parse(frame.data);
		return isRecord(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

/** The answer to a SYSTEM ping: its own headers and data, returned as they came. */
export function pingAnswer(ping: StreamFrame): string {
	return JSON.stringify({ code: 200, headers: ping.headers, message: 'OK', data: ping.data });
}

/**
 * The acknowledgement of an EVENT (or CALLBACK) message, on the socket it came on.
 * SUCCESS: taken; the gateway does not send it again (LATER would ask for redelivery).
 */
export function acknowledgement(messageId: string): string {
	return JSON.stringify({
		code: 200,
		headers: { contentType: 'application/json', messageId },
		message: 'OK',
		data: JSON.stringify({ status: 'SUCCESS' }),
	});
}
