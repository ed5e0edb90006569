import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_REQUESTS_PER_SECOND } from '../../shared/api/callPolicy';
import { PathResolver } from '../../shared/storage/listing';
import { readRunOptions } from '../../n8n/download';
import { runForEachItem } from '../../n8n/eachItem';
import { refuseModelChosenFields } from '../../n8n/toolMode';
import { agentChangeRefusal } from './agentChanges';
import { fileOperations } from './file';
import { folderOperations } from './folder';
import { spaceOperations } from './space';
import type { Resource, StorageOperation } from './types';

const OPERATIONS: Record<Resource, Record<string, StorageOperation>> = {
	file: fileOperations,
	folder: folderOperations,
	space: spaceOperations,
};

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
	return await runForEachItem(
		ctx,
		{ credentials, concurrency, requestsPerSecond },
		async ({ itemIndex, signal, clientWith }) => {
			try {
				return await operation.execute({
					ctx,
					itemIndex,
					client: clientWith(),
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
