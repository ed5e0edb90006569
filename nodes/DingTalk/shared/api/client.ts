import type { HttpMethod, Timeouts } from '../transport/http';
import { TokenProvider } from './auth';
import { CallPolicy, type CallPolicyOptions } from './callPolicy';
import { exchange } from './exchange';
import type { TokenCache } from './tokenCache';
import type { ApiSpec, DingTalkAuth } from './types';

export interface ClientOptions extends CallPolicyOptions {
	baseUrl: string;
	auth: DingTalkAuth;
	timeouts: Timeouts;
	tokenCache?: TokenCache;
}

export type QueryValue = string | number | boolean | undefined;

export interface ApiRequest {
	api: ApiSpec;
	method: HttpMethod;
	/** The path, each ID in it already encoded (see `apiPath`). */
	path: string;
	/** Every storage API names its operator: `unionId` (v1.0), or `operatorId` (the v2.0 APIs). */
	query: Record<string, QueryValue> & ({ unionId: string } | { operatorId: string });
	/** A JSON body (POST). */
	body?: unknown;
}

/** A path from literal segments and IDs; each ID is URL-encoded. */
export function apiPath(strings: TemplateStringsArray, ...ids: string[]): string {
	return strings.reduce(
		(path, literal, index) =>
			path + literal + (index < ids.length ? encodeURIComponent(ids[index]) : ''),
		'',
	);
}

/**
 * The DingTalk v1.0 API for one credential and one execution's settings. It knows nothing
 * of n8n or of any particular API: authentication (TokenProvider), the call policy
 * (CallPolicy) and one request (exchange). The storage modules (../storage) build their
 * requests and read their answers on top of `call`.
 */
export class DingTalkClient {
	readonly baseUrl: string;
	readonly tokens: TokenProvider;
	private readonly policy: CallPolicy;

	constructor(private readonly options: ClientOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.tokens = new TokenProvider(
			this.baseUrl,
			options.auth,
			options.timeouts,
			options.signal,
			options.tokenCache,
		);
		this.policy = new CallPolicy(this.tokens, options);
	}

	/** The app's key, when the credential has one (an access-token credential has not). */
	get appKey(): string | undefined {
		return this.options.auth.kind === 'appCredentials' ? this.options.auth.appKey : undefined;
	}

	/** The execution's cancellation, for work built on the client (waiting for a task...). */
	get signal(): AbortSignal | undefined {
		return this.options.signal;
	}

	async call(request: ApiRequest): Promise<Record<string, unknown>> {
		const query = Object.entries(request.query)
			.filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
			.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
			.join('&');
		const url = `${this.baseUrl}${request.path}?${query}`;
		return await this.policy.run(
			request.api,
			async (token) =>
				await exchange({
					url,
					method: request.method,
					headers: { 'x-acs-dingtalk-access-token': token },
					body: request.body,
					timeouts: this.options.timeouts,
					signal: this.options.signal,
					action: request.api.action,
					baseUrl: this.baseUrl,
					idempotent: request.method === 'GET' || request.api.readOnly === true,
				}),
		);
	}
}
