import type { INodeProperties } from 'n8n-workflow';

import { fileLocator, folderLocator, operatorProperty, spaceLocator } from './locators';
import { DEFAULT_MAX_DEPTH } from '../shared/storage/listing';

/**
 * The parameters both storage triggers have (the same names, meaning the same): what is
 * watched, which changes, and the options of the items (see watch.ts).
 */

export const watchedProperties: INodeProperties[] = [
	spaceLocator('spaceId', 'Space', {
		required: true,
		description: 'The DingTalk space (Drive or Knowledge Base) to watch',
	}),
	{
		displayName: 'Watch',
		name: 'watch',
		type: 'options',
		default: 'folder',
		options: [
			{
				name: 'Folder',
				value: 'folder',
				description: 'The files in a folder (and its sub-folders, with Recursive)',
			},
			{
				name: 'File',
				value: 'file',
				description:
					'One file: a new version, a new name or a move is Updated; its deletion is Deleted',
			},
		],
		description: 'Whether to watch a folder or one file',
	},
	folderLocator('folderId', 'Folder', {
		required: false,
		rootByDefault: true,
		description: "The folder to watch: pick it, or give its ID (0: the space's root) or its path",
		displayOptions: { show: { watch: ['folder'] } },
	}),
	fileLocator('fileId', 'File', {
		description: 'The file to watch: pick it, or give its ID or its path',
		displayOptions: { show: { watch: ['file'] } },
	}),
	operatorProperty('the folder is read'),
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		default: ['created', 'updated'],
		options: [
			{
				name: 'Created',
				value: 'created',
				description:
					'A file appeared: uploaded, copied, or moved in from outside the watched folder',
			},
			{
				name: 'Deleted',
				value: 'deleted',
				description: 'A file went away: deleted, or moved out of the watched folder',
			},
			{
				name: 'Updated',
				value: 'updated',
				description:
					'A file got new contents (a new version), a new name, or moved within the watched folder',
			},
		],
		description: 'Which changes start the workflow',
	},
];

/** The options both triggers offer; each trigger adds its own and sorts them by name. */
export const watchOptions: INodeProperties[] = [
	{
		displayName: 'Download Files',
		name: 'download',
		type: 'boolean',
		default: false,
		description:
			'Whether to attach each created or updated file as binary data (through the same engine as the Download node). A file that cannot be downloaded is reported on its item (downloadError) without stopping the others.',
	},
	{
		displayName: 'File Extensions',
		name: 'fileExtensions',
		type: 'string',
		default: '',
		placeholder: 'e.g. pdf,docx',
		description:
			'Only files with these extensions (comma-separated, without dots); empty: every file',
	},
	{
		displayName: 'Include Folders',
		name: 'includeFolders',
		type: 'boolean',
		default: false,
		description:
			'Whether to report folders themselves (created, renamed, moved, deleted), not only files',
	},
	{
		displayName: 'Max Depth',
		name: 'maxDepth',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
		default: DEFAULT_MAX_DEPTH,
		description:
			"With Recursive: how many levels to watch. 1 is the folder's own entries. Every folder watched costs at least one call per listing (each poll; the Event Trigger's reconciles).",
	},
	{
		displayName: 'Max Download Size (Bytes)',
		name: 'maxDownloadSize',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description:
			'With Download Files: larger files are reported without binary data (with a downloadSkipped reason). 0: no limit.',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'With Download Files: the name of the binary field to put each file in',
	},
	{
		displayName: 'Recursive',
		name: 'recursive',
		type: 'boolean',
		default: false,
		description: 'Whether to watch the sub-folders too (see Max Depth)',
	},
];

/** `options`, sorted by display name as n8n's linter wants. */
export function sortedOptions(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
