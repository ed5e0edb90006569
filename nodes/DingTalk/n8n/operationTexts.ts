import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { pickerForToolAndNode } from './toolMode';

/**
 * One operation's texts, written once: as a node's Operation picker shows it, and, when an
 * AI agent is offered it, as the agent's model reads it.
 */
export interface OperationTexts {
	name: string;
	value: string;
	description: string;
	action: string;
	/**
	 * Offered to an AI agent, in words for its model: its action (n8n's tool description) and,
	 * when the node's own would mislead a model, its description. Absent: never offered.
	 */
	agent?: { action: string; description?: string };
}

/**
 * The Operation picker of `operations` (in the order given: n8n wants them by name), for the
 * node and, with the operations an agent is offered, for its tool type (pickerForToolAndNode).
 */
export function operationPickers(
	operations: OperationTexts[],
	defaultOperation: string,
	displayOptions?: IDisplayOptions,
): INodeProperties[] {
	const offered: Record<string, { description: string; action: string }> = {};
	for (const { value, description, agent } of operations)
		if (agent)
			offered[value] = { description: agent.description ?? description, action: agent.action };
	return pickerForToolAndNode(
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			...(displayOptions && { displayOptions }),
			options: operations.map(({ name, value, description, action }) => ({
				name,
				value,
				description,
				action,
			})),
			default: defaultOperation,
		},
		offered,
	);
}
