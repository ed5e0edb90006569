// @ts-check
'use strict';
/**
 * Sharing a dentry, as dingtalk-storage-more-apis.md describes it: the storage 2.0
 * permissions (grants by the dentry's UUID, their inheritance), preview and edit links, an
 * app's own properties on a dentry, and the links-to-IDs APIs (a dentry's UUID by its ID, a
 * wiki node by its URL). The state lives here, by dentry UUID (a UUID survives moves across
 * spaces), and is cleared by reset() with the rest of the emulator.
 *
 * Where the facts file is silent, the emulator's own rules (each said again where it applies):
 *  - Permissions: a grant is per member (type + id, and corpId for a DEPT): adding a member
 *    who has a grant replaces its role; updating a member who has none adds the grant (an
 *    upsert: no error). Removing takes away the members' grants of that role only (others,
 *    and members without a grant, are left alone). A duration does not expire in the
 *    emulator: it is stored and listed. List shows the dentry's own grants (none inherited),
 *    in the order they were made; maxResults 1..100 (default 30). `corpId` is in a listed
 *    member only when it was given.
 *  - Inheritance is PASS_ON until set.
 *  - Preview links: see openInfo().
 *  - App properties: this app's owner ID is its app key; another app's PRIVATE properties
 *    are never shown (no other app can set any here). An empty `appIdsForAppProperties`
 *    is as if it were absent.
 */
const { randomBytes } = require('node:crypto');
const { ApiFault } = require('./errors');
const { extensionOf, page, rootUuid } = require('./drive');

/** @typedef {import('./drive').Drive} Drive */
/** @typedef {import('./drive').Entry} Entry */
/** @typedef {import('./api').Route} Route */

/** The storage 2.0 roles and their names in DingTalk's UI. */
const ROLE_NAMES = /** @type {Record<string, string>} */ ({
	OWNER: '所有者',
	MANAGER: '管理者',
	EDITOR: '可编辑',
	DOWNLOADER: '可下载',
	READER: '可查看',
});

const MEMBER_TYPES = ['USER', 'DEPT', 'ORG', 'TAG', 'CONVERSATION', 'DYNAMIC_GROUP'];

/** Extensions with no preview (as are files without an extension). */
const NO_PREVIEW = ['zip', 'rar', '7z', 'exe'];
/** Extensions that open for editing. */
const EDITABLE = ['docx', 'xlsx', 'pptx', 'doc', 'xls', 'ppt', 'txt', 'md'];
/** WPS formats: the only ones a watermark applies to. */
const WPS_FORMATS = ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf'];

/**
 * @typedef {{type: string, id: string, corpId?: string}} Member
 * @typedef {{member: Member, roleId: string, duration: number | null}} Grant
 * @typedef {{name: string, value: string, visibility: 'PUBLIC' | 'PRIVATE'}} AppProperty
 * @typedef {{spaceId: string, dentryId: string, version: number, type: 'PREVIEW' | 'EDIT', waterMark: boolean, checkLogin: boolean, url: string, hasWaterMark: boolean}} IssuedLink
 */

/** @param {Member} member */
function memberKey(member) {
	return `${member.type}\u0000${member.id}\u0000${member.type === 'DEPT' ? member.corpId : ''}`;
}

/** @param {unknown} value @param {string} name */
function nonEmptyString(value, name) {
	if (typeof value !== 'string' || value.trim() === '')
		throw new ApiFault('paramError', `${name} is required`);
	return value;
}

/** @param {unknown} roleId */
function checkedRole(roleId) {
	if (typeof roleId !== 'string' || !(roleId in ROLE_NAMES))
		throw new ApiFault('paramError', `roleId must be one of ${Object.keys(ROLE_NAMES).join(', ')}`);
	return roleId;
}

/**
 * `members`: 1 to 30 of `{type, id, corpId?}`; a DEPT needs its corpId.
 * @param {unknown} members @returns {Member[]}
 */
function checkedMembers(members) {
	if (!Array.isArray(members) || members.length === 0 || members.length > 30)
		throw new ApiFault('paramError', 'members must list 1 to 30 members');
	return members.map((raw) => {
		if (raw === null || typeof raw !== 'object')
			throw new ApiFault('paramError', 'a member is {type, id, corpId}');
		const { type, id, corpId } = /** @type {Record<string, unknown>} */ (raw);
		if (typeof type !== 'string' || !MEMBER_TYPES.includes(type))
			throw new ApiFault('paramError', `member type must be one of ${MEMBER_TYPES.join(', ')}`);
		const memberId = nonEmptyString(id, 'member id');
		if (corpId !== undefined && corpId !== null && typeof corpId !== 'string')
			throw new ApiFault('paramError', 'member corpId must be a string');
		if (type === 'DEPT' && !corpId)
			throw new ApiFault('paramError', 'a DEPT member needs its corpId');
		return { type, id: memberId, ...(corpId ? { corpId } : {}) };
	});
}

class Sharing {
	/**
	 * @param {Drive} drive
	 * @param {string} appId this app's owner ID in app properties (its app key)
	 */
	constructor(drive, appId) {
		this.drive = drive;
		this.appId = appId;
		/** Grants by dentry UUID. @type {Map<string, Grant[]>} */
		this.grants = new Map();
		/** Inheritance by dentry UUID (absent: PASS_ON). @type {Map<string, 'PASS_ON' | 'BREAK'>} */
		this.inheritance = new Map();
		/** Every preview or edit link handed out since the last reset, for assertions. @type {IssuedLink[]} */
		this.links = [];
		/** App properties by dentry UUID, then by owner app ID. @type {Map<string, Map<string, AppProperty[]>>} */
		this.appProperties = new Map();
	}

	reset() {
		this.grants.clear();
		this.inheritance.clear();
		this.links.length = 0;
		this.appProperties.clear();
	}

	// ---- permissions (storage 2.0) ----

	/**
	 * The NORMAL dentry (or space root) a UUID names.
	 * @param {string} uuid @returns {{spaceId: string, root: boolean}}
	 */
	dentryOfUuid(uuid) {
		const ids = this.drive.idsOfUuid(uuid);
		return { spaceId: ids.spaceId, root: ids.dentryId === '0' };
	}

	/**
	 * The duration a grant keeps: only on an app's space (ownerType APP); elsewhere none.
	 * @param {string} spaceId @param {any} option
	 */
	duration(spaceId, option) {
		const duration = option?.duration;
		if (duration === undefined || duration === null) return null;
		if (!Number.isInteger(duration) || duration < 1 || duration > 3600)
			throw new ApiFault('paramError', 'option.duration must be 1 to 3600 seconds');
		return this.drive.space(spaceId).ownerType === 'APP' ? duration : null;
	}

	/**
	 * Add (and, with `update`, update): each member gets this role, replacing any role it had.
	 * Update of a member without a grant adds the grant (the emulator's choice: no error).
	 * @param {string} uuid @param {any} body
	 */
	grant(uuid, body) {
		const { spaceId } = this.dentryOfUuid(uuid);
		const roleId = checkedRole(body?.roleId);
		const members = checkedMembers(body?.members);
		const duration = this.duration(spaceId, body?.option);
		const grants = this.grants.get(uuid) ?? [];
		for (const member of members) {
			const had = grants.find((each) => memberKey(each.member) === memberKey(member));
			if (had) Object.assign(had, { member, roleId, duration });
			else grants.push({ member, roleId, duration });
		}
		this.grants.set(uuid, grants);
		return { success: true };
	}

	/**
	 * Takes away the members' grants of this role (other roles' grants stay).
	 * @param {string} uuid @param {any} body
	 */
	revoke(uuid, body) {
		this.dentryOfUuid(uuid);
		const roleId = checkedRole(body?.roleId);
		const keys = new Set(checkedMembers(body?.members).map(memberKey));
		const grants = this.grants.get(uuid) ?? [];
		this.grants.set(
			uuid,
			grants.filter((each) => !(each.roleId === roleId && keys.has(memberKey(each.member)))),
		);
		return { success: true };
	}

	/**
	 * The dentry's own grants, a page at a time (default 30, at most 100), optionally of some roles.
	 * @param {string} uuid @param {any} body
	 */
	listGrants(uuid, body) {
		this.dentryOfUuid(uuid);
		const option = body?.option ?? {};
		const filter = option.filterRoleIds;
		if (filter !== undefined && filter !== null && !Array.isArray(filter))
			throw new ApiFault('paramError', 'option.filterRoleIds must be a list');
		const roles = Array.isArray(filter) && filter.length > 0 ? filter.map(checkedRole) : undefined;
		const grants = (this.grants.get(uuid) ?? []).filter(
			(each) => !roles || roles.includes(each.roleId),
		);
		const { items, nextToken } = page(
			grants,
			`permissions:${uuid}:${(roles ?? []).join(',')}`,
			{ maxResults: option.maxResults ?? 30, nextToken: option.nextToken ?? undefined },
			100,
		);
		return {
			permissions: items.map((each) => ({
				dentryUuid: uuid,
				member: { ...each.member },
				role: { id: each.roleId, name: ROLE_NAMES[each.roleId] },
				duration: each.duration,
			})),
			...(nextToken ? { nextToken } : {}),
		};
	}

	/** @param {string} uuid */
	notRoot(uuid) {
		if (this.dentryOfUuid(uuid).root)
			throw new ApiFault('permissionInheritanceUnsupportedForRootDentry');
	}

	/** @param {string} uuid */
	getInheritance(uuid) {
		this.notRoot(uuid);
		return { inheritance: this.inheritance.get(uuid) ?? 'PASS_ON' };
	}

	/** @param {string} uuid @param {any} body */
	setInheritance(uuid, body) {
		this.notRoot(uuid);
		const inheritance = body?.inheritance;
		if (inheritance !== 'PASS_ON' && inheritance !== 'BREAK')
			throw new ApiFault('paramError', 'inheritance must be PASS_ON or BREAK');
		this.inheritance.set(uuid, inheritance);
		return { success: true };
	}

	// ---- preview and edit links ----

	/**
	 * A link to preview (or edit) a file. The emulator's rules (DingTalk names the errors,
	 * not when they apply):
	 *  - a folder: dentryPreviewNotSupport;
	 *  - no extension, or zip, rar, 7z, exe: dentryExtensionNotSupport;
	 *  - EDIT only for docx, xlsx, pptx, doc, xls, ppt, txt, md (else dentryEditNotSupport);
	 *  - a name containing "virus": fileViral; containing "malicious": fileMalicious;
	 *  - a version the file does not have, or an option of the wrong type: paramError;
	 *  - hasWaterMark only with waterMark true on a WPS format (doc(x), xls(x), ppt(x), pdf);
	 *  - checkLogin (default true) matters for PREVIEW only; for EDIT it is ignored.
	 * The url is `https://alidocs.dingtalk.com/i/preview/<random>?type=<TYPE>` (plus
	 * `&version=<n>` when asked for, `&checkLogin=false` for a no-login preview): no secret.
	 * @param {string} spaceId @param {string} dentryId @param {any} body
	 */
	openInfo(spaceId, dentryId, body) {
		const option = body?.option ?? {};
		const type = option.type ?? 'PREVIEW';
		if (type !== 'PREVIEW' && type !== 'EDIT')
			throw new ApiFault('paramError', 'option.type must be PREVIEW or EDIT');
		for (const flag of ['waterMark', 'checkLogin']) {
			if (option[flag] !== undefined && option[flag] !== null && typeof option[flag] !== 'boolean')
				throw new ApiFault('paramError', `option.${flag} must be true or false`);
		}
		const version = option.version ?? undefined;
		if (version !== undefined && (!Number.isInteger(version) || version < 1))
			throw new ApiFault('paramError', 'option.version must be a version number');
		const entry = this.drive.entry(spaceId, dentryId);
		if (entry.type === 'FOLDER') throw new ApiFault('dentryPreviewNotSupport');
		const extension = extensionOf(entry.name);
		if (!extension || NO_PREVIEW.includes(extension))
			throw new ApiFault('dentryExtensionNotSupport');
		const chosen =
			version === undefined
				? entry.versions[entry.versions.length - 1]
				: entry.versions.find((each) => each.version === version);
		if (!chosen) throw new ApiFault('paramError', `the file has no version ${version}`);
		if (type === 'EDIT' && !EDITABLE.includes(extension))
			throw new ApiFault('dentryEditNotSupport');
		const lower = entry.name.toLowerCase();
		if (lower.includes('virus')) throw new ApiFault('fileViral');
		if (lower.includes('malicious')) throw new ApiFault('fileMalicious');
		const waterMark = option.waterMark === true;
		const checkLogin = type === 'EDIT' || option.checkLogin !== false;
		const hasWaterMark = waterMark && WPS_FORMATS.includes(extension);
		const query = new URLSearchParams({ type });
		if (version !== undefined) query.set('version', String(version));
		if (!checkLogin) query.set('checkLogin', 'false');
		const url = `https://alidocs.dingtalk.com/i/preview/${randomBytes(12).toString('hex')}?${query}`;
		this.links.push({
			spaceId,
			dentryId,
			version: chosen.version,
			type,
			waterMark,
			checkLogin,
			url,
			hasWaterMark,
		});
		return { url, hasWaterMark };
	}

	// ---- app properties ----

	/** @param {Entry} entry */
	propertiesOf(entry) {
		let byApp = this.appProperties.get(entry.uuid);
		if (!byApp) {
			byApp = new Map();
			this.appProperties.set(entry.uuid, byApp);
		}
		return byApp;
	}

	/**
	 * Sets 1 to 3 of this app's properties (a name it has is updated); the app may have at
	 * most 3 on a dentry (dentryAppPropertiesNumberExceedsLimit, nothing changed).
	 * @param {string} spaceId @param {string} dentryId @param {any} body
	 */
	setAppProperties(spaceId, dentryId, body) {
		const raw = body?.appProperties;
		if (!Array.isArray(raw) || raw.length === 0 || raw.length > 3)
			throw new ApiFault('paramError', 'appProperties must list 1 to 3 properties');
		/** @type {AppProperty[]} */
		const wanted = raw.map((each) => {
			if (each === null || typeof each !== 'object')
				throw new ApiFault('paramError', 'a property is {name, value, visibility}');
			const name = nonEmptyString(each.name, 'name');
			if (typeof each.value !== 'string') throw new ApiFault('paramError', 'value is required');
			if (each.visibility !== 'PUBLIC' && each.visibility !== 'PRIVATE')
				throw new ApiFault('paramError', 'visibility must be PUBLIC or PRIVATE');
			return { name, value: each.value, visibility: each.visibility };
		});
		const entry = this.drive.entry(spaceId, dentryId);
		const byApp = this.propertiesOf(entry);
		const next = [...(byApp.get(this.appId) ?? [])].map((each) => ({ ...each }));
		for (const property of wanted) {
			const had = next.find((each) => each.name === property.name);
			if (had) Object.assign(had, property);
			else next.push(property);
		}
		if (next.length > 3) throw new ApiFault('dentryAppPropertiesNumberExceedsLimit');
		byApp.set(this.appId, next);
		return { success: true };
	}

	/**
	 * Removes 1 to 3 of this app's properties by name (names it does not have are ignored).
	 * @param {string} spaceId @param {string} dentryId @param {any} body
	 */
	removeAppProperties(spaceId, dentryId, body) {
		const names = body?.propertyNames;
		if (!Array.isArray(names) || names.length === 0 || names.length > 3)
			throw new ApiFault('paramError', 'propertyNames must list 1 to 3 names');
		for (const name of names) nonEmptyString(name, 'a property name');
		const entry = this.drive.entry(spaceId, dentryId);
		const byApp = this.propertiesOf(entry);
		const kept = (byApp.get(this.appId) ?? []).filter((each) => !names.includes(each.name));
		if (kept.length > 0) byApp.set(this.appId, kept);
		else byApp.delete(this.appId);
		return { success: true };
	}

	/**
	 * `option.appIdsForAppProperties`: at most 20 owner IDs (absent or empty: none asked for).
	 * @param {any} option @returns {string[] | undefined}
	 */
	static askedAppIds(option) {
		const ids = option?.appIdsForAppProperties;
		if (ids === undefined || ids === null) return undefined;
		if (!Array.isArray(ids) || ids.length > 20 || ids.some((id) => typeof id !== 'string'))
			throw new ApiFault('paramError', 'appIdsForAppProperties must list at most 20 app IDs');
		return ids.length > 0 ? ids : undefined;
	}

	/**
	 * A dentry's answer with `appProperties` for the apps asked for (each app with any),
	 * or, in listings (`appIds` undefined), for this app when it has any.
	 * @template {{uuid?: string}} T
	 * @param {T} dentry @param {string[] | undefined} appIds
	 * @returns {T & {appProperties?: Record<string, AppProperty[]>}}
	 */
	withAppProperties(dentry, appIds) {
		const byApp = dentry.uuid === undefined ? undefined : this.appProperties.get(dentry.uuid);
		/** @type {Record<string, AppProperty[]>} */
		const shown = {};
		for (const appId of appIds ?? [this.appId]) {
			const properties = (byApp?.get(appId) ?? []).filter(
				(each) => appId === this.appId || each.visibility === 'PUBLIC',
			);
			if (properties.length > 0) shown[appId] = properties.map((each) => ({ ...each }));
		}
		if (appIds === undefined && Object.keys(shown).length === 0) return dentry;
		return { ...dentry, appProperties: shown };
	}

	// ---- links to IDs ----

	/**
	 * GET /v2.0/doc/dentries/{dentryId}/queryDentryUuid?spaceId=: a NORMAL dentry's UUID
	 * ("0": the space's root).
	 * @param {string} dentryId @param {string | null} spaceId
	 */
	uuidOfDentry(dentryId, spaceId) {
		if (!spaceId) throw new ApiFault('paramError', 'spaceId is required');
		if (dentryId === '0') {
			this.drive.space(spaceId);
			return { dentryUuid: rootUuid(spaceId), dentryId, spaceId };
		}
		const entry = this.drive.entry(spaceId, dentryId);
		return { dentryUuid: entry.uuid, dentryId: entry.id, spaceId: entry.spaceId };
	}

	/**
	 * POST /v2.0/wiki/nodes/queryByUrl: the node a DingTalk document URL names. The
	 * emulator's rule: the host is alidocs.dingtalk.com and a path segment or a query value
	 * is a NORMAL dentry's UUID. An alidocs URL of a known shape (`/i/nodes/<uuid>`,
	 * `/i/team/<x>/docs/<uuid>`, `/i/spaces/<x>/overview?docId=<uuid>`) naming no such
	 * dentry: 404 nodeNotExist; anything else: paramError.
	 * @param {any} body
	 */
	nodeOfUrl(body) {
		const raw = nonEmptyString(body?.url, 'url');
		let url;
		try {
			url = new URL(raw);
		} catch {
			throw new ApiFault('paramError', 'url is not a URL');
		}
		if (!['https:', 'http:'].includes(url.protocol) || url.hostname !== 'alidocs.dingtalk.com')
			throw new ApiFault('paramError', 'not a DingTalk document URL');
		const candidates = [
			...url.pathname
				.split('/')
				.filter(Boolean)
				.map((segment) => {
					try {
						return decodeURIComponent(segment);
					} catch {
						return segment;
					}
				}),
			...url.searchParams.values(),
		];
		const byUuid = new Map();
		for (const entry of this.drive.entries.values())
			if (entry.status === 'NORMAL') byUuid.set(entry.uuid, entry);
		const hit = candidates.find((candidate) => byUuid.has(candidate));
		if (hit) {
			/** @type {Entry} */
			const entry = byUuid.get(hit);
			return {
				node: {
					nodeId: entry.uuid,
					workspaceId: entry.spaceId,
					name: entry.name,
					type: entry.type,
					url: `https://alidocs.dingtalk.com/i/nodes/${entry.uuid}`,
				},
			};
		}
		const knownShape =
			/^\/i\/nodes\/[^/]+\/?$/.test(url.pathname) ||
			/^\/i\/team\/[^/]+\/docs\/[^/]+\/?$/.test(url.pathname) ||
			(/^\/i\/spaces\/[^/]+\/overview\/?$/.test(url.pathname) && url.searchParams.has('docId'));
		if (knownShape) throw new ApiFault('nodeNotExist');
		throw new ApiFault('paramError', 'the URL names no document');
	}
}

/**
 * The routes (see api.js for the table's shape).
 * @param {import('./state').EmulatorState} shared
 * @returns {Route[]}
 */
function sharingRoutes(shared) {
	const sharing = shared.sharing;
	const permissions = '^\\/v2\\.0\\/storage\\/spaces\\/dentries\\/([^/]+)\\/permissions';
	const dentry = '^\\/v1\\.0\\/storage\\/spaces\\/([^/]+)\\/dentries\\/([^/]+)';
	return [
		{
			method: 'POST',
			pattern: new RegExp(`${permissions}$`),
			api: 'permissions.add',
			permission: 'Storage.Permission.Write',
			handle: ({ params: [uuid], body }) => sharing.grant(uuid, body),
		},
		{
			method: 'PUT',
			pattern: new RegExp(`${permissions}$`),
			api: 'permissions.update',
			permission: 'Storage.Permission.Write',
			handle: ({ params: [uuid], body }) => sharing.grant(uuid, body),
		},
		{
			method: 'POST',
			pattern: new RegExp(`${permissions}\\/remove$`),
			api: 'permissions.remove',
			permission: 'Storage.Permission.Write',
			handle: ({ params: [uuid], body }) => sharing.revoke(uuid, body),
		},
		{
			method: 'POST',
			pattern: new RegExp(`${permissions}\\/query$`),
			api: 'permissions.list',
			permission: 'Storage.Permission.Read',
			handle: ({ params: [uuid], body }) => sharing.listGrants(uuid, body),
		},
		{
			method: 'GET',
			pattern: new RegExp(`${permissions}\\/inheritances$`),
			api: 'permissions.inheritance.get',
			permission: 'Storage.Permission.Read',
			handle: ({ params: [uuid] }) => sharing.getInheritance(uuid),
		},
		{
			method: 'PUT',
			pattern: new RegExp(`${permissions}\\/inheritances$`),
			api: 'permissions.inheritance.set',
			permission: 'Storage.Permission.Write',
			handle: ({ params: [uuid], body }) => sharing.setInheritance(uuid, body),
		},
		{
			method: 'GET',
			pattern: /^\/v2\.0\/doc\/dentries\/([^/]+)\/queryDentryUuid$/,
			api: 'doc.dentries.queryDentryUuid',
			operator: 'operatorId',
			permission: 'Document.WorkspaceDocument.Read',
			handle: ({ params: [dentryId], query }) =>
				sharing.uuidOfDentry(dentryId, query.get('spaceId')),
		},
		{
			method: 'POST',
			pattern: /^\/v2\.0\/wiki\/nodes\/queryByUrl$/,
			api: 'wiki.nodes.queryByUrl',
			operator: 'operatorId',
			permission: 'Wiki.Node.Read',
			handle: ({ body }) => sharing.nodeOfUrl(body),
		},
		{
			method: 'POST',
			pattern: new RegExp(`${dentry}\\/openInfos\\/query$`),
			api: 'openInfos.query',
			permission: 'Storage.File.Read',
			handle: ({ params: [spaceId, dentryId], body }) => sharing.openInfo(spaceId, dentryId, body),
		},
		{
			method: 'PUT',
			pattern: new RegExp(`${dentry}\\/appProperties$`),
			api: 'appProperties.set',
			permission: 'Storage.File.Write',
			handle: ({ params: [spaceId, dentryId], body }) =>
				sharing.setAppProperties(spaceId, dentryId, body),
		},
		{
			method: 'POST',
			pattern: new RegExp(`${dentry}\\/appProperties\\/remove$`),
			api: 'appProperties.remove',
			permission: 'Storage.File.Write',
			handle: ({ params: [spaceId, dentryId], body }) =>
				sharing.removeAppProperties(spaceId, dentryId, body),
		},
	];
}

module.exports = { Sharing, sharingRoutes, ROLE_NAMES };
