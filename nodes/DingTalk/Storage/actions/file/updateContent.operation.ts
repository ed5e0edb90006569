import { dentryJson } from '../../../n8n/items';
import { locateItem } from '../../../n8n/locators';
import { binaryUploadSource } from '../../../n8n/uploadSource';
import { DingTalkApiError } from '../../../shared/errors';
import { requireFieldName } from '../../../shared/helpers/validate';
import { getDentry } from '../../../shared/storage/dentries';
import { optionsCollection, readOptions, readScope, show } from '../common/parameters';
import { readTransferSettings, sendFile, TRANSFER_OPTIONS } from '../common/uploading';
import type { StorageOperation } from '../types';

/**
 * File → Update Content: the input binary becomes the file's new version; its name, place
 * and ID stay. It is an upload of the same name into the same folder with Overwrite, the
 * way DingTalk makes a new version.
 */
export const updateContent: StorageOperation = {
	parallel: false,
	properties: [
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: "The name of the input binary field holding the file's new content",
			displayOptions: show('file', ['updateContent']),
		},
		optionsCollection('file', ['updateContent'], TRANSFER_OPTIONS),
	],
	async execute(item) {
		const { ctx, itemIndex, clientWith, paths } = item;
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const options = readOptions(ctx, itemIndex);
		const propertyName = requireFieldName(
			'binaryPropertyName',
			ctx.getNodeParameter('binaryPropertyName', itemIndex),
		);
		const settings = readTransferSettings(options);
		const { source } = await binaryUploadSource(ctx, itemIndex, propertyName);
		const client = clientWith(settings.timeouts);
		const file = await locateItem(
			ctx,
			'dentryId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'file' },
		);
		// Its name and folder, as read for this item (a change runs alone, and what was read
		// for earlier items is forgotten after each: see the router).
		const current =
			file.dentry ?? (await getDentry(client, { spaceId, dentryId: file.id, unionId }));
		if (typeof current.name !== 'string' || current.parentId === undefined)
			throw new DingTalkApiError(
				"Updating the content failed: DingTalk's details of the file lack its name or folder",
				{ code: 'invalidResponse' },
			);
		const result = await sendFile(
			item,
			client,
			settings,
			{
				spaceId,
				parentId: current.parentId,
				unionId,
				name: current.name,
				conflictStrategy: 'OVERWRITE',
				// By ID as well: where DingTalk reads it, a rename or move meanwhile changes nothing.
				overwriteDentryId: file.id,
			},
			source,
		);
		if (result.committed.id !== file.id)
			// Renamed or moved between the read and the commit: Overwrite made a new file there.
			throw new DingTalkApiError(
				`Updating the content failed: the file was renamed or moved meanwhile, so DingTalk saved the content as another file ("${String(result.committed.name)}", ID ${result.committed.id})`,
				{
					code: 'fileChangedMeanwhile',
					description: `The file ${file.id} was not changed. Delete the file ${result.committed.id} if it is not wanted, and run the item again.`,
				},
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
