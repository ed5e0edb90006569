import { createHash } from 'node:crypto';

import { DingTalkApiError } from '../errors';
import type { Timeouts } from '../transport/http';
import { parseErrorBody, parseJsonObject } from './errorCatalogue';
import { exchange, type ExchangeAnswer } from './exchange';
import { sharedTokenCache, TokenCache, type IssuedToken } from './tokenCache';
import { APP_TOKEN_PATH, appTokenRequest, issuedTokenFrom } from './tokenEndpoint';
import type { DingTalkAuth } from './types';

/**
 * The most a token request may take in all, whatever the timeouts of the execution that
 * started it. The request is shared by every execution waiting for the same app's token and
 * none of their cancellations ends it, so it needs a lifetime of its own: the phase timeouts
 * alone do not bound an answer that trickles in.
 */
const MAX_TOKEN_REQUEST_MS = 120_000;

/**
 * The access token for every call: a plain token as given, or an app token issued from
 * the App Key and App Secret, cached process-wide (see TokenCache) and renewed before it
 * expires or when DingTalk calls it invalid.
 */
export class TokenProvider {
	/** Names this app (or token) without revealing it: keys the token cache and the rate limiter. */
	readonly identity: string;

	constructor(
		private readonly baseUrl: string,
		private readonly auth: DingTalkAuth,
		private readonly timeouts: Timeouts,
		private readonly signal?: AbortSignal,
		private readonly cache: TokenCache = sharedTokenCache,
	) {
		this.identity =
			auth.kind === 'appCredentials'
				? TokenCache.keyFor(baseUrl, auth.appKey, auth.appSecret)
				: createHash('sha256').update(`${baseUrl}\n${auth.accessToken}`).digest('hex');
	}

	/** Whether a token DingTalk refused can be replaced by a fresh one. */
	get renewable(): boolean {
		return this.auth.kind === 'appCredentials';
	}

	/**
	 * The token to send. An app token's request may be shared with other executions (see
	 * TokenCache): this execution's signal ends its own wait, never the request.
	 */
	async token(): Promise<string> {
		const { auth } = this;
		if (auth.kind === 'accessToken') return auth.accessToken;
		return await this.cache.get(
			this.identity,
			async () => await this.issue(auth.appKey, auth.appSecret),
			this.signal,
		);
	}

	/** DingTalk said `token` is no longer valid: the next call gets a new one. */
	invalidate(token: string): void {
		if (this.renewable) this.cache.invalidate(this.identity, token);
	}

	private async issue(appKey: string, appSecret: string): Promise<IssuedToken> {
		const action = 'Getting an access token';
		const { connectMs, responseMs, idleMs } = this.timeouts;
		const limitMs = Math.min(MAX_TOKEN_REQUEST_MS, connectMs + responseMs + idleMs);
		// Not this execution's signal: the request is shared (see token()).
		const deadline = AbortSignal.timeout(limitMs);
		let answer: ExchangeAnswer;
		try {
			answer = await exchange({
				...appTokenRequest(this.baseUrl, appKey, appSecret),
				headers: {},
				timeouts: this.timeouts,
				signal: deadline,
				action,
				baseUrl: this.baseUrl,
				// Asking for a token changes nothing: sent again on a new connection if a kept-alive one was closed.
				idempotent: true,
			});
		} catch (error) {
			if (!deadline.aborted) throw error;
			throw new DingTalkApiError(
				`${action} failed: no complete answer from ${this.baseUrl} within ${Math.ceil(limitMs / 1000)} s`,
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
		const issued = statusCode >= 200 && statusCode < 300 ? issuedTokenFrom(parsed) : undefined;
		if (issued) return issued;
		const errorBody = parseErrorBody(text);
		const id = errorBody.requestId ?? requestId;
		const detail = errorBody.code
			? ` (code ${errorBody.code}, HTTP ${statusCode}${id ? `, request id ${id}` : ''})`
			: ` (HTTP ${statusCode}${parsed ? '' : ', the answer was not JSON'})`;
		const serverSays = errorBody.message
			? ` DingTalk says: "${errorBody.message.slice(0, 300)}".`
			: '';
		const rejected = statusCode >= 400 && statusCode < 500;
		throw new DingTalkApiError(
			rejected
				? `${action} failed: DingTalk did not accept the App Key and App Secret${detail}`
				: `${action} failed: the token endpoint gave no usable token${detail}`,
			{
				code: errorBody.code ?? (rejected ? 'invalidAppCredentials' : 'invalidTokenResponse'),
				httpCode: statusCode,
				requestId: id,
				retryable: statusCode >= 500,
				description: rejected
					? `Check the App Key and App Secret in the "DingTalk API" credential (DingTalk Developer Console → your internal app → Credentials).${serverSays}`
					: `Check the base URL in the credential: ${APP_TOKEN_PATH} must answer with {"accessToken", "expireIn"}.${serverSays}`,
			},
		);
	}
}
