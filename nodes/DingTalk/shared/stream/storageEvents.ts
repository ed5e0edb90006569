import { idOf } from '../storage/answers';
import { dataOf, headerOf, type StreamFrame } from './frames';

/**
 * DingTalk's storage events, read from EVENT frames. The payload carries no name, path,
 * parent or version (see the reference's "Changes: polling and push"): a consumer queries the
 * entry for a create or update, and keeps what it knew of an entry for a delete.
 */

export type StorageEventType = 'created' | 'updated' | 'deleted';

/** DingTalk's event types (the frame's `eventType`, or its `topic`) and what they mean here. */
export const STORAGE_EVENT_TYPES: Readonly<Record<string, StorageEventType>> = {
	storage_dentry_create: 'created',
	storage_dentry_update: 'updated',
	storage_dentry_delete: 'deleted',
};

export interface StorageEvent {
	/**
	 * DingTalk's ID of the event, the same on every delivery of it (what duplicates are
	 * recognised by). An event without one, never seen so far, falls back to the message ID.
	 */
	eventId: string;
	eventType: StorageEventType;
	/** DingTalk's own name of the event type (storage_dentry_create...). */
	dingTalkEventType: string;
	spaceId: string;
	dentryId: string;
	/** What the entry is, when DingTalk says (FILE or FOLDER); unset otherwise. */
	type?: 'FILE' | 'FOLDER';
	/** Who made the change (the payload's `unionId`). */
	operatorUnionId?: string;
	/** The file's extension as DingTalk gives it (no dot), when it does. */
	extension?: string;
	/** When DingTalk raised the event (ms since the epoch), when it says. */
	bornTime?: number;
	/** The subscription it came through: SPACE and the space's ID, or ORG and the corp ID. */
	scope?: string;
	scopeId?: string;
}

export type EventReading =
	| { kind: 'storage'; event: StorageEvent }
	/** Another event type the app receives (Stream mode subscribes to all of them): acknowledged and ignored. */
	| { kind: 'other'; eventType: string }
	/** A storage event that cannot be used (no space or entry ID): acknowledged, and said. */
	| { kind: 'invalid'; eventType: string; problem: string };

function textOf(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A time in ms since the epoch, from a number or its text. */
function timeOf(value: string | undefined): number | undefined {
	if (value === undefined || !/^\d+$/.test(value)) return undefined;
	const time = Number(value);
	return Number.isSafeInteger(time) ? time : undefined;
}

/** What an EVENT frame is, for this package. */
export function readStorageEvent(frame: StreamFrame): EventReading {
	const dingTalkEventType = headerOf(frame, 'eventType') ?? headerOf(frame, 'topic') ?? '';
	const eventType = STORAGE_EVENT_TYPES[dingTalkEventType];
	if (!eventType) return { kind: 'other', eventType: dingTalkEventType };
	const data = dataOf(frame);
	if (!data)
		return {
			kind: 'invalid',
			eventType: dingTalkEventType,
			problem: 'its payload is not a JSON object',
		};
	const spaceId = idOf(data.spaceId);
	const dentryId = idOf(data.dentryId);
	if (spaceId === undefined || dentryId === undefined) {
		return {
			kind: 'invalid',
			eventType: dingTalkEventType,
			problem: `its payload has no ${spaceId === undefined ? 'spaceId' : 'dentryId'}`,
		};
	}
	const eventId = headerOf(frame, 'eventId') ?? headerOf(frame, 'messageId');
	if (eventId === undefined)
		return {
			kind: 'invalid',
			eventType: dingTalkEventType,
			problem: 'it has neither an eventId nor a messageId',
		};
	const event: StorageEvent = { eventId, eventType, dingTalkEventType, spaceId, dentryId };
	const type = textOf(data.type)?.toUpperCase();
	if (type === 'FILE' || type === 'FOLDER') event.type = type;
	const operatorUnionId = idOf(data.unionId);
	if (operatorUnionId !== undefined) event.operatorUnionId = operatorUnionId;
	const extension = textOf(data.extension)?.replace(/^\./, '');
	if (extension) event.extension = extension;
	const bornTime = timeOf(headerOf(frame, 'eventBornTime'));
	if (bornTime !== undefined) event.bornTime = bornTime;
	const scope = textOf(data.eventScope);
	if (scope !== undefined) event.scope = scope;
	const scopeId = idOf(data.eventScopeId);
	if (scopeId !== undefined) event.scopeId = scopeId;
	return { kind: 'storage', event };
}
