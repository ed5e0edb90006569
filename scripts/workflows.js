// @ts-check
'use strict';
/**
 * The one workflow builder of the project: workflows and nodes for real n8n, the example
 * workflows pointed at the emulator, and the credential records to import. Used by the
 * end-to-end suite, the benchmarks, `npm run demo` and `npm run dev`.
 */
const fs = require('node:fs');
const path = require('node:path');

const { EMULATOR_DEFAULTS } = require('../emulator');

const PACKAGE_NAME = 'n8n-nodes-dingtalk-storage';
const NODE_TYPES = {
	download: `${PACKAGE_NAME}.dingTalkStorageDownload`,
	storage: `${PACKAGE_NAME}.dingTalkStorage`,
	trigger: `${PACKAGE_NAME}.dingTalkStorageTrigger`,
	eventTrigger: `${PACKAGE_NAME}.dingTalkStorageEventTrigger`,
};
const EXAMPLES = path.join(__dirname, '..', 'examples');

/**
 * Poll Times for the tests: every 5 seconds, through n8n's own cron and poll path. n8n
 * refuses a poll interval under a minute in one expression (a seconds field that is not a
 * single number), but each entry of Poll Times is its own schedule, and a custom
 * cron fixed on one second is a once-a-minute schedule: twelve of them poll every 5 s.
 */
const FAST_POLLS = {
	item: Array.from({ length: 12 }, (_, index) => index * 5).map((second) => ({
		mode: 'custom',
		cronExpression: `${second} * * * * *`,
	})),
};

/** The credential every example and test workflow names. */
const APP_CREDENTIAL = { id: 'dtCredentialApp1', name: 'DingTalk API' };
/** The chat model credential of the AI-agent example (an OpenAI-compatible endpoint). */
const MODEL_CREDENTIAL = { id: 'dtCredentialLlm01', name: 'OpenAI-compatible chat model' };
/** The model the scripted model server answers as (scripts/e2e/model.js). */
const SCRIPTED_MODEL = 'scripted-model';

/**
 * @typedef {Record<string, unknown> & {name: string, type: string, parameters: Record<string, unknown>}} WorkflowNode
 * @typedef {Record<string, unknown> & {id: string, name: string, nodes: WorkflowNode[], connections: Record<string, unknown>}} Workflow
 * @typedef {{appKey: string, appSecret: string, baseUrl: string, unionId: string, issueToken?: () => string}} EmulatorLike
 */

/**
 * The "DingTalk API" credential of an emulator, as `n8n import:credentials` takes it.
 * @param {EmulatorLike} emulator
 * @param {{id?: string, name?: string, accessToken?: string}} [as] another id/name, or a token credential
 */
function credentialRecord(emulator, as = {}) {
	const data = as.accessToken
		? { authentication: 'accessToken', accessToken: as.accessToken, baseUrl: emulator.baseUrl }
		: {
				authentication: 'appCredentials',
				appKey: emulator.appKey,
				appSecret: emulator.appSecret,
				baseUrl: emulator.baseUrl,
			};
	return {
		id: as.id ?? APP_CREDENTIAL.id,
		name: as.name ?? APP_CREDENTIAL.name,
		type: 'dingTalkApi',
		data,
	};
}

/**
 * The AI-agent example's model credential ("OpenAI" type, n8n's `openAiApi`), pointed at an
 * OpenAI-compatible base URL such as the scripted model's. The key is not a secret.
 * @param {string} url e.g. http://127.0.0.1:PORT/v1
 */
function modelCredentialRecord(url) {
	return {
		...MODEL_CREDENTIAL,
		type: 'openAiApi',
		data: { apiKey: 'sk-scripted-model-not-a-secret', url },
	};
}

/**
 * One of this package's nodes.
 * @param {'download' | 'storage' | 'trigger' | 'eventTrigger'} kind
 * @param {string} name
 * @param {Record<string, unknown>} parameters
 * @param {Record<string, unknown>} [extra] more node fields (credentials, onError, disabled...)
 * @returns {WorkflowNode}
 */
function dingTalkNode(kind, name, parameters, extra = {}) {
	return {
		name,
		type: NODE_TYPES[kind],
		typeVersion: 1,
		credentials: { dingTalkApi: APP_CREDENTIAL },
		...extra,
		parameters: { options: {}, ...parameters },
	};
}

/**
 * A resource locator value as the editor saves it.
 * @param {string} value @param {'list' | 'id' | 'path'} [mode]
 */
function locator(value, mode = 'id') {
	return { __rl: true, mode, value };
}

/**
 * A workflow started by a Manual Trigger, running `nodes` one after the other.
 * @param {string} id @param {string} name @param {WorkflowNode[]} nodes
 * @returns {Workflow}
 */
function chainWorkflow(id, name, nodes) {
	/** @type {WorkflowNode[]} */
	const all = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
		...nodes,
	];
	/** @type {Record<string, unknown>} */
	const connections = {};
	all.forEach((node, index) => {
		node.id = `${id}-${index}`;
		node.position = [index * 240, 0];
		if (index > 0)
			connections[all[index - 1].name] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	});
	return {
		id,
		name,
		nodes: all,
		connections,
		settings: { executionOrder: 'v1' },
		active: false,
		pinData: {},
	};
}

/**
 * A workflow whose Manual Trigger starts every node of `nodes` (branches run one by one).
 * @param {string} id @param {string} name @param {WorkflowNode[]} nodes
 * @returns {Workflow}
 */
function fanOutWorkflow(id, name, nodes) {
	/** @type {WorkflowNode} */
	const start = {
		id: `${id}-0`,
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	nodes.forEach((node, index) => {
		node.id = `${id}-${index + 1}`;
		node.position = [240, index * 160];
	});
	const connections = {
		Start: { main: [nodes.map((node) => ({ node: node.name, type: 'main', index: 0 }))] },
	};
	return {
		id,
		name,
		nodes: [start, ...nodes],
		connections,
		settings: { executionOrder: 'v1' },
		active: false,
		pinData: {},
	};
}

/**
 * A workflow started by a Webhook (GET /webhook/<path>) that answers when its last node is
 * done: with that node's first binary (`respond: 'binary'`) or all its items as JSON.
 * @param {string} id @param {string} name @param {string} webhookPath @param {WorkflowNode[]} nodes
 * @param {{respond?: 'binary' | 'json', method?: string}} [options]
 * @returns {Workflow}
 */
function webhookWorkflow(id, name, webhookPath, nodes, options = {}) {
	const respond = options.respond ?? 'binary';
	/** @type {WorkflowNode} */
	const webhook = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		webhookId: `${id}-hook`,
		parameters: {
			httpMethod: options.method ?? 'GET',
			path: webhookPath,
			responseMode: 'lastNode',
			responseData: respond === 'binary' ? 'firstEntryBinary' : 'allEntries',
			...(respond === 'binary' ? { responseBinaryPropertyName: 'data' } : {}),
			options: {},
		},
	};
	const workflow = chainWorkflow(id, name, nodes);
	const [, ...rest] = workflow.nodes;
	const all = [webhook, ...rest];
	/** @type {Record<string, unknown>} */
	const connections = {};
	all.forEach((node, index) => {
		node.id = `${id}-${index}`;
		node.position = [index * 240, 0];
		if (index > 0)
			connections[all[index - 1].name] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	});
	return { ...workflow, nodes: all, connections };
}

/**
 * What both storage triggers watch in the tests: `folderId` of the seeded space, every event.
 * @param {EmulatorLike} emulator @param {string} folderId @param {Record<string, unknown>} options
 */
function watchParameters(emulator, folderId, options) {
	return {
		spaceId: locator(EMULATOR_DEFAULTS.spaceId),
		folderId: locator(folderId),
		unionId: emulator.unionId,
		events: ['created', 'updated', 'deleted'],
		options,
	};
}

/**
 * A DingTalk Storage Trigger polling `folderId` every 5 seconds (FAST_POLLS), each item it emits posted
 * as JSON (event, dentryId, name, changes, eventId; with Download Files: the binary's
 * size or the downloadError code) to `recorderUrl`.
 * @param {string} id @param {EmulatorLike} emulator @param {string} folderId @param {string} recorderUrl
 * @param {Record<string, unknown>} [options] the trigger's options (Download Files...)
 * @returns {Workflow}
 */
function triggerToRecorder(id, emulator, folderId, recorderUrl, options = {}) {
	return toRecorder(
		id,
		'DingTalk Storage Trigger → recorder',
		dingTalkNode('trigger', 'DingTalk Trigger', {
			pollTimes: FAST_POLLS,
			...watchParameters(emulator, folderId, options),
		}),
		recorderUrl,
		'',
	);
}

/**
 * An active workflow: the DingTalk Storage Event Trigger watching `folderId` → an HTTP
 * Request node that posts each item (with `workflow`: `label`, its source and operator) to
 * `recorderUrl`.
 * @param {string} id @param {string} label @param {EmulatorLike} emulator @param {string} folderId
 * @param {string} recorderUrl @param {Record<string, unknown>} [options] the trigger's options
 * @returns {Workflow}
 */
function eventTriggerToRecorder(id, label, emulator, folderId, recorderUrl, options = {}) {
	return toRecorder(
		id,
		`DingTalk Storage Event Trigger (${label}) → recorder`,
		dingTalkNode('eventTrigger', 'DingTalk Trigger', watchParameters(emulator, folderId, options)),
		recorderUrl,
		` workflow: ${JSON.stringify(label)}, source: $json.source, operatorUnionId: $json.operatorUnionId,`,
	);
}

/**
 * A trigger → an HTTP Request node posting what each item says to the recorder.
 * @param {string} id @param {string} name @param {WorkflowNode} trigger @param {string} recorderUrl
 * @param {string} extraFields more fields of the posted object (an expression's text)
 * @returns {Workflow}
 */
function toRecorder(id, name, trigger, recorderUrl, extraFields) {
	const workflow = chainWorkflow(id, name, [
		trigger,
		{
			name: 'Record',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: recorderUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: `={{ JSON.stringify({${extraFields} event: $json.event, dentryId: $json.dentryId, name: $json.name, changes: $json.changes, eventId: $json.eventId, downloadError: $json.downloadError ? $json.downloadError.code : null, hasFile: $binary.data !== undefined }) }}`,
				options: {},
			},
		},
	]);
	// The trigger starts the workflow: no Manual Trigger in front of it.
	workflow.nodes = workflow.nodes.slice(1);
	workflow.connections = {
		'DingTalk Trigger': { main: [[{ node: 'Record', type: 'main', index: 0 }]] },
	};
	return workflow;
}

/**
 * An AI Agent workflow: the example "ask about your DingTalk files" with its Chat Trigger
 * swapped for a Manual Trigger and a fixed question (for `n8n execute`), and `tools` added
 * (nodes wired to the agent's tool input).
 * @param {string} id @param {string} name @param {EmulatorLike} emulator @param {string} question
 * @param {WorkflowNode[]} [extraTools]
 * @returns {Workflow}
 */
function agentWorkflow(id, name, emulator, question, extraTools = []) {
	const example = exampleFor('ask-about-your-files.workflow.json', emulator);
	const chat = example.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.chatTrigger');
	const agent = example.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.agent');
	if (!chat || !agent) throw new Error('the agent example has no Chat Trigger or no AI Agent');
	const start = {
		id: `${id}-start`,
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	agent.parameters = { ...agent.parameters, promptType: 'define', text: question };
	/** @type {Record<string, any>} */
	const connections = {
		...example.connections,
		Start: { main: [[{ node: agent.name, type: 'main', index: 0 }]] },
	};
	delete connections[chat.name];
	extraTools.forEach((tool, index) => {
		tool.id = `${id}-tool-${index}`;
		tool.position = [480 + index * 160, 320];
		connections[tool.name] = { ai_tool: [[{ node: agent.name, type: 'ai_tool', index: 0 }]] };
	});
	return {
		...example,
		id,
		name,
		nodes: [start, ...example.nodes.filter((node) => node !== chat), ...extraTools],
		connections,
	};
}

/**
 * The placeholders of the examples, with what they become against the emulator.
 * @param {EmulatorLike} emulator
 */
function placeholders(emulator) {
	return /** @type {Record<string, string>} */ ({
		YOUR_SPACE_ID: EMULATOR_DEFAULTS.spaceId,
		YOUR_OPERATOR_UNION_ID: emulator.unionId,
		YOUR_FILE_DENTRY_ID: '1001',
		YOUR_FOLDER_PATH: '/空文件夹',
		// The contract example's watched folder.
		YOUR_CONTRACTS_FOLDER: '/合同',
		// The upload example's local folder; the end-to-end suite points it at a temporary one.
		YOUR_LOCAL_FOLDER: '/data/outbox',
		// The agent example's model: the scripted model server answers as this one.
		YOUR_MODEL: SCRIPTED_MODEL,
	});
}

/**
 * Replaces the placeholders in every string of a value (parameters, locators, code).
 * @param {unknown} value @param {Record<string, string>} table
 * @returns {unknown}
 */
function replaceIn(value, table) {
	if (typeof value === 'string')
		return value.replace(/YOUR_[A-Z_]+/g, (word) => table[word] ?? word);
	if (Array.isArray(value)) return value.map((each) => replaceIn(each, table));
	if (value && typeof value === 'object')
		return Object.fromEntries(
			Object.entries(value).map(([key, each]) => [key, replaceIn(each, table)]),
		);
	return value;
}

/**
 * An example workflow from examples/, its placeholders pointed at the emulator.
 * @param {string} file e.g. "download-file.workflow.json"
 * @param {EmulatorLike} emulator
 * @returns {Workflow}
 */
function exampleFor(file, emulator) {
	const workflow = /** @type {Workflow} */ (
		JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'))
	);
	return /** @type {Workflow} */ (replaceIn(workflow, placeholders(emulator)));
}

/** The example files. */
function exampleFiles() {
	return fs.readdirSync(EXAMPLES).filter((name) => name.endsWith('.workflow.json'));
}

module.exports = {
	PACKAGE_NAME,
	FAST_POLLS,
	NODE_TYPES,
	APP_CREDENTIAL,
	MODEL_CREDENTIAL,
	SCRIPTED_MODEL,
	credentialRecord,
	modelCredentialRecord,
	dingTalkNode,
	locator,
	chainWorkflow,
	fanOutWorkflow,
	webhookWorkflow,
	triggerToRecorder,
	eventTriggerToRecorder,
	agentWorkflow,
	exampleFor,
	exampleFiles,
};
