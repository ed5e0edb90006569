import { oneOf } from '../../../shared/helpers/validate';
import {
	getInheritance as readInheritance,
	INHERITANCES,
	setInheritance as writeInheritance,
} from '../../../shared/storage/permissions';
import { readScope, show } from '../common/parameters';
import type { StorageOperation } from '../types';
import { locateTarget } from './target';

/** Permission → Get Inheritance: whether the item takes on its folder's permissions. */
export const getInheritance: StorageOperation = {
	parallel: true,
	modelFields: ['inheritance'],
	properties: [],
	async execute(item) {
		const scope = readScope(item.ctx, item.itemIndex);
		// The root refused before any call (by ID, or after its path is read).
		const target = await locateTarget(item, scope, { refuseRoot: true });
		const inheritance = await readInheritance(item.client, target.dentryUuid, scope.unionId);
		return { json: { ...target, inheritance } };
	},
};

/** Permission → Set Inheritance: pass the folder's permissions on to the item, or break them off. */
export const setInheritance: StorageOperation = {
	parallel: false,
	modelFields: ['success', 'inheritance'],
	properties: [
		{
			displayName: 'Inheritance',
			name: 'inheritance',
			type: 'options',
			default: 'PASS_ON',
			options: [
				{
					name: 'Pass On',
					value: 'PASS_ON',
					description: "The item has its folder's permissions as well as its own",
				},
				{
					name: 'Break',
					value: 'BREAK',
					description:
						"The item keeps only its own permissions (its folder's owners and managers keep theirs)",
				},
			],
			displayOptions: show('permission', ['setInheritance']),
		},
	],
	async execute(item) {
		const scope = readScope(item.ctx, item.itemIndex);
		const inheritance = oneOf(
			'inheritance',
			item.ctx.getNodeParameter('inheritance', item.itemIndex),
			INHERITANCES,
			'PASS_ON',
		);
		// The root refused before any call (by ID, or after its path is read).
		const target = await locateTarget(item, scope, { refuseRoot: true });
		await writeInheritance(item.client, target.dentryUuid, scope.unionId, inheritance);
		return { json: { success: true, ...target, inheritance } };
	},
};
