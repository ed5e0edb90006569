import type { ICredentialDataDecryptedObject, Logger } from 'n8n-workflow';

import { DingTalkClient } from '../shared/api/client';
import type { DingTalkAuth } from '../shared/api/types';
import { InputError } from '../shared/errors';
import { requireBaseUrl } from '../shared/helpers/validate';
import type { Timeouts } from '../shared/transport/http';
import { shareRateLimitsInQueueMode } from './sharedRateLimit';

/** Reads the "DingTalk API" credential's fields into the client's plain options. */
function authFrom(credentials: ICredentialDataDecryptedObject): DingTalkAuth {
	if (credentials.authentication === 'accessToken') {
		const accessToken =
			typeof credentials.accessToken === 'string' ? credentials.accessToken.trim() : '';
		if (!accessToken) throw new InputError('accessToken', 'the credential has no access token');
		return { kind: 'accessToken', accessToken };
	}
	const appKey = typeof credentials.appKey === 'string' ? credentials.appKey.trim() : '';
	const appSecret = typeof credentials.appSecret === 'string' ? credentials.appSecret.trim() : '';
	if (!appKey) throw new InputError('appKey', 'the credential has no App Key');
	if (!appSecret) throw new InputError('appSecret', 'the credential has no App Secret');
	return { kind: 'appCredentials', appKey, appSecret };
}

/** What an execution adds to a client: its cancellation, its rate budget, n8n's logger. */
export interface ClientContext {
	signal?: AbortSignal;
	requestsPerSecond?: number;
	/** Where the package's few warnings go (the shared rate limit falling back, in queue mode). */
	logger?: Pick<Logger, 'warn'>;
}

/**
 * A client for the "DingTalk API" credential. Clients are cheap: what must be shared
 * (the token cache, the rate limiters, the connection pools) is process-wide, so every
 * node and execution with the same app shares one token and one rate budget.
 */
export function clientFor(
	credentials: ICredentialDataDecryptedObject,
	timeouts: Timeouts,
	context: ClientContext = {},
): DingTalkClient {
	shareRateLimitsInQueueMode(context.logger);
	return new DingTalkClient({
		baseUrl: requireBaseUrl(credentials.baseUrl),
		auth: authFrom(credentials),
		timeouts,
		signal: context.signal,
		requestsPerSecond: context.requestsPerSecond,
	});
}
