import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	fileLocator,
	folderLocator,
	operatorProperty,
	readSpaceId,
	spaceLocator,
} from '../../../n8n/locators';
import { requireId, wholeNumber } from '../../../shared/helpers/validate';
import { CONFLICT_STRATEGIES, type ConflictStrategy } from '../../../shared/storage/types';
import type { Resource } from '../types';

/** Shows a parameter for these operations of a resource. */
export function show(resource: Resource, operations: string[]): INodeProperties['displayOptions'] {
	return { show: { resource: [resource], operation: operations } };
}

/**
 * The space: every operation but Space → List has one. (n8n's `hide` hides when any of its
 * conditions holds, so two exclusive copies say where it shows.)
 */
export const spacePickers: INodeProperties[] = [
	spaceLocator('spaceId', 'Space', {
		// Not needed when the item is given as a link: the link names its space.
		required: false,
		description:
			'The DingTalk space (Drive or Knowledge Base) that holds the item. Not needed when the item is given By URL (the link names its space).',
		// A search looks in every space (or those of its Space IDs option).
		displayOptions: {
			show: { resource: ['file', 'folder', 'permission'] },
			hide: { operation: ['search'] },
		},
	}),
	spaceLocator('spaceId', 'Space', {
		required: true,
		description: 'The DingTalk space (Drive or Knowledge Base)',
		displayOptions: { show: { resource: ['space'], operation: ['get'] } },
	}),
];

export const unionIdProperty: INodeProperties = operatorProperty('the operation runs');

export function fileProperty(
	operations: string[],
	description = 'The file: pick it, or give its ID or its path',
): INodeProperties {
	return fileLocator('dentryId', 'File', {
		description,
		displayOptions: show('file', operations),
		links: true,
	});
}

export function folderProperty(
	operations: string[],
	options: { description: string; rootByDefault: boolean; displayName?: string },
): INodeProperties {
	return folderLocator('folderId', options.displayName ?? 'Folder', {
		required: !options.rootByDefault,
		rootByDefault: options.rootByDefault,
		description: options.description,
		displayOptions: show('folder', operations),
		links: true,
	});
}

/** Return All and Limit, as n8n's listing operations have them. */
export function returnAllAndLimit(resource: Resource, operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: show(resource, [operation]),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: {
				show: { resource: [resource], operation: [operation], returnAll: [false] },
			},
		},
	];
}

/** How many results are wanted: undefined for all. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) === true) return undefined;
	return wholeNumber(
		'limit',
		ctx.getNodeParameter('limit', itemIndex, 50),
		50,
		1,
		Number.MAX_SAFE_INTEGER,
	);
}

const STRATEGY_NAMES: Record<ConflictStrategy, { name: string; description: string }> = {
	AUTO_RENAME: {
		name: 'Auto Rename',
		description: 'Keep both: the new item gets a free name such as "a(1).pdf"',
	},
	OVERWRITE: {
		name: 'Overwrite',
		description: 'A file gets a new version with these contents; another item is replaced',
	},
	RETURN_DENTRY_IF_EXISTS: {
		name: 'Return the Existing Item',
		description: 'Change nothing and return the item that is already there',
	},
	RETURN_ERROR_IF_EXISTS: { name: 'Fail', description: 'Fail with a name-conflict error' },
};

/** The Conflict Strategy option, with DingTalk's values. */
export function conflictStrategyOption(
	defaultValue: ConflictStrategy,
	what: string,
): INodeProperties {
	return {
		displayName: 'Conflict Strategy',
		name: 'conflictStrategy',
		type: 'options',
		default: defaultValue,
		description: `What to do when ${what} already has an item of that name`,
		options: CONFLICT_STRATEGIES.map((value) => ({ value, ...STRATEGY_NAMES[value] })),
	};
}

/** The operation's Options collection. */
export function optionsCollection(
	resource: Resource,
	operations: string[],
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show(resource, operations),
		options,
	};
}

export function readOptions(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	return ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

/** The space and operator of an item, checked before any request. */
export function readScope(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { spaceId: string; unionId: string } {
	return {
		spaceId: readSpaceId(ctx, 'spaceId', itemIndex),
		unionId: requireId('unionId', ctx.getNodeParameter('unionId', itemIndex)),
	};
}
