import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { dentryJson } from '../../../n8n/items';
import {
	checkedLocator,
	folderLocator,
	linkNotAccepted,
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
import { apiErrorFromCode } from '../../../shared/api/errorCatalogue';
import type { ApiSpec } from '../../../shared/api/types';
import {
	BATCH_APIS,
	BATCH_LIMITS,
	removeDentries,
	transferDentries,
	type BatchItemResult,
} from '../../../shared/storage/batch';
import type { Destination } from '../../../shared/storage/dentries';
import { waitForTask } from '../../../shared/storage/tasks';
import { CONFLICT_STRATEGIES, type Dentry } from '../../../shared/storage/types';
import type { ItemContext, Resource, StorageOperation } from '../types';
import type { BatchPlan, BatchSupport } from './batched';
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

export function itemParameter(resource: Resource): 'dentryId' | 'folderId' {
	return resource === 'file' ? 'dentryId' : 'folderId';
}

function noun(resource: Resource): string {
	return resource === 'file' ? 'file' : 'folder';
}

/** The item a change acts on must be of the resource's kind; the refusal names the other resource's operation. */
export function expectedFor(resource: Resource, operation: string): Expected {
	return resource === 'file'
		? { kind: 'file', instead: `Folder → ${operation}` }
		: { kind: 'folder', instead: `File → ${operation}` };
}

/** Options for operations DingTalk may run as a task (folders with children). */
export function waitOptions(resource: Resource): INodeProperties[] {
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

export interface Waiting {
	/** Undefined: do not wait. */
	timeoutMs?: number;
}

/** The wait options, checked before any request. */
export function readWaiting(item: ItemContext): Waiting {
	const options = readOptions(item.ctx, item.itemIndex);
	const timeoutMs =
		wholeNumber('waitTimeout', options.waitTimeout, DEFAULT_WAIT_SECONDS, 1, 86_400) * 1000;
	return { timeoutMs: options.waitForCompletion === false ? undefined : timeoutMs };
}

/** Waits for the change's task (unless told not to); the fields to add about it. */
export async function settle(
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

/**
 * The item a batched change acts on, read without a call when given by ID (its kind is then
 * checked with a batch details query: common/batched.ts); by path, from the listing.
 */
async function plannedItem(
	item: ItemContext,
	resource: Resource,
	operation: string,
	scope: { spaceId: string; unionId: string },
): Promise<Omit<BatchPlan, 'key'>> {
	const field = itemParameter(resource);
	const expected = expectedFor(resource, operation);
	const value = checkedLocator(item.ctx, field, item.itemIndex);
	const located =
		value.mode === 'path'
			? await locate(value, field, { client: item.client, paths: item.paths, ...scope }, expected)
			: { id: String(value.value), dentry: undefined };
	if (resource === 'folder' && located.id === '0')
		throw new InputError(
			'folderId',
			`the space's root cannot be ${operation === 'Delete' ? 'deleted' : operation === 'Copy' ? 'copied' : 'moved'}`,
		);
	return {
		itemIndex: item.itemIndex,
		...scope,
		dentryId: located.id,
		...(located.dentry ? { dentry: located.dentry } : {}),
		expected,
		field,
	};
}

/** A planned item's kind, checked alone (one details call) when its path did not tell it. */
async function checkedKind(item: ItemContext, plan: BatchPlan): Promise<void> {
	if (plan.dentry) return;
	await locate(
		{ mode: 'id', value: plan.dentryId },
		plan.field,
		{ client: item.client, paths: item.paths, spaceId: plan.spaceId, unionId: plan.unionId },
		plan.expected,
	);
}

interface TransferPlan extends BatchPlan {
	destination: Destination;
	waiting: Waiting;
}

/** An item of a batch that failed on its own: the same error as if it had gone alone. */
function itemFailure(result: BatchItemResult, api: ApiSpec, resource: Resource): Error {
	return apiErrorFromCode(
		result.errorCode ?? 'unknownError',
		api,
		`the ${noun(resource)} ${result.dentryId}`,
	);
}

export function transferOperation(resource: Resource, kind: 'copy' | 'move'): StorageOperation {
	const operations = [kind];
	const batch: BatchSupport<TransferPlan> = {
		max: kind === 'copy' ? BATCH_LIMITS.copy : BATCH_LIMITS.move,
		async plan(item) {
			const { ctx, itemIndex } = item;
			const scope = readScope(ctx, itemIndex);
			const targetLocator = readLocator(ctx, 'targetSpaceId', itemIndex);
			// A link names a folder, not a space (Target Folder By URL sets the space).
			if (targetLocator.mode === 'url') throw linkNotAccepted('targetSpaceId');
			const targetRaw = targetLocator.value;
			const targetSpaceId =
				targetRaw === undefined || targetRaw === null || String(targetRaw).trim() === ''
					? scope.spaceId
					: requireId('targetSpaceId', targetRaw);
			const conflictStrategy = oneOf(
				'conflictStrategy',
				readOptions(ctx, itemIndex).conflictStrategy,
				CONFLICT_STRATEGIES,
				'AUTO_RENAME',
			);
			const waiting = readWaiting(item);
			const targetFolder = checkedLocator(ctx, 'targetFolderId', itemIndex);
			const planned = await plannedItem(item, resource, kind === 'copy' ? 'Copy' : 'Move', scope);
			const target = await locate(
				targetFolder,
				'targetFolderId',
				{ client: item.client, paths: item.paths, spaceId: targetSpaceId, unionId: scope.unionId },
				{ kind: 'folder' },
			);
			const destination = { targetSpaceId, targetFolderId: target.id, conflictStrategy };
			return {
				...planned,
				destination,
				waiting,
				key: JSON.stringify([scope.spaceId, scope.unionId, destination]),
				targetFolderId: target.id,
				targetSpaceId,
			};
		},
		async run(client, plans) {
			const [first] = plans;
			return await transferDentries(
				client,
				kind,
				first.spaceId,
				first.unionId,
				plans.map((plan) => plan.dentryId),
				first.destination,
			);
		},
		async output(item, plan, result) {
			if (!result.success) throw itemFailure(result, BATCH_APIS[kind], resource);
			const fields = await settle(
				item,
				{ taskId: result.taskId },
				plan.unionId,
				plan.waiting,
				`${kind === 'copy' ? 'Copying' : 'Moving'} the ${noun(resource)}`,
			);
			let dentry = result.dentry;
			// Without the item in the answer: a move done within one space keeps its ID, so the
			// item can be read.
			const readable =
				kind === 'move' &&
				plan.destination.targetSpaceId === plan.spaceId &&
				(fields.taskId === undefined || fields.taskStatus === 'SUCCESS');
			if (!dentry && readable)
				// A failed read (a rate limit, the network) does not undo the move: its IDs instead.
				dentry = await getDentry(item.client, {
					spaceId: plan.spaceId,
					dentryId: plan.dentryId,
					unionId: plan.unionId,
				}).catch(() => undefined);
			const json = dentry
				? dentryJson(dentry)
				: {
						spaceId: plan.destination.targetSpaceId,
						parentId: plan.destination.targetFolderId,
						dentryId: readable ? plan.dentryId : null,
					};
			return { ...json, ...fields };
		},
	};
	return {
		batch,
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
				links: true,
				description: `The folder to ${kind} the ${noun(resource)} into (0, or / by path: the space's root)`,
				displayOptions: show(resource, operations),
			}),
			optionsCollection(resource, operations, [
				conflictStrategyOption('AUTO_RENAME', 'the target folder'),
				...waitOptions(resource),
			]),
		],
		async execute(item) {
			// Alone: the same reading and checks as in a batch, then the item's kind (one details
			// call, unless its path told it) and the single call.
			const plan = await batch.plan(item);
			await checkedKind(item, plan);
			const ref = { spaceId: plan.spaceId, dentryId: plan.dentryId, unionId: plan.unionId };
			const change =
				kind === 'copy'
					? await copyDentry(item.client, ref, plan.destination)
					: await moveDentry(item.client, ref, plan.destination);
			const fields = await settle(
				item,
				change,
				plan.unionId,
				plan.waiting,
				`${kind === 'copy' ? 'Copying' : 'Moving'} the ${noun(resource)}`,
			);
			let dentry: Dentry | undefined = change.result;
			// A task may answer without the item; a move within a space keeps its ID, so it can be read.
			if (
				!dentry &&
				kind === 'move' &&
				plan.destination.targetSpaceId === plan.spaceId &&
				fields.taskStatus === 'SUCCESS'
			) {
				dentry = await getDentry(item.client, ref);
			}
			const json = dentry
				? dentryJson(dentry)
				: {
						spaceId: plan.destination.targetSpaceId,
						parentId: plan.destination.targetFolderId,
						dentryId: null,
					};
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

interface DeletePlan extends BatchPlan {
	toRecycleBin: boolean;
	waiting: Waiting;
}

export function deleteOperation(resource: Resource): StorageOperation {
	const batch: BatchSupport<DeletePlan> = {
		max: BATCH_LIMITS.remove,
		async plan(item) {
			const scope = readScope(item.ctx, item.itemIndex);
			const toRecycleBin = readOptions(item.ctx, item.itemIndex).toRecycleBin !== false;
			const waiting = readWaiting(item);
			const planned = await plannedItem(item, resource, 'Delete', scope);
			return {
				...planned,
				toRecycleBin,
				waiting,
				key: JSON.stringify([scope.spaceId, scope.unionId, toRecycleBin]),
			};
		},
		async run(client, plans) {
			const [first] = plans;
			return await removeDentries(
				client,
				first.spaceId,
				first.unionId,
				plans.map((plan) => plan.dentryId),
				first.toRecycleBin,
			);
		},
		async output(item, plan, result) {
			if (!result.success) throw itemFailure(result, BATCH_APIS.remove, resource);
			const fields = await settle(
				item,
				{ taskId: result.taskId },
				plan.unionId,
				plan.waiting,
				`Deleting the ${noun(resource)}`,
			);
			return {
				spaceId: plan.spaceId,
				dentryId: plan.dentryId,
				deleted: true,
				toRecycleBin: plan.toRecycleBin,
				...fields,
			};
		},
	};
	return {
		batch,
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
			const plan = await batch.plan(item);
			await checkedKind(item, plan);
			const change = await deleteDentry(
				item.client,
				{ spaceId: plan.spaceId, dentryId: plan.dentryId, unionId: plan.unionId },
				plan.toRecycleBin,
			);
			const fields = await settle(
				item,
				change,
				plan.unionId,
				plan.waiting,
				`Deleting the ${noun(resource)}`,
			);
			return {
				json: {
					spaceId: plan.spaceId,
					dentryId: plan.dentryId,
					deleted: true,
					toRecycleBin: plan.toRecycleBin,
					...fields,
				},
			};
		},
	};
}
