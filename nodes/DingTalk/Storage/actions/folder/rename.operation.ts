import { renameOperation } from '../common/changes';

/** Folder → Rename. */
export const rename = renameOperation('folder');
