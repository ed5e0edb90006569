import type { DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { requireId } from '../helpers/validate';
import { isRecord, unexpectedAnswer } from '../storage/answers';

/**
 * Which storage events the app receives. The developer console's storage-event switch alone
 * delivers nothing (DingTalk's docs): the app subscribes a space (or the whole organization)
 * with this call as well. Subscribing again what is already subscribed changes nothing.
 */

const PERMISSION_HINT =
	'Give the DingTalk app the "Storage.Event.Write" permission (Developer Console → your app → Permissions; a new permission applies to newly fetched tokens only), turn the storage events on in the console\'s event subscription (Stream mode), and check that the user given as "Operator Union ID" can see the space.';

/** The permission codes DingTalk answers with, each with the advice for these APIs. */
const PERMISSION_HINTS = {
	'Forbidden.AccessDenied.AccessTokenPermissionDenied': PERMISSION_HINT,
	permissionDenied: PERMISSION_HINT,
};

export const EVENT_SUBSCRIPTION_APIS = {
	// Sent again on a new connection when the first drops before the answer, as a read is:
	// subscribing twice is the same as subscribing once.
	subscribe: {
		name: 'events.subscribe',
		action: "Subscribing to the space's storage events",
		permission: 'Storage.Event.Write',
		hints: PERMISSION_HINTS,
		readOnly: true,
	},
	unsubscribe: {
		name: 'events.unsubscribe',
		action: "Unsubscribing from the space's storage events",
		permission: 'Storage.Event.Write',
		hints: PERMISSION_HINTS,
		readOnly: true,
	},
} satisfies Record<string, ApiSpec>;

/** A space's events, or (ORG, the corp ID) those of every space of the organization. */
export interface EventScope {
	scope: 'SPACE' | 'ORG';
	scopeId: string;
}

async function call(
	client: DingTalkClient,
	api: ApiSpec,
	path: string,
	scope: EventScope,
	unionId: string,
): Promise<void> {
	const scopeId = requireId(scope.scope === 'SPACE' ? 'spaceId' : 'corpId', scope.scopeId);
	const query = { unionId: requireId('unionId', unionId) };
	const answer = await client.call({
		api,
		method: 'POST',
		path,
		query,
		body: { scope: scope.scope, scopeId },
	});
	if (!isRecord(answer) || answer.success !== true)
		throw unexpectedAnswer(api, 'DingTalk did not confirm it ("success" is not true)');
}

/** `POST /v1.0/storage/events/subscribe?unionId=` with `{scope, scopeId}`. */
export async function subscribeStorageEvents(
	client: DingTalkClient,
	scope: EventScope,
	unionId: string,
): Promise<void> {
	await call(
		client,
		EVENT_SUBSCRIPTION_APIS.subscribe,
		'/v1.0/storage/events/subscribe',
		scope,
		unionId,
	);
}

/** `POST /v1.0/storage/events/unsubscribe?unionId=` with `{scope, scopeId}`. */
export async function unsubscribeStorageEvents(
	client: DingTalkClient,
	scope: EventScope,
	unionId: string,
): Promise<void> {
	await call(
		client,
		EVENT_SUBSCRIPTION_APIS.unsubscribe,
		'/v1.0/storage/events/unsubscribe',
		scope,
		unionId,
	);
}
