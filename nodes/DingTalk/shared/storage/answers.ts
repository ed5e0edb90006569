import { DingTalkApiError } from '../errors';
import type { ApiSpec } from '../api/types';
import type { HttpHeaders } from '../transport/http';
import type { Dentry, Page } from './types';

/**
 * Reading DingTalk's answers: each reader checks the shape it relies on and says so
 * clearly when a gateway (or a new API version) answers something else.
 */
export function unexpectedAnswer(api: ApiSpec, problem: string): DingTalkApiError {
	return new DingTalkApiError(`${api.action} failed: ${problem}`, {
		code: 'invalidResponse',
		description:
			"DingTalk's answer was not in the documented form. If the base URL points at a gateway, check that it forwards the answer unchanged.",
	});
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** IDs come as strings, and sometimes as numbers: always strings here. */
export function idOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function readDentry(value: unknown, api: ApiSpec, where = 'dentry'): Dentry {
	const id = isRecord(value) ? idOf(value.id) : undefined;
	if (!isRecord(value) || id === undefined)
		throw unexpectedAnswer(api, `the answer has no ${where} with an id`);
	const dentry = { ...value, id } as Dentry;
	for (const field of ['spaceId', 'parentId'] as const) {
		const fieldId = idOf(value[field]);
		if (fieldId !== undefined) dentry[field] = fieldId;
	}
	return dentry;
}

/** A page token: DingTalk ends a listing with no token, or with an empty one. */
function nextTokenOf(answer: Record<string, unknown>): string | undefined {
	return typeof answer.nextToken === 'string' && answer.nextToken !== ''
		? answer.nextToken
		: undefined;
}

/**
 * One page of a listing. An answer without its list is an error, not an empty page
 * (unless `mayOmitEmpty`, for listings nothing is inferred from): an empty folder comes as
 * `[]` (⚠ assumed, as DingTalk's examples show), and a folder's listing read as empty by
 * mistake would turn every entry into a deletion downstream.
 */
export function readPage<T>(
	answer: Record<string, unknown>,
	field: string,
	api: ApiSpec,
	read: (value: unknown) => T,
	mayOmitEmpty = false,
): Page<T> {
	const list = answer[field] ?? (mayOmitEmpty ? [] : undefined);
	if (list === undefined)
		throw unexpectedAnswer(
			api,
			`the answer has no "${field}" list, so the listing cannot be complete`,
		);
	if (!Array.isArray(list)) throw unexpectedAnswer(api, `"${field}" is not a list`);
	return { items: list.map(read), nextToken: nextTokenOf(answer) };
}

/**
 * The signed headers of a download or upload answer, checked: each a header name and a
 * one-line value (a CR or LF would let a value inject headers). `fail` names the problem.
 */
export function readSignedHeaders(value: unknown, fail: (problem: string) => Error): HttpHeaders {
	if (value !== undefined && !isRecord(value)) throw fail('the signed headers are not an object');
	const headers: HttpHeaders = {};
	for (const [name, headerValue] of Object.entries(value ?? {})) {
		if (
			!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) ||
			typeof headerValue !== 'string' ||
			/[\r\n\u0000]/.test(headerValue)
		) {
			throw fail('a signed header has an invalid name or value (for example a line break)');
		}
		headers[name] = headerValue;
	}
	return headers;
}
