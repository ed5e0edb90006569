/** The storage triggers' descriptions: the fixed names and defaults their issues set. */
import type { INodeProperties } from 'n8n-workflow';

import { DingTalkStorageEventTrigger } from '../../nodes/DingTalk/StorageEventTrigger/DingTalkStorageEventTrigger.node';
import { DingTalkStorageTrigger } from '../../nodes/DingTalk/StorageTrigger/DingTalkStorageTrigger.node';

const { description, methods } = new DingTalkStorageTrigger();
const byName = (name: string) => description.properties.find((property) => property.name === name);
const option = (name: string) =>
	(byName('options')?.options as INodeProperties[]).find((each) => each.name === name);

test('a polling trigger named dingTalkStorageTrigger, with the DingTalk API credential', () => {
	expect(description.name).toBe('dingTalkStorageTrigger');
	expect(description.displayName).toBe('DingTalk Storage Trigger');
	expect(description.version).toBe(1);
	expect(description.polling).toBe(true);
	expect(description.inputs).toEqual([]);
	expect(description.credentials).toEqual([
		{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' },
	]);
	expect(Object.keys(methods.listSearch).sort()).toEqual([
		'searchFiles',
		'searchFolders',
		'searchSpaces',
	]);
});

test('its parameters and their defaults', () => {
	expect(description.properties.map((property) => property.name)).toEqual([
		'quotaNotice',
		'spaceId',
		'watch',
		'folderId',
		'fileId',
		'unionId',
		'events',
		'options',
	]);
	expect(byName('folderId')?.default).toEqual({ mode: 'id', value: '0' });
	// A folder by default (what shipped); one file with Watch: File.
	expect(byName('watch')?.default).toBe('folder');
	expect(byName('folderId')?.displayOptions).toEqual({ show: { watch: ['folder'] } });
	expect(byName('fileId')?.displayOptions).toEqual({ show: { watch: ['file'] } });
	expect((byName('folderId')?.modes ?? []).map((mode) => mode.name)).toEqual([
		'list',
		'id',
		'path',
	]);
	expect(byName('events')?.default).toEqual(['created', 'updated']);
	expect(
		(byName('events')?.options as Array<{ value: string }>).map((each) => each.value).sort(),
	).toEqual(['created', 'deleted', 'updated']);
	expect(
		Object.fromEntries(
			(byName('options')?.options as INodeProperties[]).map((each) => [each.name, each.default]),
		),
	).toEqual({
		download: false,
		fileExtensions: '',
		includeFolders: false,
		maxDepth: 10,
		maxDownloadSize: 0,
		maxItemsPerPoll: 200,
		binaryPropertyName: 'data',
		recursive: false,
	});
	expect(option('recursive')?.type).toBe('boolean');
	// The quota in one sentence, where the user picks the interval.
	expect(byName('quotaNotice')?.displayName).toMatch(
		/one DingTalk API call per 50 entries.*5,000 calls a month/,
	);
});

describe('the DingTalk Storage Event Trigger', () => {
	const events = new DingTalkStorageEventTrigger();
	const eventsByName = (name: string) =>
		events.description.properties.find((property) => property.name === name);

	test('a trigger node (not polling) named dingTalkStorageEventTrigger, with the DingTalk API credential', () => {
		expect(events.description.name).toBe('dingTalkStorageEventTrigger');
		expect(events.description.displayName).toBe('DingTalk Storage Event Trigger');
		expect(events.description.version).toBe(1);
		expect(events.description.polling).toBeUndefined();
		expect(typeof events.trigger).toBe('function');
		expect(events.description.inputs).toEqual([]);
		expect(events.description.credentials).toEqual([
			{ name: 'dingTalkApi', required: true, testedBy: 'dingTalkApiTest' },
		]);
		expect(Object.keys(events.methods.listSearch).sort()).toEqual([
			'searchFiles',
			'searchFolders',
			'searchSpaces',
		]);
	});

	test("the polling trigger's parameters where they mean the same, and reconcileEvery (24 hours)", () => {
		expect(events.description.properties.map((property) => property.name)).toEqual([
			'streamNotice',
			'spaceId',
			'watch',
			'folderId',
			'fileId',
			'unionId',
			'events',
			'options',
		]);
		for (const name of ['spaceId', 'watch', 'folderId', 'fileId', 'unionId', 'events'])
			expect(eventsByName(name)).toEqual(byName(name));
		expect(eventsByName('events')?.default).toEqual(['created', 'updated']);
		const options = eventsByName('options')?.options as INodeProperties[];
		expect(Object.fromEntries(options.map((each) => [each.name, each.default]))).toEqual({
			download: false,
			fileExtensions: '',
			includeFolders: false,
			maxDepth: 10,
			maxDownloadSize: 0,
			binaryPropertyName: 'data',
			reconcileEvery: 24,
			recursive: false,
		});
		// Sorted by display name, as n8n's linter wants of a literal list.
		const names = options.map((each) => each.displayName);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
	});
});
