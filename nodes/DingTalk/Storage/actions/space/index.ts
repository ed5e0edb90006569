import type { INodeProperties } from 'n8n-workflow';

import { operationPickers } from '../../../n8n/operationTexts';
import type { ResourceOperation, StorageOperation } from '../types';
import { get } from './get.operation';
import { list } from './list.operation';

/** Every space operation once, by name. */
const SPACE_OPERATIONS: ResourceOperation[] = [
	{
		name: 'Get',
		value: 'get',
		description: "Get a space's details (name, quota, used space)",
		action: 'Get a space',
		agent: {
			description: "Get a space's details",
			action: "Get a DingTalk space's name, quota and used space by its spaceId",
		},
		run: get,
	},
	{
		name: 'List',
		value: 'list',
		description: "List the organization's Drive spaces",
		action: 'List spaces',
		agent: {
			action:
				"List the organization's DingTalk Drive spaces. Returns for each: spaceId, spaceName, quota, usedQuota",
		},
		run: list,
	},
];

export const spaceOperations: Record<string, StorageOperation> = Object.fromEntries(
	SPACE_OPERATIONS.map(({ value, run }) => [value, run]),
);

/** The operation picker (and its twin for agents) and each operation's parameters. */
export const spaceProperties: {
	operations: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operations: operationPickers(SPACE_OPERATIONS, 'list', { show: { resource: ['space'] } }),
	parameters: SPACE_OPERATIONS.flatMap(({ run }) => run.properties),
};
