/** A file or folder in a space, on behalf of an operator (every storage call names one). */
export interface DentryRef {
	spaceId: string;
	dentryId: string;
	unionId: string;
}

/**
 * DingTalk's dentry (a file or a folder), as the API returns it. Only the fields this
 * package reads are typed; every other field is kept and passed on as it came.
 */
export interface Dentry {
	id: string;
	uuid?: string;
	spaceId?: string;
	parentId?: string;
	/** FILE or FOLDER; some answers use lower case. */
	type?: string;
	name?: string;
	path?: string;
	size?: number;
	version?: number;
	status?: string;
	extension?: string;
	modifiedTime?: string;
	[field: string]: unknown;
}

export type { Page } from '../helpers/paging';

export const ROOT_FOLDER_ID = '0';

/** How DingTalk resolves a name that is taken in the target folder. */
export const CONFLICT_STRATEGIES = [
	'AUTO_RENAME',
	'OVERWRITE',
	'RETURN_DENTRY_IF_EXISTS',
	'RETURN_ERROR_IF_EXISTS',
] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

export const ORDER_BY = ['MODIFIED_TIME', 'CREATE_TIME', 'NAME', 'SIZE'] as const;
export type OrderBy = (typeof ORDER_BY)[number];
export type SortOrder = 'ASC' | 'DESC';
