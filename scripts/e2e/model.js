// @ts-check
'use strict';
/**
 * A scripted OpenAI-compatible chat model on 127.0.0.1, for proving this package with n8n's
 * AI Agent without a model provider: n8n's "OpenAI Chat Model" node (its credential's Base
 * URL pointed here) sends `POST /v1/chat/completions`; the script decides each answer from
 * the conversation so far (a tool call, or the final text). Every request is kept, raw, so
 * a test can search everything a model provider would have received.
 *
 * The step is the number of tool results in the conversation: the first request gets step
 * 0, the request after the first tool result step 1, and so on (stateless, so a retried
 * request gets the same answer). Plain and streamed (`stream: true`) answers are both served.
 */
const http = require('node:http');

/**
 * @typedef {{role: string, content?: unknown, tool_calls?: unknown[], tool_call_id?: string, name?: string}} ChatMessage
 * @typedef {{messages: ChatMessage[], tools: string[], step: number}} Turn
 * @typedef {{tool: string, arguments: Record<string, unknown>} | {content: string}} Answer
 * @typedef {(turn: Turn) => Answer} Step
 */

/** The text of a tool result as the model got it (for tests that look at what n8n passed). */
function toolResultText(/** @type {ChatMessage[]} */ messages, /** @type {number} */ index) {
	const message = messages.filter((each) => each.role === 'tool')[index];
	return message === undefined
		? undefined
		: typeof message.content === 'string'
			? message.content
			: JSON.stringify(message.content);
}

/** A tool result as a list of items (n8n sends the items' JSON as a JSON list). */
function itemsOf(/** @type {unknown} */ result) {
	if (Array.isArray(result)) return /** @type {Record<string, any>[]} */ (result);
	if (result && typeof result === 'object' && Array.isArray(/** @type {any} */ (result).response))
		return /** @type {any} */ (result).response;
	throw new Error(`a tool answered ${JSON.stringify(result).slice(0, 300)}, not a list of items`);
}

/**
 * The script of the agent example ("ask about your DingTalk files"): search for the last
 * word of the question (search_files), list the folder of the first hit (list_folder),
 * make the `extra` calls (each given that hit), then answer with the hit's name, dentry ID,
 * space and folder, and what the folder holds, all taken from the tool results.
 * @param {{extra?: Array<{tool: string, args: (hit: Record<string, any>) => Record<string, unknown>}>}} [options]
 * @returns {Step[]}
 */
function fileQuestionScript(options = {}) {
	const extra = options.extra ?? [];
	/** @param {ChatMessage[]} messages */
	const firstHit = (messages) => itemsOf(toolResultAt(messages, 0))[0];
	return [
		({ messages }) => {
			const question = [...messages].reverse().find((message) => message.role === 'user');
			const words =
				String(
					typeof question?.content === 'string'
						? question.content
						: JSON.stringify(question?.content ?? ''),
				).match(/[\p{L}\p{N}._-]+/gu) ?? [];
			return { tool: 'search_files', arguments: { keyword: words[words.length - 1] ?? '' } };
		},
		({ messages }) => {
			const hit = firstHit(messages);
			if (!hit) return { content: 'Nothing in DingTalk matches that name.' };
			return {
				tool: 'list_folder',
				arguments: { spaceId: String(hit.spaceId), folderId: String(hit.parentId ?? '0') },
			};
		},
		...extra.map(
			(call) =>
				/** @type {Step} */ (
					({ messages }) => ({ tool: call.tool, arguments: call.args(firstHit(messages)) })
				),
		),
		({ messages }) => {
			const hit = firstHit(messages);
			const listing = itemsOf(toolResultAt(messages, 1));
			return {
				content: `Found ${hit.name} (dentry ID ${hit.dentryId}, space ${hit.spaceId}) in the folder "${hit.folderPath}". That folder holds: ${listing.map((/** @type {Record<string, any>} */ entry) => entry.name).join(', ')}.`,
			};
		},
	];
}

/** Tool result number `index` of a conversation, parsed when it is JSON (n8n sends a tool's output items' JSON as a JSON text). */
function toolResultAt(/** @type {ChatMessage[]} */ messages, /** @type {number} */ index) {
	const text = toolResultText(messages, index);
	if (text === undefined) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/**
 * Starts the scripted model. `steps[i]` answers the request with i tool results; past the
 * last step the model answers "(script ended)".
 * @param {Step[]} steps
 * @param {{files?: Record<string, Buffer>}} [options] bytes served at GET /files/<name> (for tools that fetch)
 */
async function startScriptedModel(steps, options = {}) {
	/** @type {Array<{path: string, headers: http.IncomingHttpHeaders, body: string}>} */
	const requests = [];
	/** What the script answered, in order: tool calls with their exact arguments, or text. @type {Array<{step: number} & Answer>} */
	const answers = [];
	let calls = 0;
	const server = http.createServer((req, res) => {
		const chunks = /** @type {Buffer[]} */ ([]);
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const url = new URL(req.url ?? '/', 'http://model');
			requests.push({ path: url.pathname, headers: req.headers, body });
			const file = url.pathname.startsWith('/files/')
				? options.files?.[decodeURIComponent(url.pathname.slice('/files/'.length))]
				: undefined;
			if (req.method === 'GET' && file) {
				res.writeHead(200, {
					'content-type': 'application/octet-stream',
					'content-length': file.length,
				});
				return res.end(file);
			}
			if (req.method === 'GET' && url.pathname.endsWith('/models')) {
				return json(res, 200, {
					object: 'list',
					data: [
						{
							id: 'scripted-model',
							object: 'model',
							created: 0,
							owned_by: 'n8n-nodes-dingtalk-storage',
						},
					],
				});
			}
			if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions'))
				return json(res, 404, { error: { message: `no ${req.method} ${url.pathname} here` } });
			let request;
			try {
				request = JSON.parse(body);
			} catch {
				return json(res, 400, { error: { message: 'the body is not JSON' } });
			}
			/** @type {ChatMessage[]} */
			const messages = Array.isArray(request.messages) ? request.messages : [];
			const tools = (Array.isArray(request.tools) ? request.tools : []).map(
				(/** @type {any} */ tool) => String(tool?.function?.name),
			);
			const step = messages.filter((message) => message.role === 'tool').length;
			let answer;
			try {
				answer = steps[step]
					? steps[step]({ messages, tools, step })
					: { content: '(script ended)' };
				if ('tool' in answer && !tools.includes(answer.tool))
					answer = {
						content: `(script error: the tool "${answer.tool}" is not offered; offered: ${tools.join(', ')})`,
					};
			} catch (error) {
				answer = {
					content: `(script error at step ${step}: ${error instanceof Error ? error.message : String(error)})`,
				};
			}
			calls++;
			answers.push({ step, ...answer });
			const id = `chatcmpl-scripted-${calls}`;
			const toolCall =
				'tool' in answer
					? {
							id: `call_${calls}`,
							type: 'function',
							function: { name: answer.tool, arguments: JSON.stringify(answer.arguments) },
						}
					: undefined;
			const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
			if (request.stream) {
				res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
				/** @param {unknown} chunk */
				const send = (chunk) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
				const base = {
					id,
					object: 'chat.completion.chunk',
					created: Math.floor(Date.now() / 1000),
					model: 'scripted-model',
				};
				const delta = toolCall
					? { role: 'assistant', content: null, tool_calls: [{ index: 0, ...toolCall }] }
					: { role: 'assistant', content: /** @type {{content: string}} */ (answer).content };
				send({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
				send({
					...base,
					choices: [{ index: 0, delta: {}, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
				});
				send({ ...base, choices: [], usage });
				res.end('data: [DONE]\n\n');
				return;
			}
			json(res, 200, {
				id,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model: 'scripted-model',
				choices: [
					{
						index: 0,
						message: toolCall
							? { role: 'assistant', content: null, tool_calls: [toolCall] }
							: { role: 'assistant', content: /** @type {{content: string}} */ (answer).content },
						finish_reason: toolCall ? 'tool_calls' : 'stop',
					},
				],
				usage,
			});
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const origin = `http://127.0.0.1:${address.port}`;
	return {
		/** The OpenAI-style base URL (…/v1) for the credential. */
		url: `${origin}/v1`,
		origin,
		/** Every request received, raw. */
		requests,
		answers,
		/** The chat requests' bodies, parsed. */
		chats: () =>
			requests
				.filter((request) => request.path.endsWith('/chat/completions'))
				.map((request) => JSON.parse(request.body)),
		close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
	};
}

/**
 * @param {http.ServerResponse} res @param {number} status @param {unknown} body
 */
function json(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
	});
	res.end(text);
}

module.exports = { startScriptedModel, fileQuestionScript, toolResultText };
