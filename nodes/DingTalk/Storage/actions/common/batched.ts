import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { clientFor } from '../../../n8n/credentials';
import { withLinksResolved } from '../../../n8n/linkedItems';
import { readLocator, wrongKind, type Expected } from '../../../n8n/locators';
import { errorItemFields, toNodeError } from '../../../n8n/nodeErrors';
import { itemsForModel, runsAsTool } from '../../../n8n/toolMode';
import type { DingTalkClient } from '../../../shared/api/client';
import { apiErrorFromCode } from '../../../shared/api/errorCatalogue';
import { changeMayHaveHappened, DingTalkApiError } from '../../../shared/errors';
import { isFolderEntry } from '../../../shared/helpers/paging';
import {
	BATCH_APIS,
	BATCH_LIMITS,
	queryDentries,
	type BatchItemResult,
} from '../../../shared/storage/batch';
import type { PathResolver } from '../../../shared/storage/listing';
import type { Dentry } from '../../../shared/storage/types';
import { DEFAULT_TIMEOUTS } from '../../../shared/transport/http';
import type { ItemContext, StorageOperation } from '../types';

/**
 * Many input items changed with DingTalk's batch calls (Delete, Move, Copy): every item's
 * input is read and checked first (its kind with a batch details query, 30 at a time), so
 * bad input stops the node before anything is changed; then the items are changed in
 * groups (those with the same space, target and options), each group's items in calls of
 * DingTalk's batch size, each item with its own result, paired with its input. A group of
 * one goes the single way (the operation's own call). Where the order of the changes could
 * matter (an item by path, an item named twice, an item that is another's target folder) the
 * items go one at a time, as without batches; without Continue On Fail, the first failed call
 * stops the node and says which items were changed before it.
 */

/** One item, read and checked, ready for its group's call. */
export interface BatchPlan {
	itemIndex: number;
	spaceId: string;
	unionId: string;
	dentryId: string;
	/** Known from a path (the listing): no details query needed to check the kind. */
	dentry?: Dentry;
	expected: Expected;
	/** The picker the item came from, named in errors. */
	field: string;
	/** Items with the same key may go in one call. */
	key: string;
	/** The folder a copy or move puts it in (no batch when another item is that folder). */
	targetFolderId?: string;
	/** The target folder's space (default: the item's). */
	targetSpaceId?: string;
}

/** What an operation adds to run in batches. */
export interface BatchSupport<P extends BatchPlan = BatchPlan> {
	/** The batch call's size (DingTalk's limit). */
	max: number;
	/** Reads and checks one item's input (no change). */
	plan(item: ItemContext): Promise<P>;
	/** One call for `plans` (same key, at most `max`). */
	run(client: DingTalkClient, plans: P[]): Promise<BatchItemResult[]>;
	/** One item's output from its result (waits for its task, if any). */
	output(item: ItemContext, plan: P, result: BatchItemResult): Promise<IDataObject>;
}

/**
 * An item's end: its output, or its error. `mayHaveChanged`: its call was carried out and
 * then something failed (its answer unreadable, its task, a read after it), so it is not
 * listed as unchanged.
 */
type Outcome = { json: IDataObject } | { error: unknown; mayHaveChanged?: true };

/** An item the batch answer says nothing readable about: it may have been changed. */
function outcomeUnknown(cause: Error, dentryId: string): DingTalkApiError {
	const details = cause instanceof DingTalkApiError ? cause : undefined;
	return new DingTalkApiError(`${cause.message} (item ${dentryId}: it may have been changed)`, {
		code: 'outcomeUnknown',
		httpCode: details?.httpCode,
		requestId: details?.requestId,
		description:
			'DingTalk carried out the batch call, but its answer does not say what became of this item. Check the item in DingTalk before running the node again: repeating a copy would copy it twice.',
	});
}

function chunks<T>(values: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let start = 0; start < values.length; start += size)
		out.push(values.slice(start, start + size));
	return out;
}

/** Checks the kind of the plans that came by ID: a batch details query per 30 items and space. */
async function checkKinds(
	client: DingTalkClient,
	plans: BatchPlan[],
	outcomes: Map<number, Outcome>,
): Promise<void> {
	const unknown = plans.filter((plan) => !plan.dentry);
	const bySpace = new Map<string, BatchPlan[]>();
	for (const plan of unknown) {
		const key = `${plan.spaceId}\n${plan.unionId}`;
		bySpace.set(key, [...(bySpace.get(key) ?? []), plan]);
	}
	for (const group of bySpace.values()) {
		for (const chunk of chunks(group, BATCH_LIMITS.query)) {
			const ids = [...new Set(chunk.map((plan) => plan.dentryId))];
			let results: BatchItemResult[];
			try {
				results = await queryDentries(client, chunk[0].spaceId, chunk[0].unionId, ids);
			} catch (error) {
				// The check failed (a permission, a rate limit): these items fail, nothing is changed.
				for (const plan of chunk) outcomes.set(plan.itemIndex, { error });
				continue;
			}
			const byId = new Map(results.map((result) => [result.dentryId, result]));
			for (const plan of chunk) {
				const result = byId.get(plan.dentryId);
				if (!result?.success || !result.dentry) {
					outcomes.set(plan.itemIndex, {
						error: apiErrorFromCode(
							result?.errorCode ?? 'dentryNotExist',
							BATCH_APIS.query,
							`of ${plan.dentryId}`,
						),
					});
					continue;
				}
				plan.dentry = result.dentry;
			}
		}
	}
	for (const plan of plans) {
		if (outcomes.has(plan.itemIndex) || !plan.dentry) continue;
		if (isFolderEntry(plan.dentry) !== (plan.expected.kind === 'folder'))
			outcomes.set(plan.itemIndex, {
				error: wrongKind(plan.field, plan.dentryId, plan.dentry, plan.expected),
			});
	}
}

/**
 * Whether the items may go in batches at all, from their parameters alone (no call): not
 * when an item is given by path, since a path is resolved against the tree as earlier items
 * left it (one at a time, item 2 may name what item 1 just made or moved). A target folder by
 * path is fine for files (moving or copying files changes no folder's path), not for folders.
 */
function batchable(ctx: IExecuteFunctions, linkable: ReadonlySet<string>): boolean {
	const files = ctx.getNodeParameter('resource', 0) === 'file';
	const count = ctx.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++)
		for (const name of linkable) {
			if (files && name === 'targetFolderId') continue;
			if (readLocator(ctx, name, itemIndex).mode === 'path') return false;
		}
	return true;
}

/**
 * Runs a batched operation over every input item; the output is as the item-by-item run's
 * (one item per input, paired, error items under Continue On Fail). Undefined: these items
 * are to go one at a time (their order could matter), and nothing has been changed.
 */
export async function runBatched(
	ctx: IExecuteFunctions,
	operation: StorageOperation & { batch: BatchSupport },
	settings: {
		credentials: ICredentialDataDecryptedObject;
		requestsPerSecond: number;
		paths: PathResolver;
		linkable: ReadonlySet<string>;
	},
): Promise<INodeExecutionData[][] | undefined> {
	const batch = operation.batch;
	if (!batchable(ctx, settings.linkable)) return undefined;
	const signal = ctx.getExecutionCancelSignal?.() ?? new AbortController().signal;
	const clientWith = (timeouts = DEFAULT_TIMEOUTS) =>
		clientFor(settings.credentials, timeouts, {
			signal,
			requestsPerSecond: settings.requestsPerSecond,
			logger: ctx.logger,
		});
	const client = clientWith();
	const continueOnFail = ctx.continueOnFail();
	const count = ctx.getInputData().length;
	const outcomes = new Map<number, Outcome>();
	const contexts = new Map<number, ItemContext>();
	const stop = (itemIndex: number, error: unknown): never => {
		throw toNodeError(ctx.getNode(), error, itemIndex);
	};

	// 1. Every item's input, read and checked; without Continue On Fail, bad input stops the
	// node before anything is changed.
	const plans: BatchPlan[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			const item: ItemContext = {
				ctx: await withLinksResolved(ctx, itemIndex, client, settings.paths, settings.linkable),
				itemIndex,
				client,
				clientWith,
				paths: settings.paths,
				signal,
			};
			contexts.set(itemIndex, item);
			plans.push(await batch.plan(item));
		} catch (error) {
			if (!continueOnFail) stop(itemIndex, error);
			outcomes.set(itemIndex, { error });
		}
	}
	// Where the order of the changes could matter, they go one at a time, as without batches
	// (nothing has been changed yet): an item named twice, or an item that is another's target.
	const ids = plans.map((plan) => `${plan.spaceId}\n${plan.dentryId}`);
	const targets = new Set(
		plans.flatMap((plan) =>
			plan.targetFolderId === undefined
				? []
				: [`${plan.targetSpaceId ?? plan.spaceId}\n${plan.targetFolderId}`],
		),
	);
	if (new Set(ids).size !== ids.length || ids.some((id) => targets.has(id))) return undefined;
	await checkKinds(client, plans, outcomes);
	if (!continueOnFail) {
		const first = [...outcomes.entries()].sort(([a], [b]) => a - b)[0];
		if (first) stop(first[0], (first[1] as { error: unknown }).error);
	}

	// 2. The changes, group by group, in the order the groups' first items came.
	const groups = new Map<string, BatchPlan[]>();
	for (const plan of plans) {
		if (outcomes.has(plan.itemIndex)) continue;
		groups.set(plan.key, [...(groups.get(plan.key) ?? []), plan]);
	}
	/** Without Continue On Fail, the first failed call stops the node: no later call is made. */
	const stopAfter = (chunk: BatchPlan[]) => {
		if (continueOnFail) return;
		const failed = chunk.find((plan) => 'error' in (outcomes.get(plan.itemIndex) ?? {}));
		if (!failed) return;
		const positions = (which: (outcome: Outcome) => boolean) =>
			[...outcomes.entries()]
				.filter(([, outcome]) => which(outcome))
				.map(([index]) => index + 1)
				.sort((a, b) => a - b);
		const done = positions((outcome) => 'json' in outcome);
		const maybe = positions((outcome) => 'mayHaveChanged' in outcome);
		const error = (outcomes.get(failed.itemIndex) as { error: unknown }).error;
		const nodeError = toNodeError(ctx.getNode(), error, failed.itemIndex);
		const said = [
			done.length > 0 ? `Items changed before this failure (by position): ${done.join(', ')}.` : '',
			maybe.length > 0
				? `Items that may have been changed (check them before running again): ${maybe.join(', ')}.`
				: '',
		].filter(Boolean);
		if (said.length > 0)
			nodeError.description =
				`${nodeError.description ?? ''} ${said.join(' ')} Items not listed were not changed.`.trim();
		throw nodeError;
	};
	for (const group of groups.values()) {
		for (const chunk of chunks(group, batch.max)) {
			if (chunk.length === 1) {
				// Alone: the single call, exactly as an item on its own.
				const [plan] = chunk;
				try {
					const output = await operation.execute(contexts.get(plan.itemIndex)!);
					outcomes.set(plan.itemIndex, { json: (Array.isArray(output) ? output[0] : output).json });
				} catch (error) {
					outcomes.set(plan.itemIndex, { error });
				}
				settings.paths.forget();
				stopAfter(chunk);
				continue;
			}
			let results: BatchItemResult[];
			try {
				results = await batch.run(client, chunk);
			} catch (error) {
				// No (readable) answer to a call that may have reached DingTalk: its items may have
				// been changed.
				const maybe = changeMayHaveHappened(error);
				for (const plan of chunk)
					outcomes.set(plan.itemIndex, maybe ? { error, mayHaveChanged: true } : { error });
				stopAfter(chunk);
				continue;
			}
			settings.paths.forget();
			const byId = new Map(results.map((result) => [result.dentryId, result]));
			for (const plan of chunk) {
				const result = byId.get(plan.dentryId)!;
				if (result.unknown) {
					outcomes.set(plan.itemIndex, {
						error: outcomeUnknown(result.unknown.error, plan.dentryId),
						mayHaveChanged: true,
					});
					continue;
				}
				try {
					outcomes.set(plan.itemIndex, {
						json: await batch.output(contexts.get(plan.itemIndex)!, plan, result),
					});
				} catch (error) {
					// Its change was made (or begun: a task) when DingTalk said it succeeded.
					outcomes.set(
						plan.itemIndex,
						result.success ? { error, mayHaveChanged: true } : { error },
					);
				}
			}
			stopAfter(chunk);
		}
	}

	// 3. The items in input order; a failure stops the node unless Continue On Fail is on
	// (the items of its call were changed; it says which failed).
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const outcome = outcomes.get(itemIndex) ?? { error: new Error('the item was not run') };
		if ('error' in outcome) {
			if (!continueOnFail) stop(itemIndex, outcome.error);
			output.push({ json: errorItemFields(outcome.error), pairedItem: { item: itemIndex } });
		} else output.push({ json: outcome.json, pairedItem: { item: itemIndex } });
	}
	return [runsAsTool(ctx.getNode()) ? itemsForModel(output, operation.modelFields) : output];
}
