import type { INodeProperties } from 'n8n-workflow';

import { fileProperty } from '../common/parameters';
import type { StorageOperation } from '../types';
import { copy } from './copy.operation';
import { deleteItem } from './delete.operation';
import { download } from './download.operation';
import { get } from './get.operation';
import { listVersions } from './listVersions.operation';
import { move } from './move.operation';
import { rename } from './rename.operation';
import { upload } from './upload.operation';

export const fileOperations: Record<string, StorageOperation> = { copy, delete: deleteItem, download, get, listVersions, move, rename, upload };

/** The operation picker, the file pickers, and each operation's own parameters. */
export const fileProperties: { operation: INodeProperties; pickers: INodeProperties[]; parameters: INodeProperties[] } = {
	operation: {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['file'] } },
		options: [
			{ name: 'Copy', value: 'copy', description: 'Copy a file into a folder', action: 'Copy a file' },
			{ name: 'Delete', value: 'delete', description: 'Delete a file (to the recycle bin by default)', action: 'Delete a file' },
			{ name: 'Download', value: 'download', description: 'Download a file as binary data', action: 'Download a file' },
			{ name: 'Get', value: 'get', description: "Get a file's details", action: 'Get a file' },
			{ name: 'List Versions', value: 'listVersions', description: "List a file's versions", action: 'List the versions of a file' },
			{ name: 'Move', value: 'move', description: 'Move a file into another folder', action: 'Move a file' },
			{ name: 'Rename', value: 'rename', description: 'Rename a file', action: 'Rename a file' },
			{ name: 'Upload', value: 'upload', description: 'Upload binary data as a file into a folder', action: 'Upload a file' },
		],
		default: 'download',
	},
	pickers: [
		fileProperty(Object.keys(fileOperations).filter((operation) => operation !== 'upload')),
	],
	parameters: Object.values(fileOperations).flatMap((operation) => operation.properties),
};
