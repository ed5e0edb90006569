import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { locateItem } from '../../../n8n/locators';
import { InputError } from '../../../shared/errors';
import { oneOf, textList } from '../../../shared/helpers/validate';
import {
	MAX_APP_PROPERTIES,
	removeAppProperties,
	setAppProperties,
	type AppProperty,
} from '../../../shared/storage/appProperties';
import type { DingTalkClient } from '../../../shared/api/client';
import type { Resource, StorageOperation } from '../types';
import { expectedFor, itemParameter } from './changes';
import { readScope, show } from './parameters';

/**
 * Set Properties and Remove Properties, for files and folders alike: this app's own
 * name/value pairs on an item (at most 3 per app per item), to mark what a workflow has done
 * without keeping a database.
 */

/** A property's name, as DingTalk keeps it. */
function propertyName(field: string, value: unknown): string {
	if (typeof value !== 'string' || value.trim() === '')
		throw new InputError(field, 'the property name is empty');
	return value.trim();
}

/** A property's value: text (a number or true/false is written as text); anything else is refused. */
function propertyValue(field: string, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
		return String(value);
	throw new InputError(
		field,
		`the value is ${Array.isArray(value) ? 'a list' : typeof value}, not text`,
		'Give text, or turn it into text in the expression, for example {{ JSON.stringify($json.data) }}.',
	);
}

export function setPropertiesOperation(resource: Resource): StorageOperation {
	return {
		parallel: false,
		modelFields: ['success'],
		properties: [
			{
				displayName: 'Properties',
				name: 'appProperties',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: { property: [{ name: '', value: '', visibility: 'PRIVATE' }] },
				placeholder: 'Add property',
				description: `This app's own name/value pairs on the ${resource}: at most ${MAX_APP_PROPERTIES} per app per item; a name the item has already gets the new value`,
				displayOptions: show(resource, ['setProperties']),
				options: [
					{
						displayName: 'Property',
						name: 'property',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
								placeholder: 'e.g. syncedAt',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
								placeholder: 'e.g. {{ $now.toISO() }}',
							},
							{
								displayName: 'Visibility',
								name: 'visibility',
								type: 'options',
								default: 'PRIVATE',
								options: [
									{ name: 'Private', value: 'PRIVATE', description: 'Only this app reads it' },
									{ name: 'Public', value: 'PUBLIC', description: 'Other apps may read it' },
								],
							},
						],
					},
				],
			},
		],
		async execute({ ctx, itemIndex, client, paths }) {
			const { spaceId, unionId } = readScope(ctx, itemIndex);
			const raw = (ctx.getNodeParameter('appProperties', itemIndex, {}) as IDataObject).property;
			const rows = Array.isArray(raw) ? (raw as IDataObject[]) : [];
			if (rows.length === 0)
				throw new InputError('appProperties', 'no property is given', 'Add a property.');
			if (rows.length > MAX_APP_PROPERTIES)
				throw new InputError(
					'appProperties',
					`${rows.length} properties are given; an app may keep at most ${MAX_APP_PROPERTIES} on an item`,
				);
			const properties: AppProperty[] = rows.map((row, index) => ({
				name: propertyName(`appProperties[${index}].name`, row.name),
				value: propertyValue(`appProperties[${index}].value`, row.value),
				visibility: oneOf(
					`appProperties[${index}].visibility`,
					row.visibility,
					['PUBLIC', 'PRIVATE'] as const,
					'PRIVATE',
				),
			}));
			const item = await locateItem(
				ctx,
				itemParameter(resource),
				itemIndex,
				{ client, paths, spaceId, unionId },
				expectedFor(resource, 'Set Properties'),
			);
			await setAppProperties(client, { spaceId, dentryId: item.id, unionId }, properties);
			return {
				json: {
					success: true,
					spaceId,
					dentryId: item.id,
					appPropertyValues: Object.fromEntries(properties.map(({ name, value }) => [name, value])),
				},
			};
		},
	};
}

export function removePropertiesOperation(resource: Resource): StorageOperation {
	return {
		parallel: false,
		modelFields: ['success'],
		properties: [
			{
				displayName: 'Property Names',
				name: 'propertyNames',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. syncedAt, syncedBy',
				description: `The names of this app's properties to remove, separated by commas (at most ${MAX_APP_PROPERTIES})`,
				displayOptions: show(resource, ['removeProperties']),
			},
		],
		async execute({ ctx, itemIndex, client, paths }) {
			const { spaceId, unionId } = readScope(ctx, itemIndex);
			const names = [
				...new Set(textList('propertyNames', ctx.getNodeParameter('propertyNames', itemIndex))),
			];
			if (names.length === 0) throw new InputError('propertyNames', 'no property name is given');
			if (names.length > MAX_APP_PROPERTIES)
				throw new InputError(
					'propertyNames',
					`${names.length} names are given; an app keeps at most ${MAX_APP_PROPERTIES} properties on an item`,
				);
			const item = await locateItem(
				ctx,
				itemParameter(resource),
				itemIndex,
				{ client, paths, spaceId, unionId },
				expectedFor(resource, 'Remove Properties'),
			);
			await removeAppProperties(client, { spaceId, dentryId: item.id, unionId }, names);
			return { json: { success: true, spaceId, dentryId: item.id, removed: names } };
		},
	};
}

/** The app IDs whose properties to read: the option's, or this app's (its App Key). */
export function propertyAppIds(client: DingTalkClient, given: unknown): string[] {
	const ids = textList('appIds', given);
	if (ids.length > 20) throw new InputError('appIds', 'at most 20 app IDs can be read at once');
	if (ids.length > 0) return ids;
	if (!client.appKey)
		throw new InputError(
			'appIds',
			"this app's ID is not known with an access-token credential",
			"Give the app's ID in App IDs, or use an App Key & Secret credential.",
		);
	return [client.appKey];
}

/** Get's options: this app's properties on the item. */
export const INCLUDE_PROPERTIES_OPTIONS: INodeProperties[] = [
	{
		displayName: 'App IDs',
		name: 'appIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. dingxxxxxxxxxxxxxxxx',
		description:
			"With Include App Properties: whose properties to read, separated by commas (at most 20). Empty: this app's (the credential's App Key).",
	},
	{
		displayName: 'Include App Properties',
		name: 'includeAppProperties',
		type: 'boolean',
		default: false,
		description:
			"Whether to add the app's properties on the item (Set Properties): `appProperties` as DingTalk gives them and `appPropertyValues` as name → value",
	},
];
