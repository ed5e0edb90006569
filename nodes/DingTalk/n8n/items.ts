import type { IDataObject } from 'n8n-workflow';

import type { SearchResult } from '../shared/storage/search';
import type { Dentry } from '../shared/storage/types';

/**
 * A dentry as an item's JSON: DingTalk's object as it came, plus `dentryId` (= `id`), so
 * `{{ $json.dentryId }}` and `{{ $json.spaceId }}` chain straight into a download.
 */
export function dentryJson(dentry: Dentry): IDataObject {
	return { ...(dentry as IDataObject), dentryId: dentry.id };
}

/**
 * A search result as an item's JSON: the details (when read) as dentryJson gives them,
 * then what only the search knows: the UUID, who created and changed it, the folder path
 * and DingTalk's link to open it (a page that asks the user to sign in, not a download).
 */
export function searchResultJson(result: SearchResult): IDataObject {
	const { hit, dentry } = result;
	const modified =
		hit.lastModifyTime === undefined ? undefined : new Date(hit.lastModifyTime).toISOString();
	return {
		...(dentry
			? dentryJson(dentry)
			: { name: hit.name ?? null, ...(modified ? { modifiedTime: modified } : {}) }),
		spaceId: result.spaceId,
		dentryId: result.dentryId,
		dentryUuid: hit.dentryUuid,
		folderPath: hit.path?.longPath ?? null,
		url: hit.path?.url ?? null,
		creator: (hit.creator as IDataObject | undefined) ?? null,
		modifier: (hit.modifier as IDataObject | undefined) ?? null,
	};
}
