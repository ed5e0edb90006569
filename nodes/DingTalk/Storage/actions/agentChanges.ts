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
	file: new Set(['copy', 'delete', 'move', 'rename', 'upload']),
	folder: new Set(['copy', 'create', 'delete', 'move', 'rename']),
	space: new Set(),
};

const CHANGE_OPERATION_NAMES = [
	...new Set([...CHANGE_OPERATIONS.file, ...CHANGE_OPERATIONS.folder]),
];

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
			"With Allow Changes by the Agent on, the agent can delete, move, rename and copy files and folders and create folders, with arguments its model chooses, also from what it reads (a file name can hold instructions). For destructive tools, consider n8n's human review of tool calls (Human-in-the-loop), so that a person approves each call.",
		name: 'allowAgentChangesNotice',
		type: 'notice',
		default: '',
		displayOptions: showForAgentChanges,
	},
];

const DONE: Record<string, string> = {
	copy: 'copied',
	create: 'created',
	delete: 'deleted',
	move: 'moved',
	rename: 'renamed',
	upload: 'uploaded',
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
	if (!runsAsTool(ctx.getNode()) || !CHANGE_OPERATIONS[resource]?.has(operation)) return undefined;
	// Upload needs binary input, which an agent cannot give: never offered, always refused.
	if (operation === 'upload') {
		return {
			refused: true,
			error:
				'Refused: Upload is not available to AI agents, so nothing was uploaded and nothing was sent to DingTalk.',
		};
	}
	if (ctx.getNodeParameter('allowAgentChanges', 0, false) === true) return undefined;
	return {
		refused: true,
		error: `Refused: this tool may not change files (Allow Changes by the Agent is off), so nothing was ${DONE[operation]} and nothing was sent to DingTalk. Tell the user that the change was not made.`,
	};
}
