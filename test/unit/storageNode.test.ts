/**
 * The "DingTalk Storage" node's description: the fixed names of its resources, operations
 * and parameters (docs, example workflows and other tests rely on them), DingTalk's own
 * values for the conflict strategies, and the defaults the issue sets.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DingTalkStorage } from '../../nodes/DingTalk/Storage/DingTalkStorage.node';
import { CONFLICT_STRATEGIES } from '../../nodes/DingTalk/shared/storage/types';

const { description, methods } = new DingTalkStorage();

/** What the regular node shows (`asTool`: the AI agent's tool type) for an operation. */
function shownFor(resource: string, operation: string, asTool = false): INodeProperties[] {
	return description.properties.filter((property) => {
		const { show, hide } = property.displayOptions ?? {};
		if (hide?.operation?.includes(operation) || hide?.resource?.includes(resource)) return false;
		if (!show) return true;
		if (show['@tool'] && !show['@tool'].includes(asTool)) return false;
		// (Limit shows while Return All is off: counted as shown.)
		return (
			(!show.resource || show.resource.includes(resource)) &&
			(!show.operation || show.operation.includes(operation))
		);
	});
}

/** The operations offered per resource, by the regular node or its tool type. */
function operationsOf(asTool: boolean) {
	return Object.fromEntries(
		description.properties
			.filter(
				(property) =>
					property.name === 'operation' && property.displayOptions!.show!['@tool']![0] === asTool,
			)
			.map((property) => [
				property.displayOptions!.show!.resource![0],
				(property.options as Array<{ value: string }>).map((each) => each.value).sort(),
			]),
	);
}

function option(resource: string, operation: string, name: string): INodeProperties | undefined {
	const collection = shownFor(resource, operation).find((property) => property.name === 'options');
	return (collection?.options as INodeProperties[] | undefined)?.find((each) => each.name === name);
}

test('type name, version, credential and the resources with their operations', () => {
	expect(description.name).toBe('dingTalkStorage');
	expect(description.displayName).toBe('DingTalk Storage');
	expect(description.version).toBe(1);
	expect(description.credentials).toEqual([
		{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' },
	]);
	expect(operationsOf(false)).toEqual({
		file: [
			'copy',
			'createFromText',
			'delete',
			'download',
			'get',
			'getLink',
			'listVersions',
			'move',
			'removeProperties',
			'rename',
			'revertToVersion',
			'search',
			'setProperties',
			'updateContent',
			'upload',
		],
		folder: [
			'copy',
			'create',
			'delete',
			'list',
			'move',
			'removeProperties',
			'rename',
			'setProperties',
		],
		permission: ['add', 'getInheritance', 'list', 'remove', 'setInheritance', 'update'],
		recycleBin: ['deletePermanently', 'empty', 'list', 'restore'],
		space: ['get', 'list'],
	});
});

test("an AI agent's tool type offers every operation but those that need binary data (Upload, Update Content) or delete for good (the recycle bin's Delete Permanently and Empty), each described for a model", () => {
	expect(operationsOf(true)).toEqual({
		file: [
			'copy',
			'createFromText',
			'delete',
			'download',
			'get',
			'getLink',
			'listVersions',
			'move',
			'removeProperties',
			'rename',
			'revertToVersion',
			'search',
			'setProperties',
		],
		folder: [
			'copy',
			'create',
			'delete',
			'list',
			'move',
			'removeProperties',
			'rename',
			'setProperties',
		],
		permission: ['add', 'getInheritance', 'list', 'remove', 'setInheritance', 'update'],
		recycleBin: ['list', 'restore'],
		space: ['get', 'list'],
	});
	// n8n's automatic tool description reads the first operation picker of a resource.
	const first = description.properties.find(
		(property) =>
			property.name === 'operation' && property.displayOptions?.show?.resource?.includes('file'),
	);
	const searchOption = (first!.options as Array<{ value: string; action: string }>).find(
		(each) => each.value === 'search',
	);
	expect(searchOption!.action).toMatch(/spaceId, dentryId/);
	expect(shownFor('file', 'search', true).map((property) => property.name)).toEqual(
		shownFor('file', 'search').map((property) => property.name),
	);
});

test.each([
	['file', 'get', ['spaceId', 'dentryId', 'unionId', 'options']],
	['file', 'setProperties', ['spaceId', 'dentryId', 'unionId', 'appProperties']],
	['folder', 'removeProperties', ['spaceId', 'folderId', 'unionId', 'propertyNames']],
	['file', 'download', ['spaceId', 'dentryId', 'unionId', 'binaryPropertyName', 'options']],
	[
		'file',
		'copy',
		['spaceId', 'dentryId', 'unionId', 'targetSpaceId', 'targetFolderId', 'options'],
	],
	[
		'file',
		'move',
		['spaceId', 'dentryId', 'unionId', 'targetSpaceId', 'targetFolderId', 'options'],
	],
	['file', 'rename', ['spaceId', 'dentryId', 'unionId', 'newName']],
	['file', 'delete', ['spaceId', 'dentryId', 'unionId', 'options']],
	['file', 'listVersions', ['spaceId', 'dentryId', 'unionId', 'returnAll', 'limit']],
	['file', 'search', ['unionId', 'keyword', 'returnAll', 'limit', 'options']],
	['file', 'upload', ['spaceId', 'folderId', 'unionId', 'binaryPropertyName', 'options']],
	['file', 'createFromText', ['spaceId', 'folderId', 'unionId', 'fileName', 'content', 'options']],
	['file', 'getLink', ['spaceId', 'dentryId', 'unionId', 'linkType', 'options']],
	['file', 'revertToVersion', ['spaceId', 'dentryId', 'unionId', 'version']],
	['file', 'updateContent', ['spaceId', 'dentryId', 'unionId', 'binaryPropertyName', 'options']],
	['permission', 'add', ['spaceId', 'dentryId', 'unionId', 'role', 'members', 'duration']],
	['permission', 'update', ['spaceId', 'dentryId', 'unionId', 'role', 'members', 'duration']],
	['permission', 'remove', ['spaceId', 'dentryId', 'unionId', 'role', 'members']],
	['permission', 'list', ['spaceId', 'dentryId', 'unionId', 'returnAll', 'limit', 'options']],
	['permission', 'getInheritance', ['spaceId', 'dentryId', 'unionId']],
	['permission', 'setInheritance', ['spaceId', 'dentryId', 'unionId', 'inheritance']],
	['recycleBin', 'list', ['corpId', 'binSpaceId', 'unionId', 'returnAll', 'limit']],
	['recycleBin', 'restore', ['corpId', 'binSpaceId', 'recycleItemIds', 'unionId', 'options']],
	['recycleBin', 'deletePermanently', ['corpId', 'binSpaceId', 'recycleItemIds', 'unionId']],
	['recycleBin', 'empty', ['corpId', 'binSpaceId', 'unionId', 'confirmEmpty']],
	['folder', 'list', ['spaceId', 'folderId', 'unionId', 'returnAll', 'limit', 'options']],
	['folder', 'create', ['spaceId', 'folderId', 'unionId', 'name', 'options']],
	[
		'folder',
		'copy',
		['spaceId', 'folderId', 'unionId', 'targetSpaceId', 'targetFolderId', 'options'],
	],
	['folder', 'rename', ['spaceId', 'folderId', 'unionId', 'newName']],
	['folder', 'delete', ['spaceId', 'folderId', 'unionId', 'options']],
	['space', 'get', ['spaceId', 'unionId']],
	['space', 'list', ['unionId', 'returnAll', 'limit']],
])('%s → %s has exactly its parameters', (resource, operation, names) => {
	const shown = shownFor(resource, operation)
		.map((property) => property.name)
		.filter((name) => name !== 'resource' && name !== 'operation');
	expect(new Set(shown)).toEqual(new Set(names));
	expect(shown).toHaveLength(names.length);
});

test('IDs of items are pickers (From List, By ID, and By Path and By URL for folders and files); spaces From List or By ID', () => {
	const modes = (name: string, resource: string, operation: string) =>
		(shownFor(resource, operation).find((property) => property.name === name)?.modes ?? []).map(
			(mode) => mode.name,
		);
	expect(modes('spaceId', 'file', 'get')).toEqual(['list', 'id']);
	expect(modes('dentryId', 'file', 'get')).toEqual(['list', 'id', 'path', 'url']);
	expect(modes('folderId', 'folder', 'list')).toEqual(['list', 'id', 'path', 'url']);
	expect(modes('folderId', 'file', 'upload')).toEqual(['list', 'id', 'path', 'url']);
	expect(modes('targetFolderId', 'file', 'copy')).toEqual(['list', 'id', 'path', 'url']);
	expect(modes('dentryId', 'permission', 'add')).toEqual(['list', 'id', 'path', 'url']);
	expect(Object.keys(methods.listSearch).sort()).toEqual([
		'searchFiles',
		'searchFolders',
		'searchItems',
		'searchSpaces',
		'searchTargetFolders',
	]);
});

test("defaults: the root for listing and creating, the recycle bin for deletes, and DingTalk's conflict strategy values", () => {
	expect(
		shownFor('folder', 'list').find((property) => property.name === 'folderId')?.default,
	).toEqual({ mode: 'id', value: '0' });
	expect(
		shownFor('folder', 'create').find((property) => property.name === 'folderId')?.default,
	).toEqual({ mode: 'id', value: '0' });
	expect(shownFor('folder', 'list').find((property) => property.name === 'limit')?.default).toBe(
		50,
	);
	expect(
		shownFor('folder', 'list').find((property) => property.name === 'returnAll')?.default,
	).toBe(false);
	expect(option('file', 'delete', 'toRecycleBin')?.default).toBe(true);
	expect(option('folder', 'delete', 'toRecycleBin')?.default).toBe(true);
	expect(option('folder', 'create', 'conflictStrategy')?.default).toBe('RETURN_DENTRY_IF_EXISTS');
	expect(option('file', 'copy', 'conflictStrategy')?.default).toBe('AUTO_RENAME');
	expect(option('folder', 'move', 'conflictStrategy')?.default).toBe('AUTO_RENAME');
	for (const [resource, operation] of [
		['file', 'copy'],
		['file', 'move'],
		['folder', 'create'],
		['folder', 'copy'],
	]) {
		expect(
			(option(resource, operation, 'conflictStrategy')?.options as Array<{ value: string }>).map(
				(each) => each.value,
			),
		).toEqual([...CONFLICT_STRATEGIES]);
	}
	expect(option('folder', 'list', 'recursive')?.default).toBe(false);
	expect(
		(option('folder', 'list', 'type')?.options as Array<{ value: string }>).map(
			(each) => each.value,
		),
	).toEqual(['all', 'file', 'folder']);
	expect(
		(option('folder', 'list', 'orderBy')?.options as Array<{ value: string }>)
			.map((each) => each.value)
			.sort(),
	).toEqual(['CREATE_TIME', 'MODIFIED_TIME', 'NAME', 'SIZE']);
	expect(option('folder', 'copy', 'waitForCompletion')?.default).toBe(true);
});

test("File → Download offers exactly the Download node's options", async () => {
	const { DOWNLOAD_OPTIONS } = await import('../../nodes/DingTalk/n8n/downloadOptions');
	const names = (
		shownFor('file', 'download').find((property) => property.name === 'options')
			?.options as INodeProperties[]
	).map((each) => each.name);
	expect(names).toEqual(DOWNLOAD_OPTIONS.map((each) => each.name));
});

test("File → Upload: the names the issue fixed, the root by default, never overwrite silently; literal defaults equal the engine's", async () => {
	const { DEFAULT_PART_SIZE, DEFAULT_UPLOAD_CONNECTIONS } =
		await import('../../nodes/DingTalk/shared/transfer/upload');
	const { DEFAULT_TIMEOUTS } = await import('../../nodes/DingTalk/shared/transport/http');
	const shown = shownFor('file', 'upload');
	expect(shown.find((property) => property.name === 'folderId')?.default).toEqual({
		mode: 'id',
		value: '0',
	});
	expect(shown.find((property) => property.name === 'binaryPropertyName')?.default).toBe('data');
	const names = (
		shown.find((property) => property.name === 'options')?.options as INodeProperties[]
	)
		.map((each) => each.name)
		.sort();
	expect(names).toEqual([
		'conflictStrategy',
		'connectTimeout',
		'createMissingFolders',
		'fileName',
		'idleTimeout',
		'parallelConnections',
		'partSize',
		'preferIntranet',
		'timeout',
	]);
	expect(option('file', 'upload', 'conflictStrategy')?.default).toBe('AUTO_RENAME');
	expect(option('file', 'upload', 'preferIntranet')?.default).toBe(false);
	expect(option('file', 'upload', 'partSize')?.default).toBe(DEFAULT_PART_SIZE);
	expect(option('file', 'upload', 'parallelConnections')?.default).toBe(DEFAULT_UPLOAD_CONNECTIONS);
	expect(option('file', 'upload', 'connectTimeout')?.default).toBe(DEFAULT_TIMEOUTS.connectMs);
	expect(option('file', 'upload', 'timeout')?.default).toBe(DEFAULT_TIMEOUTS.responseMs);
	expect(option('file', 'upload', 'idleTimeout')?.default).toBe(DEFAULT_TIMEOUTS.idleMs);
	expect(
		(option('file', 'upload', 'conflictStrategy')?.options as Array<{ value: string }>).map(
			(each) => each.value,
		),
	).toEqual([...CONFLICT_STRATEGIES]);
});
