import { dentryJson } from '../../../n8n/items';
import { InputError } from '../../../shared/errors';
import { oneOf, requireName } from '../../../shared/helpers/validate';
import { CONFLICT_STRATEGIES } from '../../../shared/storage/types';
import { locateParentFolder } from '../common/folderPaths';
import { readOptions, readScope, show } from '../common/parameters';
import { newFileOptions, readTransferSettings, sendFile } from '../common/uploading';
import type { StorageOperation } from '../types';

/**
 * File → Create from Text: a text (an AI summary, a CSV built in a Code node) saved as a
 * file, encoded as UTF-8, through the same upload as File → Upload.
 */
export const createFromText: StorageOperation = {
	parallel: false,
	properties: [
		// Parent Folder (folderId): Upload's, shown for this operation too.
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 摘要.md',
			description: "The new file's name, with its extension",
			displayOptions: show('file', ['createFromText']),
		},
		{
			displayName: 'Content',
			name: 'content',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: 'e.g. {{ $json.summary }}',
			description: 'The text to save, encoded as UTF-8 (an empty text makes an empty file)',
			displayOptions: show('file', ['createFromText']),
		},
		newFileOptions('createFromText'),
	],
	async execute(item) {
		const { ctx, itemIndex, clientWith } = item;
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const options = readOptions(ctx, itemIndex);
		const name = requireName('fileName', ctx.getNodeParameter('fileName', itemIndex));
		const raw = ctx.getNodeParameter('content', itemIndex, '');
		// An expression may give a number or an object: numbers are written as text, anything
		// else is refused rather than written as "[object Object]".
		if (typeof raw !== 'string' && typeof raw !== 'number')
			throw new InputError(
				'content',
				`the content is ${raw === null ? 'null' : typeof raw}, not text`,
				'Give text, or turn an object into text in the expression, for example {{ JSON.stringify($json.data) }}.',
			);
		const conflictStrategy = oneOf(
			'conflictStrategy',
			options.conflictStrategy,
			CONFLICT_STRATEGIES,
			'AUTO_RENAME',
		);
		const settings = readTransferSettings(options);
		const buffer = Buffer.from(String(raw), 'utf8');
		const client = clientWith(settings.timeouts);
		const parent = await locateParentFolder(item, client, { spaceId, unionId }, options);
		const result = await sendFile(
			item,
			client,
			settings,
			{ spaceId, parentId: parent.id, unionId, name, conflictStrategy },
			{ size: buffer.length, buffer },
		);
		return { json: { ...dentryJson(result.committed), uploadedBytes: result.uploadedBytes } };
	},
};
