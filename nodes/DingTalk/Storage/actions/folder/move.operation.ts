import { transferOperation } from '../common/changes';

/** Folder → Move: with everything in it; DingTalk may run it as a task, which is waited for. */
export const move = transferOperation('folder', 'move');
