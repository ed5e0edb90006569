import type { IDataObject } from 'n8n-workflow';

import type { Dentry } from '../shared/storage/types';

/**
 * A dentry as an item's JSON: DingTalk's object as it came, plus `dentryId` (= `id`), so
 * `{{ $json.dentryId }}` and `{{ $json.spaceId }}` chain straight into a download.
 */
export function dentryJson(dentry: Dentry): IDataObject {
	return { ...(dentry as IDataObject), dentryId: dentry.id };
}
