import type { INodeProperties } from 'n8n-workflow';

import { folderProperty } from '../common/parameters';
import type { StorageOperation } from '../types';
import { copy } from './copy.operation';
import { create } from './create.operation';
import { deleteItem } from './delete.operation';
import { list } from './list.operation';
import { move } from './move.operation';
import { rename } from './rename.operation';

export const folderOperations: Record<string, StorageOperation> = {
	copy,
	create,
	delete: deleteItem,
	list,
	move,
	rename,
};

/** The operation picker, the folder pickers, and each operation's own parameters. */
/** The operations an AI agent may be given, in words for its model. */
export const folderToolTexts: Record<string, { description: string; action: string }> = {
	list: {
		description: "List a folder's files and folders",
		action:
			"List a DingTalk folder (folder ID 0 is the space's root). Returns for each entry: name, type (FILE or FOLDER), spaceId, dentryId, size, path, modifiedTime",
	},
	create: {
		description: 'Create a folder (or get the one of that name)',
		action:
			'Create a DingTalk folder (or return the existing one of that name); returns its dentryId',
	},
	copy: {
		description: 'Copy a folder with everything in it',
		action: 'Copy a DingTalk folder with everything in it; returns the copy',
	},
	move: {
		description: 'Move a folder with everything in it',
		action: 'Move a DingTalk folder with everything in it; returns the moved folder',
	},
	rename: {
		description: 'Rename a folder',
		action: 'Rename a DingTalk folder; returns the renamed folder',
	},
	delete: {
		description: 'Delete a folder with everything in it',
		action: 'Delete a DingTalk folder with everything in it (to the recycle bin by default)',
	},
};

export const folderProperties: {
	operation: INodeProperties;
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operation: {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['folder'] } },
		options: [
			{
				name: 'Copy',
				value: 'copy',
				description: 'Copy a folder with everything in it',
				action: 'Copy a folder',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Create a folder (or get the one of that name)',
				action: 'Create a folder',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a folder with everything in it (to the recycle bin by default)',
				action: 'Delete a folder',
			},
			{
				name: 'List',
				value: 'list',
				description: "List a folder's files and folders, optionally its whole tree",
				action: 'List a folder',
			},
			{
				name: 'Move',
				value: 'move',
				description: 'Move a folder with everything in it',
				action: 'Move a folder',
			},
			{
				name: 'Rename',
				value: 'rename',
				description: 'Rename a folder',
				action: 'Rename a folder',
			},
		],
		default: 'list',
	},
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
		folderProperty(['copy', 'move', 'rename', 'delete'], {
			description: 'The folder: pick it, or give its ID or its path',
			rootByDefault: false,
		}),
	],
	parameters: Object.values(folderOperations).flatMap((operation) => operation.properties),
};
