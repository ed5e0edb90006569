import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { InputError } from '../shared/errors';

/**
 * AI agents. A node marked `usableAsTool` gets a second type, `<name>Tool`, that an AI
 * Agent calls with arguments its model chose; what the node outputs goes back to the model
 * as text (items' JSON; n8n drops binary data there, see README "AI agents"). So in tool
 * mode nothing may return a credential: no signed URL or header, no token. Downloads
 * return the file's details and leave its content out.
 */

/** Whether this run is an AI agent's tool call (n8n names the tool type `<name>Tool`). */
export function runsAsTool(node: INode): boolean {
	return node.type.endsWith('Tool');
}

/** What a download answers an agent, next to the file's details. */
export const CONTENT_LEFT_OUT: IDataObject = {
	contentIncluded: false,
	note: 'The file content is not passed to AI agents. To get the file, use its spaceId and dentryId in a DingTalk Storage Download node in a workflow.',
};

/** The refusal of Get Download Info in tool mode (its answer opens the file for anyone). */
export function downloadInfoRefused(): InputError {
	return new InputError(
		'operation',
		'Get Download Info is not available to AI agents: its answer holds signed headers that open the file for 15 minutes',
		'Use "Download File" (the agent gets the file details), or Get Download Info in a regular workflow step.',
	);
}

/**
 * An operation picker twice: as it is (`@tool` false) and, for the tool type, with only
 * `offered` options and their texts for a model. n8n shows the one that matches; the tool
 * copy comes first, as n8n's automatic tool description reads the first one.
 */
export function pickerForToolAndNode(picker: INodeProperties, offered: Record<string, { description: string; action: string }>): INodeProperties[] {
	const show = picker.displayOptions?.show ?? {};
	const options = (picker.options ?? []) as Array<{ name: string; value: string; description?: string; action?: string }>;
	return [
		{
			...picker,
			displayOptions: { ...picker.displayOptions, show: { ...show, '@tool': [true] } },
			options: options.filter((option) => option.value in offered).map((option) => ({ ...option, ...offered[option.value] })),
		},
		{ ...picker, displayOptions: { ...picker.displayOptions, show: { ...show, '@tool': [false] } } },
	];
}
