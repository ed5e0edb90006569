import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { capacityFor, DEFAULT_IN_MEMORY_LIMIT_MIB, tooLarge } from '../../n8n/binaryCapacity';
import { clientFor } from '../../n8n/credentials';
import { n8nSetting } from '../../n8n/settings';
import { fetchToBinary } from '../../n8n/download';
import { fetchOrReport } from '../../n8n/fileFailures';
import { dentryJson } from '../../n8n/items';
import { locate, locatorValue } from '../../n8n/locators';
import type { DingTalkClient } from '../../shared/api/client';
import { InputError } from '../../shared/errors';
import { requireFieldName, requireId, wholeNumber } from '../../shared/helpers/validate';
import { listFolder, PathResolver } from '../../shared/storage/listing';
import { confirmVanished, listedFolders } from '../../shared/storage/deletions';
import type { Dentry } from '../../shared/storage/types';
import { DEFAULT_TIMEOUTS } from '../../shared/transport/http';
import { DEFAULT_MAX_DEPTH } from '../description';
import { detectChanges, eventIdOf, isFolder, keepUnconfirmed, type ChangeEvent, type EventName, type WatchState } from './changes';

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

const EVENTS: EventName[] = ['created', 'updated', 'deleted'];

export const DEFAULT_MAX_ITEMS_PER_POLL = 200;
interface Settings {
	spaceId: string;
	unionId: string;
	folder: ReturnType<typeof locatorValue>;
	events: EventName[];
	recursive: boolean;
	maxDepth: number;
	includeFolders: boolean;
	extensions: string[];
	download: boolean;
	binaryPropertyName: string;
	maxDownloadSize: number;
	maxItems: number;
}

/** Reads and checks the parameters; throws InputError naming the field. */
function readSettings(ctx: IPollFunctions): Settings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const events = ctx.getNodeParameter('events', []) as unknown;
	if (!Array.isArray(events) || events.length === 0 || events.some((event) => !EVENTS.includes(event as EventName))) {
		throw new InputError('events', `choose one or more of ${EVENTS.join(', ')}`);
	}
	const extensions = typeof options.fileExtensions === 'string' ? options.fileExtensions : '';
	return {
		spaceId: requireId('spaceId', locatorValue(ctx.getNodeParameter('spaceId', '')).value),
		unionId: requireId('unionId', ctx.getNodeParameter('unionId', '')),
		folder: locatorValue(ctx.getNodeParameter('folderId', '0')),
		events: events as EventName[],
		recursive: options.recursive === true,
		maxDepth: wholeNumber('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH, 1, 100),
		includeFolders: options.includeFolders === true,
		extensions: extensions
			.split(/[,\s]+/)
			.map((extension) => extension.trim().replace(/^\./, '').toLowerCase())
			.filter((extension) => extension !== ''),
		download: options.download === true,
		binaryPropertyName: options.download === true ? requireFieldName('binaryPropertyName', options.binaryPropertyName ?? 'data') : 'data',
		maxDownloadSize: wholeNumber('maxDownloadSize', options.maxDownloadSize, 0, 0, Number.MAX_SAFE_INTEGER),
		maxItems: wholeNumber('maxItemsPerPoll', options.maxItemsPerPoll, DEFAULT_MAX_ITEMS_PER_POLL, 1, 100_000),
	};
}

/** Everything that decides what is watched: when it changes, the next poll starts a new baseline. */
function scopeOf(settings: Settings, folderId: string): string {
	return JSON.stringify([settings.spaceId, folderId, settings.recursive ? settings.maxDepth : 1, settings.includeFolders, [...settings.extensions].sort()]);
}

/** The item for one change: `{event, changes, spaceId, dentryId, ...the dentry..., previous, eventId}`. */
function itemOf(change: ChangeEvent, spaceId: string): IDataObject {
	const fields: IDataObject = change.current
		? dentryJson(change.current as Dentry)
		: // Gone: what was last seen of it stands in for the dentry.
			{ id: change.dentryId, dentryId: change.dentryId, name: change.previous!.name, path: change.previous!.path, parentId: change.previous!.parentId };
	const itemSpaceId = (fields.spaceId as string | undefined) ?? spaceId;
	return {
		event: change.event,
		changes: change.changes,
		...fields,
		spaceId: itemSpaceId,
		dentryId: change.dentryId,
		...(change.previous ? { previous: { ...change.previous } } : {}),
		eventId: eventIdOf(change, itemSpaceId),
	};
}

/** Downloads a created or updated file into the item, unless it is a folder or too large. */
async function withFile(ctx: IPollFunctions, item: INodeExecutionData, change: ChangeEvent, settings: Settings, client: DingTalkClient): Promise<void> {
	if (!settings.download || !change.current || change.event === 'deleted' || isFolder(change.current)) return;
	const size = change.current.size;
	if (settings.maxDownloadSize > 0 && typeof size === 'number' && size > settings.maxDownloadSize) {
		item.json.downloadSkipped = `The file is ${size} bytes, more than Max Download Size (${settings.maxDownloadSize} bytes)`;
		return;
	}
	const version = typeof change.current.version === 'number' ? change.current.version : undefined;
	const request = {
		file: { spaceId: String(item.json.spaceId), dentryId: change.dentryId, unionId: settings.unionId },
		preferIntranet: false,
		timeouts: DEFAULT_TIMEOUTS,
		version,
	};
	// A file n8n's binary data mode cannot hold is reported on its item, like one over Max
	// Download Size: the change itself is still delivered.
	const capacity = typeof size === 'number' ? await capacityFor(ctx.helpers, size, DEFAULT_IN_MEMORY_LIMIT_MIB * 1024 * 1024, n8nSetting) : undefined;
	if (capacity?.maxBytes !== undefined && typeof size === 'number' && size > capacity.maxBytes) {
		item.json.downloadSkipped = tooLarge(capacity, size, true).message;
		return;
	}
	const key = [ctx.getWorkflow().id, ctx.getNode().id, request.file.spaceId, change.dentryId, version ?? ''].join('\n');
	const attached = await fetchOrReport(key, async () => (await fetchToBinary(ctx, request, client)).binary);
	if ('binary' in attached) item.binary = { [settings.binaryPropertyName]: attached.binary };
	else item.json.downloadError = attached.downloadError;
}

export async function pollStorage(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(ctx);
	const manual = ctx.getMode() === 'manual';
	const staticData = ctx.getWorkflowStaticData('node');
	const previous = manual ? undefined : (staticData.watch as WatchState | undefined);
	const client = clientFor(await ctx.getCredentials('dingTalkApi'), DEFAULT_TIMEOUTS, { logger: ctx.logger });
	// A folder named by ID is checked to be one when the baseline is made; after that, its ID is in the state's scope.
	const known = settings.folder.mode !== 'path' && previous?.scope === scopeOf(settings, requireId('folderId', settings.folder.value));
	const where = { client, paths: new PathResolver(), spaceId: settings.spaceId, unionId: settings.unionId };
	const folder = await locate(settings.folder, 'folderId', where, { kind: 'folder', known });
	const listing = await listFolder(client, {
		spaceId: settings.spaceId,
		folderId: folder.id,
		unionId: settings.unionId,
		recursive: settings.recursive,
		maxDepth: settings.maxDepth,
		kind: 'all',
		folderPath: folder.dentry?.path,
	});
	const watch = { events: settings.events, includeFolders: settings.includeFolders, extensions: settings.extensions };

	if (manual) {
		// A sample for the editor ("Fetch Test Event"): the newest file, as if just created. The saved state is not touched.
		const { next } = detectChanges(undefined, listing, '', watch);
		const newest = listing
			.filter((entry) => next.entries[entry.id] !== undefined && !isFolder(entry))
			.sort((a, b) => Date.parse(String(b.modifiedTime)) - Date.parse(String(a.modifiedTime)))[0];
		if (!newest) {
			throw new InputError('folderId', 'the watched folder has no file to show as a sample', 'Add a file to the folder (or widen File Extensions / Recursive), then fetch a test event again.');
		}
		const item: INodeExecutionData = { json: itemOf({ event: 'created', changes: [], dentryId: newest.id, current: newest }, settings.spaceId) };
		await withFile(ctx, item, { event: 'created', changes: [], dentryId: newest.id, current: newest }, settings, client);
		return [[item]];
	}

	const watched = { id: folder.id, path: folder.dentry?.path ?? '' };
	const { events, next, vanished } = detectChanges(previous, listing, scopeOf(settings, folder.id), watch, watched);
	const { confirmed, missing, present } =
		previous && vanished.length > 0
			? await confirmVanished(client, {
					spaceId: settings.spaceId,
					unionId: settings.unionId,
					vanished,
					missedBefore: previous.missing ?? [],
					listed: listedFolders(listing, folder.id, settings),
					checkDetails: settings.events.includes('deleted'),
				})
			: { confirmed: new Set<string>(), missing: [], present: [] };
	const believed = events.filter((change) => change.event !== 'deleted' || confirmed.has(change.dentryId));
	const delivered = believed.slice(0, settings.maxItems);
	const later = believed.slice(settings.maxItems);

	const items: INodeExecutionData[] = [];
	for (const change of delivered) {
		const item: INodeExecutionData = { json: itemOf(change, settings.spaceId) };
		await withFile(ctx, item, change, settings, client);
		items.push(item);
	}
	// Only now, with everything fetched, does the state move on, and only for what was emitted.
	const held = [...later.filter((change) => change.event !== 'deleted'), ...present.map((dentryId) => ({ event: 'deleted' as const, dentryId }))];
	// A confirmed deletion left for the next poll needs no second confirmation.
	const stillMissing = [...missing, ...later.filter((change) => change.event === 'deleted').map((change) => change.dentryId)];
	staticData.watch = (previous ? keepUnconfirmed(previous, next, held, stillMissing) : next) as unknown as IDataObject;
	return items.length > 0 ? [items] : null;
}
