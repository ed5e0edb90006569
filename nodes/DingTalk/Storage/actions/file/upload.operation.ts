import type { INodeProperties } from 'n8n-workflow';

import { binaryUploadSource } from '../../../n8n/uploadSource';
import { dentryJson } from '../../../n8n/items';
import { folderLocator } from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { oneOf, requireFieldName, requireName } from '../../../shared/helpers/validate';
import { CONFLICT_STRATEGIES } from '../../../shared/storage/types';
import { readOptions, readScope, show } from '../common/parameters';
import { locateParentFolder } from '../common/folderPaths';
import { newFileOptions, readTransferSettings, sendFile } from '../common/uploading';
import type { StorageOperation } from '../types';

const FILE_NAME_OPTION: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '',
	placeholder: 'e.g. report-{{ $now.toFormat("yyyy-MM-dd") }}.pdf',
	description: "The new file's name in DingTalk. By default, the input binary's file name.",
};

/**
 * File → Upload: an input binary into a folder. One signed PUT, or (32 MiB and more) a
 * multipart upload; then the commit, the only step that makes a file, so a failed or
 * cancelled upload leaves nothing behind.
 */
export const upload: StorageOperation = {
	parallel: false,
	properties: [
		folderLocator('folderId', 'Parent Folder', {
			required: false,
			rootByDefault: true,
			links: true,
			description:
				"Where to put the file: pick the folder, or give its ID (0: the space's root) or its path",
			// Create from Text puts its file in the same place.
			displayOptions: show('file', ['upload', 'createFromText']),
		}),
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the input binary field holding the file to upload',
			displayOptions: show('file', ['upload']),
		},
		newFileOptions('upload', [FILE_NAME_OPTION]),
	],
	async execute(item) {
		const { ctx, itemIndex, clientWith } = item;
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const options = readOptions(ctx, itemIndex);
		const propertyName = requireFieldName(
			'binaryPropertyName',
			ctx.getNodeParameter('binaryPropertyName', itemIndex),
		);
		const conflictStrategy = oneOf(
			'conflictStrategy',
			options.conflictStrategy,
			CONFLICT_STRATEGIES,
			'AUTO_RENAME',
		);
		const settings = readTransferSettings(options);
		const { binary, source } = await binaryUploadSource(ctx, itemIndex, propertyName);
		const givenName =
			typeof options.fileName === 'string' && options.fileName.trim() !== ''
				? options.fileName
				: binary.fileName;
		if (givenName === undefined || givenName.trim() === '') {
			throw new InputError(
				'fileName',
				`the binary in "${propertyName}" has no file name`,
				'Set the File Name option.',
			);
		}
		const name = requireName('fileName', givenName);

		const client = clientWith(settings.timeouts);
		const parent = await locateParentFolder(item, client, { spaceId, unionId }, options);
		const result = await sendFile(
			item,
			client,
			settings,
			{ spaceId, parentId: parent.id, unionId, name, conflictStrategy },
			source,
		);
		return {
			json: {
				...dentryJson(result.committed),
				uploadedBytes: result.uploadedBytes,
				multipart: result.multipart,
			},
		};
	},
};
