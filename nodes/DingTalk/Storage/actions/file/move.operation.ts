import { transferOperation } from '../common/changes';

/** File → Move: into a folder of this space or another; DingTalk's conflict strategies apply. */
export const move = transferOperation('file', 'move');
