/**
 * Runs any node of this package through n8n's real execution engine (n8n-core's
 * WorkflowExecute, ExecuteContext and BinaryDataService), in this process. What stands in
 * for the n8n application: the node-type registry (this package's nodes plus a tiny item
 * source), a credentials helper that hands out plain credential data, and the lifecycle
 * hooks that collect the run.
 */
import { Container } from '@n8n/di';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
	BinaryDataService,
	ExecutionLifecycleHooks,
	PollContext,
	TriggerContext,
	WorkflowExecute,
} from 'n8n-core';
// Not exported from the package root; needed only to stop their timers (see stopN8nTimers).
import { ScheduledTaskManager } from 'n8n-core/dist/execution-engine/scheduled-task-manager';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	createDeferredPromise,
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IConnections,
	type ITriggerResponse,
} from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkStorage } from '../../nodes/DingTalk/Storage/DingTalkStorage.node';
import { DingTalkStorageDownload } from '../../nodes/DingTalk/StorageDownload/DingTalkStorageDownload.node';
import { DingTalkStorageEventTrigger } from '../../nodes/DingTalk/StorageEventTrigger/DingTalkStorageEventTrigger.node';
import {
	listenForEvents,
	type ListenOptions,
} from '../../nodes/DingTalk/StorageEventTrigger/trigger/listen';
import { DingTalkStorageTrigger } from '../../nodes/DingTalk/StorageTrigger/DingTalkStorageTrigger.node';
import { toNodeError } from '../../nodes/DingTalk/n8n/nodeErrors';

export const DOWNLOAD_NODE_TYPE = 'n8n-nodes-dingtalk-storage.dingTalkStorageDownload';
export const STORAGE_NODE_TYPE = 'n8n-nodes-dingtalk-storage.dingTalkStorage';
export const TRIGGER_NODE_TYPE = 'n8n-nodes-dingtalk-storage.dingTalkStorageTrigger';
export const EVENT_TRIGGER_NODE_TYPE = 'n8n-nodes-dingtalk-storage.dingTalkStorageEventTrigger';
/** The types n8n adds for AI agents (`usableAsTool`): the same classes under `<name>Tool`. */
export const DOWNLOAD_TOOL_TYPE = `${DOWNLOAD_NODE_TYPE}Tool`;
export const STORAGE_TOOL_TYPE = `${STORAGE_NODE_TYPE}Tool`;
const SOURCE_NODE_TYPE = 'test.itemSource';

/**
 * A node as n8n serves its tool type: the description named `<name>Tool`, which is what
 * `@tool` display options read (n8n's convertNodeToAiTool), so tool-only parameters are kept.
 */
function asTool(node: INodeType): INodeType {
	node.description = { ...node.description, name: `${node.description.name}Tool` };
	return node;
}

/** Every node this package ships, by the type name n8n gives it. */
const PACKAGE_NODES: Record<string, () => INodeType> = {
	[DOWNLOAD_NODE_TYPE]: () => new DingTalkStorageDownload(),
	[STORAGE_NODE_TYPE]: () => new DingTalkStorage(),
	[TRIGGER_NODE_TYPE]: () => new DingTalkStorageTrigger(),
	[EVENT_TRIGGER_NODE_TYPE]: () => new DingTalkStorageEventTrigger(),
	[DOWNLOAD_TOOL_TYPE]: () => asTool(new DingTalkStorageDownload()),
	[STORAGE_TOOL_TYPE]: () => asTool(new DingTalkStorage()),
};

/** Emits the items given in its `items` parameter: stands in for a trigger or a Code node. */
class ItemSource implements INodeType {
	description = {
		displayName: 'Item Source',
		name: 'itemSource',
		group: ['input'],
		version: 1,
		description: 'Test items',
		defaults: { name: 'Item Source' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' },
			{ displayName: 'Binaries', name: 'binaries', type: 'json', default: '[]' },
		] as INodeProperties[],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		const binaries = JSON.parse(
			this.getNodeParameter('binaries', 0, '[]') as string,
		) as Array<InputBinary | null>;
		return [
			await Promise.all(
				items.map(async (json, index) => {
					const file = binaries[index];
					if (!file) return { json };
					// As Read/Write Files from Disk does: the file streamed into n8n's binary data.
					const binary = await this.helpers.prepareBinaryData(
						createReadStream(file.path),
						file.path,
						file.mimeType,
					);
					return { json, binary: { [file.field ?? 'data']: binary } };
				}),
			),
		];
	}
}

class NodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		...Object.fromEntries(Object.entries(PACKAGE_NODES).map(([name, create]) => [name, create()])),
		[SOURCE_NODE_TYPE]: new ItemSource(),
	};

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(nodeType);
	}

	getByNameAndVersion(nodeType: string): INodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getKnownTypes() {
		return {};
	}
}

class CredentialsHelper extends ICredentialsHelper {
	private readonly credentialType = new DingTalkApi();

	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		_credentials: ICredentialDataDecryptedObject,
		_type: string,
		requestOptions: IHttpRequestOptions,
	) {
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(): INodeProperties[] {
		return this.credentialType.properties;
	}
}

export type BinaryMode = 'default' | 'filesystem';

let binaryStorage: string | undefined;

/** Sets n8n's BinaryDataService up in the given mode, as n8n does at start-up. */
export async function useBinaryMode(mode: BinaryMode): Promise<string> {
	binaryStorage ??= mkdtempSync(path.join(tmpdir(), 'dingtalk-n8n-binary-'));
	const config = {
		mode,
		availableModes: ['default', 'filesystem'],
		localStoragePath: binaryStorage,
		signingSecret: 'test-signing-secret',
		dbMaxFileSize: 512,
	};
	const errorReporter = { error: () => undefined, warn: () => undefined, info: () => undefined };
	const logger = {
		debug: () => undefined,
		info: () => undefined,
		warn: () => undefined,
		error: () => undefined,
		scoped: () => logger,
	};
	const service = new BinaryDataService(config as never, errorReporter as never, logger as never);
	await service.init();
	Container.set(BinaryDataService, service);
	return binaryStorage;
}

/**
 * n8n-core services that the execution context creates on first use start interval timers
 * meant to live as long as the n8n process; in a test process they must be stopped.
 */
export function stopN8nTimers(): void {
	const ssh = Container.has(SSHClientsManager)
		? (Container.get(SSHClientsManager) as unknown as { cleanupTimer?: NodeJS.Timeout })
		: undefined;
	const cron = Container.has(ScheduledTaskManager)
		? (Container.get(ScheduledTaskManager) as unknown as { logInterval?: NodeJS.Timeout })
		: undefined;
	if (ssh?.cleanupTimer) clearInterval(ssh.cleanupTimer);
	if (cron?.logInterval) clearInterval(cron.logInterval);
}

export function removeBinaryStorage(): void {
	if (binaryStorage) rmSync(binaryStorage, { recursive: true, force: true });
	binaryStorage = undefined;
}

export function binaryService(): BinaryDataService {
	return Container.get(BinaryDataService);
}

/** A file on disk that the item source puts into an item's binary field (its name: the file's). */
export interface InputBinary {
	path: string;
	field?: string;
	mimeType?: string;
}

export interface RunOptions {
	/** Which of the package's nodes to run (default: the download node). */
	nodeType?: string;
	/** That node's parameters. */
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	/** Items fed into the DingTalk node (default: one empty item). */
	items?: IDataObject[];
	/** Binaries of those items, by index (null: none). */
	binaries?: Array<InputBinary | null>;
	continueOnFail?: boolean;
	/** Cancels the execution after this many milliseconds. */
	cancelAfterMs?: number;
	/** Cancels the execution when this settles: at a point the test chooses, not after a delay. */
	cancelWhen?: Promise<unknown>;
}

export interface RunResult {
	run: IRun;
	/** The DingTalk node's output items (main output 0), or undefined if it did not run. */
	output?: INodeExecutionData[];
	/** The error n8n recorded for the DingTalk node, if it failed. */
	error?: Error & { description?: string; context?: IDataObject; httpCode?: string };
}

let executionCounter = 0;

/** What stands in for n8n's additional data: the credentials helper and the instance's URLs. */
function baseAdditionalData(credentials: ICredentialDataDecryptedObject) {
	return {
		credentialsHelper: new CredentialsHelper(credentials),
		currentNodeParameters: undefined,
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
		webhookBaseUrl: 'http://localhost/webhook',
		webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost/webhook-test',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		variables: {},
		setExecutionStatus: () => undefined,
		sendDataToUI: () => undefined,
		logAiEvent: () => undefined,
	};
}

export async function runNode(options: RunOptions): Promise<RunResult> {
	const executionId = String(++executionCounter);
	const nodes: INode[] = [
		{
			id: 'source',
			name: 'Source',
			type: SOURCE_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				items: JSON.stringify(options.items ?? [{}]),
				binaries: JSON.stringify(options.binaries ?? []),
			},
		},
		{
			id: 'dingtalk',
			name: 'DingTalk',
			type: options.nodeType ?? DOWNLOAD_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters as INode['parameters'],
			credentials: { dingTalkApi: { id: 'cred-1', name: 'DingTalk test credential' } },
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	const connections: IConnections = {
		Source: { main: [[{ node: 'DingTalk', type: 'main', index: 0 }]] },
	};
	const workflow = new Workflow({
		id: 'wf-test',
		nodes,
		connections,
		active: false,
		nodeTypes: new NodeTypes(),
		settings: {},
	});

	const hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: 'wf-test',
		name: 'test',
		nodes,
		connections,
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const finished = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));

	const additionalData = {
		...baseAdditionalData(options.credentials),
		hooks,
		executionId,
	} as unknown as IWorkflowExecuteAdditionalData;

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: workflow.getNode('Source')!, data: { main: [[{ json: {} }]] }, source: null },
			],
		},
	});

	const execution = new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);
	if (options.cancelAfterMs !== undefined) {
		const timer = setTimeout(() => execution.cancel(), options.cancelAfterMs);
		execution.finally(() => clearTimeout(timer)).catch(() => undefined);
	}
	options.cancelWhen?.finally(() => execution.cancel()).catch(() => undefined);
	let run: IRun;
	try {
		run = await execution;
	} catch (error) {
		// A cancelled execution rejects; the hook still reports what ran.
		if (options.cancelAfterMs === undefined && options.cancelWhen === undefined) throw error;
		run = await finished.promise;
	}
	const taskData = run.data.resultData.runData.DingTalk?.[0];
	return {
		run,
		output: taskData?.data?.main?.[0] ?? undefined,
		error: (taskData?.error ?? undefined) as RunResult['error'],
	};
}

export interface PollOptions {
	/** The trigger's parameters. */
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	/**
	 * The workflow's static data as n8n last saved it (JSON), or undefined for a new
	 * workflow. The poll gets its own copy, as n8n loads it from the database.
	 */
	staticData?: string;
	/** 'trigger' for an activated workflow's poll; 'manual' for the editor's Fetch Test Event. */
	mode?: 'trigger' | 'manual';
}

export interface PollResult {
	/** The items the poll emitted, or null when it had nothing to say. */
	output?: INodeExecutionData[] | null;
	error?: Error & { description?: string; context?: IDataObject; httpCode?: string };
	/** The static data after the poll, as JSON (what n8n would save). */
	staticData: string;
}

/**
 * An active workflow holding one of the package's triggers, with the static data n8n last
 * saved (JSON; undefined for a new workflow): each run gets its own copy, as n8n loads it.
 */
function triggerWorkflow(
	id: string,
	trigger: Pick<INode, 'id' | 'name' | 'type'>,
	parameters: IDataObject,
	staticData: string | undefined,
) {
	const node: INode = {
		...trigger,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: { dingTalkApi: { id: 'cred-1', name: 'DingTalk test credential' } },
	};
	const workflow = new Workflow({
		id,
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: new NodeTypes(),
		staticData: staticData === undefined ? undefined : (JSON.parse(staticData) as IDataObject),
		settings: {},
	});
	return { node, workflow };
}

/** One poll of the DingTalk Storage Trigger in n8n-core's PollContext, with static data carried between polls. */
export async function runPoll(options: PollOptions): Promise<PollResult> {
	const { node, workflow } = triggerWorkflow(
		'wf-trigger',
		{ id: 'trigger', name: 'DingTalk Trigger', type: TRIGGER_NODE_TYPE },
		options.parameters,
		options.staticData,
	);
	const additionalData = baseAdditionalData(
		options.credentials,
	) as unknown as IWorkflowExecuteAdditionalData;
	const mode = options.mode ?? 'trigger';
	const context = new PollContext(
		workflow,
		workflow.getNode(node.name)!,
		additionalData,
		mode,
		mode === 'manual' ? 'manual' : 'activate',
	);
	const trigger = new DingTalkStorageTrigger();
	let output: INodeExecutionData[] | null | undefined;
	let error: PollResult['error'];
	try {
		const result = await trigger.poll.call(context);
		output = result === null ? null : result[0];
	} catch (caught) {
		error = caught as PollResult['error'];
	}
	return { output, error, staticData: JSON.stringify(workflow.staticData ?? {}) };
}

export interface EventTriggerOptions {
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	/** The workflow's static data as n8n last saved it (JSON), or undefined for a new workflow. */
	staticData?: string;
	/** 'trigger' for an active workflow; 'manual' for the editor's "listen for a test event". */
	mode?: 'trigger' | 'manual';
	/** Shorter waits for tests (the node itself uses the defaults). */
	tunables?: Partial<ListenOptions>;
	/** The node's name (two triggers in one test: two names). */
	name?: string;
}

export interface ActiveEventTrigger {
	/** Every emit's items, in order (one emit: one execution). */
	emits: INodeExecutionData[][];
	/** Every item emitted so far, in order. */
	items(): INodeExecutionData[];
	/** What the trigger reported with emitError. */
	errors: Error[];
	/** The static data as n8n last saved it: after the activation, and at every emit (never in a manual run). */
	saved(): string;
	/** The static data as it is in memory now (what n8n would save next). */
	staticDataNow(): string;
	response: ITriggerResponse;
	/** The workflow's deactivation. */
	close(): Promise<void>;
}

/**
 * Activates the DingTalk Storage Event Trigger in n8n-core's TriggerContext, as n8n does for
 * an active workflow: `emit` collects the items and saves the static data (n8n saves it at
 * every emit, and once the activation is done). Rejects with the activation's error.
 */
export async function activateEventTrigger(
	options: EventTriggerOptions,
): Promise<ActiveEventTrigger> {
	const name = options.name ?? 'DingTalk Event Trigger';
	const { node, workflow } = triggerWorkflow(
		`wf-events-${name}`,
		{ id: `event-trigger-${name}`, name, type: EVENT_TRIGGER_NODE_TYPE },
		options.parameters,
		options.staticData,
	);
	const emits: INodeExecutionData[][] = [];
	const errors: Error[] = [];
	let saved = options.staticData ?? '{}';
	const save = () => {
		saved = JSON.stringify(workflow.staticData ?? {});
	};
	const mode = options.mode ?? 'trigger';
	const emit = (data: INodeExecutionData[][]) => {
		// n8n saves a trigger's static data at every emit, but never in a manual run.
		if (mode !== 'manual') save();
		emits.push(data[0] ?? []);
	};
	const additionalData = baseAdditionalData(
		options.credentials,
	) as unknown as IWorkflowExecuteAdditionalData;
	const context = new TriggerContext(
		workflow,
		workflow.getNode(name)!,
		additionalData,
		mode,
		mode === 'manual' ? 'manual' : 'activate',
		emit as never,
		(error: Error) => errors.push(error),
	);
	let response: ITriggerResponse;
	if (options.tunables) {
		try {
			response = await listenForEvents(context, options.tunables);
		} catch (error) {
			throw toNodeError(node, error, 0);
		}
	} else {
		response = (await new DingTalkStorageEventTrigger().trigger.call(context)) as ITriggerResponse;
	}
	if (mode !== 'manual') save();
	else await response.manualTriggerFunction?.();
	return {
		emits,
		items: () => emits.flat(),
		errors,
		saved: () => saved,
		staticDataNow: () => JSON.stringify(workflow.staticData ?? {}),
		response,
		close: async () => await response.closeFunction?.(),
	};
}
