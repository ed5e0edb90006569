import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { idOf, isRecord, readPage, unexpectedAnswer } from './answers';
import type { Page } from './types';

export const SPACE_APIS = {
	get: { name: 'spaces.get', action: 'Reading the space', permission: 'Storage.Space.Read' },
	listOrg: {
		name: 'drive.spaces.list',
		action: "Listing the organization's spaces",
		permission: 'Drive.Space.Read',
	},
} satisfies Record<string, ApiSpec>;

/** A space as DingTalk describes it, with `spaceId` always set. */
export interface Space {
	spaceId: string;
	[field: string]: unknown;
}

export const MAX_SPACES_PAGE = 50;

/** One space's details (`GET /v1.0/storage/spaces/{spaceId}`): `{id, name, quota, usedQuota, ...}`. */
export async function getSpace(
	client: DingTalkClient,
	spaceId: string,
	unionId: string,
): Promise<Space> {
	const answer = await client.call({
		api: SPACE_APIS.get,
		method: 'GET',
		path: apiPath`/v1.0/storage/spaces/${spaceId}`,
		query: { unionId },
	});
	const space = answer.space;
	const id = isRecord(space) ? (idOf(space.id) ?? idOf(space.spaceId)) : undefined;
	if (!isRecord(space) || id === undefined)
		throw unexpectedAnswer(SPACE_APIS.get, 'the answer has no space with an id');
	return { ...space, spaceId: id };
}

/** One page of the organization's Drive spaces (`{spaceId, spaceName, ...}`). */
export async function listOrgSpaces(
	client: DingTalkClient,
	unionId: string,
	maxResults: number,
	nextToken?: string,
): Promise<Page<Space>> {
	const answer = await client.call({
		api: SPACE_APIS.listOrg,
		method: 'GET',
		path: '/v1.0/drive/spaces',
		query: { unionId, spaceType: 'org', maxResults, nextToken },
	});
	return readPage(
		answer,
		'spaces',
		SPACE_APIS.listOrg,
		(value) => {
			const id = isRecord(value) ? (idOf(value.spaceId) ?? idOf(value.id)) : undefined;
			if (!isRecord(value) || id === undefined)
				throw unexpectedAnswer(SPACE_APIS.listOrg, 'a space in the list has no spaceId');
			return { ...value, spaceId: id };
		},
		true,
	);
}
