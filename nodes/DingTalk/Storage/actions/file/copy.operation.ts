import { transferOperation } from '../common/changes';

/** File → Copy: into a folder of this space or another; DingTalk's conflict strategies apply. */
export const copy = transferOperation('file', 'copy');
