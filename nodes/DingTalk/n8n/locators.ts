// The mode objects in this file are resource-locator modes, not parameters: a mode has no
// default, which n8n-nodes-base/node-param-default-missing cannot tell apart.
/* eslint-disable n8n-nodes-base/node-param-default-missing */
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyMode } from 'n8n-workflow';

import type { DingTalkClient } from '../shared/api/client';
import { InputError } from '../shared/errors';
import { isFolderEntry } from '../shared/helpers/paging';
import { requireId } from '../shared/helpers/validate';
import type { PathResolver } from '../shared/storage/listing';
import { ROOT_FOLDER_ID, type Dentry } from '../shared/storage/types';

/**
 * The pickers for spaces, folders and files (n8n resource locators), shared by every node
 * that names DingTalk items: "From list" (searchable, read through the credential), "By
 * ID", and for folders and files "By Path" (/合同/2026/a.pdf, resolved level by level).
 * A plain string saved in a workflow (or an expression) still works: it is read as an ID.
 */

type Displayed = INodeProperties['displayOptions'];


const ID_MODE: INodePropertyMode = {
	displayName: 'By ID',
	name: 'id',
	type: 'string',
	placeholder: 'e.g. 118459735262',
};

const PATH_MODE: INodePropertyMode = {
	displayName: 'By Path',
	name: 'path',
	type: 'string',
	placeholder: 'e.g. /合同/2026/采购合同.pdf',
	hint: 'From the space\'s root, folder by folder; names match exactly',
};

function listMode(method: string, placeholder: string): INodePropertyMode {
	return {
		displayName: 'From List',
		name: 'list',
		type: 'list',
		placeholder,
		typeOptions: { searchListMethod: method, searchable: true, searchFilterRequired: false },
	};
}

export function spaceLocator(
	name: string,
	displayName: string,
	options: { required: boolean; description: string; displayOptions?: Displayed; method?: string },
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: options.required,
		description: options.description,
		displayOptions: options.displayOptions,
		modes: [listMode(options.method ?? 'searchSpaces', 'Select a space...'), { ...ID_MODE, placeholder: 'e.g. 22563543011' }],
	};
}

export function folderLocator(
	name: string,
	displayName: string,
	options: { required: boolean; description: string; displayOptions?: Displayed; rootByDefault?: boolean; method?: string },
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: options.rootByDefault ? { mode: 'id', value: ROOT_FOLDER_ID } : { mode: 'list', value: '' },
		required: options.required,
		description: options.description,
		displayOptions: options.displayOptions,
		modes: [listMode(options.method ?? 'searchFolders', 'Select a folder...'), { ...ID_MODE, hint: '0 is the space\'s root' }, PATH_MODE],
	};
}

export function fileLocator(name: string, displayName: string, options: { description: string; displayOptions?: Displayed }): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		displayOptions: options.displayOptions,
		modes: [listMode('searchFiles', 'Select a file...'), ID_MODE, PATH_MODE],
	};
}

/** The operator: every storage call is made on behalf of a user, who needs access to the items. */
export function operatorProperty(onBehalfOf: string, withPickers = true): INodeProperties {
	return {
		displayName: 'Operator Union ID',
		name: 'unionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. iPsAiSxxxxxxxxxxxxiEiE',
		description: `Union ID of the DingTalk user on whose behalf ${onBehalfOf}; that user needs access to the items.${withPickers ? ' Fill it in before picking from a list.' : ''}`,
	};
}

export interface LocatorValue {
	mode: 'list' | 'id' | 'path';
	value: unknown;
}

/** A locator parameter's mode and value; a plain string (or number) counts as an ID. */
export function locatorValue(raw: unknown): LocatorValue {
	if (raw !== null && typeof raw === 'object' && 'value' in raw) {
		const { mode, value } = raw as IDataObject;
		return { mode: mode === 'path' ? 'path' : mode === 'list' ? 'list' : 'id', value };
	}
	return { mode: 'id', value: raw };
}

export function readLocator(ctx: IExecuteFunctions, name: string, itemIndex: number): LocatorValue {
	return locatorValue(ctx.getNodeParameter(name, itemIndex, ''));
}

/** A space's ID from its picker. */
export function readSpaceId(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	return requireId(name, readLocator(ctx, name, itemIndex).value);
}

export interface LocatedItem {
	id: string;
	/** Known when the item was found by its path (no extra call was needed for it). */
	dentry?: Dentry;
}

export interface Where {
	client: DingTalkClient;
	paths: PathResolver;
	spaceId: string;
	unionId: string;
}

/**
 * A folder or file from its picker's value: an ID as it is, a path resolved level by level.
 * `expect` checks what a path leads to (an ID is not checked: that would cost a call).
 */
export async function locate(value: LocatorValue, name: string, where: Where, expect: 'file' | 'folder'): Promise<LocatedItem> {
	if (value.mode !== 'path') return { id: requireId(name, value.value) };
	const path = value.value;
	if (typeof path !== 'string' || path.trim() === '') {
		throw new InputError(name, 'the path is empty', 'Write the path from the space\'s root, for example /合同/2026/a.pdf.');
	}
	const resolved = await where.paths.resolve(where.client, where.spaceId, where.unionId, path, name);
	if (resolved.kind === 'root') {
		if (expect === 'folder') return { id: ROOT_FOLDER_ID };
		throw new InputError(name, `"${path}" is the space's root, not a file`);
	}
	const isFolder = isFolderEntry(resolved.dentry);
	if (expect === 'file' && isFolder) throw new InputError(name, `"${path}" is a folder, not a file`, 'Use the folder operations for folders.');
	if (expect === 'folder' && !isFolder) throw new InputError(name, `"${path}" is a file, not a folder`, 'Use the file operations for files.');
	return { id: resolved.id, dentry: resolved.dentry };
}

/** `locate` for a parameter of an item. */
export async function locateItem(ctx: IExecuteFunctions, name: string, itemIndex: number, where: Where, expect: 'file' | 'folder'): Promise<LocatedItem> {
	return await locate(readLocator(ctx, name, itemIndex), name, where, expect);
}
