import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { isRecord, unexpectedAnswer } from './answers';
import { idsOfUuid } from './search';
import type { DentryRef } from './types';

/**
 * A link to open a file in DingTalk's viewer or editor (`openInfos/query`). The link itself
 * gives access to the content: who holds it can open the file (with Require Login off,
 * without signing in), so it is output only where a user asked for it.
 */
export const LINK_APIS = {
	open: {
		name: 'dentries.openInfos.query',
		action: 'Getting the link',
		permission: 'Storage.File.Read',
		readOnly: true,
	},
} satisfies Record<string, ApiSpec>;

export type LinkType = 'PREVIEW' | 'EDIT';

export interface LinkOptions {
	type: LinkType;
	/** A version to open (preview); absent: the current one. */
	version?: number;
	/** A watermark (WPS formats only). */
	waterMark?: boolean;
	/** Preview only: false opens once per browser session without signing in, for 5 minutes unused. */
	checkLogin?: boolean;
}

export async function openLink(
	client: DingTalkClient,
	ref: DentryRef,
	options: LinkOptions,
): Promise<{ url: string; hasWaterMark: boolean }> {
	const answer = await client.call({
		api: LINK_APIS.open,
		method: 'POST',
		path: apiPath`/v1.0/storage/spaces/${ref.spaceId}/dentries/${ref.dentryId}/openInfos/query`,
		query: { unionId: ref.unionId },
		body: {
			option: {
				type: options.type,
				...(options.version !== undefined ? { version: options.version } : {}),
				...(options.waterMark !== undefined ? { waterMark: options.waterMark } : {}),
				...(options.checkLogin !== undefined && options.type === 'PREVIEW'
					? { checkLogin: options.checkLogin }
					: {}),
			},
		},
	});
	if (typeof answer.url !== 'string' || !/^https?:\/\//i.test(answer.url))
		throw unexpectedAnswer(LINK_APIS.open, 'the answer has no link');
	return { url: answer.url, hasWaterMark: answer.hasWaterMark === true };
}

/** Reading a link back: which space and item a DingTalk document URL names. */
export const LINK_LOOKUP_APIS = {
	byUuid: {
		name: 'doc.dentries.queryDentryId',
		action: 'Finding the item the link names',
		permission: 'Document.WorkspaceDocument.Read',
		readOnly: true,
	},
	byUrl: {
		name: 'wiki.nodes.queryByUrl',
		action: 'Finding the document the link names',
		permission: 'Wiki.Node.Read',
		readOnly: true,
	},
} satisfies Record<string, ApiSpec>;

/** The hosts of DingTalk's document links. */
const DOCUMENT_HOST = /(^|\.)dingtalk\.com$/i;
/** `https://alidocs.dingtalk.com/i/nodes/<uuid>`: the UUID is in the link itself. */
const NODE_LINK = /^\/i\/nodes\/([A-Za-z0-9_-]+)\/?$/;

/**
 * A DingTalk document link, checked without a call: an http(s) URL on a DingTalk host.
 * `problem` says why not (undefined: it is one).
 */
export function linkProblem(value: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		return 'it is not a URL';
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'it is not an http(s) link';
	if (!DOCUMENT_HOST.test(url.hostname))
		return `${url.hostname} is not DingTalk's (links to DingTalk documents are on alidocs.dingtalk.com)`;
	return undefined;
}

/**
 * Which space and item a DingTalk document link names: a file link
 * (`https://alidocs.dingtalk.com/i/nodes/<uuid>`) with one call, any other DingTalk
 * document URL with two (`wiki/nodes/queryByUrl` gives the UUID).
 */
export async function idsOfLink(
	client: DingTalkClient,
	link: string,
	unionId: string,
): Promise<{ spaceId: string; dentryId: string }> {
	const url = new URL(link.trim());
	const direct =
		url.hostname.toLowerCase() === 'alidocs.dingtalk.com' ? NODE_LINK.exec(url.pathname) : null;
	let uuid = direct?.[1];
	if (uuid === undefined) {
		const answer = await client.call({
			api: LINK_LOOKUP_APIS.byUrl,
			method: 'POST',
			path: '/v2.0/wiki/nodes/queryByUrl',
			query: { operatorId: unionId },
			body: { url: link.trim() },
		});
		const node = isRecord(answer.node) ? answer.node : undefined;
		uuid = typeof node?.nodeId === 'string' && node.nodeId !== '' ? node.nodeId : undefined;
		if (uuid === undefined)
			throw unexpectedAnswer(LINK_LOOKUP_APIS.byUrl, 'the answer names no document (no nodeId)');
	}
	return await idsOfUuid(client, uuid, unionId, LINK_LOOKUP_APIS.byUuid);
}
