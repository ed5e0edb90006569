import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { runsAsTool } from '../../n8n/toolMode';
import type { Resource } from './types';

/**
 * What an AI agent may change. As an agent's tool the node runs with arguments a model
 * chose, and a model follows what it reads, including instructions a colleague wrote into a
 * file's name. So, as a tool, the operations that change files or folders run only when the
 * node's owner turned "Allow Changes by the Agent" on; the others only read.
 */
export const CHANGE_OPERATIONS: Record<Resource, ReadonlySet<string>> = {
	file: new Set([
		'copy',
		'createFromText',
		'delete',
		'move',
		'removeProperties',
		'rename',
		'revertToVersion',
		'setProperties',
		'updateContent',
		'upload',
	]),
	folder: new Set([
		'copy',
		'create',
		'delete',
		'move',
		'removeProperties',
		'rename',
		'setProperties',
	]),
	space: new Set(),
	permission: new Set(['add', 'remove', 'setInheritance', 'update']),
	recycleBin: new Set(['deletePermanently', 'empty', 'restore']),
};

/**
 * Never run by an agent, whatever the option says: what needs binary input (an agent has
 * none), and what deletes for good with no way back.
 */
const NEVER_FOR_AGENTS: Partial<Record<Resource, Record<string, string>>> = {
	file: { upload: 'Upload', updateContent: 'Update Content' },
	recycleBin: { deletePermanently: 'Delete Permanently', empty: 'Empty' },
};

/**
 * What gives access to a file's content: a link opens the file for whoever holds it, so an
 * agent gets one only when the node's owner turned "Allow Links for the Agent" on.
 */
export const LINK_OPERATIONS: Partial<Record<Resource, ReadonlySet<string>>> = {
	file: new Set(['getLink']),
};

const CHANGE_OPERATION_NAMES = [
	...new Set(
		Object.entries(CHANGE_OPERATIONS).flatMap(([resource, operations]) =>
			[...operations].filter((operation) => !NEVER_FOR_AGENTS[resource as Resource]?.[operation]),
		),
	),
].sort();

/** Shown in the tool type only, for the operations that change something. */
const showForAgentChanges: INodeProperties['displayOptions'] = {
	show: { '@tool': [true], operation: CHANGE_OPERATION_NAMES },
};

/** The option and the notice that says what it gives away. */
export const agentChangesProperties: INodeProperties[] = [
	{
		displayName: 'Allow Changes by the Agent',
		name: 'allowAgentChanges',
		type: 'boolean',
		default: false,
		description:
			'Whether the AI agent may run this operation. Off: the tool refuses, tells the model so, and sends nothing to DingTalk.',
		displayOptions: showForAgentChanges,
	},
	{
		displayName:
			"With Allow Changes by the Agent on, the agent can delete, move, rename and copy files and folders, create folders and files from text, revert versions, change who has access and restore from the recycle bin, with arguments its model chooses, also from what it reads (a file name can hold instructions). For destructive tools, consider n8n's human review of tool calls (Human-in-the-loop), so that a person approves each call.",
		name: 'allowAgentChangesNotice',
		type: 'notice',
		default: '',
		displayOptions: showForAgentChanges,
	},
	{
		displayName: 'Allow Links for the Agent',
		name: 'allowAgentLinks',
		type: 'boolean',
		default: false,
		description:
			'Whether the AI agent may get links to files. A link opens the file for whoever holds it (a preview link without Require Login, without signing in), and the model may pass it on. Off: the tool refuses and sends nothing to DingTalk.',
		displayOptions: { show: { '@tool': [true], resource: ['file'], operation: ['getLink'] } },
	},
];

const DONE: Record<string, string> = {
	add: 'shared',
	copy: 'copied',
	create: 'created',
	createFromText: 'created',
	delete: 'deleted',
	move: 'moved',
	remove: 'removed',
	removeProperties: 'changed',
	setProperties: 'changed',
	rename: 'renamed',
	restore: 'restored',
	revertToVersion: 'reverted',
	setInheritance: 'changed',
	update: 'changed',
};

/**
 * As an agent's tool, a change operation without the option on is refused: the answer the
 * model reads instead of the change, given before any item runs, so nothing is sent to
 * DingTalk. It is a regular item, not an error: n8n 2.x passes a tool's error message to the
 * model, but n8n 1.x (AI Agent 3.x) ends the whole execution on a tool's error, and the model
 * must learn that the change was not made. Undefined: the operation may run.
 */
export function agentChangeRefusal(
	ctx: IExecuteFunctions,
	resource: Resource,
	operation: string,
): IDataObject | undefined {
	if (!runsAsTool(ctx.getNode())) return undefined;
	if (LINK_OPERATIONS[resource]?.has(operation)) {
		if (ctx.getNodeParameter('allowAgentLinks', 0, false) === true) return undefined;
		return {
			refused: true,
			error:
				'Refused: this tool may not get links to files (Allow Links for the Agent is off), so no link was made and nothing was sent to DingTalk. Tell the user that no link was made.',
		};
	}
	if (!CHANGE_OPERATIONS[resource]?.has(operation)) return undefined;
	// Never offered, always refused: binary input an agent cannot give, or no way back.
	const never = NEVER_FOR_AGENTS[resource]?.[operation];
	if (never) {
		return {
			refused: true,
			error: `Refused: ${never} is not available to AI agents, so nothing was changed and nothing was sent to DingTalk.`,
		};
	}
	if (ctx.getNodeParameter('allowAgentChanges', 0, false) === true) return undefined;
	return {
		refused: true,
		error: `Refused: this tool may not change files (Allow Changes by the Agent is off), so nothing was ${DONE[operation]} and nothing was sent to DingTalk. Tell the user that the change was not made.`,
	};
}
