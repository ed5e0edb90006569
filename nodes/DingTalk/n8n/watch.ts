import type {
	IDataObject,
	INodeExecutionData,
	IPollFunctions,
	ITriggerFunctions,
} from 'n8n-workflow';

import type { DingTalkClient } from '../shared/api/client';
import { DingTalkApiError, InputError } from '../shared/errors';
import { requireFieldName, requireId, wholeNumber } from '../shared/helpers/validate';
import { confirmVanished, listedFolders } from '../shared/storage/deletions';
import { getDentry } from '../shared/storage/dentries';
import { DEFAULT_MAX_DEPTH, listFolder, PathResolver } from '../shared/storage/listing';
import type { Dentry } from '../shared/storage/types';
import { DEFAULT_TIMEOUTS } from '../shared/transport/http';
import {
	detectChanges,
	eventIdOf,
	isFolder,
	keepUnconfirmed,
	type ChangeEvent,
	type EventName,
	type ListedEntry,
	type WatchState,
} from '../shared/watch/changes';
import { capacityFor, DEFAULT_IN_MEMORY_LIMIT_MIB, tooLarge } from './binaryCapacity';
import { fetchToBinary } from './download';
import { fetchOrReport } from './fileFailures';
import { dentryJson } from './items';
import { linkNotAccepted, locate, locatorValue, type LocatorValue } from './locators';
import { n8nSetting } from './settings';

/**
 * What the two storage triggers share (one code path, two drivers): their settings, the
 * reconcile (list the watched tree, diff it with the snapshot, confirm deletions), the item
 * of a change, and the download of a changed file. The polling trigger reconciles on every
 * poll; the Event Trigger at activation, every few hours, and after a gap in its connection,
 * and applies DingTalk's events to the same snapshot in between.
 */

export type WatchContext = IPollFunctions | ITriggerFunctions;

const EVENTS: EventName[] = ['created', 'updated', 'deleted'];

export interface WatchSettings {
	spaceId: string;
	unionId: string;
	folder: LocatorValue;
	/** Set when one file is watched (Watch: File) instead of a folder. */
	file?: LocatorValue;
	events: EventName[];
	recursive: boolean;
	maxDepth: number;
	includeFolders: boolean;
	extensions: string[];
	download: boolean;
	binaryPropertyName: string;
	maxDownloadSize: number;
}

/** The watched space's ID; a link is refused by name. */
function spaceOf(value: LocatorValue): string {
	if (value.mode === 'url') throw linkNotAccepted('spaceId');
	return requireId('spaceId', value.value);
}

/** Reads and checks the parameters both triggers have; throws InputError naming the field. */
export function readWatchSettings(ctx: WatchContext): WatchSettings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const events = ctx.getNodeParameter('events', []) as unknown;
	if (
		!Array.isArray(events) ||
		events.length === 0 ||
		events.some((event) => !EVENTS.includes(event as EventName))
	) {
		throw new InputError('events', `choose one or more of ${EVENTS.join(', ')}`);
	}
	const oneFile = ctx.getNodeParameter('watch', 'folder') === 'file';
	// One file: the folder options (Recursive, Include Folders, File Extensions) do not apply.
	const extensions =
		!oneFile && typeof options.fileExtensions === 'string' ? options.fileExtensions : '';
	return {
		...(oneFile ? { file: locatorValue(ctx.getNodeParameter('fileId', '')) } : {}),
		spaceId: spaceOf(locatorValue(ctx.getNodeParameter('spaceId', ''))),
		unionId: requireId('unionId', ctx.getNodeParameter('unionId', '')),
		folder: locatorValue(ctx.getNodeParameter('folderId', '0')),
		events: events as EventName[],
		recursive: !oneFile && options.recursive === true,
		maxDepth: wholeNumber('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH, 1, 100),
		includeFolders: !oneFile && options.includeFolders === true,
		extensions: extensions
			.split(/[,\s]+/)
			.map((extension) => extension.trim().replace(/^\./, '').toLowerCase())
			.filter((extension) => extension !== ''),
		download: options.download === true,
		binaryPropertyName:
			options.download === true
				? requireFieldName('binaryPropertyName', options.binaryPropertyName ?? 'data')
				: 'data',
		maxDownloadSize: wholeNumber(
			'maxDownloadSize',
			options.maxDownloadSize,
			0,
			0,
			Number.MAX_SAFE_INTEGER,
		),
	};
}

/** Everything that decides what is watched: when it changes, the next reconcile starts a new baseline. */
export function scopeOf(settings: WatchSettings, folderId: string): string {
	return JSON.stringify([
		settings.spaceId,
		// A watched file's ID is marked, so that watching it is never the same as watching a folder.
		settings.file ? `file:${folderId}` : folderId,
		settings.recursive ? settings.maxDepth : 1,
		settings.includeFolders,
		[...settings.extensions].sort(),
		// A file given by path: the path, so that the file found once is not looked for again.
		...(settings.file?.mode === 'path' ? [String(settings.file.value)] : []),
	]);
}

/** What the trigger item of a change adds beyond the polling trigger's shape (the Event Trigger's fields). */
export type ItemExtras = IDataObject;

/** The item for one change: `{event, changes, spaceId, dentryId, ...the dentry..., previous, eventId, ...extras}`. */
export function itemOf(change: ChangeEvent, spaceId: string, extras: ItemExtras = {}): IDataObject {
	const fields: IDataObject = change.current
		? dentryJson(change.current as Dentry)
		: // Gone: what was last seen of it stands in for the dentry.
			{
				id: change.dentryId,
				dentryId: change.dentryId,
				name: change.previous!.name,
				path: change.previous!.path,
				parentId: change.previous!.parentId,
			};
	const itemSpaceId = (fields.spaceId as string | undefined) ?? spaceId;
	return {
		event: change.event,
		changes: change.changes,
		...fields,
		spaceId: itemSpaceId,
		dentryId: change.dentryId,
		...(change.previous ? { previous: { ...change.previous } } : {}),
		eventId: eventIdOf(change, itemSpaceId),
		...extras,
	};
}

/**
 * Downloads a created or updated file into the item, unless it is a folder or too large.
 * A file that cannot be downloaded for good is reported on the item (`downloadError`); a
 * temporary failure rejects until the same file failed `fetchOrReport`'s limit in a row.
 */
export async function withFile(
	ctx: WatchContext,
	item: INodeExecutionData,
	change: ChangeEvent,
	settings: WatchSettings,
	client: DingTalkClient,
): Promise<void> {
	if (
		!settings.download ||
		!change.current ||
		change.event === 'deleted' ||
		isFolder(change.current)
	)
		return;
	const size = change.current.size;
	if (settings.maxDownloadSize > 0 && typeof size === 'number' && size > settings.maxDownloadSize) {
		item.json.downloadSkipped = `The file is ${size} bytes, more than Max Download Size (${settings.maxDownloadSize} bytes)`;
		return;
	}
	const version = typeof change.current.version === 'number' ? change.current.version : undefined;
	const request = {
		file: {
			spaceId: String(item.json.spaceId),
			dentryId: change.dentryId,
			unionId: settings.unionId,
		},
		preferIntranet: false,
		timeouts: DEFAULT_TIMEOUTS,
		version,
	};
	// A file n8n's binary data mode cannot hold is reported on its item, like one over Max
	// Download Size: the change itself is still delivered.
	const capacity =
		typeof size === 'number'
			? await capacityFor(ctx.helpers, size, DEFAULT_IN_MEMORY_LIMIT_MIB * 1024 * 1024, n8nSetting)
			: undefined;
	if (capacity?.maxBytes !== undefined && typeof size === 'number' && size > capacity.maxBytes) {
		item.json.downloadSkipped = tooLarge(capacity, size, true).message;
		return;
	}
	const key = [
		ctx.getWorkflow().id,
		ctx.getNode().id,
		request.file.spaceId,
		change.dentryId,
		version ?? '',
	].join('\n');
	const attached = await fetchOrReport(
		key,
		async () => (await fetchToBinary(ctx, request, client)).binary,
	);
	if ('binary' in attached) item.binary = { [settings.binaryPropertyName]: attached.binary };
	else item.json.downloadError = attached.downloadError;
}

/**
 * What is watched: a folder's ID and path, or (Watch: File) the file's ID and an empty path.
 * `replaces`: a file by path found anew after the one watched was deleted (that one's ID).
 */
export interface WatchedItem {
	id: string;
	path: string;
	replaces?: string;
}

/** The watched folder, checked to be one (unless the snapshot's scope already holds its ID). */
export async function watchedFolder(
	client: DingTalkClient,
	settings: WatchSettings,
	previous: WatchState | undefined,
): Promise<WatchedItem> {
	if (settings.file) return await watchedFile(client, settings, settings.file, previous);
	const known =
		settings.folder.mode !== 'path' &&
		previous?.scope === scopeOf(settings, requireId('folderId', settings.folder.value));
	const where = {
		client,
		paths: new PathResolver(),
		spaceId: settings.spaceId,
		unionId: settings.unionId,
	};
	const folder = await locate(settings.folder, 'folderId', where, { kind: 'folder', known });
	// Not read again (known): its path is the one the snapshot keeps, not "" (the root's).
	return {
		id: folder.id,
		path: folder.dentry?.path ?? (known ? previous?.folders[folder.id] : undefined) ?? '',
	};
}

/**
 * The watched file (Watch: File), checked to be a file; `id` is the file's, and what stands
 * for a folder's path is empty.
 */
async function watchedFile(
	client: DingTalkClient,
	settings: WatchSettings,
	file: LocatorValue,
	previous: WatchState | undefined,
): Promise<WatchedItem> {
	// The file the snapshot watches, if it is the one asked for (by ID, or by the same path: a
	// path is resolved once, not at every poll, and still names the file once it is deleted).
	let knownId: string | undefined;
	try {
		const scoped = previous ? (JSON.parse(previous.scope) as unknown[]) : [];
		const id =
			typeof scoped[1] === 'string' && scoped[1].startsWith('file:')
				? scoped[1].slice(5)
				: undefined;
		if (id !== undefined && previous?.scope === scopeOf(settings, id)) knownId = id;
	} catch {
		knownId = undefined;
	}
	const where = {
		client,
		paths: new PathResolver(),
		spaceId: settings.spaceId,
		unionId: settings.unionId,
	};
	if (knownId !== undefined && file.mode === 'path') {
		// Gone (its deletion reported, nothing pending): a file put at the same path since, as
		// another program replaces a file by deleting it and uploading it again, is watched
		// from now on, and reported as created. Until then, one path lookup per poll.
		const gone =
			previous !== undefined &&
			Object.keys(previous.entries).length === 0 &&
			(previous.missing ?? []).length === 0;
		if (gone) {
			const replacement = await locate(file, 'fileId', where, { kind: 'file' }).catch(
				() => undefined,
			);
			if (replacement && replacement.id !== knownId)
				return { id: replacement.id, path: '', replaces: knownId };
		}
		return { id: knownId, path: '' };
	}
	if (knownId !== undefined && knownId === requireId('fileId', file.value))
		return { id: knownId, path: '' };
	const located = await locate(file, 'fileId', where, { kind: 'file', instead: 'Watch: Folder' });
	return { id: located.id, path: '' };
}

/** The watched tree, listed whole (or failing: see paging.ts); one file's "listing" is its details. */
export async function listWatched(
	client: DingTalkClient,
	settings: WatchSettings,
	folder: { id: string; path: string },
): Promise<ListedEntry[]> {
	if (settings.file) {
		try {
			const entry = await getDentry(client, {
				spaceId: settings.spaceId,
				dentryId: folder.id,
				unionId: settings.unionId,
			});
			// In the recycle bin: gone from where it was (the deletion is then confirmed).
			return entry.status === 'DELETED' ? [] : [entry as ListedEntry];
		} catch (error) {
			// Only "it does not exist" is an empty listing; any other failure fails the poll.
			if (error instanceof DingTalkApiError && error.code === 'dentryNotExist') return [];
			throw error;
		}
	}
	return await listFolder(client, {
		spaceId: settings.spaceId,
		folderId: folder.id,
		unionId: settings.unionId,
		recursive: settings.recursive,
		maxDepth: settings.maxDepth,
		kind: 'all',
		folderPath: folder.path || undefined,
	});
}

export interface Reconciled {
	/** The changes to report, oldest first (deletions confirmed), each with the state to keep once it and those before it are delivered. */
	changes: ChangeEvent[];
	/**
	 * The state to keep after the first `delivered` changes are handed over: the changes after
	 * them keep what the previous state knew, so a later reconcile finds them again.
	 */
	stateAfter(delivered: number): WatchState;
	/** No previous state (or another scope): this is a silent baseline. */
	baseline: boolean;
	/** The watched folder. */
	folder: WatchedItem;
}

/**
 * One reconcile: list the watched tree and compare it with `previous` (the polling trigger's
 * diff), confirming what vanished before it is reported deleted (see deletions.ts). `located`:
 * the watched folder, when the caller has just checked it.
 */
export async function reconcileWatch(
	client: DingTalkClient,
	settings: WatchSettings,
	given: WatchState | undefined,
	located?: WatchedItem,
): Promise<Reconciled> {
	const folder = located ?? (await watchedFolder(client, settings, given));
	// A file by path, deleted and put there again: the same watch goes on (not a new
	// baseline), so the new file is reported as created.
	const previous =
		given && folder.replaces !== undefined
			? { ...given, scope: scopeOf(settings, folder.id) }
			: given;
	const listing = await listWatched(client, settings, folder);
	const watch = {
		events: settings.events,
		includeFolders: settings.includeFolders,
		extensions: settings.extensions,
	};
	const { events, next, vanished } = detectChanges(
		previous,
		listing,
		scopeOf(settings, folder.id),
		watch,
		folder,
	);
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
	const believed = events.filter(
		(change) => change.event !== 'deleted' || confirmed.has(change.dentryId),
	);
	return {
		changes: believed,
		baseline: !previous || previous.format !== 2 || previous.scope !== next.scope,
		folder,
		stateAfter(delivered) {
			if (!previous) return next;
			const later = believed.slice(delivered);
			const held = [
				...later.filter((change) => change.event !== 'deleted'),
				...present.map((dentryId) => ({ event: 'deleted' as const, dentryId })),
			];
			// A confirmed deletion left for later needs no second confirmation.
			const stillMissing = [
				...missing,
				...later.filter((change) => change.event === 'deleted').map((change) => change.dentryId),
			];
			return keepUnconfirmed(previous, next, held, stillMissing);
		},
	};
}

/** The newest file of a listing, as a sample item for the editor (nothing is kept). */
export function newestFile(listing: ListedEntry[], settings: WatchSettings): ListedEntry {
	const watch = {
		events: settings.events,
		includeFolders: settings.includeFolders,
		extensions: settings.extensions,
	};
	const { next } = detectChanges(undefined, listing, '', watch);
	const newest = listing
		.filter((entry) => next.entries[entry.id] !== undefined && !isFolder(entry))
		.sort((a, b) => Date.parse(String(b.modifiedTime)) - Date.parse(String(a.modifiedTime)))[0];
	if (!newest) {
		throw new InputError(
			'folderId',
			'the watched folder has no file to show as a sample',
			'Add a file to the folder (or widen File Extensions / Recursive), then fetch a test event again.',
		);
	}
	return newest;
}
