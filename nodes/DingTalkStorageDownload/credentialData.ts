import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { DingTalkClient, type DingTalkAuth } from './dingtalk/client';
import { InputError } from './errors';
import { requireBaseUrl } from './helpers/validate';
import type { Timeouts } from './transport/http';

/** Reads the "DingTalk API" credential's fields into the client's plain options. */
function authFrom(credentials: ICredentialDataDecryptedObject): DingTalkAuth {
	if (credentials.authentication === 'accessToken') {
		const accessToken = typeof credentials.accessToken === 'string' ? credentials.accessToken.trim() : '';
		if (!accessToken) throw new InputError('accessToken', 'the credential has no access token');
		return { kind: 'accessToken', accessToken };
	}
	const appKey = typeof credentials.appKey === 'string' ? credentials.appKey.trim() : '';
	const appSecret = typeof credentials.appSecret === 'string' ? credentials.appSecret.trim() : '';
	if (!appKey) throw new InputError('appKey', 'the credential has no App Key');
	if (!appSecret) throw new InputError('appSecret', 'the credential has no App Secret');
	return { kind: 'appCredentials', appKey, appSecret };
}

export function clientFor(
	credentials: ICredentialDataDecryptedObject,
	timeouts: Timeouts,
	signal?: AbortSignal,
	requestsPerSecond?: number,
): DingTalkClient {
	return new DingTalkClient({
		baseUrl: requireBaseUrl(credentials.baseUrl),
		auth: authFrom(credentials),
		timeouts,
		signal,
		requestsPerSecond,
	});
}
