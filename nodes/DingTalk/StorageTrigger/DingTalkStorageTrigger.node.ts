import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { dingTalkApiTest } from '../n8n/credentialTest';
import { searchFiles, searchFolders, searchSpaces } from '../n8n/listSearch';
import { toNodeError } from '../n8n/nodeErrors';
import { triggerProperties } from './description';
import { pollStorage } from './trigger/poll';

/** "DingTalk Storage Trigger": starts the workflow when files in a folder are created, updated or deleted. */
export class DingTalkStorageTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Storage Trigger',
		name: 'dingTalkStorageTrigger',
		icon: {
			light: 'file:../../../icons/dingtalk.svg',
			dark: 'file:../../../icons/dingtalk.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Watching: " + $parameter["events"].join(", ")}}',
		description:
			'Starts the workflow when files in a DingTalk storage folder are created, updated or deleted',
		defaults: { name: 'DingTalk Storage Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' }],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: { dingTalkApiTest },
		listSearch: { searchSpaces, searchFolders, searchFiles },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		try {
			return await pollStorage(this);
		} catch (error) {
			// A failed poll emits nothing and keeps the state: the next poll sees the same changes.
			throw toNodeError(this.getNode(), error, 0);
		}
	}
}
