import type { DingTalkClient } from '../api/client';
import { DingTalkApiError } from '../errors';
import { getDentry } from './dentries';

/**
 * Proves a credential works: gets a token (app mode) and makes one cheap storage call.
 * DingTalk has no "who am I" for app tokens, so the probe asks for a dentry that cannot
 * exist: any answer other than an authentication failure means the token was accepted.
 */
export async function verifyCredential(client: DingTalkClient): Promise<void> {
	// A refused App Key / App Secret fails here, before the probe.
	await client.tokens.token();
	try {
		await getDentry(client, { spaceId: '0', dentryId: '0', unionId: 'n8n-credential-test' });
	} catch (error) {
		if (error instanceof DingTalkApiError && error.code === 'InvalidAuthentication') throw error;
		if (error instanceof DingTalkApiError && error.httpCode !== undefined) return;
		throw error;
	}
}
