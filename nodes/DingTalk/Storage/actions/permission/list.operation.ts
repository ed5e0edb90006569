import type { IDataObject } from 'n8n-workflow';

import { collectPages } from '../../../shared/helpers/paging';
import {
	listGrants,
	MAX_PERMISSIONS_PAGE,
	ROLES,
	type Role,
} from '../../../shared/storage/permissions';
import { InputError } from '../../../shared/errors';
import {
	optionsCollection,
	readLimit,
	readOptions,
	readScope,
	returnAllAndLimit,
} from '../common/parameters';
import type { StorageOperation } from '../types';
import { ROLE_OPTIONS } from './grants.operation';
import { locateTarget } from './target';

/** Permission → List: one item per grant on the file or folder. */
export const list: StorageOperation = {
	parallel: true,
	modelFields: ['memberType', 'memberId', 'memberCorpId', 'roleId', 'roleName', 'duration'],
	properties: [
		...returnAllAndLimit('permission', 'list'),
		optionsCollection(
			'permission',
			['list'],
			[
				{
					displayName: 'Roles',
					name: 'roles',
					type: 'multiOptions',
					default: [],
					options: ROLE_OPTIONS.map(({ name, value }) => ({ name, value })),
					description: 'Only grants of these roles (none chosen: all)',
				},
			],
		),
	],
	async execute(item) {
		const { ctx, itemIndex, client } = item;
		const scope = readScope(ctx, itemIndex);
		const limit = readLimit(ctx, itemIndex);
		const rawRoles = readOptions(ctx, itemIndex).roles;
		const roles = (Array.isArray(rawRoles) ? rawRoles : []).map((role) => {
			if (!ROLES.includes(role as Role))
				throw new InputError('roles', `"${String(role)}" is not a role`);
			return role as Role;
		});
		const target = await locateTarget(item, scope);
		const grants = await collectPages(
			async (pageSize, nextToken) =>
				await listGrants(
					client,
					{ dentryUuid: target.dentryUuid, unionId: scope.unionId, roles },
					pageSize,
					nextToken,
				),
			{ limit, maxPageSize: MAX_PERMISSIONS_PAGE },
		);
		return grants.map((grant) => ({
			json: {
				...(grant as IDataObject),
				spaceId: target.spaceId,
				dentryId: target.dentryId,
				dentryUuid: grant.dentryUuid ?? target.dentryUuid,
				memberType: grant.member?.type ?? null,
				memberId: grant.member?.id ?? null,
				memberCorpId: grant.member?.corpId ?? null,
				roleId: grant.role?.id ?? null,
				roleName: grant.role?.name ?? null,
				duration: grant.duration ?? null,
			},
		}));
	},
};
