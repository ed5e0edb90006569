import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { extensionOf } from '../helpers/mime';
import { idOf, isRecord, readDentry, unexpectedAnswer } from './answers';
import type { Dentry, Page } from './types';

/**
 * Finding files by name across spaces: DingTalk's search (storage 2.0), which answers
 * dentry UUIDs, paired with the UUID → {spaceId, dentryId} mapping (doc 2.0) and, for the
 * details, the batch query of storage 1.0 (30 IDs a call). Wire formats as the official
 * SDKs send them (storage_2_0 SearchDentries, doc_2_0 GetDentryIdByUuid).
 */
export const SEARCH_APIS = {
	search: {
		name: 'dentries.search',
		action: 'Searching',
		permission: 'Storage.Dentry.Search',
		readOnly: true,
	},
	ids: {
		name: 'doc.dentries.queryDentryId',
		action: 'Finding where a found item lives',
		permission: 'Document.WorkspaceDocument.Read',
	},
	details: {
		name: 'dentries.batchQuery',
		action: "Reading the found items' details",
		permission: 'Storage.File.Read',
		readOnly: true,
	},
} satisfies Record<string, ApiSpec>;

/** DingTalk's largest search page, and the batch query's largest batch. */
export const MAX_SEARCH_PAGE = 50;
export const MAX_DETAILS_BATCH = 30;

/** What the search itself filters (DingTalk's own options). */
export interface SearchOption {
	spaceIds?: string[];
	/** DingTalk's dentry categories (for example `alidoc`), passed as given. */
	categories?: string[];
	/** Created within [after, before], in ms since 1970. */
	createdAfter?: number;
	createdBefore?: number;
}

/** One search hit as DingTalk answers it (fields beyond these are kept). */
export interface SearchHit {
	dentryUuid: string;
	name?: string;
	/** ms since 1970. */
	lastModifyTime?: number;
	path?: { path?: string; longPath?: string; url?: string };
	[field: string]: unknown;
}

/** One page of search hits. */
export async function searchDentries(
	client: DingTalkClient,
	request: {
		unionId: string;
		keyword: string;
		option: SearchOption;
		maxResults: number;
		nextToken?: string;
	},
): Promise<Page<SearchHit>> {
	const { option } = request;
	const body = {
		keyword: request.keyword,
		option: {
			maxResults: request.maxResults,
			...(request.nextToken ? { nextToken: request.nextToken } : {}),
			// The SDK types space IDs as numbers (List<Long>).
			...(option.spaceIds?.length ? { spaceIds: option.spaceIds.map(Number) } : {}),
			...(option.categories?.length ? { dentryCategories: option.categories } : {}),
			...(option.createdAfter !== undefined || option.createdBefore !== undefined
				? { createTimeRange: { startTime: option.createdAfter, endTime: option.createdBefore } }
				: {}),
		},
	};
	const answer = await client.call({
		api: SEARCH_APIS.search,
		method: 'POST',
		path: '/v2.0/storage/dentries/search',
		query: { operatorId: request.unionId },
		body,
	});
	const list = answer.items ?? [];
	if (!Array.isArray(list)) throw unexpectedAnswer(SEARCH_APIS.search, '"items" is not a list');
	const items = list.map((value): SearchHit => {
		const uuid = isRecord(value) ? idOf(value.dentryUuid) : undefined;
		if (!isRecord(value) || uuid === undefined)
			throw unexpectedAnswer(SEARCH_APIS.search, 'a hit has no dentryUuid');
		const lastModifyTime =
			typeof value.lastModifyTime === 'string'
				? Number(value.lastModifyTime)
				: value.lastModifyTime;
		return {
			...value,
			dentryUuid: uuid,
			lastModifyTime:
				typeof lastModifyTime === 'number' && Number.isFinite(lastModifyTime)
					? lastModifyTime
					: undefined,
		};
	});
	const nextToken =
		typeof answer.nextToken === 'string' && answer.nextToken !== '' ? answer.nextToken : undefined;
	return { items, nextToken };
}

/** Where an item found by its UUID lives. */
export async function idsOfUuid(
	client: DingTalkClient,
	uuid: string,
	unionId: string,
	api: ApiSpec = SEARCH_APIS.ids,
): Promise<{ spaceId: string; dentryId: string }> {
	const answer = await client.call({
		api,
		method: 'GET',
		path: apiPath`/v2.0/doc/dentries/${uuid}/queryDentryId`,
		query: { operatorId: unionId },
	});
	const spaceId = idOf(answer.spaceId);
	const dentryId = idOf(answer.dentryId);
	if (spaceId === undefined || dentryId === undefined)
		throw unexpectedAnswer(api, 'the answer has no spaceId and dentryId');
	return { spaceId, dentryId };
}

/** Up to 30 items' details in one space; an item DingTalk could not read is left out. */
export async function getDentries(
	client: DingTalkClient,
	spaceId: string,
	dentryIds: string[],
	unionId: string,
): Promise<Map<string, Dentry>> {
	const answer = await client.call({
		api: SEARCH_APIS.details,
		method: 'POST',
		path: apiPath`/v1.0/storage/spaces/${spaceId}/dentries/query`,
		query: { unionId },
		body: { dentryIds, option: {} },
	});
	const list = answer.resultItems ?? [];
	if (!Array.isArray(list))
		throw unexpectedAnswer(SEARCH_APIS.details, '"resultItems" is not a list');
	const found = new Map<string, Dentry>();
	for (const result of list) {
		if (!isRecord(result) || result.success === false || !isRecord(result.dentry)) continue;
		const dentry = readDentry(result.dentry, SEARCH_APIS.details);
		found.set(dentry.id, dentry);
	}
	return found;
}

/** Filters DingTalk's search does not have, applied to each hit (pure). */
export interface HitFilter {
	/** Lower-case extensions without the dot ("pdf"); a hit must have one of them. */
	extensions?: string[];
	/** Modified within [after, before], ms since 1970. */
	modifiedAfter?: number;
	modifiedBefore?: number;
	/** The spaces a result must be in (checked once its space is known). */
	spaceIds?: string[];
}

/** Whether a hit passes the filters that need only the hit. `undefined` time: decided later. */
export function hitPasses(hit: SearchHit, filter: HitFilter): boolean {
	if (filter.extensions?.length) {
		const extension = extensionOf(hit.name ?? '');
		if (extension === undefined || !filter.extensions.includes(extension)) return false;
	}
	return timePasses(hit.lastModifyTime, filter);
}

/** Whether a modified time (ms) is in the filter's window; an unknown time passes here. */
export function timePasses(modified: number | undefined, filter: HitFilter): boolean {
	if (modified === undefined) return true;
	if (filter.modifiedAfter !== undefined && modified < filter.modifiedAfter) return false;
	if (filter.modifiedBefore !== undefined && modified > filter.modifiedBefore) return false;
	return true;
}

export interface SearchRequest {
	unionId: string;
	keyword: string;
	option: SearchOption;
	filter: HitFilter;
	/** Stop after this many results; absent: all. */
	limit?: number;
	/** Read each result's details (one call per space per 30 results). */
	details: boolean;
}

/** One result: where it lives, what the search said, and (with details) the dentry. */
export interface SearchResult {
	spaceId: string;
	dentryId: string;
	hit: SearchHit;
	dentry?: Dentry;
}

/**
 * The search's results, each with its spaceId and dentryId, in DingTalk's order. Pages are
 * read while results are wanted; a filter DingTalk lacks drops hits before they cost a
 * UUID lookup. Every result costs one UUID lookup (the same UUID only once per search);
 * details cost one call per space per 30 results.
 */
export async function searchFiles(
	client: DingTalkClient,
	request: SearchRequest,
): Promise<SearchResult[]> {
	const results: SearchResult[] = [];
	const seenTokens = new Set<string>();
	const seenUuids = new Set<string>();
	const filtering = Boolean(
		request.filter.extensions?.length ||
		request.filter.modifiedAfter !== undefined ||
		request.filter.modifiedBefore !== undefined ||
		request.filter.spaceIds?.length,
	);
	const wanted = () =>
		request.limit === undefined ? Number.POSITIVE_INFINITY : request.limit - results.length;
	let nextToken: string | undefined;
	do {
		// Filtered pages may hold fewer results than hits: then ask for full pages.
		const maxResults = filtering ? MAX_SEARCH_PAGE : Math.min(MAX_SEARCH_PAGE, wanted());
		const page = await searchDentries(client, {
			unionId: request.unionId,
			keyword: request.keyword,
			option: request.option,
			maxResults,
			nextToken,
		});
		const found: SearchResult[] = [];
		for (const hit of page.items) {
			if (
				found.length >= wanted() ||
				seenUuids.has(hit.dentryUuid) ||
				!hitPasses(hit, request.filter)
			)
				continue;
			seenUuids.add(hit.dentryUuid);
			const { spaceId, dentryId } = await idsOfUuid(client, hit.dentryUuid, request.unionId);
			if (request.filter.spaceIds?.length && !request.filter.spaceIds.includes(spaceId)) continue;
			found.push({ spaceId, dentryId, hit });
		}
		if (request.details) await addDetails(client, found, request.unionId);
		for (const result of found) {
			const modified =
				result.hit.lastModifyTime ??
				(result.dentry ? Date.parse(String(result.dentry.modifiedTime)) : undefined);
			if (timePasses(Number.isFinite(modified) ? modified : undefined, request.filter))
				results.push(result);
		}
		nextToken = page.nextToken;
		if (nextToken !== undefined) {
			if (seenTokens.has(nextToken)) break;
			seenTokens.add(nextToken);
		}
	} while (nextToken !== undefined && wanted() > 0);
	return results;
}

/** Reads the results' details, grouped by space, 30 a call. */
async function addDetails(
	client: DingTalkClient,
	results: SearchResult[],
	unionId: string,
): Promise<void> {
	const bySpace = new Map<string, SearchResult[]>();
	for (const result of results)
		bySpace.set(result.spaceId, [...(bySpace.get(result.spaceId) ?? []), result]);
	for (const [spaceId, inSpace] of bySpace) {
		for (let start = 0; start < inSpace.length; start += MAX_DETAILS_BATCH) {
			const batch = inSpace.slice(start, start + MAX_DETAILS_BATCH);
			const dentries = await getDentries(
				client,
				spaceId,
				batch.map((result) => result.dentryId),
				unionId,
			);
			for (const result of batch) result.dentry = dentries.get(result.dentryId);
		}
	}
}
