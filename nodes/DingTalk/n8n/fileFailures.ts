import type { IBinaryData, IDataObject } from 'n8n-workflow';

import { DingTalkStorageError, isCancelled } from '../shared/errors';

/**
 * What a trigger does when it cannot attach a changed file: a long-running watch must not
 * hinge on its worst file. A failure that will not go away by itself (permission, not
 * found, not downloadable, too large) is reported on the file's own item as
 * `downloadError` and the other changes go on. A temporary one (a rate limit, DingTalk
 * busy, the network) fails the poll, so the next poll tries again, until the same file
 * (and version) has failed `maxTemporaryFailures` polls in a row: then it is reported
 * like a permanent one, and the watch moves on.
 */

/** Polls in a row a file may fail to download temporarily before it is reported on its item. */
export const MAX_TEMPORARY_FAILURES = 3;

/**
 * Temporary failures by trigger, file and version, in this process: n8n keeps nothing of a
 * failed poll, and the count only needs to last a few polls. (In queue mode, triggers poll
 * on the leader main process only.)
 */
const temporaryFailures = new Map<string, number>();

/** Whether a failure may go away by itself; anything not classified by this package may. */
export function isTemporary(error: unknown): boolean {
	return !(error instanceof DingTalkStorageError) || error.retryable;
}

export type Attached = { binary: IBinaryData } | { downloadError: IDataObject };

/**
 * Runs `fetch` for the file named by `key`: its binary, or the `downloadError` to put on
 * its item. Rejects (failing the poll) for a cancellation and for a temporary failure
 * below the limit.
 */
export async function fetchOrReport(
	key: string,
	fetch: () => Promise<IBinaryData>,
	maxTemporaryFailures = MAX_TEMPORARY_FAILURES,
): Promise<Attached> {
	const outcome = await fetch().then(
		(binary) => ({ binary }),
		(error: unknown) => ({ error }),
	);
	if ('binary' in outcome) {
		temporaryFailures.delete(key);
		return outcome;
	}
	const { error } = outcome;
	if (isCancelled(error)) throw error;
	if (isTemporary(error)) {
		const failures = (temporaryFailures.get(key) ?? 0) + 1;
		if (failures < maxTemporaryFailures) {
			if (temporaryFailures.size >= 10_000) temporaryFailures.clear();
			temporaryFailures.set(key, failures);
			throw error;
		}
	}
	temporaryFailures.delete(key);
	return { downloadError: failureJson(error, 'downloadFailed') };
}

/** A failure as a trigger item reports it: `{code, message, retryable}` (`fallbackCode` for an error this package did not classify). */
export function failureJson(error: unknown, fallbackCode: string): IDataObject {
	return {
		code: error instanceof DingTalkStorageError ? error.code : fallbackCode,
		message: error instanceof Error ? error.message : String(error),
		retryable: isTemporary(error),
	};
}
