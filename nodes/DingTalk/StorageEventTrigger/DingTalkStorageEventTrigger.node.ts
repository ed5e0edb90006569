import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { dingTalkApiTest } from '../n8n/credentialTest';
import { searchFiles, searchFolders, searchSpaces } from '../n8n/listSearch';
import { toNodeError } from '../n8n/nodeErrors';
import { eventTriggerProperties } from './description';
import { listenForEvents } from './trigger/listen';

/** "DingTalk Storage Event Trigger": starts the workflow the moment DingTalk reports a change (Stream mode), and reconciles so that nothing is missed. */
export class DingTalkStorageEventTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Storage Event Trigger',
		name: 'dingTalkStorageEventTrigger',
		icon: {
			light: 'file:../../../icons/dingtalk.svg',
			dark: 'file:../../../icons/dingtalk.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Instant: " + $parameter["events"].join(", ")}}',
		description:
			'Starts the workflow the moment files in a DingTalk storage folder are created, updated or deleted (Stream mode)',
		defaults: { name: 'DingTalk Storage Event Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' }],
		properties: eventTriggerProperties,
	};

	methods = {
		credentialTest: { dingTalkApiTest },
		listSearch: { searchSpaces, searchFolders, searchFiles },
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		try {
			return await listenForEvents(this);
		} catch (error) {
			throw toNodeError(this.getNode(), error, 0);
		}
	}
}
