import { DingTalkApiError } from '../errors';
import { Backoff } from '../helpers/retry';
import type { TokenProvider } from './auth';
import {
	apiErrorFromResponse,
	meaningOf,
	parseJsonObject,
	QPS_LIMIT_CODES,
} from './errorCatalogue';
import type { ExchangeAnswer } from './exchange';
import { limiterFor } from './rateLimiter';
import type { ApiSpec } from './types';

/** DingTalk's standard limit per app and API. */
export const DEFAULT_REQUESTS_PER_SECOND = 20;

export interface CallPolicyOptions {
	/** How many times a rate-limit answer (DingTalk's QPS codes, HTTP 429) is retried before it is reported. */
	maxRateLimitRetries?: number;
	/** First back-off after a rate-limit answer; doubles each time (with jitter), or what the answer's Retry-After asks. */
	rateLimitBackoffMs?: number;
	/** Client-side budget per app (or token) and API, in requests per second; 0 = none. */
	requestsPerSecond?: number;
	signal?: AbortSignal;
}

/**
 * How every API call is made, whatever the API: wait for a slot under the per-app,
 * per-API rate budget; send with the current token; renew a token DingTalk calls invalid
 * (once); back off and retry rate-limit answers (DingTalk's QPS codes, or HTTP 429 from a
 * gateway: either way the call was not carried out, so a change is safe to send again);
 * parse the JSON answer; turn anything else into a DingTalkApiError with advice for that API.
 */
export class CallPolicy {
	constructor(
		private readonly tokens: TokenProvider,
		private readonly options: CallPolicyOptions,
	) {}

	async run(
		api: ApiSpec,
		attempt: (token: string) => Promise<ExchangeAnswer>,
	): Promise<Record<string, unknown>> {
		const maxRetries = this.options.maxRateLimitRetries ?? 4;
		const backoff = new Backoff({
			firstDelayMs: this.options.rateLimitBackoffMs ?? 1000,
			jitter: 'equal',
		});
		let renewedToken = false;

		for (;;) {
			const token = await this.tokens.token();
			await this.withinRateLimit(api);
			const { statusCode, text, requestId, retryAfter } = await attempt(token);
			if (statusCode >= 200 && statusCode < 300) {
				const parsed = parseJsonObject(text);
				if (!parsed) {
					throw new DingTalkApiError(`${api.action} failed: DingTalk's answer was not JSON`, {
						code: 'invalidResponse',
						httpCode: statusCode,
						requestId,
						description:
							'Check the base URL in the credential: it must point at the DingTalk API (https://api.dingtalk.com) or a gateway that forwards to it.',
					});
				}
				return parsed;
			}

			const error = apiErrorFromResponse(statusCode, text, requestId, api);
			if (error.code === 'InvalidAuthentication') {
				if (!this.tokens.renewable) {
					throw new DingTalkApiError(
						`${api.action} failed: the access token is invalid or expired (code InvalidAuthentication, HTTP ${statusCode}${error.requestId ? `, request id ${error.requestId}` : ''})`,
						{
							code: error.code,
							httpCode: statusCode,
							requestId: error.requestId,
							description: meaningOf(error.code, statusCode)?.hint,
						},
					);
				}
				if (!renewedToken) {
					// DingTalk answers an expired token with 400 (not 401): renew once, retry once.
					renewedToken = true;
					this.tokens.invalidate(token);
					continue;
				}
				throw error;
			}
			if ((QPS_LIMIT_CODES.has(error.code) || statusCode === 429) && backoff.retries < maxRetries) {
				await backoff.wait({
					signal: this.options.signal,
					retryAfter,
					cancelled: () => cancelledCall(api),
				});
				continue;
			}
			throw error;
		}
	}

	/** Waits for a slot under the per-app, per-API budget (see RateLimiter). */
	private async withinRateLimit(api: ApiSpec): Promise<void> {
		const perSecond = this.options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
		if (perSecond <= 0) return;
		try {
			await limiterFor(`${this.tokens.identity}\n${api.name}`).acquire(
				perSecond,
				this.options.signal,
			);
		} catch {
			throw cancelledCall(api);
		}
	}
}

function cancelledCall(api: ApiSpec): DingTalkApiError {
	return new DingTalkApiError(`${api.action} failed: the request was cancelled`, {
		code: 'cancelled',
	});
}
