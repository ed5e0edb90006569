import { locateItem } from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { oneOf, optionalVersion } from '../../../shared/helpers/validate';
import { openLink, type LinkType } from '../../../shared/storage/links';
import { optionsCollection, readOptions, readScope, show } from '../common/parameters';
import type { StorageOperation } from '../types';

/** What each kind of link lets its holder do, and how long it lives (DingTalk's documentation). */
function linkTerms(type: LinkType, requiresLogin: boolean): { allows: string; expires: string } {
	if (type === 'EDIT')
		return {
			allows:
				"Opens the file in DingTalk's online editor, for a signed-in DingTalk user with edit rights on the file",
			expires: 'DingTalk states no expiry for this link',
		};
	if (requiresLogin)
		return {
			allows:
				"Opens the file in DingTalk's viewer, for a signed-in DingTalk user with access to the file",
			expires: 'DingTalk states no expiry for this link',
		};
	return {
		allows:
			'Opens the file in a viewer without signing in, once per browser session; no forwarding, editing or download',
		expires: 'Expires after 5 minutes unused',
	};
}

/**
 * File → Get Link: a link to open the file in DingTalk's viewer (preview) or editor, to post
 * in a chat or an e-mail. Whoever holds a preview link without Require Login can open the
 * file, so the output says what the link allows and how long it lives.
 */
export const getLink: StorageOperation = {
	parallel: true,
	modelFields: ['url', 'linkType', 'requiresLogin', 'hasWaterMark', 'allows', 'expires'],
	properties: [
		{
			displayName: 'Link Type',
			name: 'linkType',
			type: 'options',
			default: 'PREVIEW',
			options: [
				{
					name: 'Preview',
					value: 'PREVIEW',
					description: "Opens the file in DingTalk's viewer (read only)",
				},
				{
					name: 'Edit',
					value: 'EDIT',
					description:
						"Opens the file in DingTalk's online editor (Office/WPS documents and text only)",
				},
			],
			displayOptions: show('file', ['getLink']),
		},
		optionsCollection(
			'file',
			['getLink'],
			[
				{
					displayName: 'Require Login',
					name: 'requireLogin',
					type: 'boolean',
					default: true,
					description:
						'Whether the viewer must be signed in to DingTalk (Preview only). Off: anyone with the link can view the file without signing in, once per browser session, and the link expires after 5 minutes unused.',
				},
				{
					displayName: 'Version',
					name: 'version',
					type: 'number',
					typeOptions: { minValue: 1, numberPrecision: 0 },
					default: 1,
					description: 'Open this version of the file instead of the latest',
				},
				{
					displayName: 'Watermark',
					name: 'waterMark',
					type: 'boolean',
					default: false,
					description:
						"Whether to show a watermark with the viewer's name (Office/WPS formats only; the output's hasWaterMark says whether it applied)",
				},
			],
		),
	],
	async execute({ ctx, itemIndex, client, paths }) {
		const { spaceId, unionId } = readScope(ctx, itemIndex);
		const type = oneOf<LinkType>(
			'linkType',
			ctx.getNodeParameter('linkType', itemIndex, 'PREVIEW'),
			['PREVIEW', 'EDIT'],
			'PREVIEW',
		);
		const options = readOptions(ctx, itemIndex);
		const version = optionalVersion(options.version);
		const requiresLogin = options.requireLogin !== false;
		if (type === 'EDIT' && !requiresLogin)
			throw new InputError(
				'requireLogin',
				'an edit link always requires signing in',
				'Turn Require Login on, or ask for a Preview link.',
			);
		const file = await locateItem(
			ctx,
			'dentryId',
			itemIndex,
			{ client, paths, spaceId, unionId },
			{ kind: 'file' },
		);
		const link = await openLink(
			client,
			{ spaceId, dentryId: file.id, unionId },
			{
				type,
				version,
				...(options.waterMark === true ? { waterMark: true } : {}),
				...(type === 'PREVIEW' ? { checkLogin: requiresLogin } : {}),
			},
		);
		return {
			json: {
				spaceId,
				dentryId: file.id,
				...(typeof file.dentry?.name === 'string' ? { name: file.dentry.name } : {}),
				url: link.url,
				type,
				linkType: type,
				...(version !== undefined ? { version } : {}),
				requiresLogin,
				hasWaterMark: link.hasWaterMark,
				...linkTerms(type, requiresLogin),
			},
		};
	},
};
