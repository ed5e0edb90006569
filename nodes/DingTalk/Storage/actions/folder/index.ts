import type { INodeProperties } from 'n8n-workflow';

import { operationPickers } from '../../../n8n/operationTexts';
import { folderProperty } from '../common/parameters';
import type { ResourceOperation, StorageOperation } from '../types';
import { removePropertiesOperation, setPropertiesOperation } from '../common/appProperties';
import { copy } from './copy.operation';
import { create } from './create.operation';
import { deleteItem } from './delete.operation';
import { list } from './list.operation';
import { move } from './move.operation';
import { rename } from './rename.operation';

/** Every folder operation once, by name. */
const FOLDER_OPERATIONS: ResourceOperation[] = [
	{
		name: 'Copy',
		value: 'copy',
		description: 'Copy a folder with everything in it',
		action: 'Copy a folder',
		agent: { action: 'Copy a DingTalk folder with everything in it; returns the copy' },
		run: copy,
	},
	{
		name: 'Create',
		value: 'create',
		description: 'Create a folder (or get the one of that name)',
		action: 'Create a folder',
		agent: {
			action:
				'Create a DingTalk folder (or return the existing one of that name); returns its dentryId',
		},
		run: create,
	},
	{
		name: 'Delete',
		value: 'delete',
		description: 'Delete a folder with everything in it (to the recycle bin by default)',
		action: 'Delete a folder',
		agent: {
			description: 'Delete a folder with everything in it',
			action: 'Delete a DingTalk folder with everything in it (to the recycle bin by default)',
		},
		run: deleteItem,
	},
	{
		name: 'List',
		value: 'list',
		description: "List a folder's files and folders, optionally its whole tree",
		action: 'List a folder',
		agent: {
			description: "List a folder's files and folders",
			action:
				"List a DingTalk folder (folder ID 0 is the space's root). Returns for each entry: name, type (FILE or FOLDER), spaceId, dentryId, size, path, modifiedTime",
		},
		run: list,
	},
	{
		name: 'Move',
		value: 'move',
		description: 'Move a folder with everything in it',
		action: 'Move a folder',
		agent: { action: 'Move a DingTalk folder with everything in it; returns the moved folder' },
		run: move,
	},
	{
		name: 'Remove Properties',
		value: 'removeProperties',
		description: "Remove this app's properties from a folder",
		action: "Remove a folder's properties",
		agent: { action: "Remove this app's properties (by name) from a DingTalk folder" },
		run: removePropertiesOperation('folder'),
	},
	{
		name: 'Rename',
		value: 'rename',
		description: 'Rename a folder',
		action: 'Rename a folder',
		agent: { action: 'Rename a DingTalk folder; returns the renamed folder' },
		run: rename,
	},
	{
		name: 'Set Properties',
		value: 'setProperties',
		description: "Set this app's own name/value properties on a folder (at most 3)",
		action: "Set a folder's properties",
		agent: {
			action:
				"Set this app's own name/value properties on a DingTalk folder (at most 3), for example to mark it processed",
		},
		run: setPropertiesOperation('folder'),
	},
];

export const folderOperations: Record<string, StorageOperation> = Object.fromEntries(
	FOLDER_OPERATIONS.map(({ value, run }) => [value, run]),
);

/** The operation picker (and its twin for agents), the folder pickers, each operation's parameters. */
export const folderProperties: {
	operations: INodeProperties[];
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operations: operationPickers(FOLDER_OPERATIONS, 'list', { show: { resource: ['folder'] } }),
	pickers: [
		folderProperty(['list'], {
			description: "The folder to list: pick it, or give its ID (0: the space's root) or its path",
			rootByDefault: true,
		}),
		folderProperty(['create'], {
			displayName: 'Parent Folder',
			description:
				"Where to create the folder: pick it, or give its ID (0: the space's root) or its path",
			rootByDefault: true,
		}),
		folderProperty(['copy', 'move', 'rename', 'delete', 'setProperties', 'removeProperties'], {
			description: 'The folder: pick it, or give its ID or its path',
			rootByDefault: false,
		}),
	],
	parameters: FOLDER_OPERATIONS.flatMap(({ run }) => run.properties),
};
