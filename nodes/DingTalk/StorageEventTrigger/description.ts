import type { INodeProperties } from 'n8n-workflow';

import { sortedOptions, watchedProperties, watchOptions } from '../n8n/watchProperties';
import { DEFAULT_RECONCILE_EVERY_HOURS } from './trigger/listen';

/** The Event Trigger's parameters: the polling trigger's where they mean the same (names fixed). */
export const eventTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Needs the app\'s Stream mode (Developer Console → Events & Callbacks → Stream mode, storage events on) and the "Storage.Event.Write" permission. Use one app per n8n instance for Stream mode: DingTalk shares an app\'s events among all its connections. See the README.',
		name: 'streamNotice',
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
				displayName: 'Reconcile Every (Hours)',
				name: 'reconcileEvery',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 8760 },
				default: DEFAULT_RECONCILE_EVERY_HOURS,
				description:
					'How often the watched folder is listed and compared with what the trigger knows, to catch what DingTalk does not announce (Knowledge Base documents) and what was missed while the connection was down. 0: only at activation. Each listing costs one call per 50 entries of every watched folder.',
			},
		]),
	},
];
