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
import { search } from './search.operation';
import { upload } from './upload.operation';

export const fileOperations: Record<string, StorageOperation> = {
	copy,
	delete: deleteItem,
	download,
	get,
	listVersions,
	move,
	rename,
	search,
	upload,
};

/** The operation picker, the file pickers, and each operation's own parameters. */
/** The operations an AI agent may be given, in words for its model (no Upload: an agent has no binary data). */
export const fileToolTexts: Record<string, { description: string; action: string }> = {
	search: {
		description: 'Find files and folders by name in every space the operator can see',
		action:
			'Search DingTalk files by name. Returns for each match: name, spaceId, dentryId, type, size, folderPath, modifiedTime',
	},
	get: {
		description: "Get a file's details",
		action:
			"Get a DingTalk file's details (name, type, size, path, version, modifiedTime) by its spaceId and dentryId",
	},
	listVersions: {
		description: "List a file's versions",
		action: "List a DingTalk file's versions (version, size, modifiedTime), newest first",
	},
	download: {
		description: "Get a file's details; its content is not passed to the agent",
		action:
			'Look up a DingTalk file for download: returns its details; the content itself is never passed to the agent',
	},
	copy: {
		description: 'Copy a file into a folder',
		action: 'Copy a DingTalk file into a folder; returns the copy with its dentryId',
	},
	move: {
		description: 'Move a file into another folder',
		action: 'Move a DingTalk file into another folder; returns the moved file',
	},
	rename: {
		description: 'Rename a file',
		action: 'Rename a DingTalk file; returns the renamed file',
	},
	delete: {
		description: 'Delete a file (to the recycle bin by default)',
		action: 'Delete a DingTalk file (to the recycle bin by default)',
	},
};

export const fileProperties: {
	operation: INodeProperties;
	pickers: INodeProperties[];
	parameters: INodeProperties[];
} = {
	operation: {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['file'] } },
		options: [
			{
				name: 'Copy',
				value: 'copy',
				description: 'Copy a file into a folder',
				action: 'Copy a file',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a file (to the recycle bin by default)',
				action: 'Delete a file',
			},
			{
				name: 'Download',
				value: 'download',
				description: 'Download a file as binary data',
				action: 'Download a file',
			},
			{ name: 'Get', value: 'get', description: "Get a file's details", action: 'Get a file' },
			{
				name: 'List Versions',
				value: 'listVersions',
				description: "List a file's versions",
				action: 'List the versions of a file',
			},
			{
				name: 'Move',
				value: 'move',
				description: 'Move a file into another folder',
				action: 'Move a file',
			},
			{ name: 'Rename', value: 'rename', description: 'Rename a file', action: 'Rename a file' },
			{
				name: 'Search',
				value: 'search',
				description: 'Find files and folders by name in every space the operator can see',
				action: 'Search files',
			},
			{
				name: 'Upload',
				value: 'upload',
				description: 'Upload binary data as a file into a folder',
				action: 'Upload a file',
			},
		],
		default: 'download',
	},
	pickers: [
		fileProperty(
			Object.keys(fileOperations).filter(
				(operation) => operation !== 'upload' && operation !== 'search',
			),
		),
	],
	parameters: Object.values(fileOperations).flatMap((operation) => operation.properties),
};
