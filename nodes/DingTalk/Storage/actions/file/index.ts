import type { INodeProperties } from 'n8n-workflow';

import { operationPickers } from '../../../n8n/operationTexts';
import { fileProperty } from '../common/parameters';
import type { ResourceOperation, StorageOperation } from '../types';
import { copy } from './copy.operation';
import { deleteItem } from './delete.operation';
import { download } from './download.operation';
import { get } from './get.operation';
import { listVersions } from './listVersions.operation';
import { move } from './move.operation';
import { rename } from './rename.operation';
import { search } from './search.operation';
import { upload } from './upload.operation';

/** Every file operation once, by name; no Upload for an AI agent (it has no binary data). */
const FILE_OPERATIONS: ResourceOperation[] = [
	{
		name: 'Copy',
		value: 'copy',
		description: 'Copy a file into a folder',
		action: 'Copy a file',
		agent: { action: 'Copy a DingTalk file into a folder; returns the copy with its dentryId' },
		run: copy,
	},
	{
		name: 'Delete',
		value: 'delete',
		description: 'Delete a file (to the recycle bin by default)',
		action: 'Delete a file',
		agent: { action: 'Delete a DingTalk file (to the recycle bin by default)' },
		run: deleteItem,
	},
	{
		name: 'Download',
		value: 'download',
		description: 'Download a file as binary data',
		action: 'Download a file',
		agent: {
			description: "Get a file's details; its content is not passed to the agent",
			action:
				'Look up a DingTalk file for download: returns its details; the content itself is never passed to the agent',
		},
		run: download,
	},
	{
		name: 'Get',
		value: 'get',
		description: "Get a file's details",
		action: 'Get a file',
		agent: {
			action:
				"Get a DingTalk file's details (name, type, size, path, version, modifiedTime) by its spaceId and dentryId",
		},
		run: get,
	},
	{
		name: 'List Versions',
		value: 'listVersions',
		description: "List a file's versions",
		action: 'List the versions of a file',
		agent: {
			action: "List a DingTalk file's versions (version, size, modifiedTime), newest first",
		},
		run: listVersions,
	},
	{
		name: 'Move',
		value: 'move',
		description: 'Move a file into another folder',
		action: 'Move a file',
		agent: { action: 'Move a DingTalk file into another folder; returns the moved file' },
		run: move,
	},
	{
		name: 'Rename',
		value: 'rename',
		description: 'Rename a file',
		action: 'Rename a file',
		agent: { action: 'Rename a DingTalk file; returns the renamed file' },
		run: rename,
	},
	{
		name: 'Search',
		value: 'search',
		description: 'Find files and folders by name in every space the operator can see',
		action: 'Search files',
		agent: {
			action:
				'Search DingTalk files by name. Returns for each match: name, spaceId, dentryId, type, size, folderPath, modifiedTime',
		},
		run: search,
	},
	{
		name: 'Upload',
		value: 'upload',
		description: 'Upload binary data as a file into a folder',
		action: 'Upload a file',
		run: upload,
	},
];

export const fileOperations: Record<string, StorageOperation> = Object.fromEntries(
	FILE_OPERATIONS.map(({ value, run }) => [value, run]),
);

/** The operation picker (and its twin for agents), the file picker, each operation's parameters. */
export const fileProperties: {
	operations: INodeProperties[];
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operations: operationPickers(FILE_OPERATIONS, 'download', { show: { resource: ['file'] } }),
	pickers: [
		fileProperty(
			Object.keys(fileOperations).filter(
				(operation) => operation !== 'upload' && operation !== 'search',
			),
		),
	],
	parameters: FILE_OPERATIONS.flatMap(({ run }) => run.properties),
};
