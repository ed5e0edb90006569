import { parseErrorBody, parseJsonObject } from '../api/errorCatalogue';
import { exchange, type ExchangeAnswer } from '../api/exchange';
import { DingTalkApiError, describeUrl } from '../errors';
import { isLoopbackHost } from '../helpers/validate';
import type { Timeouts } from '../transport/http';

/**
 * Step 1 of a Stream mode connection: the gateway hands out a WebSocket endpoint and a
 * one-time ticket for the app's key and secret. Every reconnection asks again (a ticket opens
 * one connection). The App Secret travels in the request body only, and no message built
 * here contains it, the ticket, or any text of the answer that might repeat them.
 */

/** The app a Stream connection belongs to. */
export interface StreamApp {
	/** The credential's API base URL (the gateway's `connections/open` is under it). */
	baseUrl: string;
	appKey: string;
	appSecret: string;
}

export const GATEWAY_OPEN_PATH = '/v1.0/gateway/connections/open';

/** How this client names itself to the gateway (the `ua` field). */
export const STREAM_CLIENT_NAME = 'n8n-nodes-dingtalk-storage';

const ACTION = 'Opening the DingTalk Stream mode connection';

/** The most a ticket request may take in all: it runs on its own, for the shared connection. */
const MAX_TICKET_REQUEST_MS = 120_000;

export interface Ticket {
	/** The WebSocket URL with the ticket in its query: never shown, logged or put in an error. */
	url: string;
	/** The endpoint without any query, for messages. */
	endpoint: string;
}

/** Removes every occurrence of each secret from a text that is about to be shown. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
	let safe = text;
	for (const secret of secrets) if (secret) safe = safe.split(secret).join('***');
	return safe;
}

/**
 * The endpoint the gateway gave, checked: wss only (the events name the organization's files
 * and people), plain ws only to this machine (the emulator). Errors name the endpoint without
 * its query.
 */
export function checkedEndpoint(endpoint: string): URL {
	let url: URL;
	try {
		url = new URL(endpoint);
	} catch {
		throw invalidEndpoint('the gateway answered an endpoint that is not a URL');
	}
	if (url.protocol === 'wss:') return url;
	if (url.protocol === 'ws:' && isLoopbackHost(url.hostname)) return url;
	const shown = url.protocol === 'ws:' ? describeUrl(endpoint) : `a ${url.protocol}// address`;
	throw invalidEndpoint(
		url.protocol === 'ws:'
			? `the gateway answered an unencrypted endpoint (${shown}); only wss:// is accepted, and ws:// only to this machine (127.0.0.1, ::1, localhost)`
			: `the gateway answered ${shown}, not a wss:// endpoint`,
	);
}

function invalidEndpoint(problem: string): DingTalkApiError {
	return new DingTalkApiError(`${ACTION} failed: ${problem}`, {
		code: 'invalidStreamEndpoint',
		description:
			'Check the base URL in the credential: it must point at the DingTalk API (https://api.dingtalk.com) or a gateway that forwards its answers unchanged. Events are only received over an encrypted connection (wss://).',
	});
}

/**
 * Asks the gateway for a ticket. `signal` ends the request (the connection is being closed);
 * the request also has a time limit of its own. Rejects with a DingTalkApiError: refused
 * credentials (not retryable), an unreachable or failing gateway (retryable), or an answer
 * that is not a usable endpoint and ticket.
 */
export async function requestTicket(
	app: StreamApp,
	timeouts: Timeouts,
	signal?: AbortSignal,
): Promise<Ticket> {
	const secrets = [app.appSecret];
	const limitMs = Math.min(
		MAX_TICKET_REQUEST_MS,
		timeouts.connectMs + timeouts.responseMs + timeouts.idleMs,
	);
	const deadline = AbortSignal.timeout(limitMs);
	let answer: ExchangeAnswer;
	try {
		answer = await exchange({
			url: `${app.baseUrl}${GATEWAY_OPEN_PATH}`,
			method: 'POST',
			// exchange() sends Content-Type and Accept as application/json (without Accept the
			// gateway may answer XML).
			headers: {},
			body: {
				clientId: app.appKey,
				clientSecret: app.appSecret,
				ua: STREAM_CLIENT_NAME,
				subscriptions: [{ type: 'EVENT', topic: '*' }],
			},
			timeouts,
			signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
			action: ACTION,
			baseUrl: app.baseUrl,
			// A second request only issues a second ticket.
			idempotent: true,
		});
	} catch (error) {
		if (!deadline.aborted || signal?.aborted) throw error;
		throw new DingTalkApiError(
			`${ACTION} failed: no complete answer from ${app.baseUrl} within ${Math.ceil(limitMs / 1000)} s`,
			{
				code: 'apiUnreachable',
				retryable: true,
				description:
					'Check the base URL in the credential, the network and any proxy (HTTPS_PROXY / NO_PROXY) between n8n and DingTalk.',
			},
		);
	}
	const { statusCode, text, requestId } = answer;
	const parsed = parseJsonObject(text);
	if (statusCode >= 200 && statusCode < 300 && parsed) {
		const { endpoint, ticket } = parsed;
		if (
			typeof endpoint !== 'string' ||
			endpoint === '' ||
			typeof ticket !== 'string' ||
			ticket === ''
		) {
			throw new DingTalkApiError(
				`${ACTION} failed: the gateway's answer has no endpoint and ticket`,
				{
					code: 'invalidResponse',
					httpCode: statusCode,
					requestId,
					description: `Check the base URL in the credential: ${GATEWAY_OPEN_PATH} must answer with {"endpoint", "ticket"}.`,
				},
			);
		}
		const url = checkedEndpoint(endpoint);
		// The ticket joins whatever query the endpoint has; encoded, so it cannot add parameters.
		url.search = `${url.search ? `${url.search}&` : '?'}ticket=${encodeURIComponent(ticket)}`;
		url.hash = '';
		return { url: url.href, endpoint: describeUrl(endpoint) };
	}
	const errorBody = parseErrorBody(text);
	const id = errorBody.requestId ?? requestId;
	const detail = errorBody.code
		? ` (code ${redact(errorBody.code, secrets)}, HTTP ${statusCode}${id ? `, request id ${id}` : ''})`
		: ` (HTTP ${statusCode}${parsed ? '' : ', the answer was not JSON'})`;
	const serverSays = errorBody.message
		? ` DingTalk says: "${redact(errorBody.message, secrets).slice(0, 300)}".`
		: '';
	// 429 and 5xx: the gateway is busy or failing, and a later attempt may get through.
	const retryable = statusCode === 429 || statusCode >= 500;
	const refused = statusCode >= 400 && statusCode < 500 && statusCode !== 429;
	throw new DingTalkApiError(
		refused
			? `${ACTION} failed: DingTalk did not accept the App Key and App Secret for Stream mode${detail}`
			: `${ACTION} failed: the gateway gave no endpoint${detail}`,
		{
			code: errorBody.code
				? redact(errorBody.code, secrets)
				: refused
					? 'invalidAppCredentials'
					: 'invalidResponse',
			httpCode: statusCode,
			requestId: id,
			retryable,
			description: refused
				? `Check the App Key and App Secret in the "DingTalk API" credential (DingTalk Developer Console → your internal app → Credentials): Stream mode signs in with them, not with an access token. The app must be published, with event subscription set to Stream mode.${serverSays}`
				: `${retryable ? 'The gateway may be busy or restarting: the connection is tried again with back-off. ' : ''}Check the base URL in the credential: ${GATEWAY_OPEN_PATH} must answer with {"endpoint", "ticket"}.${serverSays}`,
		},
	);
}
