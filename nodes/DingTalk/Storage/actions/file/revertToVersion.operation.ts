import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { getDentry, revertToVersion as revert } from '../../../shared/storage/dentries';
import { readScope, show } from '../common/parameters';
import type { StorageOperation } from '../types';

/**
 * File → Revert to Version: a new latest version with an older version's content (at v5,
 * reverting to v3 makes v6); nothing is lost, the versions in between stay. Outputs the file
 * after it.
 */
export const revertToVersion: StorageOperation = {
	parallel: false,
	modelFields: ['revertedTo'],
	properties: [
		{
			displayName: 'Version',
			name: 'version',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: 1,
			required: true,
			description:
				"The version whose content becomes the file's new latest version (see File → List Versions)",
			displayOptions: show('file', ['revertToVersion']),
		},
	],
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const raw = ctx.getNodeParameter('version', itemIndex);
		const version = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
		if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
			throw new InputError(
				'version',
				`"${String(raw)}" is not a file version (a whole number, 1 or more)`,
				'File → List Versions gives the versions of a file.',
			);
		const file = await locateItem(
			ctx,
			'dentryId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'file' },
		);
		const ref = { spaceId, dentryId: file.id, unionId };
		await revert(client, ref, version);
		// The answer is only {success}: the file is read again (its cached details are old now).
		paths.forget();
		return { json: { ...dentryJson(await getDentry(client, ref)), revertedTo: version } };
	},
};
