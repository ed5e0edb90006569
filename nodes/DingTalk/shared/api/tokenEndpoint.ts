import type { IssuedToken } from './tokenCache';

/**
 * DingTalk's token endpoint for an internal app, defined once: what the nodes' TokenProvider
 * (auth.ts) and the "DingTalk API" credential's preAuthentication (for n8n's HTTP Request
 * node) send, and how both read the answer. Imports nothing at run time, so the credential
 * file loads no more than this.
 */

// A URL path, not a secret.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
export const APP_TOKEN_PATH = '/v1.0/oauth2/accessToken';

/** A token's lifetime when the answer does not give one: DingTalk's documented two hours. */
const DEFAULT_EXPIRE_IN_SECONDS = 7200;

/** The request for an app token: a POST with the App Key and App Secret as its JSON body. */
export function appTokenRequest(
	baseUrl: string,
	appKey: string,
	appSecret: string,
): { method: 'POST'; url: string; body: { appKey: string; appSecret: string } } {
	return { method: 'POST', url: `${baseUrl}${APP_TOKEN_PATH}`, body: { appKey, appSecret } };
}

/** The token in a successful answer's JSON (`{"accessToken", "expireIn"}`), or undefined. */
export function issuedTokenFrom(answer: unknown): IssuedToken | undefined {
	if (answer === null || typeof answer !== 'object') return undefined;
	const { accessToken, expireIn } = answer as Record<string, unknown>;
	if (typeof accessToken !== 'string' || accessToken === '') return undefined;
	const seconds = typeof expireIn === 'number' ? expireIn : Number(expireIn);
	return {
		token: accessToken,
		expireIn: Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_EXPIRE_IN_SECONDS,
	};
}
