import { renameOperation } from '../common/changes';

/** File → Rename. */
export const rename = renameOperation('file');
