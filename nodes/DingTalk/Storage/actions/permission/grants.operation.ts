import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { InputError } from '../../../shared/errors';
import { oneOf, requireId, wholeNumber } from '../../../shared/helpers/validate';
import {
	addGrants,
	MAX_DURATION_SECONDS,
	MAX_MEMBERS,
	MEMBER_TYPES,
	removeGrants,
	ROLES,
	updateGrants,
	type Member,
	type MemberType,
	type Role,
} from '../../../shared/storage/permissions';
import { getSpace } from '../../../shared/storage/spaces';
import { readScope, show } from '../common/parameters';
import type { StorageOperation } from '../types';
import { locateTarget } from './target';

/** The roles, in the words people use for them. */
export const ROLE_OPTIONS = [
	{
		name: 'Owner',
		value: 'OWNER',
		description: 'Everything, including deciding who else has access',
	},
	{
		name: 'Manager',
		value: 'MANAGER',
		description: 'Everything except deciding who else has access',
	},
	{
		name: 'Editor',
		value: 'EDITOR',
		description: 'View, download, edit and add files',
	},
	{
		name: 'Downloader',
		value: 'DOWNLOADER',
		description: 'View and download',
	},
	{
		name: 'Reader',
		value: 'READER',
		description: 'View only: see it listed and preview it',
	},
];

const MEMBER_TYPE_OPTIONS: Array<{ name: string; value: MemberType; description: string }> = [
	{ name: 'User', value: 'USER', description: 'A person: their user ID (userId, not union ID)' },
	{ name: 'Department', value: 'DEPT', description: 'A department: its ID (Corp ID required)' },
	{ name: 'Organization', value: 'ORG', description: 'Everyone in an organization: its Corp ID' },
	{ name: 'Tag', value: 'TAG', description: 'A contact tag (role group): its ID' },
	{ name: 'Group Chat', value: 'CONVERSATION', description: 'A group chat: its conversation ID' },
	{ name: 'Dynamic Group', value: 'DYNAMIC_GROUP', description: 'A dynamic group: its group code' },
];

const GRANT_OPERATIONS = ['add', 'update', 'remove'];

const properties: INodeProperties[] = [
	{
		displayName: 'Role',
		name: 'role',
		type: 'options',
		default: 'READER',
		options: ROLE_OPTIONS,
		description: 'What the members may do (Remove: the role whose grants are taken away)',
		displayOptions: show('permission', GRANT_OPERATIONS),
	},
	{
		displayName: 'Members',
		name: 'members',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: { member: [{ type: 'USER', id: '' }] },
		placeholder: 'Add member',
		description: `Who gets (or loses) the role: at most ${MAX_MEMBERS} per call`,
		displayOptions: show('permission', GRANT_OPERATIONS),
		options: [
			{
				displayName: 'Member',
				name: 'member',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						default: 'USER',
						options: MEMBER_TYPE_OPTIONS,
					},
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						placeholder: 'e.g. manager4220',
						description: "The member's ID, as its type says (a user's userId)",
					},
					{
						displayName: 'Corp ID',
						name: 'corpId',
						type: 'string',
						default: '',
						placeholder: 'e.g. ding8196cd9a2b2405da24f2f5cc6abecb85',
						description:
							"The member's organization (required for a department). Given, the grant ends when the member leaves that organization.",
					},
				],
			},
		],
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_DURATION_SECONDS, numberPrecision: 0 },
		default: 0,
		description:
			'How long the grant lasts, at most 3600 (0: no end). DingTalk honours it only in spaces owned by an app; elsewhere the node refuses it before sending anything.',
		displayOptions: show('permission', ['add', 'update']),
	},
];

/** Words people (and expressions) use for a member type, as DingTalk spells it. */
const MEMBER_TYPE_WORDS: Record<string, MemberType> = {
	user: 'USER',
	dept: 'DEPT',
	department: 'DEPT',
	org: 'ORG',
	organization: 'ORG',
	organisation: 'ORG',
	tag: 'TAG',
	conversation: 'CONVERSATION',
	groupchat: 'CONVERSATION',
	dynamicgroup: 'DYNAMIC_GROUP',
};

function memberType(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	return MEMBER_TYPE_WORDS[value.replace(/[\s_-]/g, '').toLowerCase()] ?? value;
}

/** The members of an item, checked before any request. */
function readMembers(raw: unknown): Member[] {
	const rows = (raw as IDataObject | undefined)?.member;
	const list = Array.isArray(rows) ? (rows as IDataObject[]) : [];
	if (list.length === 0)
		throw new InputError('members', 'no member is given', 'Add at least one member.');
	if (list.length > MAX_MEMBERS)
		throw new InputError(
			'members',
			`${list.length} members are given; DingTalk takes at most ${MAX_MEMBERS} per call`,
			'Split the members over several items.',
		);
	return list.map((row, index) => {
		const type = oneOf(`members[${index}].type`, memberType(row.type), MEMBER_TYPES, 'USER');
		const id = requireId(`members[${index}].id`, row.id);
		const corpId =
			typeof row.corpId === 'string' && row.corpId.trim() !== '' ? row.corpId.trim() : undefined;
		if (type === 'DEPT' && !corpId)
			throw new InputError(
				`members[${index}].corpId`,
				'a department needs its Corp ID',
				"Give the organization's Corp ID for the department.",
			);
		return { type, id, ...(corpId ? { corpId } : {}) };
	});
}

/** Add, Update or Remove: members get or lose a role on the item; `{success}` per item. */
function grantOperation(kind: 'add' | 'update' | 'remove'): StorageOperation {
	return {
		parallel: false,
		modelFields: ['success', 'role', 'duration'],
		properties: kind === 'add' ? properties : [],
		async execute(item) {
			const { ctx, itemIndex, client } = item;
			const scope = readScope(ctx, itemIndex);
			const role = oneOf<Role>('role', ctx.getNodeParameter('role', itemIndex), ROLES, 'READER');
			const members = readMembers(ctx.getNodeParameter('members', itemIndex, {}));
			const rawDuration = kind === 'remove' ? 0 : ctx.getNodeParameter('duration', itemIndex, 0);
			const duration = wholeNumber('duration', rawDuration, 0, 0, MAX_DURATION_SECONDS);
			if (duration > 0) {
				const space = await getSpace(client, scope.spaceId, scope.unionId);
				if (space.ownerType !== 'APP')
					throw new InputError(
						'duration',
						`a grant with a duration is only possible in a space owned by an app; this space is owned by ${typeof space.ownerType === 'string' ? space.ownerType : 'a user or the organization'}`,
						'Set Duration to 0 (no end), or share from a space your app created. Remove the grant later with Permission → Remove.',
					);
			}
			const target = await locateTarget(item, scope);
			const request = {
				dentryUuid: target.dentryUuid,
				unionId: scope.unionId,
				role,
				members,
				...(duration > 0 ? { duration } : {}),
			};
			if (kind === 'add') await addGrants(client, request);
			else if (kind === 'update') await updateGrants(client, request);
			else await removeGrants(client, request);
			return {
				json: {
					success: true,
					spaceId: target.spaceId,
					dentryId: target.dentryId,
					dentryUuid: target.dentryUuid,
					role,
					members: members.map((member) => ({ ...member })),
					...(duration > 0 ? { duration } : {}),
				},
			};
		},
	};
}

export const add = grantOperation('add');
export const update = grantOperation('update');
export const remove = grantOperation('remove');
