// The reconcile schedule: n8n's cron helper takes cron expressions only, and the waits here
// are computed (hours, a gap's debounce, a failed reconcile's back-off).
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { clearTimeout, setTimeout } from 'node:timers';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';

import { clientFor } from '../../n8n/credentials';
import { failureJson, isTemporary } from '../../n8n/fileFailures';
import {
	itemOf,
	readWatchSettings,
	reconcileWatch,
	watchedFolder,
	withFile,
	type Reconciled,
	type WatchSettings,
} from '../../n8n/watch';
import { DingTalkApiError, InputError, isCancelled } from '../../shared/errors';
import { Backoff } from '../../shared/helpers/retry';
import { getDentry } from '../../shared/storage/dentries';
import { isGoneError } from '../../shared/storage/deletions';
import { listFolder } from '../../shared/storage/listing';
import {
	sharedStreamRegistry,
	subscribeStorageEvents,
	type StorageEvent,
	type StreamRegistry,
	type StreamState,
	type StreamSubscription,
} from '../../shared/stream';
import { DEFAULT_TIMEOUTS } from '../../shared/transport/http';
import {
	isFolder,
	type ChangeEvent,
	type ListedEntry,
	type WatchState,
} from '../../shared/watch/changes';
import { SharedReads } from '../../shared/watch/eventDetails';
import {
	applyEntryChange,
	depthInWatch,
	needsNoDetails,
	placeable,
	type EntryNow,
	type EventWatch,
} from '../../shared/watch/events';
import { WorkQueue } from '../../shared/watch/workQueue';

/**
 * The DingTalk Storage Event Trigger while its workflow is active: DingTalk's storage events
 * over Stream mode, applied to the same snapshot the polling trigger keeps (one code path,
 * two drivers: the diff, the items and the downloads are watch.ts's).
 *
 * Activation: subscribe the space's events, open (or join) the app's one connection, then
 * reconcile (list the tree, diff it with the saved snapshot): the first activation records a
 * silent baseline, a later one reports what changed while the trigger was not running. Any
 * failure here fails the activation, with what to fix.
 * While active, one task at a time in arrival order: an event (one details query for a create
 * or update, shared by every trigger the event concerns; none for a delete) becomes at most a
 * few items; a reconcile every `reconcileEvery` hours, after a gap in the connection (events
 * sent while it was down are lost for good), and after a burst too large to queue.
 * The snapshot is saved with every emit (n8n saves a trigger's static data when it emits), so
 * a restart reconciles from the last change handed over: delivery is at least once, and every
 * item's `eventId` is stable across the two sources.
 */

/** Items per emitted execution when a reconcile finds many changes (each emit is one execution). */
export const RECONCILE_BATCH = 200;
/** How long activation waits for the Stream connection to open. */
export const CONNECT_TIMEOUT_MS = 30_000;
/** After a gap in the connection, at most one reconcile per this long. */
export const GAP_RECONCILE_MIN_INTERVAL_MS = 10 * 60_000;
/** Events waiting beyond this are dropped, and a reconcile finds their changes instead. */
export const MAX_QUEUED_EVENTS = 10_000;
/** Details queries per event (temporary failures), before the event is reported with its error. */
export const DETAILS_ATTEMPTS = 3;
/** Reconciles failing in a row before the trigger reports itself failed to n8n. */
export const RECONCILE_FAILURES_REPORTED = 3;

export const DEFAULT_RECONCILE_EVERY_HOURS = 24;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Tunables tests shorten; the node uses the defaults. */
export interface ListenOptions {
	registry: StreamRegistry;
	connectTimeoutMs: number;
	gapReconcileMinIntervalMs: number;
	retryFirstDelayMs: number;
}

const DEFAULT_LISTEN_OPTIONS: ListenOptions = {
	registry: sharedStreamRegistry,
	connectTimeoutMs: CONNECT_TIMEOUT_MS,
	gapReconcileMinIntervalMs: GAP_RECONCILE_MIN_INTERVAL_MS,
	retryFirstDelayMs: 1_000,
};

/**
 * The details of an event's entry, read once for every trigger (with the same operator) that
 * gets the event. Kept 10 s: long enough for the triggers of a process to take the same
 * event, short enough not to undo what a trigger's own later reconcile read.
 */
const eventReads = new SharedReads<EntryNow>(10_000);
/** Cancelled reads (another trigger's, ended by its deactivation) retried at most this often. */
const MAX_CANCELLED_READS = 10;

interface Settings extends WatchSettings {
	reconcileEveryMs: number;
}

function readSettings(ctx: ITriggerFunctions): Settings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const hours = options.reconcileEvery ?? DEFAULT_RECONCILE_EVERY_HOURS;
	if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > 24 * 365) {
		throw new InputError(
			'reconcileEvery',
			'give a number of hours from 0 (only at activation) to 8760',
		);
	}
	return { ...readWatchSettings(ctx), reconcileEveryMs: hours * 3_600_000 };
}

/** The app's key and secret: Stream mode signs in with them, an access token cannot. */
function streamAppOf(credentials: ICredentialDataDecryptedObject) {
	if (credentials.authentication === 'accessToken') {
		throw new InputError(
			'authentication',
			'the credential uses an access token, and Stream mode needs the app itself',
			'The Event Trigger opens a Stream mode connection, which DingTalk grants to an app by its App Key and App Secret. Use a "DingTalk API" credential of type "App Key & Secret" (the polling DingTalk Storage Trigger works with an access token).',
		);
	}
	return {
		baseUrl: String(credentials.baseUrl ?? ''),
		appKey: typeof credentials.appKey === 'string' ? credentials.appKey.trim() : '',
		appSecret: typeof credentials.appSecret === 'string' ? credentials.appSecret.trim() : '',
	};
}

function parseSnapshot(text: unknown): WatchState | undefined {
	if (typeof text !== 'string') return undefined;
	try {
		const state = JSON.parse(text) as WatchState;
		return state &&
			state.format === 2 &&
			typeof state.entries === 'object' &&
			typeof state.folders === 'object'
			? state
			: undefined;
	} catch {
		return undefined;
	}
}

type Task =
	| { kind: 'ready'; gate: Promise<void> }
	| { kind: 'event'; event: StorageEvent }
	| { kind: 'reconcile'; why: string }
	| { kind: 'emitReconciled'; reconciled: Reconciled };

export async function listenForEvents(
	ctx: ITriggerFunctions,
	tunables: Partial<ListenOptions> = {},
): Promise<ITriggerResponse> {
	const options = { ...DEFAULT_LISTEN_OPTIONS, ...tunables };
	const settings = readSettings(ctx);
	const manual = ctx.getMode() === 'manual';
	const credentials = await ctx.getCredentials('dingTalkApi');
	const app = streamAppOf(credentials);
	const lifetime = new AbortController();
	const client = clientFor(credentials, DEFAULT_TIMEOUTS, {
		logger: ctx.logger,
		signal: lifetime.signal,
	});
	const staticData = ctx.getWorkflowStaticData('node');
	const node = ctx.getNode().name;
	const log = (level: 'debug' | 'info' | 'warn', message: string) =>
		ctx.logger[level](`DingTalk Storage Event Trigger "${node}": ${message}`);

	let closed = false;
	let state: WatchState = { format: 2, scope: '', entries: {}, folders: {} };
	let watch: EventWatch | undefined;
	let subscription: StreamSubscription | undefined;
	let reconcileWaiting = false;
	let lastReconcile = 0;
	let reconcileFailures = 0;
	let reportedFailure = false;
	let gap = false;
	let gapReconcileScheduled = false;
	const timers = new Set<NodeJS.Timeout>();

	// A timer's wait is at most about 24.8 days (2^31 - 1 ms): longer ones are taken in steps.
	const later = (ms: number, action: () => void) => {
		const step = Math.min(ms, MAX_TIMER_MS);
		const timer = setTimeout(() => {
			timers.delete(timer);
			if (closed) return;
			if (ms > step) later(ms - step, action);
			else action();
		}, step);
		timers.add(timer);
	};

	/** Hands items over to n8n: the snapshot as it is now goes with them (n8n saves it on emit). */
	const deliver = (items: INodeExecutionData[]) => {
		if (closed || items.length === 0) return;
		if (!manual) staticData.snapshot = JSON.stringify(state);
		ctx.emit([items]);
	};

	/** Reports the trigger failed to n8n (its error workflow runs; n8n re-activates it with back-off). */
	const reportFailure = (error: unknown) => {
		if (reportedFailure || closed) return;
		reportedFailure = true;
		ctx.emitError(error instanceof Error ? error : new Error(String(error)));
	};

	/** Attaches the file (Download Files), retrying a temporary failure; a lasting one is put on the item. */
	const attach = async (item: INodeExecutionData, change: ChangeEvent) => {
		const backoff = new Backoff({
			firstDelayMs: options.retryFirstDelayMs * 2,
			maxDelayMs: 30_000,
			jitter: 'equal',
		});
		for (;;) {
			try {
				await withFile(ctx, item, change, settings, client);
				return;
			} catch (error) {
				if (closed) throw error;
				if (!isTemporary(error) || isCancelled(error)) {
					item.json.downloadError = failureJson(error, 'unexpected');
					return;
				}
				// fetchOrReport puts the error on the item by its third failure in a row.
				await backoff.wait({
					signal: lifetime.signal,
					cancelled: () =>
						new DingTalkApiError('The trigger was deactivated', { code: 'cancelled' }),
				});
			}
		}
	};

	const itemsOf = async (
		changes: ChangeEvent[],
		extras: IDataObject,
	): Promise<INodeExecutionData[]> => {
		const items: INodeExecutionData[] = [];
		for (const change of changes) {
			const item: INodeExecutionData = { json: itemOf(change, settings.spaceId, extras) };
			await attach(item, change);
			items.push(item);
		}
		return items;
	};

	const emitReconciled = async (reconciled: Reconciled) => {
		const { changes } = reconciled;
		if (changes.length === 0) state = reconciled.stateAfter(0);
		for (let start = 0; start < changes.length && !closed; start += RECONCILE_BATCH) {
			const batch = changes.slice(start, start + RECONCILE_BATCH);
			const items = await itemsOf(batch, { source: 'reconcile', operatorUnionId: null });
			state = reconciled.stateAfter(start + batch.length);
			deliver(items);
		}
	};

	const watchOf = (folder: { id: string; path: string }): EventWatch => ({
		spaceId: settings.spaceId,
		watched: folder,
		recursive: settings.recursive,
		maxDepth: settings.maxDepth,
		events: settings.events,
		includeFolders: settings.includeFolders,
		extensions: settings.extensions,
	});

	/** A reconcile while active: list, diff, emit; failures retried with back-off, then reported. */
	const reconcile = async (why: string) => {
		reconcileWaiting = false;
		lastReconcile = Date.now();
		try {
			const reconciled = await reconcileWatch(client, settings, state);
			watch = watchOf(reconciled.folder);
			log('debug', `reconciled (${why}): ${reconciled.changes.length} change(s)`);
			reconcileFailures = 0;
			await emitReconciled(reconciled);
		} catch (error) {
			if (closed) return;
			reconcileFailures++;
			const message = error instanceof Error ? error.message : String(error);
			log('warn', `reconciling (${why}) failed (${reconcileFailures} in a row): ${message}`);
			if (!isTemporary(error) || reconcileFailures >= RECONCILE_FAILURES_REPORTED)
				reportFailure(error);
			else
				later(
					Math.min(options.retryFirstDelayMs * 60 * 2 ** (reconcileFailures - 1), 3_600_000),
					() => requestReconcile(`retry after: ${why}`),
				);
		}
	};

	const queue: WorkQueue<Task> = new WorkQueue<Task>(
		async (task) => {
			if (closed) return;
			switch (task.kind) {
				case 'ready':
					await task.gate;
					return;
				case 'event':
					await handleEvent(task.event);
					return;
				case 'reconcile':
					await reconcile(task.why);
					return;
				case 'emitReconciled':
					await emitReconciled(task.reconciled);
			}
		},
		(error, task) => {
			if (!closed && !isCancelled(error))
				log(
					'warn',
					`handling ${task.kind === 'event' ? `event ${task.event.eventId}` : task.kind} failed: ${error instanceof Error ? error.message : String(error)}`,
				);
		},
		MAX_QUEUED_EVENTS,
		() => {
			if (!reconcileWaiting)
				log(
					'warn',
					`more than ${MAX_QUEUED_EVENTS} events waiting: the rest are found by a reconcile instead`,
				);
			requestReconcile('events dropped for the queue limit', true);
		},
	);

	function requestReconcile(why: string, first = false): void {
		if (closed || manual || reconcileWaiting) return;
		reconcileWaiting = true;
		if (first) queue.pushFront({ kind: 'reconcile', why });
		else if (!queue.push({ kind: 'reconcile', why })) queue.pushFront({ kind: 'reconcile', why });
	}

	/** The entry an event names, now: one query (shared), retried when it fails for a while. */
	const entryNow = async (event: StorageEvent): Promise<EntryNow> => {
		const ref = { spaceId: event.spaceId, dentryId: event.dentryId, unionId: settings.unionId };
		const key = [
			app.baseUrl,
			app.appKey,
			settings.unionId,
			event.spaceId,
			event.dentryId,
			event.eventId,
		].join('\n');
		const backoff = new Backoff({
			firstDelayMs: options.retryFirstDelayMs,
			maxDelayMs: 30_000,
			jitter: 'equal',
		});
		let cancelledReads = 0;
		for (let attempt = 1; ; attempt++) {
			try {
				return await eventReads.get(key, async () => {
					try {
						const entry = await getDentry(client, ref);
						// Details that say neither the entry's folder nor its path must never read as
						// "moved out": a short answer is a failed read (retried, not kept), not a deletion.
						if (!placeable(entry)) {
							throw new DingTalkApiError(
								`DingTalk's details of ${event.dentryId} say neither its folder nor its path`,
								{ code: 'invalidResponse', retryable: true },
							);
						}
						return { kind: 'present', entry };
					} catch (error) {
						if (isGoneError(error)) return { kind: 'gone' };
						throw error;
					}
				});
			} catch (error) {
				if (closed) throw error;
				// Another trigger's read, cancelled by its deactivation, is not this one's failure: read again.
				if (isCancelled(error) && cancelledReads++ < MAX_CANCELLED_READS) {
					attempt--;
					continue;
				}
				if (!isTemporary(error) || attempt >= DETAILS_ATTEMPTS) throw error;
				await backoff.wait({
					signal: lifetime.signal,
					cancelled: () =>
						new DingTalkApiError('The trigger was deactivated', { code: 'cancelled' }),
				});
			}
		}
	};

	/** An event whose entry could not be read: logged, and reported on an item with `error`. */
	function reportFailedRead(
		event: StorageEvent,
		extras: IDataObject,
		error: unknown,
		what: string,
	): void {
		if (closed) return;
		log(
			'warn',
			`reading ${what} for event ${event.eventId} failed: ${error instanceof Error ? error.message : String(error)}`,
		);
		deliver([
			{
				json: {
					event: event.eventType,
					changes: [],
					spaceId: event.spaceId,
					dentryId: event.dentryId,
					eventId: `error-${event.eventId}`,
					...extras,
					error: failureJson(error, 'unexpected'),
				},
			},
		]);
	}

	async function handleEvent(event: StorageEvent): Promise<void> {
		const extras: IDataObject = {
			source: 'stream',
			operatorUnionId: event.operatorUnionId ?? null,
			dingTalkEventId: event.eventId,
		};
		if (settings.file) {
			// One file watched: only its own events matter, each read as a reconcile of the file
			// (one details call), so a move or rename is an update and never a move out.
			if (!watch || event.spaceId !== settings.spaceId || event.dentryId !== watch.watched.id)
				return;
			let reconciled: Reconciled;
			try {
				reconciled = await reconcileWatch(client, settings, state, watch.watched);
			} catch (error) {
				// As for a folder: reported on an item, the snapshot unchanged, so the next
				// reconcile (or the file's next event) reports the change itself.
				reportFailedRead(event, extras, error, 'the watched file');
				return;
			}
			const wanted = reconciled.changes;
			const items = await itemsOf(wanted, extras);
			state = reconciled.stateAfter(wanted.length);
			if (items.length > 0) deliver(items);
			else if (!manual) staticData.snapshot = JSON.stringify(state);
			return;
		}
		// A delete costs nothing to apply: only create and update events may be passed over.
		if (!watch || (event.eventType !== 'deleted' && needsNoDetails(event, state, watch))) return;
		let now: EntryNow;
		if (event.eventType === 'deleted') now = { kind: 'gone' };
		else {
			try {
				now = await entryNow(event);
			} catch (error) {
				// Not dropped: reported on an item, whatever Events are chosen (an update may be a
				// move in or out). The snapshot is unchanged, so the next reconcile reports the change itself.
				reportFailedRead(event, extras, error, event.dentryId);
				return;
			}
		}
		const knownFolder = state.folders[event.dentryId] !== undefined;
		const changes = applyEntryChange(state, event.dentryId, now, watch);
		// A folder created, copied or moved into a recursive watch: no event names what it holds.
		if (
			now.kind === 'present' &&
			isFolder(now.entry) &&
			!knownFolder &&
			state.folders[event.dentryId] !== undefined &&
			settings.recursive
		) {
			changes.push(...(await contentsOf(event.dentryId, now.entry, watch)));
		}
		const wanted = changes.filter((change) => settings.events.includes(change.event));
		if (wanted.length === 0) return;
		deliver(await itemsOf(wanted, extras));
	}

	/** What a folder that entered the watched tree holds: listed (one call per 50 entries) and applied. */
	async function contentsOf(
		folderId: string,
		folder: ListedEntry,
		eventWatch: EventWatch,
	): Promise<ChangeEvent[]> {
		const depth = depthInWatch({ ...folder, id: folderId }, state, eventWatch);
		if (depth === undefined || depth >= settings.maxDepth) return [];
		try {
			const listing = await listFolder(client, {
				spaceId: settings.spaceId,
				folderId,
				unionId: settings.unionId,
				recursive: true,
				maxDepth: settings.maxDepth - depth,
				kind: 'all',
				folderPath: state.folders[folderId],
			});
			return listing.flatMap((entry) =>
				applyEntryChange(state, entry.id, { kind: 'present', entry }, eventWatch),
			);
		} catch (error) {
			if (closed) return [];
			log(
				'warn',
				`listing folder ${folderId}, new in the watched tree, failed: ${error instanceof Error ? error.message : String(error)}; a reconcile will find what it holds`,
			);
			requestReconcile('a folder entered the watched tree');
			return [];
		}
	}

	const onState = (streamState: StreamState) => {
		if (closed) return;
		// A lost connection is a gap; so is the gateway's routine disconnect when the new connection waits out a back-off.
		const lost =
			streamState.lastError &&
			(streamState.lastError.code !== 'streamDisconnect' || (streamState.retryInMs ?? 0) > 0);
		if (streamState.status === 'reconnecting' && lost && streamState.lastError) {
			if (!gap)
				log(
					'warn',
					`the Stream mode connection was lost (${streamState.lastError.message}); reconnecting`,
				);
			gap = true;
			// A refused App Key or Secret, or a removed permission, will not mend itself.
			if (!streamState.lastError.retryable && streamState.failures >= 3)
				reportFailure(streamState.lastError);
		} else if (streamState.status === 'connected' && gap) {
			gap = false;
			log(
				'info',
				'the Stream mode connection is back; changes made meanwhile are found by a reconcile',
			);
			// One reconcile for any number of gaps within the interval.
			if (gapReconcileScheduled) return;
			gapReconcileScheduled = true;
			later(Math.max(0, lastReconcile + options.gapReconcileMinIntervalMs - Date.now()), () => {
				gapReconcileScheduled = false;
				requestReconcile('after a gap in the connection');
			});
		}
	};

	// Events queue behind this gate until the activation's reconcile is done.
	let open!: () => void;
	const gate = new Promise<void>((resolve) => (open = resolve));

	const close = async () => {
		if (closed) return;
		closed = true;
		// A failed activation never opened the gate: the queue's loop ends with it.
		open();
		for (const timer of timers) clearTimeout(timer);
		timers.clear();
		queue.stop();
		lifetime.abort();
		await subscription?.unsubscribe();
	};

	queue.push({ kind: 'ready', gate });
	try {
		const previous = manual ? undefined : parseSnapshot(staticData.snapshot);
		// The folder first: a wrong one is refused before anything is subscribed or opened.
		const folder = await watchedFolder(client, settings, previous);
		await subscribeStorageEvents(
			client,
			{ scope: 'SPACE', scopeId: settings.spaceId },
			settings.unionId,
		);
		subscription = options.registry.subscribe(app, {
			onEvent: (event) => {
				if (!closed) queue.push({ kind: 'event', event });
			},
			onStateChange: onState,
			onWarning: (message) => log('warn', message),
		});
		await subscription.waitUntilConnected({
			timeoutMs: options.connectTimeoutMs,
			signal: lifetime.signal,
		});
		const reconciled = await reconcileWatch(client, settings, previous, folder);
		lastReconcile = Date.now();
		watch = watchOf(reconciled.folder);
		if (reconciled.baseline) {
			state = reconciled.stateAfter(0);
			// Saved by n8n when the activation completes.
			if (!manual) staticData.snapshot = JSON.stringify(state);
			if (previous) log('info', 'what is watched changed: a new baseline was recorded');
		} else {
			state = previous!;
			queue.pushFront({ kind: 'emitReconciled', reconciled });
		}
	} catch (error) {
		await close();
		throw error;
	}
	if (manual) {
		// The editor's "listen for a test event": n8n takes the first emit, once trigger() has
		// returned and manualTriggerFunction runs; events wait for it.
		return {
			closeFunction: close,
			manualTriggerFunction: async () => {
				open();
			},
		};
	}
	open();
	if (settings.reconcileEveryMs > 0) {
		const every = settings.reconcileEveryMs;
		const schedule = () =>
			later(every, () => {
				requestReconcile('scheduled');
				schedule();
			});
		schedule();
	}
	return { closeFunction: close };
}
