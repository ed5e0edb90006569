import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import type { DingTalkClient } from '../shared/api/client';
import { DEFAULT_TIMEOUTS, type Timeouts } from '../shared/transport/http';
import { clientFor } from './credentials';
import { runItems } from './itemPool';
import { errorItemFields, toNodeError } from './nodeErrors';
import { itemsForModel, runsAsTool } from './toolMode';

/** How a node's run goes: whose credential, how many items at a time, how many calls a second. */
interface RunSettings {
	credentials: ICredentialDataDecryptedObject;
	concurrency: number;
	requestsPerSecond: number;
	/** Output fields an agent's model may read beyond the common ones (toolMode.ts). */
	modelFields?: readonly string[];
}

/** What the work for one item gets. */
export interface EachItem {
	itemIndex: number;
	/** Cancelled with the execution, or when another item's failure stops the run. */
	signal: AbortSignal;
	/** A client of the run's credential, cancelled with `signal` (default timeouts unless given). */
	clientWith: (timeouts?: Timeouts) => DingTalkClient;
}

/**
 * Runs `work` for every input item, `concurrency` at a time, and returns the items in input
 * order, each paired with its input. A failure stops the node, or, under Continue On Fail,
 * becomes that item's error item while the others go on. As an AI agent's tool, the model
 * reads only the fields it needs (toolMode.ts). What both the "DingTalk Storage" node's
 * router and the "DingTalk Storage Download" node run their items with.
 */
export async function runForEachItem(
	ctx: IExecuteFunctions,
	{ credentials, concurrency, requestsPerSecond, modelFields }: RunSettings,
	work: (item: EachItem) => Promise<INodeExecutionData | INodeExecutionData[]>,
): Promise<INodeExecutionData[][]> {
	const { results, failure } = await runItems(
		ctx.getInputData().length,
		async (itemIndex, signal) => {
			const clientWith = (timeouts = DEFAULT_TIMEOUTS) =>
				clientFor(credentials, timeouts, { signal, requestsPerSecond, logger: ctx.logger });
			const output = await work({ itemIndex, signal, clientWith });
			return (Array.isArray(output) ? output : [output]).map((item) => ({
				...item,
				pairedItem: { item: itemIndex },
			}));
		},
		{ concurrency, stopOnFailure: !ctx.continueOnFail(), signal: ctx.getExecutionCancelSignal?.() },
	);
	if (failure) throw toNodeError(ctx.getNode(), failure.error, failure.index);
	const output = results.flatMap((result, itemIndex) =>
		result && 'value' in result
			? result.value
			: [{ json: errorItemFields(result?.error), pairedItem: { item: itemIndex } }],
	);
	return [runsAsTool(ctx.getNode()) ? itemsForModel(output, modelFields) : output];
}
