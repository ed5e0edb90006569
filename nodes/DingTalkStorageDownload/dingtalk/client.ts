// A Node built-in, deliberately: an abortable timer for rate-limit back-off that keeps
// this client free of n8n imports.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { setTimeout as delay } from 'node:timers/promises';
import { createHash } from 'node:crypto';

import { DingTalkApiError, DingTalkStorageError } from '../errors';
import { readText, ResponseTooLargeError, send, TransportError, type HttpHeaders, type Timeouts } from '../transport/http';
import {
	apiErrorFromResponse,
	ERROR_MEANINGS,
	parseErrorBody,
	parseJsonObject,
	QPS_LIMIT_CODES,
} from './apiErrors';
import { limiterFor } from './rateLimiter';
import { sharedTokenCache, TokenCache, type IssuedToken } from './tokenCache';

export type DingTalkAuth =
	| { kind: 'appCredentials'; appKey: string; appSecret: string }
	| { kind: 'accessToken'; accessToken: string };

export interface ClientOptions {
	baseUrl: string;
	auth: DingTalkAuth;
	timeouts: Timeouts;
	signal?: AbortSignal;
	/** How many times a QPS rate-limit answer is retried before it is reported. */
	maxRateLimitRetries?: number;
	/** First back-off after a rate-limit answer; doubles each time (with jitter). */
	rateLimitBackoffMs?: number;
	tokenCache?: TokenCache;
	/** Client-side budget per app (or token) and API, in requests per second; 0 = none. */
	requestsPerSecond?: number;
}

/** DingTalk's standard limit per app and API. */
export const DEFAULT_REQUESTS_PER_SECOND = 20;

export interface FileRef {
	spaceId: string;
	dentryId: string;
	unionId: string;
}

export interface DownloadInfo {
	protocol: string;
	resourceUrls: string[];
	internalResourceUrls: string[];
	/** The signed headers: a credential for this file until they expire. */
	headers: HttpHeaders;
	expirationSeconds?: number;
	region?: string;
	/** Local clock time the answer arrived, to compute when it expires. */
	receivedAt: number;
}

export interface Dentry {
	id?: string;
	name?: string;
	size?: number;
	type?: string;
	extension?: string;
	version?: number;
	[key: string]: unknown;
}

const MAX_API_RESPONSE_BYTES = 1024 * 1024;
// A URL path, not a secret.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
const APP_AUTH_PATH = '/v1.0/oauth2/accessToken';

/** Waits before a retry; cancelling the execution ends the wait at once. */
async function backOff(ms: number, signal?: AbortSignal): Promise<void> {
	try {
		await delay(ms, undefined, { signal });
	} catch (error) {
		throw new TransportError('the request was cancelled', 'aborted', { cause: error });
	}
}

/** A header value must be one line: a CR or LF would let it inject headers. */
function isSafeHeaderValue(value: unknown): value is string {
	return typeof value === 'string' && !/[\r\n\u0000]/.test(value);
}

function stringArray(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/**
 * A small client for the DingTalk v1.0 storage API. It knows nothing of n8n: it gets
 * plain values, returns plain values, and throws the package's own errors.
 */
export class DingTalkClient {
	private readonly baseUrl: string;
	private readonly tokenCache: TokenCache;

	constructor(private readonly options: ClientOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.tokenCache = options.tokenCache ?? sharedTokenCache;
	}

	/** Asks DingTalk where and how to download a file (the signed URLs and headers). */
	async getDownloadInfo(
		file: FileRef,
		option: { version?: number; preferIntranet: boolean },
	): Promise<DownloadInfo> {
		// preferIntranet defaults to TRUE on DingTalk's side, so it is always sent.
		const body: Record<string, unknown> = { option: { ...option } };
		const answer = await this.call(
			`${this.dentryPath(file)}/downloadInfos/query`,
			file.unionId,
			body,
			'Getting the download info',
			'downloadInfos.query',
		);
		return this.parseDownloadInfo(answer);
	}

	/** The file's metadata (name, size...) from the dentry query API. */
	async getDentry(file: FileRef): Promise<Dentry> {
		const answer = await this.call(
			`${this.dentryPath(file)}/query`,
			file.unionId,
			{ option: {} },
			'Reading the file details',
			'dentries.query',
		);
		const dentry = answer.dentry;
		return dentry !== null && typeof dentry === 'object' ? (dentry as Dentry) : {};
	}

	/**
	 * Proves the credential works: gets a token (app mode) and makes one cheap API call.
	 * Any answer other than an authentication failure means DingTalk accepted the token.
	 */
	async verifyCredential(): Promise<void> {
		// A refused App Key / App Secret fails here, before the probe.
		await this.accessToken();
		try {
			await this.getDentry({ spaceId: '0', dentryId: '0', unionId: 'n8n-credential-test' });
		} catch (error) {
			if (error instanceof DingTalkApiError && error.code === 'InvalidAuthentication') throw error;
			if (error instanceof DingTalkApiError && error.httpCode !== undefined) return;
			throw error;
		}
	}

	private dentryPath(file: FileRef): string {
		return `/v1.0/storage/spaces/${encodeURIComponent(file.spaceId)}/dentries/${encodeURIComponent(file.dentryId)}`;
	}

	private async call(
		path: string,
		unionId: string,
		body: unknown,
		action: string,
		api: string,
	): Promise<Record<string, unknown>> {
		const url = `${this.baseUrl}${path}?unionId=${encodeURIComponent(unionId)}`;
		const maxRetries = this.options.maxRateLimitRetries ?? 4;
		let backoffMs = this.options.rateLimitBackoffMs ?? 1000;
		let rateLimitRetries = 0;
		let refreshedToken = false;

		for (;;) {
			const token = await this.accessToken();
			await this.withinRateLimit(api, action);
			const { statusCode, text, requestId } = await this.post(url, body, action, {
				'x-acs-dingtalk-access-token': token,
			});
			if (statusCode >= 200 && statusCode < 300) {
				const parsed = parseJsonObject(text);
				if (!parsed) {
					throw new DingTalkApiError(`${action} failed: DingTalk's answer was not JSON`, {
						code: 'invalidResponse',
						httpCode: statusCode,
						requestId,
						description: 'Check the base URL in the credential: it must point at the DingTalk API (https://api.dingtalk.com) or a gateway that forwards to it.',
					});
				}
				return parsed;
			}

			const error = apiErrorFromResponse(statusCode, text, requestId, action);
			if (error.code === 'InvalidAuthentication') {
				if (this.options.auth.kind === 'accessToken') {
					throw new DingTalkApiError(
						`${action} failed: the access token is invalid or expired (code InvalidAuthentication, HTTP ${statusCode}${error.requestId ? `, request id ${error.requestId}` : ''})`,
						{
							code: error.code,
							httpCode: statusCode,
							requestId: error.requestId,
							description: ERROR_MEANINGS.InvalidAuthentication.hint,
						},
					);
				}
				if (!refreshedToken) {
					// DingTalk answers an expired token with 400 (not 401): renew once, retry once.
					refreshedToken = true;
					this.tokenCache.invalidate(this.cacheKey(), token);
					continue;
				}
				throw error;
			}
			if (QPS_LIMIT_CODES.has(error.code) && rateLimitRetries < maxRetries) {
				rateLimitRetries++;
				await backOff(backoffMs * (0.75 + Math.random() * 0.5), this.options.signal);
				backoffMs *= 2;
				continue;
			}
			throw error;
		}
	}

	private async post(
		url: string,
		body: unknown,
		action: string,
		headers: HttpHeaders,
	): Promise<{ statusCode: number; text: string; requestId?: string }> {
		try {
			const response = await send({
				url,
				method: 'POST',
				headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
				body: JSON.stringify(body),
				signal: this.options.signal,
				timeouts: this.options.timeouts,
			});
			const text = await readText(response.body, MAX_API_RESPONSE_BYTES);
			return {
				statusCode: response.statusCode,
				text,
				requestId: response.headers['x-acs-request-id'],
			};
		} catch (error) {
			if (error instanceof DingTalkStorageError) throw error;
			if (error instanceof ResponseTooLargeError) {
				throw new DingTalkApiError(`${action} failed: the answer from ${this.baseUrl} is larger than ${error.limit} bytes, which no DingTalk answer is`, {
					code: 'responseTooLarge',
					description: 'Check the base URL in the credential: it must point at the DingTalk API or a gateway that forwards its answers unchanged.',
				});
			}
			const reason = error instanceof Error ? error.message : String(error);
			throw new DingTalkApiError(`${action} failed: could not get an answer from ${this.baseUrl} (${reason})`, {
				code: error instanceof TransportError && error.kind === 'aborted' ? 'cancelled' : 'apiUnreachable',
				description:
					'Check the base URL in the credential, the network and any proxy (HTTPS_PROXY / NO_PROXY) between n8n and DingTalk.',
			});
		}
	}

	/** Waits for a slot under the per-app, per-API budget (see RateLimiter). */
	private async withinRateLimit(api: string, action: string): Promise<void> {
		const perSecond = this.options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
		if (perSecond <= 0) return;
		const { auth } = this.options;
		const identity =
			auth.kind === 'appCredentials' ? this.cacheKey() : createHash('sha256').update(`${this.baseUrl}\n${auth.accessToken}`).digest('hex');
		try {
			await limiterFor(`${identity}\n${api}`, perSecond).acquire(this.options.signal);
		} catch {
			throw new DingTalkApiError(`${action} failed: the request was cancelled`, { code: 'cancelled' });
		}
	}

	private cacheKey(): string {
		const { auth } = this.options;
		return auth.kind === 'appCredentials' ? TokenCache.keyFor(this.baseUrl, auth.appKey, auth.appSecret) : '';
	}

	private async accessToken(): Promise<string> {
		const { auth } = this.options;
		if (auth.kind === 'accessToken') return auth.accessToken;
		return await this.tokenCache.get(this.cacheKey(), async () => await this.issueToken(auth.appKey, auth.appSecret));
	}

	private async issueToken(appKey: string, appSecret: string): Promise<IssuedToken> {
		const action = 'Getting an access token';
		const { statusCode, text, requestId } = await this.post(`${this.baseUrl}${APP_AUTH_PATH}`, { appKey, appSecret }, action, {});
		const parsed = parseJsonObject(text);
		if (statusCode >= 200 && statusCode < 300 && parsed && typeof parsed.accessToken === 'string' && parsed.accessToken) {
			const expireIn = typeof parsed.expireIn === 'number' ? parsed.expireIn : Number(parsed.expireIn);
			return { token: parsed.accessToken, expireIn: Number.isFinite(expireIn) && expireIn > 0 ? expireIn : 7200 };
		}
		const errorBody = parseErrorBody(text);
		const detail = errorBody.code
			? ` (code ${errorBody.code}, HTTP ${statusCode}${errorBody.requestId ?? requestId ? `, request id ${errorBody.requestId ?? requestId}` : ''})`
			: ` (HTTP ${statusCode}${parsed ? '' : ', the answer was not JSON'})`;
		const serverSays = errorBody.message ? ` DingTalk says: "${errorBody.message.slice(0, 300)}".` : '';
		const rejected = statusCode >= 400 && statusCode < 500;
		throw new DingTalkApiError(
			rejected
				? `${action} failed: DingTalk did not accept the App Key and App Secret${detail}`
				: `${action} failed: the token endpoint gave no usable token${detail}`,
			{
				code: errorBody.code ?? (rejected ? 'invalidAppCredentials' : 'invalidTokenResponse'),
				httpCode: statusCode,
				requestId: errorBody.requestId ?? requestId,
				description: rejected
					? `Check the App Key and App Secret in the "DingTalk API" credential (DingTalk Developer Console → your internal app → Credentials).${serverSays}`
					: `Check the base URL in the credential: ${APP_AUTH_PATH} must answer with {"accessToken", "expireIn"}.${serverSays}`,
			},
		);
	}

	private parseDownloadInfo(answer: Record<string, unknown>): DownloadInfo {
		const protocol = typeof answer.protocol === 'string' ? answer.protocol : '';
		const invalid = (problem: string, code = 'invalidResponse') =>
			new DingTalkApiError(`Getting the download info failed: ${problem}`, {
				code,
				description:
					code === 'dentryDownloadProtocolNotSupport'
						? ERROR_MEANINGS.dentryDownloadProtocolNotSupport.hint
						: 'DingTalk\'s answer was not in the documented form. If the base URL points at a gateway, check that it forwards the answer unchanged.',
			});
		if (protocol !== 'HEADER_SIGNATURE') {
			throw invalid(
				`DingTalk offered the download protocol "${protocol.slice(0, 40) || '(none)'}", and only HEADER_SIGNATURE is supported`,
				'dentryDownloadProtocolNotSupport',
			);
		}
		const info = answer.headerSignatureInfo;
		if (info === null || typeof info !== 'object') {
			throw invalid('the answer has no headerSignatureInfo');
		}
		const signature = info as Record<string, unknown>;
		const resourceUrls = stringArray(signature.resourceUrls);
		if (resourceUrls.length === 0) throw invalid('the answer lists no download URL (resourceUrls is empty)');

		const headers: HttpHeaders = {};
		const rawHeaders = signature.headers;
		if (rawHeaders !== undefined && (rawHeaders === null || typeof rawHeaders !== 'object')) {
			throw invalid('the signed headers are not an object');
		}
		for (const [name, value] of Object.entries((rawHeaders ?? {}) as Record<string, unknown>)) {
			if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || !isSafeHeaderValue(value)) {
				throw invalid('a signed header has an invalid name or value (for example a line break)');
			}
			headers[name] = value;
		}
		const expirationSeconds = Number(signature.expirationSeconds);
		return {
			protocol,
			resourceUrls,
			internalResourceUrls: stringArray(signature.internalResourceUrls),
			headers,
			expirationSeconds: Number.isFinite(expirationSeconds) ? expirationSeconds : undefined,
			region: typeof signature.region === 'string' ? signature.region : undefined,
			receivedAt: Date.now(),
		};
	}
}
