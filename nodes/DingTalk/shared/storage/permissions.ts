import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { isRecord, readPage, unexpectedAnswer } from './answers';
import type { DentryRef, Page } from './types';

/**
 * Who may do what with a file or folder: storage 2.0's permission APIs, addressed by the
 * dentry's UUID (storage 1.0's are closed to new apps). Members are people, departments,
 * the whole organization, tags, group chats or dynamic groups; a role is a set of rights.
 */
const READ = 'Storage.Permission.Read';
const WRITE = 'Storage.Permission.Write';

export const PERMISSION_APIS = {
	uuid: {
		name: 'doc.dentries.queryDentryUuid',
		action: "Finding the item's UUID",
		permission: 'Document.WorkspaceDocument.Read',
		readOnly: true,
	},
	add: { name: 'permissions.add', action: 'Adding the permission', permission: WRITE },
	update: { name: 'permissions.update', action: 'Updating the permission', permission: WRITE },
	remove: { name: 'permissions.remove', action: 'Removing the permission', permission: WRITE },
	list: {
		name: 'permissions.query',
		action: 'Listing the permissions',
		permission: READ,
		readOnly: true,
	},
	getInheritance: {
		name: 'permissions.inheritances.get',
		action: 'Reading the permission inheritance',
		permission: READ,
	},
	setInheritance: {
		name: 'permissions.inheritances.set',
		action: 'Setting the permission inheritance',
		permission: WRITE,
	},
} satisfies Record<string, ApiSpec>;

export const MEMBER_TYPES = [
	'USER',
	'DEPT',
	'ORG',
	'TAG',
	'CONVERSATION',
	'DYNAMIC_GROUP',
] as const;
export type MemberType = (typeof MEMBER_TYPES)[number];

export const ROLES = ['OWNER', 'MANAGER', 'EDITOR', 'DOWNLOADER', 'READER'] as const;
export type Role = (typeof ROLES)[number];

export const INHERITANCES = ['PASS_ON', 'BREAK'] as const;
export type Inheritance = (typeof INHERITANCES)[number];

/** At most this many members per call. */
export const MAX_MEMBERS = 30;
/** A grant's duration, in seconds: at most an hour, and only on spaces owned by an app. */
export const MAX_DURATION_SECONDS = 3600;
/** The listing's largest page (⚠ DingTalk states the default, 30, not a maximum). */
export const MAX_PERMISSIONS_PAGE = 30;

export interface Member {
	type: MemberType;
	id: string;
	corpId?: string;
}

/** One grant, as the listing gives it. */
export interface Grant {
	dentryUuid?: string;
	member?: { type?: string; id?: string; corpId?: string };
	role?: { id?: string; name?: string };
	duration?: number | null;
	[field: string]: unknown;
}

const permissionsPath = (dentryUuid: string) =>
	apiPath`/v2.0/storage/spaces/dentries/${dentryUuid}/permissions`;

/**
 * The UUID storage 2.0 addresses a dentry by (`GET /v2.0/doc/dentries/{id}/queryDentryUuid`).
 * The details' `uuid` field is not confirmed to be the same thing (⚠), so it is asked for.
 */
export async function queryDentryUuid(client: DingTalkClient, ref: DentryRef): Promise<string> {
	const answer = await client.call({
		api: PERMISSION_APIS.uuid,
		method: 'GET',
		path: apiPath`/v2.0/doc/dentries/${ref.dentryId}/queryDentryUuid`,
		query: { spaceId: ref.spaceId, operatorId: ref.unionId },
	});
	const uuid = answer.dentryUuid;
	if (typeof uuid !== 'string' || uuid === '')
		throw unexpectedAnswer(PERMISSION_APIS.uuid, 'the answer has no dentryUuid');
	return uuid;
}

function success(answer: Record<string, unknown>, api: ApiSpec): true {
	// ⚠ An answer that omits `success` is taken as done (the HTTP status said so); only an
	// explicit false is a failure.
	if (answer.success === false)
		throw unexpectedAnswer(api, 'DingTalk answered success: false without an error code');
	return true;
}

export interface GrantRequest {
	dentryUuid: string;
	unionId: string;
	role: Role;
	members: Member[];
	/** Seconds; only on app-owned spaces. */
	duration?: number;
}

async function changeGrants(
	client: DingTalkClient,
	kind: 'add' | 'update' | 'remove',
	request: GrantRequest,
): Promise<true> {
	const api = PERMISSION_APIS[kind];
	const answer = await client.call({
		api,
		method: kind === 'update' ? 'PUT' : 'POST',
		path: `${permissionsPath(request.dentryUuid)}${kind === 'remove' ? '/remove' : ''}`,
		query: { unionId: request.unionId },
		body: {
			roleId: request.role,
			members: request.members.map(({ type, id, corpId }) => ({
				type,
				id,
				...(corpId ? { corpId } : {}),
			})),
			...(kind !== 'remove' && request.duration !== undefined
				? { option: { duration: request.duration } }
				: {}),
		},
	});
	return success(answer, api);
}

export const addGrants = (client: DingTalkClient, request: GrantRequest) =>
	changeGrants(client, 'add', request);
export const updateGrants = (client: DingTalkClient, request: GrantRequest) =>
	changeGrants(client, 'update', request);
export const removeGrants = (client: DingTalkClient, request: GrantRequest) =>
	changeGrants(client, 'remove', request);

/** One page of a dentry's grants. */
export async function listGrants(
	client: DingTalkClient,
	request: { dentryUuid: string; unionId: string; roles?: Role[] },
	maxResults: number,
	nextToken?: string,
): Promise<Page<Grant>> {
	const answer = await client.call({
		api: PERMISSION_APIS.list,
		method: 'POST',
		path: `${permissionsPath(request.dentryUuid)}/query`,
		query: { unionId: request.unionId },
		body: {
			option: {
				maxResults,
				...(nextToken ? { nextToken } : {}),
				...(request.roles?.length ? { filterRoleIds: request.roles } : {}),
			},
		},
	});
	return readPage(answer, 'permissions', PERMISSION_APIS.list, (value) => {
		if (!isRecord(value))
			throw unexpectedAnswer(PERMISSION_APIS.list, 'a permission in the list is not an object');
		return value as Grant;
	});
}

export async function getInheritance(
	client: DingTalkClient,
	dentryUuid: string,
	unionId: string,
): Promise<string> {
	const answer = await client.call({
		api: PERMISSION_APIS.getInheritance,
		method: 'GET',
		path: `${permissionsPath(dentryUuid)}/inheritances`,
		query: { unionId },
	});
	if (typeof answer.inheritance !== 'string')
		throw unexpectedAnswer(PERMISSION_APIS.getInheritance, 'the answer has no inheritance');
	return answer.inheritance;
}

export async function setInheritance(
	client: DingTalkClient,
	dentryUuid: string,
	unionId: string,
	inheritance: Inheritance,
): Promise<true> {
	const answer = await client.call({
		api: PERMISSION_APIS.setInheritance,
		method: 'PUT',
		path: `${permissionsPath(dentryUuid)}/inheritances`,
		query: { unionId },
		body: { inheritance },
	});
	return success(answer, PERMISSION_APIS.setInheritance);
}
