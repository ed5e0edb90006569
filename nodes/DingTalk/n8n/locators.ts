// The mode objects in this file are resource-locator modes, not parameters: a mode has no
// default, which n8n-nodes-base/node-param-default-missing cannot tell apart.
/* eslint-disable n8n-nodes-base/node-param-default-missing */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	INodePropertyMode,
} from 'n8n-workflow';

import type { DingTalkClient } from '../shared/api/client';
import { QPS_LIMIT_CODES } from '../shared/api/errorCatalogue';
import { DingTalkApiError, InputError } from '../shared/errors';
import { isFolderEntry, splitDrivePath } from '../shared/helpers/paging';
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
	hint: "From the space's root, folder by folder; names match exactly",
};

/** A DingTalk document link (the Storage node reads it back to its space and item). */
const URL_MODE: INodePropertyMode = {
	displayName: 'By URL',
	name: 'url',
	type: 'string',
	placeholder: 'e.g. https://alidocs.dingtalk.com/i/nodes/Y1OQX0akWmzdBowLF1bnrYMxVGlDd3mE',
	hint: 'A DingTalk link to the file or folder (as DingTalk shares it); its space is used',
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
		modes: [
			listMode(options.method ?? 'searchSpaces', 'Select a space...'),
			{ ...ID_MODE, placeholder: 'e.g. 22563543011' },
		],
	};
}

export function folderLocator(
	name: string,
	displayName: string,
	options: {
		required: boolean;
		description: string;
		displayOptions?: Displayed;
		rootByDefault?: boolean;
		method?: string;
		/** A By URL mode (the Storage node resolves links: n8n/linkedItems.ts). */
		links?: boolean;
	},
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: options.rootByDefault
			? { mode: 'id', value: ROOT_FOLDER_ID }
			: { mode: 'list', value: '' },
		required: options.required,
		description: options.description,
		displayOptions: options.displayOptions,
		modes: [
			listMode(options.method ?? 'searchFolders', 'Select a folder...'),
			{ ...ID_MODE, hint: "0 is the space's root" },
			PATH_MODE,
			...(options.links ? [URL_MODE] : []),
		],
	};
}

export function fileLocator(
	name: string,
	displayName: string,
	options: { description: string; displayOptions?: Displayed; links?: boolean },
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		displayOptions: options.displayOptions,
		modes: [
			listMode('searchFiles', 'Select a file...'),
			ID_MODE,
			PATH_MODE,
			...(options.links ? [URL_MODE] : []),
		],
	};
}

/** The modes of a picker for a file or a folder alike (what permissions are given on). */
export function itemLocatorModes(method: string, placeholder: string): INodePropertyMode[] {
	return [
		listMode(method, placeholder),
		{ ...ID_MODE, hint: "0 is the space's root" },
		PATH_MODE,
		URL_MODE,
	];
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
	mode: 'list' | 'id' | 'path' | 'url';
	value: unknown;
}

/** Whether a value given as an ID is a link instead (an expression may give one). */
function looksLikeLink(value: unknown): boolean {
	return typeof value === 'string' && /^\s*https?:\/\//i.test(value);
}

/**
 * A locator parameter's mode and value; a plain string (or number) counts as an ID, and any
 * value that is an http(s) link (an expression may give one) as a link.
 */
export function locatorValue(raw: unknown): LocatorValue {
	if (raw !== null && typeof raw === 'object' && 'value' in raw) {
		const { mode, value } = raw as IDataObject;
		if (mode === 'url' || (mode !== 'path' && looksLikeLink(value))) return { mode: 'url', value };
		return { mode: mode === 'path' ? 'path' : mode === 'list' ? 'list' : 'id', value };
	}
	return { mode: looksLikeLink(raw) ? 'url' : 'id', value: raw };
}

/** The refusal of a link where the node does not read links (the triggers, Space). */
export function linkNotAccepted(name: string): InputError {
	return new InputError(
		name,
		'a link is not accepted here',
		'Give the ID (or the path) instead; the DingTalk Storage node reads links back to their items (File → Get by URL gives the ID).',
	);
}

export function readLocator(ctx: IExecuteFunctions, name: string, itemIndex: number): LocatorValue {
	return locatorValue(ctx.getNodeParameter(name, itemIndex, ''));
}

/** A space's ID from its picker. */
export function readSpaceId(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = readLocator(ctx, name, itemIndex);
	if (value.mode === 'url') throw linkNotAccepted(name);
	return requireId(name, value.value);
}

export interface LocatedItem {
	id: string;
	/** Its details: read to check its kind, or known from the listing its path was found in. */
	dentry?: Dentry;
}

export interface Where {
	client: DingTalkClient;
	paths: PathResolver;
	spaceId: string;
	unionId: string;
}

/** What an operation needs its item to be, checked before anything is changed. */
export interface Expected {
	kind: 'file' | 'folder';
	/** The operation to use for the other kind, named in the refusal: "Folder → Delete". */
	instead?: string;
	/**
	 * Leave the kind unchecked when DingTalk refuses to show the item's details (a read the
	 * app may lack permission for): for reads that DingTalk itself refuses on the wrong kind,
	 * such as a download. Changes never set this: without the details, nothing is changed.
	 */
	unreadableOk?: boolean;
	/** The item's kind is already known (the trigger's baseline was made with it): no call. */
	known?: boolean;
}

/** The refusal of an item of the wrong kind: it names the item, what it is, and what to use. */
export function wrongKind(
	field: string,
	id: string,
	dentry: Dentry | undefined,
	expected: Expected,
): InputError {
	const what = expected.kind === 'file' ? 'a folder, not a file' : 'a file, not a folder';
	const named = typeof dentry?.name === 'string' ? `${id} ("${dentry.name}")` : id;
	return new InputError(
		field,
		`${named} is ${what}${expected.instead ? `: use ${expected.instead}` : ''}`,
		`Nothing was changed. Pick a ${expected.kind} here${expected.instead ? `, or use ${expected.instead} for this item` : ''}.`,
	);
}

/** The item's details, or undefined when DingTalk will not show them and `unreadableOk` allows that. */
async function detailsFor(
	where: Where,
	id: string,
	expected: Expected,
): Promise<Dentry | undefined> {
	try {
		return await where.paths.dentry(where.client, {
			spaceId: where.spaceId,
			dentryId: id,
			unionId: where.unionId,
		});
	} catch (error) {
		if (
			expected.unreadableOk &&
			error instanceof DingTalkApiError &&
			error.httpCode === 403 &&
			!QPS_LIMIT_CODES.has(error.code)
		)
			return undefined;
		throw error;
	}
}

/**
 * A folder or file from its picker's value: an ID, or a path resolved level by level. Either
 * way its kind is checked before the operation does anything: a file operation given a
 * folder (or the reverse) is refused, since DingTalk's APIs take either and a Delete of the
 * wrong ID would take a whole folder tree with it. An item named by ID costs one details
 * call (once per execution); one found by its path is known from the listing.
 */
export async function locate(
	value: LocatorValue,
	name: string,
	where: Where,
	expected: Expected,
): Promise<LocatedItem> {
	// The Storage node reads links before its operations run (n8n/linkedItems.ts).
	if (value.mode === 'url') throw linkNotAccepted(name);
	if (value.mode !== 'path') {
		const id = requireId(name, value.value);
		if (expected.kind === 'folder' && id === ROOT_FOLDER_ID) return { id };
		if (expected.known) return { id };
		const dentry = await detailsFor(where, id, expected);
		if (dentry && isFolderEntry(dentry) !== (expected.kind === 'folder'))
			throw wrongKind(name, id, dentry, expected);
		return { id, dentry };
	}
	const path = value.value;
	if (typeof path !== 'string' || path.trim() === '') {
		throw new InputError(
			name,
			'the path is empty',
			"Write the path from the space's root, for example /合同/2026/a.pdf.",
		);
	}
	const resolved = await where.paths.resolve(
		where.client,
		where.spaceId,
		where.unionId,
		path,
		name,
	);
	if (resolved.kind === 'root') {
		if (expected.kind === 'folder') return { id: ROOT_FOLDER_ID };
		throw new InputError(name, `"${path}" is the space's root, not a file`);
	}
	if (isFolderEntry(resolved.dentry) !== (expected.kind === 'folder'))
		throw wrongKind(name, `"${path}"`, undefined, expected);
	return { id: resolved.id, dentry: resolved.dentry };
}

/**
 * A locator parameter's value, checked as far as it can be without a call (an ID that is
 * not empty, a path that can be one), so that bad input is refused before any request.
 */
export function checkedLocator(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
): LocatorValue {
	const value = readLocator(ctx, name, itemIndex);
	if (value.mode === 'url') throw linkNotAccepted(name);
	if (value.mode !== 'path') return { mode: value.mode, value: requireId(name, value.value) };
	if (typeof value.value !== 'string' || value.value.trim() === '') {
		throw new InputError(
			name,
			'the path is empty',
			"Write the path from the space's root, for example /合同/2026/a.pdf.",
		);
	}
	splitDrivePath(value.value, name);
	return value;
}

/** `locate` for a parameter of an item. */
export async function locateItem(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	where: Where,
	expected: Expected,
): Promise<LocatedItem> {
	return await locate(readLocator(ctx, name, itemIndex), name, where, expected);
}
