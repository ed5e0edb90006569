/**
 * The published interface of 0.1.0 stays as it was: the "DingTalk Storage Download" node's
 * type name, parameters (names, types, defaults, choices, when they show) and the
 * credential's fields. Saved workflows and credentials depend on them. Wording (display
 * names, descriptions, hints) may improve; what a saved workflow stores may not change.
 * The fixtures were taken from the 0.1.0 build.
 */
import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkStorageDownload } from '../../nodes/DingTalk/StorageDownload/DingTalkStorageDownload.node';
import credential010 from '../fixtures/credential-0.1.0.json';
import download010 from '../fixtures/download-node-0.1.0.json';

const WORDING = new Set(['displayName', 'description', 'hint', 'placeholder', 'action']);

/** A property tree without its wording: what a saved workflow depends on. */
function contract(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(contract);
	if (value === null || typeof value !== 'object') return value;
	return Object.fromEntries(
		Object.entries(value)
			.filter(([key]) => !WORDING.has(key))
			.map(([key, inner]) => [key, contract(inner)]),
	);
}

/**
 * Options added since 0.1.0. Only entries of the Options collection may be added: a saved
 * workflow that lacks them gets their default, which must behave as 0.1.0 did for every
 * file 0.1.0 could store.
 */
const ADDED_OPTIONS = new Set(['inMemoryLimit']);

type Property = {
	name: string;
	type: string;
	options?: Array<{ name: string }>;
	displayOptions?: { show?: Record<string, unknown> };
};

/** Whether a property is shown only in the AI-agent tool type (added since 0.1.0; see toolMode.ts). */
const toolOnly = (property: Property) =>
	JSON.stringify(property.displayOptions?.show?.['@tool']) === '[true]';

/** A property without its `@tool: [false]` condition (which leaves the regular node as it was). */
function withoutToolCondition(property: Property): Property {
	const show = { ...property.displayOptions?.show };
	if (JSON.stringify(show['@tool']) !== '[false]') return property;
	delete show['@tool'];
	const { displayOptions, ...rest } = property;
	const others = { ...displayOptions, show };
	if (Object.keys(show).length === 0) delete (others as { show?: unknown }).show;
	return Object.keys(others).length === 0 ? rest : { ...rest, displayOptions: others };
}

/**
 * The properties without what was added since 0.1.0: options of the Options collection
 * (which must be optional), and the operation picker's twin for AI agents' tool type.
 */
function without010Additions(properties: Property[]) {
	return properties
		.filter((property) => !toolOnly(property))
		.map(withoutToolCondition)
		.map((property) =>
			property.name === 'options' && property.type === 'collection'
				? {
						...property,
						options: property.options!.filter((option) => !ADDED_OPTIONS.has(option.name)),
					}
				: property,
		);
}

test('the download node keeps its type name, version, credential and every parameter of 0.1.0', () => {
	const { description } = new DingTalkStorageDownload();
	expect(description.name).toBe(download010.name);
	expect(description.version).toBe(download010.version);
	expect(description.credentials).toEqual(download010.credentials);
	const properties = JSON.parse(JSON.stringify(description.properties));
	expect(contract(without010Additions(properties))).toEqual(contract(download010.properties));
	const options = properties
		.find((property: { name: string }) => property.name === 'options')
		.options.map((option: { name: string }) => option.name);
	for (const added of ADDED_OPTIONS) expect(options).toContain(added);
});

test('the credential keeps its name and fields, and how it authenticates the HTTP Request node', () => {
	const current = new DingTalkApi();
	expect(current.name).toBe(credential010.name);
	expect(contract(JSON.parse(JSON.stringify(current.properties)))).toEqual(
		contract(credential010.properties),
	);
	expect(current.authenticate).toEqual(credential010.authenticate);
});

test('the download node offers an AI agent Download only, never Get Download Info', () => {
	const pickers = new DingTalkStorageDownload().description.properties.filter(
		(property) => property.name === 'operation',
	);
	expect(pickers).toHaveLength(2);
	const forTool = pickers.find(
		(property) => JSON.stringify(property.displayOptions?.show?.['@tool']) === '[true]',
	);
	expect((forTool?.options as Array<{ value: string }>).map((option) => option.value)).toEqual([
		'download',
	]);
});
