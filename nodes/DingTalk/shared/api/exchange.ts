import { DingTalkApiError, DingTalkStorageError } from '../errors';
import {
	readText,
	ResponseTooLargeError,
	send,
	TransportError,
	type HttpHeaders,
	type HttpMethod,
	type Timeouts,
} from '../transport/http';

/** No DingTalk API answer comes near this; a larger one means a wrong base URL. */
const MAX_API_RESPONSE_BYTES = 1024 * 1024;

export interface Exchange {
	url: string;
	method: HttpMethod;
	headers: HttpHeaders;
	/** Sent as JSON when given. */
	body?: unknown;
	timeouts: Timeouts;
	signal?: AbortSignal;
	/** What the call does, to start an error message. */
	action: string;
	/** The host named in errors (the credential's base URL), never a URL with a query. */
	baseUrl: string;
	/**
	 * true: the call changes nothing (a read, a query sent as POST, the token request), so a
	 * connection that drops before the answer is retried once on a new one (see `send`).
	 * false: it changes something, so it is never sent twice, and a lost answer is reported
	 * as a change that may have been made. Unset: sent once, a lost answer reported plainly.
	 */
	idempotent?: boolean;
}

export interface ExchangeAnswer {
	statusCode: number;
	text: string;
	requestId?: string;
	/** The answer's Retry-After header (seconds or an HTTP date), for a caller that waits before trying again. */
	retryAfter?: string;
}

/**
 * One request to the DingTalk API and its whole (small) answer as text. A request that
 * gets no answer becomes a DingTalkApiError naming the base URL, never the token.
 */
export async function exchange(request: Exchange): Promise<ExchangeAnswer> {
	const headers: HttpHeaders = { ...request.headers, accept: 'application/json' };
	if (request.body !== undefined) headers['content-type'] = 'application/json';
	try {
		const response = await send({
			url: request.url,
			method: request.method,
			headers,
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
			signal: request.signal,
			timeouts: request.timeouts,
			idempotent: request.idempotent,
		});
		const text = await readText(response.body, MAX_API_RESPONSE_BYTES);
		return {
			statusCode: response.statusCode,
			text,
			requestId: response.headers['x-acs-request-id'],
			retryAfter: response.headers['retry-after'],
		};
	} catch (error) {
		if (error instanceof DingTalkStorageError) throw error;
		if (error instanceof ResponseTooLargeError) {
			throw new DingTalkApiError(
				`${request.action} failed: the answer from ${request.baseUrl} is larger than ${error.limit} bytes, which no DingTalk answer is`,
				{
					code: 'responseTooLarge',
					description:
						'Check the base URL in the credential: it must point at the DingTalk API or a gateway that forwards its answers unchanged.',
				},
			);
		}
		const reason = error instanceof Error ? error.message : String(error);
		const cancelled = error instanceof TransportError && error.kind === 'aborted';
		// A change whose request may have reached DingTalk, with no answer: it may have been made.
		const changeMayHaveHappened =
			!cancelled &&
			request.idempotent === false &&
			!(error instanceof TransportError && !error.mayHaveArrived);
		const advice =
			'Check the base URL in the credential, the network and any proxy (HTTPS_PROXY / NO_PROXY) between n8n and DingTalk.';
		throw new DingTalkApiError(
			cancelled
				? `${request.action} failed: the request was cancelled`
				: `${request.action} failed: could not get an answer from ${request.baseUrl} (${reason})`,
			{
				code: cancelled ? 'cancelled' : 'apiUnreachable',
				retryable: !cancelled && !changeMayHaveHappened,
				description: cancelled
					? undefined
					: changeMayHaveHappened
						? `The request may have reached DingTalk, so the change may have been made: check in DingTalk before running it again (it was not repeated, so it is not done twice). ${advice}`
						: advice,
			},
		);
	}
}
