import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { dentryJson } from '../../../n8n/items';
import {
	checkedLocator,
	folderLocator,
	locate,
	locateItem,
	readLocator,
	spaceLocator,
	type Expected,
} from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { oneOf, requireId, requireName, wholeNumber } from '../../../shared/helpers/validate';
import {
	copyDentry,
	deleteDentry,
	getDentry,
	moveDentry,
	renameDentry,
	type MaybeAsync,
} from '../../../shared/storage/dentries';
import { waitForTask } from '../../../shared/storage/tasks';
import { CONFLICT_STRATEGIES, type Dentry } from '../../../shared/storage/types';
import type { ItemContext, Resource, StorageOperation } from '../types';
import {
	conflictStrategyOption,
	optionsCollection,
	readOptions,
	readScope,
	show,
} from './parameters';

/**
 * The changes files and folders share (copy, move, rename, delete): the same DingTalk
 * APIs, with the item named by `dentryId` (a file) or `folderId` (a folder).
 */

const DEFAULT_WAIT_SECONDS = 300;

function itemParameter(resource: Resource): 'dentryId' | 'folderId' {
	return resource === 'file' ? 'dentryId' : 'folderId';
}

function noun(resource: Resource): string {
	return resource === 'file' ? 'file' : 'folder';
}

/** The item a change acts on must be of the resource's kind; the refusal names the other resource's operation. */
function expectedFor(resource: Resource, operation: string): Expected {
	return resource === 'file'
		? { kind: 'file', instead: `Folder → ${operation}` }
		: { kind: 'folder', instead: `File → ${operation}` };
}

/** Options for operations DingTalk may run as a task (folders with children). */
function waitOptions(resource: Resource): INodeProperties[] {
	return [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: true,
			description: `Whether to wait until DingTalk has finished, when it runs the change as a background task (${resource === 'folder' ? 'a folder with contents' : 'large changes'}). Off: the item is output at once, with the task's ID.`,
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeout',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: DEFAULT_WAIT_SECONDS,
			description:
				'How long to wait for the task at most; the change goes on at DingTalk after that, and the item fails with taskTimeout',
		},
	];
}

interface Waiting {
	/** Undefined: do not wait. */
	timeoutMs?: number;
}

/** The wait options, checked before any request. */
function readWaiting(item: ItemContext): Waiting {
	const options = readOptions(item.ctx, item.itemIndex);
	const timeoutMs =
		wholeNumber('waitTimeout', options.waitTimeout, DEFAULT_WAIT_SECONDS, 1, 86_400) * 1000;
	return { timeoutMs: options.waitForCompletion === false ? undefined : timeoutMs };
}

/** Waits for the change's task (unless told not to); the fields to add about it. */
async function settle(
	item: ItemContext,
	change: MaybeAsync<unknown>,
	unionId: string,
	waiting: Waiting,
	action: string,
): Promise<IDataObject> {
	if (!change.taskId) return {};
	if (waiting.timeoutMs === undefined) return { async: true, taskId: change.taskId };
	const task = await waitForTask(item.client, change.taskId, unionId, {
		timeoutMs: waiting.timeoutMs,
		action,
	});
	return { async: true, taskId: change.taskId, taskStatus: task.status };
}

export function transferOperation(resource: Resource, kind: 'copy' | 'move'): StorageOperation {
	const operations = [kind];
	return {
		parallel: false,
		properties: [
			spaceLocator('targetSpaceId', 'Target Space', {
				required: false,
				description: `The space to ${kind} the ${noun(resource)} to; empty: the same space`,
				displayOptions: show(resource, operations),
			}),
			folderLocator('targetFolderId', 'Target Folder', {
				required: true,
				method: 'searchTargetFolders',
				description: `The folder to ${kind} the ${noun(resource)} into (0, or / by path: the space's root)`,
				displayOptions: show(resource, operations),
			}),
			optionsCollection(resource, operations, [
				conflictStrategyOption('AUTO_RENAME', 'the target folder'),
				...waitOptions(resource),
			]),
		],
		async execute(item) {
			const { ctx, itemIndex, client, paths } = item;
			const { spaceId, unionId } = readScope(ctx, itemIndex);
			const targetRaw = readLocator(ctx, 'targetSpaceId', itemIndex).value;
			const targetSpaceId =
				targetRaw === undefined || targetRaw === null || String(targetRaw).trim() === ''
					? spaceId
					: requireId('targetSpaceId', targetRaw);
			const options = readOptions(ctx, itemIndex);
			const conflictStrategy = oneOf(
				'conflictStrategy',
				options.conflictStrategy,
				CONFLICT_STRATEGIES,
				'AUTO_RENAME',
			);
			const waiting = readWaiting(item);
			const targetFolder = checkedLocator(ctx, 'targetFolderId', itemIndex);
			const source = await locateItem(
				ctx,
				itemParameter(resource),
				itemIndex,
				{ client, paths, spaceId, unionId },
				expectedFor(resource, kind === 'copy' ? 'Copy' : 'Move'),
			);
			if (resource === 'folder' && source.id === '0')
				throw new InputError(
					'folderId',
					`the space's root cannot be ${kind === 'copy' ? 'copied' : 'moved'}`,
				);
			const target = await locate(
				targetFolder,
				'targetFolderId',
				{ client, paths, spaceId: targetSpaceId, unionId },
				{ kind: 'folder' },
			);
			const ref = { spaceId, dentryId: source.id, unionId };
			const destination = { targetSpaceId, targetFolderId: target.id, conflictStrategy };
			const change =
				kind === 'copy'
					? await copyDentry(client, ref, destination)
					: await moveDentry(client, ref, destination);
			const fields = await settle(
				item,
				change,
				unionId,
				waiting,
				`${kind === 'copy' ? 'Copying' : 'Moving'} the ${noun(resource)}`,
			);
			let dentry: Dentry | undefined = change.result;
			// A task may answer without the item; a move within a space keeps its ID, so it can be read.
			if (
				!dentry &&
				kind === 'move' &&
				targetSpaceId === spaceId &&
				fields.taskStatus === 'SUCCESS'
			) {
				dentry = await getDentry(client, { spaceId, dentryId: source.id, unionId });
			}
			const json = dentry
				? dentryJson(dentry)
				: { spaceId: targetSpaceId, parentId: target.id, dentryId: null };
			return { json: { ...json, ...fields } };
		},
	};
}

export function renameOperation(resource: Resource): StorageOperation {
	return {
		parallel: false,
		properties: [
			{
				displayName: 'New Name',
				name: 'newName',
				type: 'string',
				default: '',
				required: true,
				placeholder: resource === 'file' ? 'e.g. 合同-2026-终版.pdf' : 'e.g. 2026-11',
				description: `The ${noun(resource)}'s new name${resource === 'file' ? ', with its extension' : ''}. It fails if another item of the folder has that name.`,
				displayOptions: show(resource, ['rename']),
			},
		],
		async execute(item) {
			const { ctx, itemIndex, client, paths } = item;
			const { spaceId, unionId } = readScope(ctx, itemIndex);
			const newName = requireName('newName', ctx.getNodeParameter('newName', itemIndex));
			const located = await locateItem(
				ctx,
				itemParameter(resource),
				itemIndex,
				{ client, paths, spaceId, unionId },
				expectedFor(resource, 'Rename'),
			);
			if (resource === 'folder' && located.id === '0')
				throw new InputError('folderId', "the space's root cannot be renamed");
			return {
				json: dentryJson(
					await renameDentry(client, { spaceId, dentryId: located.id, unionId }, newName),
				),
			};
		},
	};
}

export function deleteOperation(resource: Resource): StorageOperation {
	return {
		parallel: false,
		properties: [
			optionsCollection(
				resource,
				['delete'],
				[
					{
						displayName: 'Move to Recycle Bin',
						name: 'toRecycleBin',
						type: 'boolean',
						default: true,
						description:
							"Whether to move the item to the space's recycle bin, from where it can be restored. Off: it is deleted for good (DingTalk's own default). Only Drive spaces have a recycle bin.",
					},
					...waitOptions(resource),
				],
			),
		],
		async execute(item) {
			const { ctx, itemIndex, client, paths } = item;
			const { spaceId, unionId } = readScope(ctx, itemIndex);
			const toRecycleBin = readOptions(ctx, itemIndex).toRecycleBin !== false;
			const waiting = readWaiting(item);
			const located = await locateItem(
				ctx,
				itemParameter(resource),
				itemIndex,
				{ client, paths, spaceId, unionId },
				expectedFor(resource, 'Delete'),
			);
			if (resource === 'folder' && located.id === '0')
				throw new InputError('folderId', "the space's root cannot be deleted");
			const change = await deleteDentry(
				client,
				{ spaceId, dentryId: located.id, unionId },
				toRecycleBin,
			);
			const fields = await settle(item, change, unionId, waiting, `Deleting the ${noun(resource)}`);
			return { json: { spaceId, dentryId: located.id, deleted: true, toRecycleBin, ...fields } };
		},
	};
}
