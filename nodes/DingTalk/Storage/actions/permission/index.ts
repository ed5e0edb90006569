import type { INodeProperties } from 'n8n-workflow';

import { operationPickers } from '../../../n8n/operationTexts';
import type { ResourceOperation, StorageOperation } from '../types';
import { add, remove, update } from './grants.operation';
import { getInheritance, setInheritance } from './inheritance.operation';
import { list } from './list.operation';
import { permissionItemProperty } from './target';

/** Who may do what with a file or folder (storage 2.0's permissions). */
const PERMISSION_OPERATIONS: ResourceOperation[] = [
	{
		name: 'Add',
		value: 'add',
		description: 'Give members a role on a file or folder (share it)',
		action: 'Add a permission',
		agent: {
			action:
				'Share a DingTalk file or folder: give members (users by userId, departments, groups) a role (READER, DOWNLOADER, EDITOR, MANAGER, OWNER)',
		},
		run: add,
	},
	{
		name: 'Get Inheritance',
		value: 'getInheritance',
		description: "Whether a file or folder takes on its folder's permissions",
		action: 'Get the permission inheritance',
		agent: {
			action:
				"Tell whether a DingTalk file or folder takes on its parent folder's permissions (PASS_ON) or not (BREAK)",
		},
		run: getInheritance,
	},
	{
		name: 'List',
		value: 'list',
		description: 'List who has which role on a file or folder',
		action: 'List permissions',
		agent: {
			action:
				'List who has access to a DingTalk file or folder: memberType, memberId, roleId, duration per grant',
		},
		run: list,
	},
	{
		name: 'Remove',
		value: 'remove',
		description: 'Take a role on a file or folder away from members',
		action: 'Remove a permission',
		agent: { action: 'Take a role on a DingTalk file or folder away from members' },
		run: remove,
	},
	{
		name: 'Set Inheritance',
		value: 'setInheritance',
		description: "Pass a folder's permissions on to the item, or break them off",
		action: 'Set the permission inheritance',
		agent: {
			action:
				"Make a DingTalk file or folder take on its parent folder's permissions (PASS_ON) or not (BREAK)",
		},
		run: setInheritance,
	},
	{
		name: 'Update',
		value: 'update',
		description: "Change members' role on a file or folder",
		action: 'Update a permission',
		agent: { action: "Change members' role on a DingTalk file or folder" },
		run: update,
	},
];

export const permissionOperations: Record<string, StorageOperation> = Object.fromEntries(
	PERMISSION_OPERATIONS.map(({ value, run }) => [value, run]),
);

export const permissionProperties: {
	operations: INodeProperties[];
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operations: operationPickers(PERMISSION_OPERATIONS, 'list', {
		show: { resource: ['permission'] },
	}),
	pickers: [permissionItemProperty],
	parameters: PERMISSION_OPERATIONS.flatMap(({ run }) => run.properties),
};
