import type { IExecuteFunctions } from 'n8n-workflow';

import type { DingTalkClient } from '../shared/api/client';
import { InputError } from '../shared/errors';
import { requireId } from '../shared/helpers/validate';
import type { PathResolver } from '../shared/storage/listing';
import { linkProblem } from '../shared/storage/links';
import { readLocator } from './locators';

/**
 * Items given as links. A user pastes what DingTalk shares, a link such as
 * `https://alidocs.dingtalk.com/i/nodes/<uuid>`, into a File or Folder picker (By URL, or an
 * expression that gives a link): before the operation runs, each link is read back to its
 * space and item (once per execution), and the operation sees them as if they had been
 * given by ID, with the link's space as the item's. So every operation, and its check of the
 * item's kind, works the same with a link.
 */

/** Each picker that may hold a link, and the space parameter that goes with it. */
const LINKABLE: Array<{ item: string; space: string }> = [
	{ item: 'dentryId', space: 'spaceId' },
	{ item: 'folderId', space: 'spaceId' },
	{ item: 'targetFolderId', space: 'targetSpaceId' },
];

/**
 * The node's context for one item with its links read back; the context itself when the item
 * has none (no call is made).
 */
export async function withLinksResolved(
	ctx: IExecuteFunctions,
	itemIndex: number,
	client: DingTalkClient,
	paths: PathResolver,
	shown: ReadonlySet<string>,
): Promise<IExecuteFunctions> {
	const overrides = new Map<string, unknown>();
	for (const { item, space } of LINKABLE) {
		if (!shown.has(item)) continue;
		const value = readLocator(ctx, item, itemIndex);
		if (value.mode !== 'url') continue;
		if (typeof value.value !== 'string' || value.value.trim() === '')
			throw new InputError(
				item,
				'the link is empty',
				'Paste the DingTalk link to the file or folder.',
			);
		const problem = linkProblem(value.value);
		if (problem)
			// The link itself is not repeated: it may carry a signature or a token in its query.
			throw new InputError(
				item,
				`the link is not a DingTalk document link: ${problem}`,
				'Paste the link DingTalk shares for the file or folder (https://alidocs.dingtalk.com/i/nodes/…), or give its ID or path instead.',
			);
		const unionId = requireId('unionId', ctx.getNodeParameter('unionId', itemIndex));
		const ids = await paths.link(client, value.value, unionId);
		overrides.set(item, { __rl: true, mode: 'id', value: ids.dentryId });
		// A link names its space: a given Space (or Target Space) gives way to it.
		overrides.set(space, { __rl: true, mode: 'id', value: ids.spaceId });
	}
	if (overrides.size === 0) return ctx;
	return new Proxy(ctx, {
		get(target, property, receiver) {
			if (property === 'getNodeParameter') {
				return (name: string, index: number, ...rest: unknown[]) =>
					index === itemIndex && overrides.has(name)
						? overrides.get(name)
						: (target.getNodeParameter as (...args: unknown[]) => unknown)(name, index, ...rest);
			}
			const value: unknown = Reflect.get(target, property, receiver);
			return typeof value === 'function'
				? (value as (...args: unknown[]) => unknown).bind(target)
				: value;
		},
	});
}
