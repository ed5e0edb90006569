import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationTexts } from '../../n8n/operationTexts';
import type { BatchSupport } from './common/batched';
import type { DingTalkClient } from '../../shared/api/client';
import type { PathResolver } from '../../shared/storage/listing';
import type { Timeouts } from '../../shared/transport/http';

export type Resource = 'file' | 'folder' | 'space' | 'permission' | 'recycleBin';

/** What an operation gets for one item. */
export interface ItemContext {
	ctx: IExecuteFunctions;
	itemIndex: number;
	/** A client with the default timeouts, cancelled with the execution (or the run's stop). */
	client: DingTalkClient;
	/** A client with other timeouts (a download's options). */
	clientWith: (timeouts: Timeouts) => DingTalkClient;
	/** Paths resolved in this execution, each folder listed once. */
	paths: PathResolver;
	signal: AbortSignal;
}

/** One operation of one resource: its parameters and what it does for an item. */
export interface StorageOperation {
	/** Shown for this resource and operation only (see `show`). */
	properties: INodeProperties[];
	/**
	 * Whether items may run at the same time. Reads may; changes run one at a time in item
	 * order, so a workflow's effects happen in the order its items came.
	 */
	parallel: boolean;
	/**
	 * Fields of its output an AI agent's model may read beyond the common ones (n8n/toolMode.ts),
	 * such as a link the node's owner allowed the agent to get.
	 */
	modelFields?: string[];
	/**
	 * Many input items in DingTalk's batch calls (Delete, Move, Copy): see common/batched.ts.
	 * A single input item always goes through `execute`.
	 */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	batch?: BatchSupport<any>;
	/** The item's output: one item, or one per entry (a listing). Paired items are set by the router. */
	execute(item: ItemContext): Promise<INodeExecutionData | INodeExecutionData[]>;
}

/** A row of a resource's operation table: its texts (the picker's, an agent's) and what runs it. */
export interface ResourceOperation extends OperationTexts {
	run: StorageOperation;
}
