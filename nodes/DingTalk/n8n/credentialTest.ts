import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { DingTalkStorageError, InputError } from '../shared/errors';
import { verifyCredential } from '../shared/storage/credentialProbe';
import { DEFAULT_TIMEOUTS } from '../shared/transport/http';
import { clientFor } from './credentials';

/**
 * The "DingTalk API" credential's Test button, offered by every node of the package
 * (`testedBy: 'dingTalkApiTest'`). Really calls DingTalk: a wrong App Secret or a dead
 * token fails, a working one passes.
 */
export async function dingTalkApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		await verifyCredential(
			clientFor(credential.data ?? {}, { ...DEFAULT_TIMEOUTS, responseMs: 15_000 }),
		);
		return { status: 'OK', message: 'Connection successful: DingTalk accepted the credential' };
	} catch (error) {
		// A field of the credential itself is wrong (the Base URL...): say how to fix it too.
		const advice = error instanceof InputError && error.description ? `. ${error.description}` : '';
		const message =
			error instanceof DingTalkStorageError
				? `${error.message}${advice}`
				: 'The credential could not be checked';
		return { status: 'Error', message };
	}
}
