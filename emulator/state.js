// @ts-check
'use strict';
/**
 * What the emulator's servers share, one per startEmulator(): the app and the tokens issued
 * to it, the storage's signing key and address, the emulated drive, uploads and Stream
 * gateway, the faults and switches tests set, the call counters and the request log.
 * `reset()` brings it back to the seeded state between tests.
 */
const { randomBytes } = require('node:crypto');
const { Drive } = require('./drive');
const { Uploads } = require('./uploads');
const { StreamGateway } = require('./stream');
const { Sharing } = require('./sharing');
const { RecycleBin, RECYCLE_BIN_ID } = require('./recycleBin');

/**
 * The values every user of the emulator shares (tests, demo, dev, benchmarks): the app,
 * the operator, and the seeded space the sample files live in.
 */
const EMULATOR_DEFAULTS = {
	appKey: 'dingemulatorappkey',
	unionId: 'emulator-union-id',
	/** The seeded Drive space "公司文档" holding the sample files and the tree. */
	spaceId: '1000',
	/** A second Drive space (small quota), for copies and moves across spaces. */
	otherSpaceId: '2000',
	/** A Knowledge Base space: no recycle bin, not among the org's Drive spaces. */
	knowledgeBaseSpaceId: '3000',
	/** The org's corp ID (the recycle bin's scopeId). */
	corpId: 'dingemulatorcorpid',
	/** An app's space (ownerType APP: permission durations apply), not among the org's Drive spaces. */
	appSpaceId: '6000',
	/** The folder "共享" in the app's space. */
	appFolderId: '6001',
	/** The file "共享/app-note.txt" in the app's space. */
	appFileId: '6002',
	/** The org's recycle bin (GET /v1.0/storage/recycleBins finds it by corpId). */
	recycleBinId: RECYCLE_BIN_ID,
};

/**
 * @typedef {object} EmulatorOptions
 * @property {number} [port]          API port (0: any free port)
 * @property {number} [storagePort]   storage port (0: any free port)
 * @property {string} [appKey]
 * @property {string} [appSecret]
 * @property {number} [tokenTtlSeconds]     expireIn of issued tokens
 * @property {number} [signatureTtlSeconds] expirationSeconds of download info
 * @property {string} [unionId]       the only operator union ID accepted
 * @property {string} [corpId]        the org's corp ID (the recycle bin's scope)
 * @property {{key: string | Buffer, cert: string | Buffer}} [storageTls] serve storage over
 *   HTTPS with this key and certificate (as DingTalk's storage does); plain HTTP without
 */

/**
 * @typedef {object} Fault
 * @property {number} [failFirstUrl]      status the first resource URL answers with
 * @property {boolean} [refuseFirstUrl]   the first resource URL points at a closed port
 * @property {number} [resetAfterBytes]   destroy the connection after this many body bytes
 * @property {number} [truncateAfterBytes] close cleanly after this many bytes (Content-Length stays full)
 * @property {number} [times]             how many storage requests the body fault hits (default: all)
 * @property {boolean} [forbidden]        storage answers 403 to every request
 * @property {boolean} [ignoreRange]      storage ignores Range headers (200, whole file)
 * @property {number} [bodyDelayMs]       pause before each body chunk
 * @property {number} [failAllUrls]       status every resource URL answers with
 * @property {boolean} [resetBeforeHeaders] destroy the connection before any response
 * @property {number} [headersDelayMs]    wait this long before answering (slow first byte)
 * @property {number} [extraBytes]        send this many bytes beyond Content-Length
 * @property {boolean} [wrongContentRange] answer ranges with a Content-Range one byte off
 * @property {'loop'|'ftp'|'otherOrigin'} [redirect] answer with a redirect of this kind
 * @property {boolean} [noContentLength]  send the body chunked, without Content-Length (as some gateways do)
 * @property {string} [downloadInfoError] the download-info API answers this error code for the file (e.g. permissionDenied)
 */

/**
 * A fault of the storage's PUTs (uploads).
 * @typedef {object} UploadFault
 * @property {number} [part]            only PUTs of this part (0: a single PUT); default every PUT
 * @property {number} [status]          answer with this status (an OSS XML error) after reading the body
 * @property {string} [code]            the OSS error code of that answer (default InternalError, or AccessDenied for 403)
 * @property {number} [resetAfterBytes] reset the connection once this many body bytes arrived
 * @property {number} [times]           how many matching PUTs it hits (default 1)
 */

/**
 * One request that reached the emulator.
 * @typedef {{server: 'api'|'storage', method: string, path: string, headers: Record<string, string | string[] | undefined>, status?: number, body?: string, sentBytes?: number, receivedBytes?: number, completed?: boolean}} LogEntry
 */

class EmulatorState {
	/** @param {EmulatorOptions} options */
	constructor(options) {
		this.appKey = options.appKey ?? EMULATOR_DEFAULTS.appKey;
		this.appSecret = options.appSecret ?? `emu-secret-${randomBytes(12).toString('hex')}`;
		/** The storage's key pair, which signs the headers that download and upload info hand out. */
		this.oss = { accessKeyId: 'LTAIemulator', accessKeySecret: randomBytes(16).toString('hex') };
		/** The settings and switches tests change directly (`emulator.state`); reset() restores them. */
		this.settings = {
			tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
			signatureTtlSeconds: options.signatureTtlSeconds ?? 900,
			unionId: options.unionId ?? EMULATOR_DEFAULTS.unionId,
			corpId: options.corpId ?? EMULATOR_DEFAULTS.corpId,
			/** Pending API answers forced by tests: the next N API calls answer this code. */
			/** @type {{code: string, remaining: number, api?: string, after: number}[]} */
			forcedApiErrors: [],
			/** Rewrites the next download-info answers (for malformed-answer tests). */
			/** @type {((answer: any) => any) | undefined} */
			downloadInfoRewrite: undefined,
			/** Rewrites folder listings' answers (for broken-paging tests: a repeated token, no list). */
			/** @type {((answer: any, query: Record<string, string>) => any) | undefined} */
			listingRewrite: undefined,
			/** Rewrites dentry details' answers (for short-answer tests). */
			/** @type {((answer: any) => any) | undefined} */
			detailsRewrite: undefined,
			/** Rewrites batch answers: copy, move, remove; the bin's restore and remove (short-answer tests). */
			/** @type {((answer: any, api: string) => any) | undefined} */
			batchRewrite: undefined,
			/** The upload commit ignores `overwriteDentryId` (a DingTalk that goes by name only). */
			ignoreOverwriteDentryId: false,
			apiLatencyMs: 0,
			/** The next N download-info answers carry signatures that have already expired. */
			staleSignatures: 0,
			/** When set, the token endpoint answers with this status and raw body. */
			/** @type {{status: number, body: string, contentType?: string} | undefined} */
			tokenEndpointAnswer: undefined,
			/** Pads download-info answers with this many bytes (for oversized-answer tests). */
			downloadInfoPaddingBytes: 0,
			/** DingTalk's per-app, per-API rate limit (requests in any 1 s); 0 = not enforced. */
			qpsLimit: 0,
			/** Permissions the app lacks: their APIs answer 403 AccessTokenPermissionDenied. @type {Set<string>} */
			missingPermissions: new Set(),
			/** Caps each storage connection at this many bytes per second (a wide-area link); 0 = no cap. */
			bytesPerSecondPerConnection: 0,
			/** Extra wait before the storage's first byte, in milliseconds. */
			storageLatencyMs: 0,
			/** Benchmarks: uploaded bytes are counted, not kept (a download then serves generated bytes). */
			discardUploads: false,
		};
		/** @type {Map<string, number>} token -> expiry (ms) */
		this.tokens = new Map();
		/** @type {Map<string, number[]>} API -> times of the calls in the last second */
		this.qpsWindows = new Map();
		/** QPS answers given, per API, since the last reset. */
		this.qpsRejections = new Map();
		/** @type {Map<string, number>} API name -> calls that reached it (authenticated) */
		this.apiCounts = new Map();
		this.drive = new Drive();
		this.uploads = new Uploads();
		// Stream mode: the gateway, and a storage event for every change to a subscribed space.
		this.gateway = new StreamGateway({
			appKey: this.appKey,
			appSecret: this.appSecret,
			unionId: () => this.settings.unionId,
			checkSpace: (spaceId) => this.drive.space(spaceId),
		});
		this.drive.onChange = (change) => this.gateway.storageChanged(change);
		/** Permissions, preview links and app properties (sharing.js). */
		this.sharing = new Sharing(this.drive, this.appKey);
		/** The org's recycle bin (recycleBin.js): the items deleted to it. */
		this.recycleBin = new RecycleBin(this.drive, {
			unionId: () => this.settings.unionId,
			corpId: () => this.settings.corpId,
		});
		/** Storage faults, by dentry ID. @type {Map<string, Fault & {hits: number}>} */
		this.faults = new Map();
		/** @type {(UploadFault & {hits: number})[]} */
		this.uploadFaults = [];
		/** Everything that reached the emulator, for assertions. @type {LogEntry[]} */
		this.log = [];
		this.storageScheme = options.storageTls ? 'https' : 'http';
		/** Where the storage listens, and a port nobody listens on: set once the servers listen. */
		this.storagePort = 0;
		this.closedPort = 0;
	}

	/** The storage's origin, or that of another port on its host. */
	storageOrigin(port = this.storagePort) {
		return `${this.storageScheme}://127.0.0.1:${port}`;
	}

	/**
	 * What storage serves for a dentry: its name and how its bytes are made.
	 * @param {string} dentryId @param {number} [version]
	 */
	fileOf(dentryId, version) {
		const found = this.drive.fileById(dentryId, version);
		return found && { name: found.name, ...found.content };
	}

	/** A new token, valid for the token lifetime from now. */
	issueToken() {
		const token = `emu-token-${randomBytes(16).toString('hex')}`;
		this.tokens.set(token, Date.now() + this.settings.tokenTtlSeconds * 1000);
		return token;
	}

	clearFaults() {
		this.faults.clear();
		this.uploadFaults.length = 0;
	}

	reset() {
		this.clearFaults();
		this.uploads.reset();
		const settings = this.settings;
		settings.forcedApiErrors.length = 0;
		settings.downloadInfoRewrite = undefined;
		settings.listingRewrite = undefined;
		settings.detailsRewrite = undefined;
		settings.batchRewrite = undefined;
		settings.ignoreOverwriteDentryId = false;
		settings.apiLatencyMs = 0;
		settings.staleSignatures = 0;
		settings.tokenEndpointAnswer = undefined;
		settings.downloadInfoPaddingBytes = 0;
		settings.qpsLimit = 0;
		settings.missingPermissions.clear();
		settings.bytesPerSecondPerConnection = 0;
		settings.storageLatencyMs = 0;
		settings.discardUploads = false;
		this.qpsWindows.clear();
		this.qpsRejections.clear();
		this.apiCounts.clear();
		this.drive.reset();
		this.sharing.reset();
		this.recycleBin.reset();
		this.gateway.clear();
		this.log.length = 0;
	}
}

module.exports = { EmulatorState, EMULATOR_DEFAULTS };
