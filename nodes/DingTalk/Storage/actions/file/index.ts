import type { INodeProperties } from 'n8n-workflow';

import { operationPickers } from '../../../n8n/operationTexts';
import { fileProperty } from '../common/parameters';
import type { ResourceOperation, StorageOperation } from '../types';
import { removePropertiesOperation, setPropertiesOperation } from '../common/appProperties';
import { copy } from './copy.operation';
import { createFromText } from './createFromText.operation';
import { deleteItem } from './delete.operation';
import { download } from './download.operation';
import { get } from './get.operation';
import { getLink } from './getLink.operation';
import { listVersions } from './listVersions.operation';
import { move } from './move.operation';
import { rename } from './rename.operation';
import { revertToVersion } from './revertToVersion.operation';
import { search } from './search.operation';
import { updateContent } from './updateContent.operation';
import { upload } from './upload.operation';

/** Every file operation once, by name; no Upload or Update Content for an AI agent (it has no binary data). */
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
		name: 'Create From Text',
		value: 'createFromText',
		description: 'Save a text as a new file (UTF-8)',
		action: 'Create a file from text',
		agent: {
			action:
				'Save a text as a new DingTalk file (UTF-8) in a folder, for example a summary as 摘要.md; returns the new file with its dentryId',
		},
		run: createFromText,
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
		name: 'Get Link',
		value: 'getLink',
		description: "Get a link that opens the file in DingTalk's viewer or editor",
		action: 'Get a link to a file',
		agent: {
			action:
				"Get a link that opens a DingTalk file in DingTalk's viewer (PREVIEW) or editor (EDIT); returns url, what the link allows and how long it lives",
		},
		run: getLink,
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
		name: 'Remove Properties',
		value: 'removeProperties',
		description: "Remove this app's properties from a file",
		action: "Remove a file's properties",
		agent: { action: "Remove this app's properties (by name) from a DingTalk file" },
		run: removePropertiesOperation('file'),
	},
	{
		name: 'Revert to Version',
		value: 'revertToVersion',
		description: "Make an older version's content the file's new latest version",
		action: 'Revert a file to a version',
		agent: {
			action:
				"Revert a DingTalk file to an earlier version: that version's content becomes a new latest version; returns the file",
		},
		run: revertToVersion,
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
		name: 'Set Properties',
		value: 'setProperties',
		description: "Set this app's own name/value properties on a file (at most 3)",
		action: "Set a file's properties",
		agent: {
			action:
				"Set this app's own name/value properties on a DingTalk file (at most 3), for example to mark it processed",
		},
		run: setPropertiesOperation('file'),
	},
	{
		name: 'Update Content',
		value: 'updateContent',
		description: "Replace a file's content with binary data (a new version; name and place kept)",
		action: 'Update the content of a file',
		run: updateContent,
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
				(operation) => !['upload', 'search', 'createFromText'].includes(operation),
			),
		),
	],
	parameters: FILE_OPERATIONS.flatMap(({ run }) => run.properties),
};
