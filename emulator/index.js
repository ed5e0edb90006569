// @ts-check
'use strict';
/**
 * A local emulator of the DingTalk v1.0 API and of the Alibaba Cloud OSS storage behind
 * its download URLs, on 127.0.0.1. Used by the tests, the demo and the benchmarks.
 *
 * Two HTTP servers, as in reality two hosts, over one shared state (state.js):
 *  - the API (api.js): token endpoint, Drive and storage APIs, with the download
 *    (storage.js), upload (uploadRoutes.js) and Stream mode (streamRoutes.js) APIs;
 *  - the storage (storage.js): GET with the signed headers checked exactly, one Range the
 *    OSS way (206; an unsatisfiable or malformed range ignored with 200), signature expiry;
 *    PUTs of uploads (uploadRoutes.js).
 * Every documented error is reachable through a dentry (or space) ID of the form
 * `error-<code>`, and faults are switched per file with `setFault()`. This file starts
 * the servers and hands out the controls tests use.
 */
const http = require('node:http');
const content = require('./content');
const { SAMPLE_FILES, MONTHLY_REPORTS } = require('./drive');
const { API_ERRORS } = require('./errors');
const { readStoredSync, storedSha256 } = require('./uploads');
const { EmulatorState, EMULATOR_DEFAULTS } = require('./state');
const { createApiServer } = require('./api');
const { createStorageServer } = require('./storage');

/**
 * Starts the emulator.
 * @param {import('./state').EmulatorOptions} [options]
 */
async function startEmulator(options = {}) {
	const shared = new EmulatorState(options);
	const { settings, drive, uploads, gateway } = shared;
	const api = createApiServer(shared);
	const storage = createStorageServer(shared, options.storageTls);

	// Idle kept-alive connections are closed after 65 s, as gateways commonly do (⚠ DingTalk's
	// own figure is not published): longer than clients keep them, so which side closes an
	// idle connection does not depend on how loaded the machine is. Node's default, 5 s,
	// raced the client's own idle timer on a busy machine and reset writes (which are never
	// sent twice). A drop as a request is sent is tested on its own (staleConnection.test.ts).
	for (const server of [api, storage]) {
		server.keepAliveTimeout = 65_000;
		server.headersTimeout = 66_000;
	}
	await new Promise((resolve) =>
		api.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined)),
	);
	await new Promise((resolve) =>
		storage.listen(options.storagePort ?? 0, '127.0.0.1', () => resolve(undefined)),
	);
	await gateway.listen();
	// A port nobody listens on, for "connection refused" on the first URL.
	shared.closedPort = await new Promise((resolve) => {
		const probe = http.createServer();
		probe.listen(0, '127.0.0.1', () => {
			const address = /** @type {import('node:net').AddressInfo} */ (probe.address());
			probe.close(() => resolve(address.port));
		});
	});
	const portOf = (/** @type {http.Server} */ server) =>
		/** @type {import('node:net').AddressInfo} */ (server.address()).port;
	shared.storagePort = portOf(storage);
	const baseUrl = `http://127.0.0.1:${portOf(api)}`;

	return {
		baseUrl,
		storageUrl: shared.storageOrigin(),
		appKey: shared.appKey,
		appSecret: shared.appSecret,
		unionId: settings.unionId,
		log: shared.log,
		/** The settings and switches (see state.js), changed directly. */
		state: settings,
		/** The seeded tree and its state, for tests that check what changed. */
		drive,
		/** Permissions, app properties and preview links (sharing.js), for tests that check what changed. */
		sharing: shared.sharing,
		/** Preview and edit links handed out since the last reset: what was asked for, and the answer. */
		issuedLinks: shared.sharing.links,
		/** The org's recycle bin and its items (recycleBin.js). */
		recycleBin: shared.recycleBin,
		/** How many authenticated calls each API received, by the API's name (e.g. dentries.list). */
		apiCounts: shared.apiCounts,
		/**
		 * The Stream mode gateway (see stream.js): its connections, deliveries, acknowledgements
		 * and ping answers, and switches (disconnect, drop, duplicate, ping, failing opens).
		 * Reset clears its records, subscriptions and switches; open connections stay open.
		 */
		stream: gateway.controls(),
		/**
		 * A file's name and bytes' description (size, seed...), by dentry ID.
		 * @param {string} dentryId @param {number} [version]
		 */
		file: (dentryId, version) => {
			const file = shared.fileOf(dentryId, version);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			return file;
		},
		/**
		 * sha256 of a file's bytes [start, end] (the whole file by default).
		 * @param {string} dentryId
		 * @param {number} [start]
		 * @param {number} [end]
		 * @param {number} [version] one of the file's versions (default: the current one)
		 */
		sha256: (dentryId, start = 0, end = undefined, version = undefined) => {
			const file = shared.fileOf(dentryId, version);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			if (file.stored) return storedSha256(file.stored, start, end ?? file.size - 1);
			return file.size === 0
				? content.sha256(file.seed, 0, -1)
				: content.sha256(file.seed, start, end ?? file.size - 1);
		},
		/**
		 * The bytes [start, end] of a (small) file.
		 * @param {string} dentryId
		 * @param {number} [start]
		 * @param {number} [end]
		 */
		bytes: (dentryId, start = 0, end = undefined) => {
			const file = shared.fileOf(dentryId);
			if (!file) throw new Error(`no emulated file ${dentryId}`);
			if (file.stored) return readStoredSync(file.stored, start, end ?? file.size - 1);
			return content.bytes(file.seed, start, end ?? file.size - 1);
		},
		/** The next `count` changes DingTalk would run as tasks (folders with children) fail with `message`, changing nothing. */
		failNextTasks: (count = 1, message = 'emulated task failure') => {
			for (let i = 0; i < count; i++) drive.failingTasks.push(message);
		},
		/**
		 * @param {string} dentryId
		 * @param {import('./state').Fault} fault
		 */
		setFault: (dentryId, fault) => shared.faults.set(dentryId, { ...fault, hits: 0 }),
		clearFaults: () => shared.clearFaults(),
		/**
		 * Storage answers the next matching upload PUT(s) with a fault (see UploadFault).
		 * @param {import('./state').UploadFault} fault
		 */
		setUploadFault: (fault) => shared.uploadFaults.push({ ...fault, hits: 0 }),
		/** Uploads started (upload info or multipart init) and not committed. */
		uncommittedUploads: () => uploads.uncommitted,
		/**
		 * The next `count` API calls (other than the token endpoint) answer with `code`; with
		 * `api`, only calls of that API (by its name, e.g. tasks.get); with `after`, once that
		 * many of those calls have gone through (the second page of a listing...).
		 * @param {string} code @param {number} [count] @param {string} [api] @param {number} [after]
		 */
		failNextApiCalls: (code, count = 1, api = undefined, after = 0) =>
			settings.forcedApiErrors.push({ code, remaining: count, api, after }),
		/**
		 * Rewrites every folder listing's answer until reset: `(answer, query) => answer`.
		 * @param {((answer: any, query: Record<string, string>) => any) | undefined} rewrite
		 */
		rewriteListings: (rewrite) => {
			settings.listingRewrite = rewrite;
		},
		/**
		 * Rewrites every dentry details answer until reset: `(answer) => answer`.
		 * @param {((answer: any) => any) | undefined} rewrite
		 */
		rewriteDetails: (rewrite) => {
			settings.detailsRewrite = rewrite;
		},
		/**
		 * Rewrites every batch answer until reset (dentries' batch copy, move and remove, the
		 * recycle bin's batch restore and remove), after the changes are made:
		 * `(answer, api) => answer`.
		 * @param {((answer: any, api: string) => any) | undefined} rewrite
		 */
		rewriteBatchAnswers: (rewrite) => {
			settings.batchRewrite = rewrite;
		},
		/**
		 * Until reset, the upload commit ignores `overwriteDentryId` and goes by name and folder
		 * (what the node must cope with if DingTalk does).
		 * @param {boolean} [ignore]
		 */
		ignoreOverwriteDentryId: (ignore = true) => {
			settings.ignoreOverwriteDentryId = ignore;
		},
		/** The next `count` download-info answers are signed as if fetched long ago (storage answers 403). */
		expireNextSignatures: (count = 1) => {
			settings.staleSignatures += count;
		},
		/** QPS-limit answers given since the last reset, per API (with `state.qpsLimit` set). */
		qpsRejections: () => Object.fromEntries(shared.qpsRejections),
		/** Every token issued so far stops working (as after expiry). */
		expireTokens: () => shared.tokens.clear(),
		/** A token DingTalk would accept now, as if obtained elsewhere. */
		issueToken: () => shared.issueToken(),
		reset: () => shared.reset(),
		close: async () => {
			api.closeAllConnections();
			storage.closeAllConnections();
			await Promise.all([
				new Promise((r) => api.close(r)),
				new Promise((r) => storage.close(r)),
				gateway.close(),
			]);
			uploads.close();
		},
	};
}

module.exports = { startEmulator, EMULATOR_DEFAULTS, SAMPLE_FILES, MONTHLY_REPORTS, API_ERRORS };
