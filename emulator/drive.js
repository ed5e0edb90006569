// @ts-check
'use strict';
/**
 * The emulated storage: spaces holding trees of folders and files (dentries), in memory,
 * seeded the same way every time. Every storage API the package calls works on it with
 * DingTalk's rules as documented: paging with nextToken, ordering, the four conflict
 * strategies, asynchronous tasks for folders with children, the recycle bin (Drive
 * spaces only), versions, quotas. Dentry IDs are unique across the emulator, so a test
 * can name a file by its ID alone.
 */
const { createHash } = require('node:crypto');
const { ApiFault } = require('./errors');

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * @typedef {object} Content
 * @property {number} size
 * @property {number} seed                   the bytes (see content.js)
 * @property {string} [contentType]          Content-Type sent by storage (absent: none sent)
 * @property {'utf8'|'plain'|'none'} [disposition]  how Content-Disposition is sent
 * @property {string} [objectKey]            last path segment of the storage URL
 * @property {{files: string[], sizes: number[], sha256?: string}} [stored]  uploaded bytes: these files on disk, in order (then `seed` only tells versions apart)
 */

/**
 * @typedef {object} Version
 * @property {number} version
 * @property {Content} content
 * @property {string} modifiedTime
 */

/**
 * @typedef {object} Entry
 * @property {string} id
 * @property {string} uuid
 * @property {string} spaceId
 * @property {string} parentId
 * @property {'FILE'|'FOLDER'} type
 * @property {string} name
 * @property {'NORMAL'|'DELETED'} status
 * @property {string} createTime
 * @property {string} modifiedTime
 * @property {Version[]} versions            files only; the last is the current one
 * @property {boolean} [dentryDenied]        the details API refuses this one (permissionDenied)
 */

/**
 * @typedef {object} Space
 * @property {string} id
 * @property {string} name
 * @property {boolean} drive                 a Drive space: listed as the org's, has a recycle bin
 * @property {number} quota                  bytes
 * @property {string} createTime
 * @property {'APP'} [ownerType]             an app's space (absent: the org's)
 */

/**
 * @typedef {object} Task
 * @property {string} id
 * @property {number} total
 * @property {number} polls
 * @property {string} [failMessage]          set: the task fails, and nothing was changed
 */

/**
 * The files of the first release's tests, by ID: their names, sizes and how storage
 * serves them are what the download tests expect.
 * @type {Array<{id: string, name: string} & Content & {dentryDenied?: boolean}>}
 */
const SAMPLE_FILES = [
	{
		id: '1001',
		name: '合同-2026年度采购.pdf',
		size: 200_000,
		seed: 1001,
		contentType: 'application/pdf',
		disposition: 'utf8',
	},
	{
		id: '1002',
		name: 'quarterly report.xlsx',
		size: 50_000,
		seed: 1002,
		contentType: 'application/octet-stream',
		disposition: 'none',
	},
	{
		id: '1003',
		name: 'hidden-name.txt',
		size: 4_096,
		seed: 1003,
		contentType: 'binary/octet-stream',
		disposition: 'none',
		dentryDenied: true,
		objectKey: 'scan-0042.png',
	},
	{ id: '1004', name: 'notes.md', size: 1_000, seed: 1004, disposition: 'plain' },
	{
		id: '1005',
		name: '设计稿 v2.zip',
		size: 3 * MiB + 17,
		seed: 1005,
		contentType: 'application/zip',
		disposition: 'utf8',
	},
	{
		id: '1006',
		name: 'empty.txt',
		size: 0,
		seed: 1006,
		contentType: 'text/plain',
		disposition: 'utf8',
	},
];

const TYPES_BY_EXTENSION = /** @type {Record<string, string>} */ ({
	pdf: 'application/pdf',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	png: 'image/png',
	txt: 'text/plain',
	md: 'text/markdown',
	zip: 'application/zip',
});

/**
 * The emulator's category of an entry, for search's dentryCategories: DingTalk does not
 * document its category names, so these are the emulator's own.
 * @param {{type: string, name: string}} entry
 */
function categoryOf(entry) {
	if (entry.type === 'FOLDER') return 'folder';
	const extension = extensionOf(entry.name) ?? '';
	if (['png', 'jpg', 'jpeg', 'gif', 'webp'].includes(extension)) return 'image';
	if (['mp4', 'mov', 'avi'].includes(extension)) return 'video';
	if (['mp3', 'wav', 'm4a'].includes(extension)) return 'audio';
	if (['zip', 'rar', '7z', 'gz'].includes(extension)) return 'archive';
	if (['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'txt', 'md', 'csv'].includes(extension))
		return 'document';
	return 'other';
}

/** @param {string} name */
function extensionOf(name) {
	const dot = name.lastIndexOf('.');
	return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : undefined;
}

/**
 * DingTalk's rules for a name (add-folder API page): no tab, * " < > `, not ending with a
 * dot; `/` separates a path. Leading and trailing spaces are dropped.
 * @param {unknown} value
 */
function checkedName(value) {
	if (typeof value !== 'string' || value.trim() === '')
		throw new ApiFault('paramError', 'name is empty');
	const name = value.trim();
	if (/[\u0000-\u001f*"<>`/]/.test(name) || name.endsWith('.'))
		throw new ApiFault('dentryNameInvalid');
	return name;
}

/**
 * A generated file for `gen-<bytes>` dentry IDs (for example gen-268435456 = 256 MiB),
 * in any space: large test files without a tree entry.
 * @param {string} dentryId
 */
function generatedFile(dentryId) {
	const match = /^gen-(\d+)$/.exec(dentryId);
	if (!match) return undefined;
	const size = Number(match[1]);
	return {
		name: `generated-${size}.bin`,
		content: /** @type {Content} */ ({
			size,
			seed: size % 2147483647,
			contentType: 'application/octet-stream',
			disposition: 'utf8',
		}),
	};
}

/**
 * A change to the tree, as the Drive reports it (the Stream gateway turns it into a storage
 * event): the entry as it is after the change, or as it was for a deletion.
 * @typedef {object} DriveChange
 * @property {'created'|'updated'|'deleted'} kind
 * @property {string} spaceId
 * @property {string} dentryId
 * @property {'FILE'|'FOLDER'} type
 * @property {string} [extension]
 */

/**
 * An entry deleted to the recycle bin: it, the IDs of everything deleted with it (itself
 * first), its path and its size (a folder: its files') at deletion.
 * @typedef {{entry: Entry, entryIds: string[], path: string, size: number}} Recycled
 */

/** Folder names of the seeded tree, for the paging folder. */
const MONTHLY_REPORTS = 125;
const DEPARTMENT_SPACES = 55;

class Drive {
	/**
	 * @param {{now?: () => number}} [options]
	 */
	constructor(options = {}) {
		this.now = options.now ?? Date.now;
		/** @type {Map<string, Space>} */
		this.spaces = new Map();
		/** @type {Map<string, Entry>} */
		this.entries = new Map();
		/** @type {Map<string, Task>} */
		this.tasks = new Map();
		/** The next changes run as tasks that fail with this message. @type {string[]} */
		this.failingTasks = [];
		/** How many polls a task answers before it ends (the first ones say IN_PROGRESS). */
		this.pollsUntilDone = 2;
		this.nextId = 100_000;
		this.nextTask = 1;
		/** Told of every change made to the tree after seeding. @type {((change: DriveChange) => void) | undefined} */
		this.onChange = undefined;
		/**
		 * Told of every entry deleted to the recycle bin (recycleBin.js keeps the items).
		 * @type {((removed: Recycled) => void) | undefined}
		 */
		this.onRecycled = undefined;
		this.seedTree();
	}

	/**
	 * Reports a change of `entry` (one per change: a folder moved with its contents is one).
	 * @param {DriveChange['kind']} kind @param {Entry} entry
	 */
	changed(kind, entry) {
		const extension = entry.type === 'FILE' ? extensionOf(entry.name) : undefined;
		this.onChange?.({
			kind,
			spaceId: entry.spaceId,
			dentryId: entry.id,
			type: entry.type,
			...(extension ? { extension } : {}),
		});
	}

	/** Back to the seeded tree (tests start from the same state). */
	reset() {
		this.spaces.clear();
		this.entries.clear();
		this.tasks.clear();
		this.failingTasks.length = 0;
		this.pollsUntilDone = 2;
		this.nextId = 100_000;
		this.nextTask = 1;
		this.seedTree();
	}

	seedTree() {
		// Seeded times are fixed, a minute apart, so listings sort the same way every run.
		let minute = 0;
		const at = () => new Date(Date.UTC(2026, 0, 5, 8, 0) + minute++ * 60_000).toISOString();
		/** @param {string} id @param {string} name @param {boolean} drive @param {number} quota @param {'APP'} [ownerType] */
		const space = (id, name, drive, quota, ownerType = undefined) =>
			this.spaces.set(id, {
				id,
				name,
				drive,
				quota,
				createTime: at(),
				...(ownerType ? { ownerType } : {}),
			});
		/** @param {string} spaceId @param {string} parentId @param {string} id @param {string} name */
		const folder = (spaceId, parentId, id, name) => {
			const time = at();
			this.entries.set(id, {
				id,
				uuid: uuidOf(id),
				spaceId,
				parentId,
				type: 'FOLDER',
				name,
				status: 'NORMAL',
				createTime: time,
				modifiedTime: time,
				versions: [],
			});
		};
		/**
		 * @param {string} spaceId @param {string} parentId @param {string} id @param {string} name
		 * @param {Partial<Content>} [content] @param {{versions?: number, dentryDenied?: boolean}} [extra]
		 */
		const file = (spaceId, parentId, id, name, content = {}, extra = {}) => {
			const seed = content.seed ?? Number(id);
			const size = content.size ?? 1_000 + ((seed * 7919) % 20_000);
			const type = content.contentType ?? TYPES_BY_EXTENSION[extensionOf(name) ?? ''];
			const current = /** @type {Content} */ ({
				disposition: 'utf8',
				...content,
				size,
				seed,
				...(type ? { contentType: type } : {}),
			});
			const count = extra.versions ?? 1;
			/** @type {Version[]} */
			const versions = [];
			const created = at();
			for (let version = 1; version < count; version++) {
				// Earlier versions: other bytes, a little smaller.
				versions.push({
					version,
					content: {
						...current,
						seed: seed * 100 + version,
						size: Math.floor((size * (version + 2)) / (count + 2)),
					},
					modifiedTime: at(),
				});
			}
			versions.push({ version: count, content: current, modifiedTime: at() });
			this.entries.set(id, {
				id,
				uuid: uuidOf(id),
				spaceId,
				parentId,
				type: 'FILE',
				name,
				status: 'NORMAL',
				createTime: created,
				modifiedTime: versions[versions.length - 1].modifiedTime,
				versions,
				...(extra.dentryDenied ? { dentryDenied: true } : {}),
			});
		};
		/** @param {string} id @param {string} spaceId @param {string} parentId @param {{versions?: number}} [extra] */
		const sample = (id, spaceId, parentId, extra = {}) => {
			const { name, dentryDenied, ...content } = /** @type {(typeof SAMPLE_FILES)[number]} */ (
				SAMPLE_FILES.find((f) => f.id === id)
			);
			file(spaceId, parentId, id, name, content, { ...extra, dentryDenied });
		};

		space('1000', '公司文档', true, 10 * GiB);
		folder('1000', '0', '2001', '合同');
		folder('1000', '2001', '2002', '2025');
		file('1000', '2002', '3001', '合同-2025-001.pdf');
		file('1000', '2002', '3002', '合同-2025-002.pdf');
		file('1000', '2002', '3003', '框架协议-2025.docx');
		folder('1000', '2002', '2003', '归档');
		folder('1000', '2003', '2004', '旧版');
		file('1000', '2004', '3004', '扫描件-2019.pdf');
		folder('1000', '2001', '2005', '2026');
		sample('1001', '1000', '2005', { versions: 3 });
		file('1000', '2005', '3005', '合同-2026-补充协议.docx');
		folder('1000', '0', '2006', '报表');
		sample('1002', '1000', '2006');
		folder('1000', '2006', '2007', '月报');
		for (let i = 1; i <= MONTHLY_REPORTS; i++) {
			const month = `${2016 + Math.floor((i - 1) / 12)}-${String(((i - 1) % 12) + 1).padStart(2, '0')}`;
			file('1000', '2007', String(5000 + i), `月报-${month}.xlsx`);
		}
		folder('1000', '0', '2008', '设计');
		sample('1005', '1000', '2008');
		file('1000', '2008', '3006', 'logo.png');
		sample('1003', '1000', '0');
		sample('1004', '1000', '0', { versions: 2 });
		sample('1006', '1000', '0');
		folder('1000', '0', '2009', '空文件夹');

		space('2000', '项目资料', true, 8 * MiB);
		folder('2000', '0', '2101', '收件箱');
		file('2000', '0', '3101', 'readme.txt');

		// A Knowledge Base space: not one of the org's Drive spaces, and no recycle bin.
		space('3000', '产品知识库', false, 10 * GiB);
		file('3000', '0', '3201', '产品手册.pdf');

		for (let i = 1; i <= DEPARTMENT_SPACES; i++)
			space(String(4000 + i), `部门空间 ${String(i).padStart(2, '0')}`, true, GiB);

		// An app's space (ownerType APP, where permission durations apply): not one of the
		// org's Drive spaces. Its names are found nowhere else (search tests count hits).
		space('6000', '应用空间', false, GiB, 'APP');
		folder('6000', '0', '6001', '共享');
		file('6000', '6001', '6002', 'app-note.txt');
	}

	// ---- reading ----

	/** @param {string} spaceId */
	space(spaceId) {
		const space = this.spaces.get(spaceId);
		if (!space) throw new ApiFault('spaceNotExist');
		return space;
	}

	/** @param {string} spaceId */
	usedBytes(spaceId) {
		let used = 0;
		for (const entry of this.entries.values()) {
			if (entry.spaceId !== spaceId || entry.type !== 'FILE') continue;
			for (const version of entry.versions) used += version.content.size;
		}
		return used;
	}

	/** @param {string} spaceId */
	spaceJson(spaceId) {
		const space = this.space(spaceId);
		return {
			id: space.id,
			name: space.name,
			ownerType: space.ownerType ?? 'ORG',
			quota: space.quota,
			usedQuota: this.usedBytes(space.id),
			capabilities: {
				canRecycle: space.drive,
				canSearch: true,
				canRename: true,
				canRecordRecentFile: true,
			},
			partitions: [
				{
					partitionType: 'PUBLIC_OSS_PARTITION',
					quota: { max: space.quota, used: this.usedBytes(space.id) },
				},
			],
			createTime: space.createTime,
			modifiedTime: space.createTime,
		};
	}

	/**
	 * The org's Drive spaces, a page at a time (`nextToken: ""` at the end).
	 * @param {{maxResults?: number, nextToken?: string}} query
	 */
	listOrgSpaces(query) {
		const all = [...this.spaces.values()].filter((space) => space.drive);
		const { items, nextToken } = page(all, 'spaces', query, 50);
		return {
			spaces: items.map((space) => ({
				spaceId: space.id,
				spaceName: space.name,
				spaceType: 'org',
				quota: space.quota,
				usedQuota: this.usedBytes(space.id),
				permissionMode: 'acl',
				createTime: space.createTime,
				modifyTime: space.createTime,
			})),
			nextToken: nextToken ?? '',
		};
	}

	/**
	 * A NORMAL (or, with `deleted`, a recycled) entry of this space.
	 * @param {string} spaceId @param {string} id @param {{deleted?: boolean}} [options]
	 */
	entry(spaceId, id, options = {}) {
		this.space(spaceId);
		const entry = this.entries.get(id);
		if (!entry || entry.spaceId !== spaceId || (entry.status !== 'NORMAL' && !options.deleted))
			throw new ApiFault('dentryNotExist');
		return entry;
	}

	/**
	 * A folder to put things in: the root ("0") or a NORMAL folder.
	 * @param {string} spaceId @param {string} id
	 */
	folderOrRoot(spaceId, id) {
		this.space(spaceId);
		if (id === '0') return undefined;
		const entry = this.entry(spaceId, id);
		if (entry.type !== 'FOLDER') throw new ApiFault('paramError', 'the parent is not a folder');
		return entry;
	}

	/** @param {Entry} entry */
	pathOf(entry) {
		const names = [entry.name];
		let parent = this.entries.get(entry.parentId);
		for (let guard = 0; parent && guard < 100; guard++) {
			names.unshift(parent.name);
			parent = this.entries.get(parent.parentId);
		}
		return `/${names.join('/')}`;
	}

	/**
	 * An entry as the API answers it; `version` picks one of a file's versions.
	 * @param {Entry} entry @param {Version} [version]
	 */
	json(entry, version) {
		const current = version ?? entry.versions[entry.versions.length - 1];
		const extension = entry.type === 'FILE' ? extensionOf(entry.name) : undefined;
		return {
			id: entry.id,
			uuid: entry.uuid,
			spaceId: entry.spaceId,
			parentId: entry.parentId,
			type: entry.type,
			name: entry.name,
			...(entry.type === 'FILE'
				? { size: current.content.size, ...(extension ? { extension } : {}) }
				: {}),
			path: this.pathOf(entry),
			version: entry.type === 'FILE' ? current.version : 1,
			status: entry.status,
			createTime: entry.createTime,
			modifiedTime: current?.modifiedTime ?? entry.modifiedTime,
			creatorId: 'emulator-user-id',
			modifierId: 'emulator-user-id',
			storageDriver: 'DINGTALK',
			partitionType: 'PUBLIC_OSS_PARTITION',
			properties: { readOnly: false },
		};
	}

	// ---- search (storage_2.0) and the uuid mapping (doc_2.0) ----

	/**
	 * POST /v2.0/storage/dentries/search: NORMAL files and folders whose name contains the
	 * keyword (case-insensitive), newest change first, a page at a time (at most 50). Honours
	 * option.spaceIds, option.dentryCategories (the emulator's own categories, from the
	 * extension: DingTalk does not document its names) and option.createTimeRange (ms).
	 * @param {any} body
	 */
	search(body) {
		const keyword = typeof body?.keyword === 'string' ? body.keyword.trim().toLowerCase() : '';
		if (keyword === '') throw new ApiFault('paramError', 'keyword is required');
		const option = body.option ?? {};
		const spaceIds =
			Array.isArray(option.spaceIds) && option.spaceIds.length > 0
				? new Set(option.spaceIds.map(String))
				: undefined;
		const categories =
			Array.isArray(option.dentryCategories) && option.dentryCategories.length > 0
				? new Set(option.dentryCategories.map(String))
				: undefined;
		const created = option.createTimeRange ?? {};
		const hits = [...this.entries.values()]
			.filter((entry) => entry.status === 'NORMAL' && entry.name.toLowerCase().includes(keyword))
			.filter((entry) => !spaceIds || spaceIds.has(entry.spaceId))
			.filter((entry) => !categories || categories.has(categoryOf(entry)))
			.filter((entry) => {
				const at = Date.parse(entry.createTime);
				return (
					(created.startTime === undefined || at >= Number(created.startTime)) &&
					(created.endTime === undefined || at <= Number(created.endTime))
				);
			})
			.sort(
				(a, b) =>
					Date.parse(this.json(b).modifiedTime) - Date.parse(this.json(a).modifiedTime) ||
					a.id.localeCompare(b.id),
			);
		const { items, nextToken } = page(
			hits,
			`search:${keyword}`,
			{ maxResults: option.maxResults, nextToken: option.nextToken },
			50,
		);
		const person = { name: '模拟用户', userId: 'emulator-user-id' };
		return {
			items: items.map((entry) => {
				const folders = this.pathOf(entry).split('/').slice(1, -1);
				return {
					dentryUuid: entry.uuid,
					name: entry.name,
					lastModifyTime: Date.parse(this.json(entry).modifiedTime),
					creator: person,
					modifier: person,
					path: {
						path: folders.join(':'),
						longPath: folders.join('/'),
						url: `https://alidocs.example/i/nodes/${entry.uuid}`,
					},
				};
			}),
			...(nextToken ? { nextToken } : {}),
		};
	}

	/**
	 * GET /v2.0/doc/dentries/{uuid}/queryDentryId: where a uuid lives.
	 * @param {string} uuid
	 */
	idsOfUuid(uuid) {
		const space = [...this.spaces.values()].find((each) => rootUuid(each.id) === uuid);
		if (space) return { dentryId: '0', dentryUuid: uuid, spaceId: space.id };
		const entry = [...this.entries.values()].find(
			(each) => each.uuid === uuid && each.status === 'NORMAL',
		);
		if (!entry) throw new ApiFault('dentryNotExist');
		return { dentryId: entry.id, dentryUuid: entry.uuid, spaceId: entry.spaceId };
	}

	/**
	 * POST …/spaces/{spaceId}/dentries/query: up to 30 entries' details, each with its own result.
	 * @param {string} spaceId @param {any} body
	 */
	queryMany(spaceId, body) {
		this.space(spaceId);
		const ids = body?.dentryIds;
		if (!Array.isArray(ids) || ids.length === 0 || ids.length > 30)
			throw new ApiFault('paramError', 'dentryIds must list 1 to 30 IDs');
		return {
			resultItems: ids.map((raw) => {
				const dentryId = String(raw);
				const entry = this.entries.get(dentryId);
				if (!entry || entry.spaceId !== spaceId || entry.status !== 'NORMAL')
					return { spaceId, dentryId, success: false, errorCode: 'dentryNotExist' };
				if (entry.dentryDenied)
					return { spaceId, dentryId, success: false, errorCode: 'permissionDenied' };
				return { spaceId, dentryId, success: true, dentry: this.json(entry) };
			}),
		};
	}

	/** @param {string} spaceId @param {string} parentId */
	children(spaceId, parentId) {
		return [...this.entries.values()].filter(
			(entry) =>
				entry.spaceId === spaceId && entry.parentId === parentId && entry.status === 'NORMAL',
		);
	}

	/**
	 * One page of a folder, DingTalk's way: orderBy MODIFIED_TIME (default), CREATE_TIME,
	 * NAME or SIZE; order DESC (default) or ASC; at most 50 per page.
	 * @param {string} spaceId
	 * @param {{parentId?: string, maxResults?: number, nextToken?: string, orderBy?: string, order?: string}} query
	 */
	list(spaceId, query) {
		const parentId = query.parentId;
		if (parentId === undefined || parentId === '')
			throw new ApiFault('paramError', 'parentId is required');
		this.folderOrRoot(spaceId, parentId);
		const orderBy = query.orderBy ?? 'MODIFIED_TIME';
		const order = query.order ?? 'DESC';
		/** @type {Record<string, (entry: Entry) => string | number>} */
		const keys = {
			MODIFIED_TIME: (entry) => this.json(entry).modifiedTime,
			CREATE_TIME: (entry) => entry.createTime,
			NAME: (entry) => entry.name,
			SIZE: (entry) =>
				entry.type === 'FILE' ? entry.versions[entry.versions.length - 1].content.size : 0,
		};
		const key = keys[orderBy.toUpperCase()];
		if (!key || !['ASC', 'DESC'].includes(order.toUpperCase()))
			throw new ApiFault('paramError', 'orderBy or order is invalid');
		const direction = order.toUpperCase() === 'ASC' ? 1 : -1;
		const sorted = this.children(spaceId, parentId).sort((a, b) => {
			const [x, y] = [key(a), key(b)];
			return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * direction;
		});
		const { items, nextToken } = page(sorted, `list:${spaceId}:${parentId}`, query, 50);
		return {
			dentries: items.map((entry) => this.json(entry)),
			...(nextToken ? { nextToken } : {}),
		};
	}

	/**
	 * A file's versions, newest first, at most 100 per page.
	 * @param {string} spaceId @param {string} id @param {{maxResults?: number, nextToken?: string}} query
	 */
	listVersions(spaceId, id, query) {
		const entry = this.entry(spaceId, id);
		if (entry.type !== 'FILE')
			throw new ApiFault('operationNotSupported', 'a folder has no versions');
		const newestFirst = [...entry.versions].reverse();
		const { items, nextToken } = page(newestFirst, `versions:${id}`, query, 100);
		return {
			dentries: items.map((version) => this.json(entry, version)),
			...(nextToken ? { nextToken } : {}),
		};
	}

	/**
	 * What storage serves for a download: the file's current bytes, or one version's.
	 * @param {string} spaceId @param {string} id @param {number} [version]
	 */
	download(spaceId, id, version) {
		const generated = generatedFile(id);
		if (generated) return generated;
		const entry = this.entry(spaceId, id);
		if (entry.type !== 'FILE')
			throw new ApiFault('operationNotSupported', 'a folder cannot be downloaded');
		const chosen =
			version === undefined
				? entry.versions[entry.versions.length - 1]
				: entry.versions.find((v) => v.version === version);
		if (!chosen) throw new ApiFault('paramError', `the file has no version ${version}`);
		return { name: entry.name, content: chosen.content };
	}

	/**
	 * A file by its ID alone, in whichever space (for tests and the storage server).
	 * @param {string} id @param {number} [version]
	 */
	fileById(id, version) {
		const generated = generatedFile(id);
		if (generated) return generated;
		const entry = this.entries.get(id);
		if (!entry || entry.type !== 'FILE') return undefined;
		const chosen =
			version === undefined
				? entry.versions[entry.versions.length - 1]
				: entry.versions.find((v) => v.version === version);
		return chosen
			? { name: entry.name, content: chosen.content, dentryDenied: entry.dentryDenied === true }
			: undefined;
	}

	// ---- writing ----

	newId() {
		return String(this.nextId++);
	}

	/** @param {string} spaceId @param {string} parentId @param {string} name */
	childNamed(spaceId, parentId, name) {
		return this.children(spaceId, parentId).find((entry) => entry.name === name);
	}

	/**
	 * "a.pdf" → "a(1).pdf", "a(2).pdf"...: the first free name, as DingTalk's Auto Rename does.
	 * @param {string} spaceId @param {string} parentId @param {string} name @param {boolean} isFile
	 */
	freeName(spaceId, parentId, name, isFile) {
		const extension = isFile ? extensionOf(name) : undefined;
		const base = extension ? name.slice(0, -(extension.length + 1)) : name;
		for (let n = 1; ; n++) {
			const candidate = `${base}(${n})${extension ? `.${extension}` : ''}`;
			if (!this.childNamed(spaceId, parentId, candidate)) return candidate;
		}
	}

	/** @param {unknown} strategy */
	static strategy(strategy) {
		const value = strategy ?? 'AUTO_RENAME';
		if (
			!['AUTO_RENAME', 'OVERWRITE', 'RETURN_DENTRY_IF_EXISTS', 'RETURN_ERROR_IF_EXISTS'].includes(
				String(value),
			)
		) {
			throw new ApiFault('paramError', `conflictStrategy ${String(value)} is invalid`);
		}
		return String(value);
	}

	/**
	 * @param {string} spaceId @param {string} parentId @param {unknown} rawName @param {unknown} rawStrategy
	 */
	createFolder(spaceId, parentId, rawName, rawStrategy) {
		this.folderOrRoot(spaceId, parentId);
		let name = checkedName(rawName);
		const strategy = Drive.strategy(rawStrategy);
		const existing = this.childNamed(spaceId, parentId, name);
		if (existing) {
			if (strategy === 'RETURN_ERROR_IF_EXISTS') throw new ApiFault('dentryNameConflict');
			// A folder cannot be overwritten: Overwrite keeps the folder that is there.
			if (strategy === 'RETURN_DENTRY_IF_EXISTS' || strategy === 'OVERWRITE')
				return this.json(existing);
			name = this.freeName(spaceId, parentId, name, false);
		}
		const id = this.newId();
		const time = new Date(this.now()).toISOString();
		/** @type {Entry} */
		const entry = {
			id,
			uuid: uuidOf(id),
			spaceId,
			parentId,
			type: 'FOLDER',
			name,
			status: 'NORMAL',
			createTime: time,
			modifiedTime: time,
			versions: [],
		};
		this.entries.set(id, entry);
		this.changed('created', entry);
		return this.json(entry);
	}

	/** @param {string} spaceId @param {string} id @param {unknown} rawName */
	rename(spaceId, id, rawName) {
		const entry = this.entry(spaceId, id);
		const name = checkedName(rawName);
		const clash = this.childNamed(spaceId, entry.parentId, name);
		if (clash && clash !== entry) throw new ApiFault('dentryNameConflict');
		entry.name = name;
		entry.modifiedTime = new Date(this.now()).toISOString();
		this.changed('updated', entry);
		return this.json(entry);
	}

	/** @param {Entry} entry @returns {Entry[]} the entry and everything under it */
	subtree(entry) {
		const all = [entry];
		for (let i = 0; i < all.length; i++) {
			if (all[i].type === 'FOLDER') all.push(...this.children(all[i].spaceId, all[i].id));
		}
		return all;
	}

	/**
	 * A change DingTalk runs as a task when it touches a folder with children. The change
	 * is made at once; the task reports IN_PROGRESS until its `pollsUntilDone`th poll, then
	 * SUCCESS. A failing task (see failNextTasks) changes nothing.
	 * @param {Entry} entry @param {() => Record<string, unknown>} change
	 * @param {number} [count] how many entries it touches (default: the entry's NORMAL subtree)
	 */
	maybeAsync(entry, change, count = this.subtree(entry).length) {
		if (count === 1) return { async: false, ...change() };
		const id = `task-${this.nextTask++}`;
		const failMessage = this.failingTasks.shift();
		this.tasks.set(id, { id, total: count, polls: 0, ...(failMessage ? { failMessage } : {}) });
		if (failMessage) return { async: true, taskId: id, dentry: this.json(entry) };
		return { async: true, taskId: id, ...change() };
	}

	/**
	 * Where a moved or copied item lands, by the conflict strategy: its name there, or the
	 * existing item to return instead.
	 * @param {Entry} source @param {string} targetSpaceId @param {string} targetFolderId @param {string} strategy
	 * @param {boolean} copying a copy into the source's own folder clashes with the source
	 * @returns {{name: string, existing?: Entry, replace?: Entry}}
	 */
	landing(source, targetSpaceId, targetFolderId, strategy, copying) {
		const existing = this.childNamed(targetSpaceId, targetFolderId, source.name);
		if (!existing || (existing === source && !copying)) return { name: source.name };
		if (strategy === 'RETURN_ERROR_IF_EXISTS') throw new ApiFault('dentryNameConflict');
		if (strategy === 'RETURN_DENTRY_IF_EXISTS') return { name: source.name, existing };
		if (strategy === 'OVERWRITE') return { name: source.name, replace: existing };
		return {
			name: this.freeName(targetSpaceId, targetFolderId, source.name, source.type === 'FILE'),
		};
	}

	/**
	 * @param {Entry} source @param {string} targetSpaceId @param {string} targetFolderId
	 */
	checkTarget(source, targetSpaceId, targetFolderId) {
		const target = this.folderOrRoot(targetSpaceId, targetFolderId);
		if (target && this.subtree(source).includes(target))
			throw new ApiFault('paramError', 'a folder cannot go into itself');
		const space = this.space(targetSpaceId);
		if (targetSpaceId !== source.spaceId) {
			const bytes = this.subtree(source).reduce(
				(sum, entry) => sum + entry.versions.reduce((s, v) => s + v.content.size, 0),
				0,
			);
			if (this.usedBytes(targetSpaceId) + bytes > space.quota)
				throw new ApiFault('storageQuotaExceeded');
		}
	}

	/**
	 * Overwrite: a file clashing with a file gets the source's bytes as a new version; any
	 * other clash replaces the item that was there (it goes to the recycle bin).
	 * @param {Entry} replace @param {Entry} source
	 */
	overwrite(replace, source) {
		if (replace.type === 'FILE' && source.type === 'FILE') {
			const content = source.versions[source.versions.length - 1].content;
			const time = new Date(this.now()).toISOString();
			replace.versions.push({
				version: replace.versions[replace.versions.length - 1].version + 1,
				content,
				modifiedTime: time,
			});
			replace.modifiedTime = time;
			this.changed('updated', replace);
			return replace;
		}
		for (const entry of this.subtree(replace)) entry.status = 'DELETED';
		this.changed('deleted', replace);
		return undefined;
	}

	/**
	 * What moving and copying share: the target checked, the conflict strategy applied,
	 * a task for a folder with contents; `place` puts the item (or its copy) there.
	 * @param {string} spaceId @param {string} id
	 * @param {{targetSpaceId?: unknown, targetFolderId?: unknown, option?: {conflictStrategy?: unknown}}} body
	 * @param {boolean} copying
	 * @param {(source: Entry, targetSpaceId: string, targetFolderId: string, name: string) => Entry} place
	 */
	relocate(spaceId, id, body, copying, place) {
		const source = this.entry(spaceId, id);
		const [targetSpaceId, targetFolderId] = targets(body);
		const strategy = Drive.strategy(body.option?.conflictStrategy);
		this.checkTarget(source, targetSpaceId, targetFolderId);
		const landing = this.landing(source, targetSpaceId, targetFolderId, strategy, copying);
		if (landing.existing) return { async: false, dentry: this.json(landing.existing) };
		return this.maybeAsync(source, () => {
			const kept = landing.replace && this.overwrite(landing.replace, source);
			if (kept) {
				if (!copying) {
					this.entries.delete(source.id);
					this.changed('deleted', source);
				}
				return { dentry: this.json(kept) };
			}
			return { dentry: this.json(place(source, targetSpaceId, targetFolderId, landing.name)) };
		});
	}

	/**
	 * @param {string} spaceId @param {string} id
	 * @param {{targetSpaceId?: unknown, targetFolderId?: unknown, option?: {conflictStrategy?: unknown}}} body
	 */
	move(spaceId, id, body) {
		return this.relocate(
			spaceId,
			id,
			body,
			false,
			(source, targetSpaceId, targetFolderId, name) => {
				// Within a space an item keeps its ID; moved to another space it gets a new one.
				const crossSpace = targetSpaceId !== source.spaceId;
				if (crossSpace) this.changed('deleted', source);
				for (const entry of this.subtree(source)) {
					if (crossSpace) {
						const newId = this.newId();
						this.entries.delete(entry.id);
						for (const child of this.children(entry.spaceId, entry.id)) child.parentId = newId;
						entry.id = newId;
						this.entries.set(newId, entry);
					}
					entry.spaceId = targetSpaceId;
				}
				source.parentId = targetFolderId;
				source.name = name;
				source.modifiedTime = new Date(this.now()).toISOString();
				this.changed(crossSpace ? 'created' : 'updated', source);
				return source;
			},
		);
	}

	/**
	 * @param {string} spaceId @param {string} id
	 * @param {{targetSpaceId?: unknown, targetFolderId?: unknown, option?: {conflictStrategy?: unknown}}} body
	 */
	copy(spaceId, id, body) {
		return this.relocate(spaceId, id, body, true, (source, targetSpaceId, targetFolderId, name) => {
			const time = new Date(this.now()).toISOString();
			/** @param {Entry} entry @param {string} parentId @param {string} copyName */
			const clone = (entry, parentId, copyName) => {
				const newId = this.newId();
				const current = entry.versions[entry.versions.length - 1];
				/** @type {Entry} */
				const copy = {
					id: newId,
					uuid: uuidOf(newId),
					spaceId: targetSpaceId,
					parentId,
					type: entry.type,
					name: copyName,
					status: 'NORMAL',
					createTime: time,
					modifiedTime: time,
					versions: current ? [{ version: 1, content: current.content, modifiedTime: time }] : [],
				};
				this.entries.set(newId, copy);
				for (const child of this.children(entry.spaceId, entry.id)) clone(child, newId, child.name);
				return copy;
			};
			const copy = clone(source, targetFolderId, name);
			this.changed('created', copy);
			return copy;
		});
	}

	/**
	 * The commit of an upload: a new file, or (Overwrite, on a file) a new version of the
	 * file of that name, by the conflict strategy. With `overwriteId` (the commit's
	 * `overwriteDentryId`), a new version of that file wherever it is now, whatever its name
	 * (⚠ the facts name the field only: the emulator's reading of it).
	 * @param {string} spaceId @param {string} parentId @param {unknown} rawName @param {unknown} rawStrategy
	 * @param {Content} content @param {string} [overwriteId]
	 */
	commitFile(spaceId, parentId, rawName, rawStrategy, content, overwriteId) {
		const target = overwriteId === undefined ? undefined : this.entry(spaceId, overwriteId);
		if (target && target.type !== 'FILE')
			throw new ApiFault('paramError', 'overwriteDentryId is not a file');
		if (!target) this.folderOrRoot(spaceId, parentId);
		let name = target ? target.name : checkedName(rawName);
		const strategy = target ? 'OVERWRITE' : Drive.strategy(rawStrategy);
		const existing = target ?? this.childNamed(spaceId, parentId, name);
		if (existing && strategy === 'RETURN_ERROR_IF_EXISTS') throw new ApiFault('dentryNameConflict');
		if (existing && strategy === 'RETURN_DENTRY_IF_EXISTS') return this.json(existing);
		if (this.usedBytes(spaceId) + content.size > this.space(spaceId).quota)
			throw new ApiFault('storageQuotaExceeded');
		const time = new Date(this.now()).toISOString();
		const extension = extensionOf(name);
		const typed = {
			disposition: /** @type {const} */ ('utf8'),
			...(extension && TYPES_BY_EXTENSION[extension]
				? { contentType: TYPES_BY_EXTENSION[extension] }
				: {}),
			...content,
		};
		if (existing && strategy === 'OVERWRITE') {
			if (existing.type === 'FILE') {
				existing.versions.push({
					version: existing.versions[existing.versions.length - 1].version + 1,
					content: typed,
					modifiedTime: time,
				});
				existing.modifiedTime = time;
				this.changed('updated', existing);
				return this.json(existing);
			}
			for (const entry of this.subtree(existing)) entry.status = 'DELETED';
			this.changed('deleted', existing);
		} else if (existing) {
			name = this.freeName(spaceId, parentId, name, true);
		}
		const id = this.newId();
		this.entries.set(id, {
			id,
			uuid: uuidOf(id),
			spaceId,
			parentId,
			type: 'FILE',
			name,
			status: 'NORMAL',
			createTime: time,
			modifiedTime: time,
			versions: [{ version: 1, content: typed, modifiedTime: time }],
		});
		this.changed('created', /** @type {Entry} */ (this.entries.get(id)));
		return this.json(/** @type {Entry} */ (this.entries.get(id)));
	}

	// ---- changes made outside the API, between a trigger's polls (tests) ----

	/**
	 * A file appears, as if uploaded in DingTalk.
	 * @param {string} spaceId @param {string} parentId @param {string} name
	 * @param {{size?: number, seed?: number, at?: string}} [options] `at`: its modified time (default: now)
	 */
	addFile(spaceId, parentId, name, options = {}) {
		this.folderOrRoot(spaceId, parentId);
		const id = this.newId();
		const time = options.at ?? new Date(this.now()).toISOString();
		const extension = extensionOf(name);
		/** @type {Content} */
		const content = {
			size: options.size ?? 1_000 + (Number(id) % 5_000),
			seed: options.seed ?? Number(id),
			disposition: 'utf8',
			...(extension && TYPES_BY_EXTENSION[extension]
				? { contentType: TYPES_BY_EXTENSION[extension] }
				: {}),
		};
		this.entries.set(id, {
			id,
			uuid: uuidOf(id),
			spaceId,
			parentId,
			type: 'FILE',
			name,
			status: 'NORMAL',
			createTime: time,
			modifiedTime: time,
			versions: [{ version: 1, content, modifiedTime: time }],
		});
		this.changed('created', /** @type {Entry} */ (this.entries.get(id)));
		return this.json(/** @type {Entry} */ (this.entries.get(id)));
	}

	/**
	 * A file gets a new version (new bytes), as if edited in DingTalk.
	 * @param {string} id @param {{size?: number, at?: string}} [options]
	 */
	editFile(id, options = {}) {
		const entry = this.entries.get(id);
		if (!entry || entry.type !== 'FILE') throw new Error(`no emulated file ${id}`);
		const last = entry.versions[entry.versions.length - 1];
		const version = last.version + 1;
		const time = options.at ?? new Date(this.now()).toISOString();
		entry.versions.push({
			version,
			content: {
				...last.content,
				seed: Number(id) * 1000 + version,
				size: options.size ?? last.content.size + 1,
			},
			modifiedTime: time,
		});
		entry.modifiedTime = time;
		this.changed('updated', entry);
		return this.json(entry);
	}

	/** @param {string} spaceId @param {string} id @param {boolean} toRecycleBin */
	remove(spaceId, id, toRecycleBin) {
		const entry = this.entry(spaceId, id);
		if (toRecycleBin && !this.space(spaceId).drive) throw new ApiFault('recycleBinNotSupport');
		const { dentry: _unused, ...answer } = this.maybeAsync(entry, () => {
			if (toRecycleBin) {
				this.recycle(entry);
			} else {
				for (const each of this.subtree(entry)) this.entries.delete(each.id);
				this.changed('deleted', entry);
			}
			return {};
		});
		return answer;
	}

	/**
	 * Deletes an entry and its subtree to the recycle bin: DELETED, and one recycle item
	 * (told to `onRecycled`) for the entry, with its path and size as they were.
	 * @param {Entry} entry
	 */
	recycle(entry) {
		const removed = this.subtree(entry);
		const path = this.pathOf(entry);
		const size = removed.reduce(
			(sum, each) =>
				sum + (each.type === 'FILE' ? each.versions[each.versions.length - 1].content.size : 0),
			0,
		);
		for (const each of removed) each.status = 'DELETED';
		this.changed('deleted', entry);
		this.onRecycled?.({ entry, entryIds: removed.map((each) => each.id), path, size });
	}

	/**
	 * A file gets a new latest version with this content (a revert: the old version's).
	 * @param {Entry} entry @param {Content} content
	 */
	appendVersion(entry, content) {
		const time = new Date(this.now()).toISOString();
		entry.versions.push({
			version: entry.versions[entry.versions.length - 1].version + 1,
			content,
			modifiedTime: time,
		});
		entry.modifiedTime = time;
		this.changed('updated', entry);
	}

	/** @param {string} taskId */
	task(taskId) {
		const task = this.tasks.get(taskId);
		if (!task) throw new ApiFault('paramError', 'task not exist');
		task.polls++;
		const done = task.polls >= this.pollsUntilDone;
		const status = !done ? 'IN_PROGRESS' : task.failMessage ? 'FAIL' : 'SUCCESS';
		return {
			task: {
				taskId: task.id,
				status,
				totalCount: task.total,
				successCount: done && !task.failMessage ? task.total : 0,
				failCount: done && task.failMessage ? task.total : 0,
				...(done && task.failMessage ? { failMessage: task.failMessage } : {}),
			},
		};
	}
}

/** @param {string} id */
function uuidOf(id) {
	return createHash('sha1').update(`dentry-uuid:${id}`).digest('hex').slice(0, 24);
}

/** The UUID of a space's root folder (dentry ID "0"): stable, like every other UUID. @param {string} spaceId */
function rootUuid(spaceId) {
	return uuidOf(`root:${spaceId}`);
}

/** @param {{targetSpaceId?: unknown, targetFolderId?: unknown}} body @returns {[string, string]} */
function targets(body) {
	const space = body.targetSpaceId;
	const folder = body.targetFolderId;
	if (typeof space !== 'string' || space === '' || typeof folder !== 'string' || folder === '') {
		throw new ApiFault('paramError', 'targetSpaceId and targetFolderId are required');
	}
	return [space, folder];
}

/**
 * One page of a list: `maxResults` (1..max) from the offset the token carries. A token
 * from another listing is refused.
 * @template T
 * @param {T[]} all @param {string} listing @param {{maxResults?: number | string, nextToken?: string}} query @param {number} max
 */
function page(all, listing, query, max) {
	const size =
		query.maxResults === undefined || query.maxResults === '' ? max : Number(query.maxResults);
	if (!Number.isInteger(size) || size < 1 || size > max)
		throw new ApiFault('paramError', `maxResults must be 1 to ${max}`);
	let offset = 0;
	if (query.nextToken) {
		let decoded;
		try {
			decoded = JSON.parse(Buffer.from(query.nextToken, 'base64url').toString('utf8'));
		} catch {
			decoded = undefined;
		}
		if (!decoded || decoded.listing !== listing || !Number.isInteger(decoded.offset))
			throw new ApiFault('paramError', 'nextToken is invalid');
		offset = decoded.offset;
	}
	const items = all.slice(offset, offset + size);
	const next = offset + size;
	return {
		items,
		nextToken:
			next < all.length
				? Buffer.from(JSON.stringify({ listing, offset: next })).toString('base64url')
				: undefined,
	};
}

module.exports = {
	Drive,
	SAMPLE_FILES,
	generatedFile,
	MONTHLY_REPORTS,
	DEPARTMENT_SPACES,
	extensionOf,
	page,
	rootUuid,
};
