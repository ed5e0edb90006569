import { deleteOperation } from '../common/changes';

/** Folder → Delete: to the recycle bin by default (DingTalk's own default deletes for good). */
export const deleteItem = deleteOperation('folder');
