import { transferOperation } from '../common/changes';

/** Folder → Copy: with everything in it; DingTalk may run it as a task, which is waited for. */
export const copy = transferOperation('folder', 'copy');
