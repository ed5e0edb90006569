import { deleteOperation } from '../common/changes';

/** File → Delete: to the recycle bin by default (DingTalk's own default deletes for good). */
export const deleteItem = deleteOperation('file');
