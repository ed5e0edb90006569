import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { clientFor } from '../../n8n/credentials';
import {
	itemOf,
	listWatched,
	newestFile,
	readWatchSettings,
	reconcileWatch,
	watchedFolder,
	withFile,
	type WatchSettings,
} from '../../n8n/watch';
import { wholeNumber } from '../../shared/helpers/validate';
import { DEFAULT_TIMEOUTS } from '../../shared/transport/http';
import type { WatchState } from '../../shared/watch/changes';

/**
 * One poll of the DingTalk Storage Trigger: list the watched tree, compare it with what the
 * last poll saw, and emit the changes. Built to run unattended for months:
 * - A listing that cannot be complete fails the poll (see paging.ts): nothing is emitted,
 *   the state stays, and the next poll tries again.
 * - A deletion is inferred from absence, so it is confirmed before it is reported: by the
 *   item's details (gone, in the recycle bin, or moved out of the watched tree), or, when
 *   many vanish at once, by a second complete listing that still lacks them.
 * - With Download Files, a file that cannot be downloaded for a reason that will not go
 *   away (permission, not found, not downloadable, too large) is reported on its own item
 *   (`downloadError`) and the poll goes on; a temporary failure fails the poll, until the
 *   same file has failed on 3 polls in a row: then it is reported the same way.
 * - At most Max Items per Poll changes are emitted; the rest wait for the next poll (the
 *   state moves on only for what was emitted), which also bounds memory.
 * Delivery is at least once (n8n saves the state after the items are handed over): every
 * item has a stable `eventId` for a workflow that must not act twice.
 */

export const DEFAULT_MAX_ITEMS_PER_POLL = 200;

interface Settings extends WatchSettings {
	maxItems: number;
}

/** Reads and checks the parameters; throws InputError naming the field. */
function readSettings(ctx: IPollFunctions): Settings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return {
		...readWatchSettings(ctx),
		maxItems: wholeNumber(
			'maxItemsPerPoll',
			options.maxItemsPerPoll,
			DEFAULT_MAX_ITEMS_PER_POLL,
			1,
			100_000,
		),
	};
}

export async function pollStorage(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(ctx);
	const manual = ctx.getMode() === 'manual';
	const staticData = ctx.getWorkflowStaticData('node');
	const previous = manual ? undefined : (staticData.watch as WatchState | undefined);
	const client = clientFor(await ctx.getCredentials('dingTalkApi'), DEFAULT_TIMEOUTS, {
		logger: ctx.logger,
	});

	if (manual) {
		// A sample for the editor ("Fetch Test Event"): the newest file, as if just created. The saved state is not touched.
		const newest = newestFile(
			await listWatched(client, settings, await watchedFolder(client, settings, undefined)),
			settings,
		);
		const change = { event: 'created' as const, changes: [], dentryId: newest.id, current: newest };
		const item: INodeExecutionData = { json: itemOf(change, settings.spaceId) };
		await withFile(ctx, item, change, settings, client);
		return [[item]];
	}

	const reconciled = await reconcileWatch(client, settings, previous);
	const delivered = reconciled.changes.slice(0, settings.maxItems);
	const items: INodeExecutionData[] = [];
	for (const change of delivered) {
		const item: INodeExecutionData = { json: itemOf(change, settings.spaceId) };
		await withFile(ctx, item, change, settings, client);
		items.push(item);
	}
	// Only now, with everything fetched, does the state move on, and only for what was emitted.
	staticData.watch = reconciled.stateAfter(delivered.length) as unknown as IDataObject;
	return items.length > 0 ? [items] : null;
}
