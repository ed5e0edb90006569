import type { DingTalkClient } from '../api/client';
import { InputError } from '../errors';
import { isFolderEntry } from '../helpers/paging';
import { createFolder } from './dentries';
import type { ConflictStrategy, Dentry } from './types';

/**
 * A folder path made level by level under a parent ("报表/2026/12"): each level that exists
 * is used as it is, each missing one is created (Return the Existing Item), so running it
 * twice gives the same folder. One call per level, whether it existed or not. The last
 * level follows `lastStrategy` (Auto Rename makes "12(1)" next to an existing "12").
 */
export async function createFolderPath(
	client: DingTalkClient,
	where: { spaceId: string; unionId: string; parentId: string },
	names: string[],
	lastStrategy: ConflictStrategy,
	field: string,
): Promise<Dentry> {
	if (names.length === 0) throw new InputError(field, 'the path names no folder');
	let parentId = where.parentId;
	let made: Dentry | undefined;
	const walked: string[] = [];
	for (const [index, name] of names.entries()) {
		const last = index === names.length - 1;
		made = await createFolder(
			client,
			{ spaceId: where.spaceId, dentryId: parentId, unionId: where.unionId },
			name,
			last ? lastStrategy : 'RETURN_DENTRY_IF_EXISTS',
		);
		walked.push(name);
		// "Return the existing item" returns a file of that name as well: nothing goes in a file.
		if (!isFolderEntry(made))
			throw new InputError(
				field,
				`"${walked.join('/')}" is a file, not a folder`,
				'Rename the file, or choose another path: a folder cannot be created inside a file.',
			);
		parentId = made.id;
	}
	return made as Dentry;
}
