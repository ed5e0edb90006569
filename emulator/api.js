// @ts-check
'use strict';
/**
 * The DingTalk API server: the token endpoint; for every other API what DingTalk checks
 * before it answers (forced errors, the token, the per-API rate limit, the app's
 * permissions, the operator, `error-<code>` IDs); and the Drive / storage APIs on the
 * seeded drive. The download, upload and Stream APIs come from their own modules, as do
 * permissions, preview links and app properties (sharing.js), the recycle bin
 * (recycleBin.js), and the batch changes and version revert (batch.js).
 */
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { setTimeout: sleep } = require('node:timers/promises');
const { ApiFault } = require('./errors');
const { downloadRoutes } = require('./storage');
const { uploadRoutes } = require('./uploadRoutes');
const { streamRoutes } = require('./streamRoutes');
const { Sharing, sharingRoutes } = require('./sharing');
const { recycleBinRoutes } = require('./recycleBin');
const { batchRoutes } = require('./batch');

/**
 * One API: method, path (IDs captured), the API name DingTalk's rate limit counts under,
 * and the answer. Handlers throw ApiFault for error answers. `operator` names the
 * operator's query parameter (v2.0: operatorId), `permission` the app permission the API
 * needs (see `missingPermissions`); a `public` API takes no token and none of the checks.
 * @typedef {{params: string[], query: URLSearchParams, body: any}} Call
 * @typedef {{method: string, pattern: RegExp, api: string, operator?: string, permission?: string, public?: boolean, handle: (call: Call) => unknown}} Route
 */

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function sendJson(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json;charset=utf-8',
		'content-length': Buffer.byteLength(text),
		'x-acs-request-id': `emu-${randomBytes(6).toString('hex')}`,
	});
	res.end(text);
}

/**
 * @param {http.ServerResponse} res
 * @param {ApiFault} fault
 */
function apiError(res, fault) {
	sendJson(res, fault.status, {
		code: fault.code,
		message: fault.message,
		requestid: `emu-${randomBytes(6).toString('hex')}`,
		...fault.extra,
	});
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const parts = [];
		req.on('data', (chunk) => parts.push(chunk));
		req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
		req.on('error', reject);
	});
}

/** @param {URLSearchParams} query */
function queryObject(query) {
	return /** @type {Record<string, string>} */ (Object.fromEntries(query.entries()));
}

/**
 * The Drive and storage APIs on the emulated tree (drive.js). Details and listings carry
 * app properties (sharing.js): details those of the apps `option.appIdsForAppProperties`
 * names, listings this app's when it has any.
 * @param {import('./state').EmulatorState} shared
 * @returns {Route[]}
 */
function driveRoutes(shared) {
	const { drive, settings, sharing } = shared;
	return [
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/query$/,
			api: 'dentries.query',
			handle: ({ params: [spaceId, dentryId], body }) => {
				const appIds = Sharing.askedAppIds(body?.option);
				const generated = dentryId.startsWith('gen-') ? drive.fileById(dentryId) : undefined;
				if (generated)
					return {
						dentry: {
							id: dentryId,
							spaceId,
							parentId: '0',
							type: 'FILE',
							name: generated.name,
							size: generated.content.size,
							version: 1,
							status: 'NORMAL',
						},
					};
				const entry = drive.entry(spaceId, dentryId, { deleted: true });
				if (entry.dentryDenied) throw new ApiFault('permissionDenied');
				const dentry = drive.json(entry);
				const answer = { dentry: appIds ? sharing.withAppProperties(dentry, appIds) : dentry };
				return settings.detailsRewrite ? settings.detailsRewrite(answer) : answer;
			},
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries$/,
			api: 'dentries.list',
			handle: ({ params: [spaceId], query }) => {
				const listed = drive.list(spaceId, queryObject(query));
				const answer = {
					...listed,
					dentries: listed.dentries.map((dentry) => sharing.withAppProperties(dentry, undefined)),
				};
				return settings.listingRewrite
					? settings.listingRewrite(answer, queryObject(query))
					: answer;
			},
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/versions$/,
			api: 'dentries.versions',
			handle: ({ params: [spaceId, dentryId], query }) =>
				drive.listVersions(spaceId, dentryId, queryObject(query)),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/folders$/,
			api: 'folders.add',
			handle: ({ params: [spaceId, parentId], body }) => ({
				dentry: drive.createFolder(spaceId, parentId, body?.name, body?.option?.conflictStrategy),
			}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/rename$/,
			api: 'dentries.rename',
			handle: ({ params: [spaceId, dentryId], body }) => ({
				dentry: drive.rename(spaceId, dentryId, body?.newName),
			}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/move$/,
			api: 'dentries.move',
			handle: ({ params: [spaceId, dentryId], body }) => drive.move(spaceId, dentryId, body ?? {}),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)\/copy$/,
			api: 'dentries.copy',
			handle: ({ params: [spaceId, dentryId], body }) => drive.copy(spaceId, dentryId, body ?? {}),
		},
		{
			method: 'DELETE',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/([^/]+)$/,
			api: 'dentries.delete',
			handle: ({ params: [spaceId, dentryId], query }) =>
				drive.remove(spaceId, dentryId, query.get('toRecycleBin') === 'true'),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)\/dentries\/query$/,
			api: 'dentries.batchQuery',
			permission: 'Storage.File.Read',
			handle: ({ params: [spaceId], body }) => {
				const appIds = Sharing.askedAppIds(body?.option);
				const answer = drive.queryMany(spaceId, body);
				if (!appIds) return answer;
				return {
					resultItems: answer.resultItems.map((item) =>
						item.dentry
							? { ...item, dentry: sharing.withAppProperties(item.dentry, appIds) }
							: item,
					),
				};
			},
		},
		{
			method: 'POST',
			pattern: /^\/v2\.0\/storage\/dentries\/search$/,
			api: 'dentries.search',
			operator: 'operatorId',
			permission: 'Storage.Dentry.Search',
			handle: ({ body }) => drive.search(body),
		},
		{
			method: 'GET',
			pattern: /^\/v2\.0\/doc\/dentries\/([^/]+)\/queryDentryId$/,
			api: 'doc.dentries.queryDentryId',
			operator: 'operatorId',
			permission: 'Document.WorkspaceDocument.Read',
			handle: ({ params: [uuid] }) => drive.idsOfUuid(uuid),
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/tasks\/([^/]+)$/,
			api: 'tasks.get',
			handle: ({ params: [taskId] }) => drive.task(taskId),
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/storage\/spaces\/([^/]+)$/,
			api: 'spaces.get',
			handle: ({ params: [spaceId] }) => ({ space: drive.spaceJson(spaceId) }),
		},
		{
			method: 'GET',
			pattern: /^\/v1\.0\/drive\/spaces$/,
			api: 'drive.spaces.list',
			handle: ({ query }) => {
				if (query.get('spaceType') !== 'org')
					throw new ApiFault('paramError', 'spaceType must be org');
				return drive.listOrgSpaces(queryObject(query));
			},
		},
	];
}

/**
 * `POST /v1.0/oauth2/accessToken`: a token for the app's key and secret (JSON only).
 * @param {import('./state').EmulatorState} shared
 * @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {string} body
 */
function answerTokenRequest(shared, req, res, body) {
	const forcedAnswer = shared.settings.tokenEndpointAnswer;
	if (forcedAnswer) {
		res.writeHead(forcedAnswer.status, {
			'content-type': forcedAnswer.contentType ?? 'text/html',
			'content-length': Buffer.byteLength(forcedAnswer.body),
		});
		return res.end(forcedAnswer.body);
	}
	if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
		return sendJson(res, 400, {
			code: 'paramError',
			message: 'body must be JSON',
			requestid: 'emu-form',
		});
	}
	let parsed;
	try {
		parsed = JSON.parse(body);
	} catch {
		return sendJson(res, 400, {
			code: 'paramError',
			message: 'invalid JSON',
			requestid: 'emu-json',
		});
	}
	if (parsed.appKey !== shared.appKey || parsed.appSecret !== shared.appSecret) {
		return sendJson(res, 400, {
			code: 'invalidClientSecret',
			message: 'appkey or appsecret is wrong',
			requestid: 'emu-auth',
		});
	}
	return sendJson(res, 200, {
		accessToken: shared.issueToken(),
		expireIn: shared.settings.tokenTtlSeconds,
	});
}

/**
 * What DingTalk checks before it runs an API, up to reading the body: a forced error, the
 * token, then the call is counted against the rate limit.
 * @param {import('./state').EmulatorState} shared
 * @param {Route} route @param {http.IncomingMessage} req
 * @returns {ApiFault | undefined} the refusal, if any
 */
function admissionRefusal(shared, route, req) {
	const settings = shared.settings;
	const forced = settings.forcedApiErrors.find(
		(each) => each.api === undefined || each.api === route.api,
	);
	if (forced && forced.after > 0) {
		forced.after--;
	} else if (forced) {
		forced.remaining--;
		if (forced.remaining <= 0)
			settings.forcedApiErrors.splice(settings.forcedApiErrors.indexOf(forced), 1);
		return new ApiFault(forced.code);
	}

	const token = req.headers['x-acs-dingtalk-access-token'];
	const expiry = typeof token === 'string' ? shared.tokens.get(token) : undefined;
	if (!expiry || expiry < Date.now()) return new ApiFault('InvalidAuthentication');

	shared.apiCounts.set(route.api, (shared.apiCounts.get(route.api) ?? 0) + 1);
	if (settings.qpsLimit > 0) {
		// One app here, so the window is per API.
		const now = Date.now();
		const window = (shared.qpsWindows.get(route.api) ?? []).filter((at) => at > now - 1000);
		shared.qpsWindows.set(route.api, window);
		if (window.length >= settings.qpsLimit) {
			shared.qpsRejections.set(route.api, (shared.qpsRejections.get(route.api) ?? 0) + 1);
			return new ApiFault('Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
		}
		window.push(now);
	}
	return undefined;
}

/**
 * What DingTalk checks of the call itself: the app's permission, the operator, and any
 * `error-<code>` where an ID goes (which answers that error, for every API).
 * @param {import('./state').EmulatorState} shared
 * @param {Route} route @param {URL} url @param {RegExpExecArray} match @param {any} body
 * @returns {ApiFault | undefined} the refusal, if any
 */
function callRefusal(shared, route, url, match, body) {
	if (route.permission && shared.settings.missingPermissions.has(route.permission)) {
		const fault = new ApiFault('Forbidden.AccessDenied.AccessTokenPermissionDenied');
		fault.extra = { requiredScopes: [route.permission] };
		return fault;
	}
	// v1.0 names the operator `unionId`; the v2.0 APIs call it `operatorId`.
	const operatorParam = route.operator ?? 'unionId';
	const unionId = url.searchParams.get(operatorParam);
	if (!unionId) return new ApiFault('paramError', `${operatorParam} is required`);
	if (unionId !== shared.settings.unionId) return new ApiFault('permissionDenied');
	const ids = [
		...match.slice(1).map(decodeURIComponent),
		url.searchParams.get('parentId') ?? '',
		String(body?.targetSpaceId ?? ''),
		String(body?.targetFolderId ?? ''),
	];
	const errorId = ids.find((id) => id.startsWith('error-'));
	return errorId === undefined ? undefined : new ApiFault(errorId.slice('error-'.length));
}

/**
 * The API server.
 * @param {import('./state').EmulatorState} shared
 */
function createApiServer(shared) {
	/** @type {Route[]} */
	const routes = [
		...downloadRoutes(shared),
		...driveRoutes(shared),
		...uploadRoutes(shared),
		...streamRoutes(shared),
		...sharingRoutes(shared),
		...recycleBinRoutes(shared),
		...batchRoutes(shared),
	];
	return http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://emulator');
		const body = await readBody(req);
		/** @type {import('./state').LogEntry} */
		const entry = {
			server: 'api',
			method: req.method ?? '',
			path: url.pathname + url.search,
			headers: req.headers,
			body,
		};
		shared.log.push(entry);
		res.on('finish', () => {
			entry.status = res.statusCode;
		});
		if (shared.settings.apiLatencyMs) await sleep(shared.settings.apiLatencyMs);

		if (req.method === 'POST' && url.pathname === '/v1.0/oauth2/accessToken')
			return answerTokenRequest(shared, req, res, body);

		let match = null;
		const route = routes.find(
			(candidate) =>
				candidate.method === req.method && (match = candidate.pattern.exec(url.pathname)) !== null,
		);
		if (!route || !match) {
			return sendJson(res, 404, {
				code: 'notFound',
				message: 'no such API in the emulator',
				requestid: 'emu-404',
			});
		}

		const matched = /** @type {RegExpExecArray} */ (match);
		if (!route.public) {
			const refused = admissionRefusal(shared, route, req);
			if (refused) return apiError(res, refused);
		}
		let parsed;
		try {
			parsed = body === '' ? {} : JSON.parse(body);
		} catch {
			return apiError(res, new ApiFault('paramError', 'the body is not JSON'));
		}
		const denied = route.public ? undefined : callRefusal(shared, route, url, matched, parsed);
		if (denied) return apiError(res, denied);
		const params = matched.slice(1).map(decodeURIComponent);
		try {
			return sendJson(
				res,
				200,
				await route.handle({ params, query: url.searchParams, body: parsed }),
			);
		} catch (error) {
			if (error instanceof ApiFault) return apiError(res, error);
			throw error;
		}
	});
}

module.exports = { createApiServer };
