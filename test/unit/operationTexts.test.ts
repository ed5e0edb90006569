/**
 * One table of texts per operation picker (n8n/operationTexts.ts): the node's picker and its
 * twin for an AI agent's tool type both come from it, and each of the Storage node's
 * resources runs exactly the operations its picker offers.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DingTalkStorage } from '../../nodes/DingTalk/Storage/DingTalkStorage.node';
import { fileOperations } from '../../nodes/DingTalk/Storage/actions/file';
import { folderOperations } from '../../nodes/DingTalk/Storage/actions/folder';
import { spaceOperations } from '../../nodes/DingTalk/Storage/actions/space';
import { operationPickers } from '../../nodes/DingTalk/n8n/operationTexts';
import { NAMES_ARE_DATA } from '../../nodes/DingTalk/n8n/toolMode';

type Option = { name: string; value: string; description: string; action: string };

const TABLE = [
	{
		name: 'Get',
		value: 'get',
		description: "Get a thing's details (all of them)",
		action: 'Get a thing',
		agent: { description: "Get a thing's details", action: 'Get a DingTalk thing' },
	},
	{
		name: 'List',
		value: 'list',
		description: 'List things',
		action: 'List things',
		agent: { action: 'List DingTalk things' },
	},
	{ name: 'Upload', value: 'upload', description: 'Upload a thing', action: 'Upload a thing' },
];

test('the node picker shows every operation of the table, in its order, with its own texts', () => {
	const [, forNode] = operationPickers(TABLE, 'list', { show: { resource: ['thing'] } });
	expect(forNode).toEqual({
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['thing'], '@tool': [false] } },
		options: TABLE.map(({ name, value, description, action }) => ({
			name,
			value,
			description,
			action,
		})),
		default: 'list',
	});
});

test("the tool picker comes first, offers only the agent's operations, in words for its model", () => {
	const [forTool] = operationPickers(TABLE, 'list');
	expect(forTool.displayOptions).toEqual({ show: { '@tool': [true] } });
	expect(forTool.options).toEqual([
		{
			name: 'Get',
			value: 'get',
			description: "Get a thing's details",
			action: `Get a DingTalk thing ${NAMES_ARE_DATA}`,
		},
		// No description of its own for the agent: the node's.
		{
			name: 'List',
			value: 'list',
			description: 'List things',
			action: `List DingTalk things ${NAMES_ARE_DATA}`,
		},
	]);
});

test.each([
	['file', fileOperations],
	['folder', folderOperations],
	['space', spaceOperations],
])('%s: the picker offers exactly the operations that run, in the same order', (resource, run) => {
	const picker = new DingTalkStorage().description.properties.find(
		(property: INodeProperties) =>
			property.name === 'operation' &&
			property.displayOptions?.show?.resource?.[0] === resource &&
			property.displayOptions?.show?.['@tool']?.[0] === false,
	);
	expect((picker!.options as Option[]).map((option) => option.value)).toEqual(Object.keys(run));
});
