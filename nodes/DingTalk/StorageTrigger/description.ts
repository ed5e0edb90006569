import type { INodeProperties } from 'n8n-workflow';

import { sortedOptions, watchedProperties, watchOptions } from '../n8n/watchProperties';

/** The trigger's parameters; the names are fixed (README, examples and tests rely on them). */
export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Each poll costs one DingTalk API call per 50 entries of every watched folder. On the standard edition all apps of an organization share about 5,000 calls a month: choose the poll interval with the table in the README.',
		name: 'quotaNotice',
		type: 'notice',
		default: '',
	},
	...watchedProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: sortedOptions([
			...watchOptions,
			{
				displayName: 'Max Items per Poll',
				name: 'maxItemsPerPoll',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: 200,
				description:
					'The most changes one poll emits, oldest first; the rest wait for the next poll. Bounds memory when Download Files is on.',
			},
		]),
	},
];
