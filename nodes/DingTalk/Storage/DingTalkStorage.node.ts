import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { dingTalkApiTest } from '../n8n/credentialTest';
import {
	searchFiles,
	searchFolders,
	searchItems,
	searchSpaces,
	searchTargetFolders,
} from '../n8n/listSearch';
import { agentChangesProperties } from './actions/agentChanges';
import { spacePickers, unionIdProperty } from './actions/common/parameters';
import { fileProperties } from './actions/file';
import { folderProperties } from './actions/folder';
import { permissionProperties } from './actions/permission';
import { recycleBinProperties } from './actions/recycleBin';
import { route } from './actions/router';
import { spaceProperties } from './actions/space';

/** "DingTalk Storage": files, folders and spaces. One file per operation under actions/. */
export class DingTalkStorage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Storage',
		name: 'dingTalkStorage',
		icon: {
			light: 'file:../../../icons/dingtalk.svg',
			dark: 'file:../../../icons/dingtalk.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Work with files, folders, permissions, the recycle bin and spaces in DingTalk storage (Drive, Knowledge Base)',
		defaults: { name: 'DingTalk Storage' },
		// No operation of this node returns a credential (a signed URL or header, a token); as
		// an AI agent's tool it offers no Upload, Download returns the file's details only,
		// changes run only with Allow Changes by the Agent on, and the model gets an
		// allow-list of fields (n8n/toolMode.ts, actions/agentChanges.ts, README "AI agents").
		usableAsTool: {
			replacements: {
				description:
					'Search, list and read the details of files, folders and spaces in DingTalk storage. Results carry spaceId and dentryId, which the other operations take.',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'File', value: 'file' },
					{ name: 'Folder', value: 'folder' },
					{ name: 'Permission', value: 'permission' },
					{ name: 'Recycle Bin', value: 'recycleBin' },
					{ name: 'Space', value: 'space' },
				],
				default: 'file',
			},
			...fileProperties.operations,
			...folderProperties.operations,
			...permissionProperties.operations,
			...recycleBinProperties.operations,
			...spaceProperties.operations,
			...agentChangesProperties,
			...spacePickers,
			...fileProperties.pickers,
			...folderProperties.pickers,
			...permissionProperties.pickers,
			...recycleBinProperties.pickers,
			unionIdProperty,
			...fileProperties.parameters,
			...folderProperties.parameters,
			...permissionProperties.parameters,
			...recycleBinProperties.parameters,
			...spaceProperties.parameters,
		],
	};

	methods = {
		credentialTest: { dingTalkApiTest },
		listSearch: { searchSpaces, searchFolders, searchTargetFolders, searchFiles, searchItems },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this);
	}
}
