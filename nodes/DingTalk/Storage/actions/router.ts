import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_REQUESTS_PER_SECOND } from '../../shared/api/callPolicy';
import { PathResolver } from '../../shared/storage/listing';
import { readRunOptions } from '../../n8n/download';
import { runForEachItem } from '../../n8n/eachItem';
import { withLinksResolved } from '../../n8n/linkedItems';
import { refuseModelChosenFields } from '../../n8n/toolMode';
import { agentChangeRefusal } from './agentChanges';
import { runBatched } from './common/batched';
import { fileOperations } from './file';
import { folderOperations } from './folder';
import { permissionOperations } from './permission';
import { recycleBinOperations } from './recycleBin';
import { spaceOperations } from './space';
import type { Resource, StorageOperation } from './types';

const OPERATIONS: Record<Resource, Record<string, StorageOperation>> = {
	file: fileOperations,
	folder: folderOperations,
	space: spaceOperations,
	permission: permissionOperations,
	recycleBin: recycleBinOperations,
};

/** The pickers of an operation that may hold a link (n8n/linkedItems.ts). */
function linkablePickers(resource: Resource, operation: string): ReadonlySet<string> {
	const pickers = new Set<string>();
	if (resource === 'permission') pickers.add('dentryId');
	if (resource === 'folder') pickers.add('folderId');
	if (resource === 'file') {
		if (operation === 'upload' || operation === 'createFromText') pickers.add('folderId');
		else if (operation !== 'search') pickers.add('dentryId');
	}
	if (
		(resource === 'file' || resource === 'folder') &&
		(operation === 'copy' || operation === 'move')
	)
		pickers.add('targetFolderId');
	return pickers;
}

/** Reads at the same time, by default (a download has its own option, Items in Parallel). */
const PARALLEL_READS = 4;

/**
 * Runs the chosen operation for every input item: in item order, reads several at a time;
 * each item's failure becomes an error item under Continue On Fail, paired with its input.
 */
export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = ctx.getNodeParameter('resource', 0) as Resource;
	const name = ctx.getNodeParameter('operation', 0) as string;
	const operation = OPERATIONS[resource]?.[name];
	if (!operation)
		throw new NodeOperationError(
			ctx.getNode(),
			`The operation "${name}" is not known for "${resource}"`,
		);
	// Before any item runs: what a model may not choose, and what an agent may not change.
	refuseModelChosenFields(ctx.getNode());
	const items = ctx.getInputData();
	const refusal = agentChangeRefusal(ctx, resource, name);
	if (refusal)
		return [
			items.map((_, itemIndex) => ({ json: { ...refusal }, pairedItem: { item: itemIndex } })),
		];

	const credentials = await ctx.getCredentials('dingTalkApi');
	const { concurrency, requestsPerSecond } =
		resource === 'file' && name === 'download'
			? readRunOptions(ctx)
			: {
					concurrency: operation.parallel ? PARALLEL_READS : 1,
					requestsPerSecond: DEFAULT_REQUESTS_PER_SECOND,
				};
	const paths = new PathResolver();
	const linkable = linkablePickers(resource, name);
	// Many items of a change DingTalk has a batch call for: a few calls instead of one each.
	if (operation.batch && items.length > 1) {
		const batched = await runBatched(
			ctx,
			{ ...operation, batch: operation.batch },
			{ credentials, requestsPerSecond, paths, linkable },
		);
		if (batched) return batched;
	}
	return await runForEachItem(
		ctx,
		{ credentials, concurrency, requestsPerSecond, modelFields: operation.modelFields },
		async ({ itemIndex, signal, clientWith }) => {
			try {
				const client = clientWith();
				return await operation.execute({
					// Items given as links, read back to their space and ID first.
					ctx: await withLinksResolved(ctx, itemIndex, client, paths, linkable),
					itemIndex,
					client,
					clientWith,
					paths,
					signal,
				});
			} finally {
				// A change may add, move or remove what a path leads to: the next item lists afresh.
				if (!operation.parallel) paths.forget();
			}
		},
	);
}
