import type { INodeProperties } from 'n8n-workflow';

import type { StorageOperation } from '../types';
import { get } from './get.operation';
import { list } from './list.operation';

export const spaceOperations: Record<string, StorageOperation> = { get, list };

/** The operation picker, the space pickers, and each operation's own parameters. */
/** The operations an AI agent may be given, in words for its model. */
export const spaceToolTexts: Record<string, { description: string; action: string }> = {
	list: {
		description: "List the organization's Drive spaces",
		action:
			"List the organization's DingTalk Drive spaces. Returns for each: spaceId, spaceName, quota, usedQuota",
	},
	get: {
		description: "Get a space's details",
		action: "Get a DingTalk space's name, quota and used space by its spaceId",
	},
};

export const spaceProperties: {
	operation: INodeProperties;
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operation: {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['space'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: "Get a space's details (name, quota, used space)",
				action: 'Get a space',
			},
			{
				name: 'List',
				value: 'list',
				description: "List the organization's Drive spaces",
				action: 'List spaces',
			},
		],
		default: 'list',
	},
	pickers: [],
	parameters: Object.values(spaceOperations).flatMap((operation) => operation.properties),
};
