import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { unexpectedAnswer } from './answers';
import type { DentryRef } from './types';

/**
 * An app's own properties on a file or folder: name/value pairs only this app writes, the
 * way a sync workflow marks what it has processed without a database. At most three per
 * app per item (DingTalk's limit); setting an existing name updates it.
 */
export const APP_PROPERTY_APIS = {
	set: {
		name: 'dentries.appProperties.set',
		action: 'Setting the properties',
		permission: 'Storage.File.Write',
	},
	remove: {
		name: 'dentries.appProperties.remove',
		action: 'Removing the properties',
		permission: 'Storage.File.Write',
	},
} satisfies Record<string, ApiSpec>;

/** At most this many per app per item (and per call). */
export const MAX_APP_PROPERTIES = 3;

export interface AppProperty {
	name: string;
	value: string;
	visibility: 'PUBLIC' | 'PRIVATE';
}

const propertiesPath = (ref: DentryRef) =>
	apiPath`/v1.0/storage/spaces/${ref.spaceId}/dentries/${ref.dentryId}/appProperties`;

export async function setAppProperties(
	client: DingTalkClient,
	ref: DentryRef,
	properties: AppProperty[],
): Promise<void> {
	const answer = await client.call({
		api: APP_PROPERTY_APIS.set,
		method: 'PUT',
		path: propertiesPath(ref),
		query: { unionId: ref.unionId },
		body: { appProperties: properties },
	});
	if (answer.success === false)
		throw unexpectedAnswer(APP_PROPERTY_APIS.set, 'DingTalk answered success: false');
}

export async function removeAppProperties(
	client: DingTalkClient,
	ref: DentryRef,
	names: string[],
): Promise<void> {
	const answer = await client.call({
		api: APP_PROPERTY_APIS.remove,
		method: 'POST',
		path: `${propertiesPath(ref)}/remove`,
		query: { unionId: ref.unionId },
		body: { propertyNames: names },
	});
	if (answer.success === false)
		throw unexpectedAnswer(APP_PROPERTY_APIS.remove, 'DingTalk answered success: false');
}

/**
 * A dentry's `appProperties` (a map of app ID → its properties) as a plain name → value
 * object for the given apps (all of them when none is given).
 */
export function propertiesOf(
	appProperties: unknown,
	appIds?: readonly string[],
): Record<string, string> {
	const flat: Record<string, string> = {};
	if (appProperties === null || typeof appProperties !== 'object') return flat;
	for (const [appId, list] of Object.entries(appProperties as Record<string, unknown>)) {
		if (appIds && !appIds.includes(appId)) continue;
		if (!Array.isArray(list)) continue;
		for (const property of list as Array<Record<string, unknown>>)
			if (typeof property?.name === 'string' && typeof property.value === 'string')
				flat[property.name] = property.value;
	}
	return flat;
}
