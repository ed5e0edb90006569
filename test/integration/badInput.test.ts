/**
 * The bad-input matrix: every malformed input is rejected before any request is sent for
 * that item, with a message naming the field and what is wrong, and the other items of
 * the run still succeed. Values arrive through expressions, as they do in real workflows.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	apiCalls,
	appCredentials,
	binarySha256,
	storageCalls,
	useEmulator,
} from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

const GOOD: IDataObject = {
	spaceId: '1000',
	dentryId: '1004',
	range: '',
	version: '',
	binaryPropertyName: 'data',
	connectTimeout: 5000,
	timeout: 5000,
	idleTimeout: 5000,
};

/** [field, bad value, what the message says] */
const BAD_INPUTS: Array<[string, string | number, RegExp]> = [
	['spaceId', '', /empty/],
	['spaceId', '   ', /empty/],
	['spaceId', 'a\nb', /line break/],
	['spaceId', '12\r', /line break/],
	['dentryId', '', /empty/],
	['dentryId', '\t', /line break|control/],
	['dentryId', 'x\u0000y', /control/],
	['dentryId', 'x\u007fy', /control/],
	['unionId', ' ', /empty/],
	['unionId', 'u\r\nX-Injected: 1', /line break/],
	['version', -1, /not a file version/],
	['version', 1.5, /not a file version/],
	['version', 'abc', /not a file version/],
	['range', 'bytes=', /no byte range/],
	['range', '5-2', /ends \(2\) before it starts \(5\)/],
	['range', 'abc', /not a byte range/],
	['range', 'bytes=0-1,5-9', /only one range/],
	['range', '0-99999999999999999999', /too large/],
	['range', '9007199254740993-', /too large/],
	['range', '-0', /empty range/],
	['binaryPropertyName', '', /binary field name is empty/],
	['binaryPropertyName', '  ', /binary field name is empty/],
	['timeout', 0, /not a positive number/],
	['timeout', -5, /not a positive number/],
	['idleTimeout', 0, /not a positive number/],
	['connectTimeout', -1, /not a positive number/],
];

const fromItem = (field: string) => `={{ $json.${field} }}`;

describe('bad input is rejected before any request, naming the field', () => {
	test.each(BAD_INPUTS)('%s = %p', async (field, value, problem) => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: {
				operation: 'download',
				spaceId: fromItem('spaceId'),
				dentryId: fromItem('dentryId'),
				unionId: `={{ $json.unionId ?? "${emulator.unionId}" }}`,
				binaryPropertyName: fromItem('binaryPropertyName'),
				options: {
					range: fromItem('range'),
					version: fromItem('version'),
					timeout: fromItem('timeout'),
					idleTimeout: fromItem('idleTimeout'),
					connectTimeout: fromItem('connectTimeout'),
				},
			},
			items: [GOOD, { ...GOOD, [field]: value }, GOOD],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3);
		const bad = output![1];
		expect(bad.binary).toBeUndefined();
		expect(bad.json.field).toBe(field);
		expect(bad.json.code).toBe('invalidParameter');
		expect(bad.json.error).toMatch(new RegExp(`^Invalid "${field}": `));
		expect(bad.json.error).toMatch(problem);
		expect(bad.pairedItem).toEqual({ item: 1 });
		// Two good items: exactly two download-info queries and two storage GETs.
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(2);
		expect(storageCalls(emulator)).toHaveLength(2);
		for (const good of [output![0], output![2]])
			expect(await binarySha256(good.binary!.data)).toBe(emulator.sha256('1004'));
	});

	test.each([
		['ftp://api.example', /"ftp:" is not http or https/],
		['not a url', /is not a URL/],
		['javascript:alert(1)', /is not http or https/],
	])('credential baseUrl %p', async (baseUrl, problem) => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: {
				operation: 'download',
				spaceId: '1000',
				dentryId: '1004',
				unionId: emulator.unionId,
				binaryPropertyName: 'data',
				options: {},
			},
			credentials: { ...appCredentials(emulator), baseUrl },
			continueOnFail: true,
		});
		expect(output![0].json.field).toBe('baseUrl');
		expect(output![0].json.error).toMatch(problem);
		expect(emulator.log).toHaveLength(0);
	});

	test('the error message never echoes a control character back', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: {
				operation: 'download',
				spaceId: fromItem('spaceId'),
				dentryId: '1004',
				unionId: emulator.unionId,
				binaryPropertyName: 'data',
				options: {},
			},
			items: [{ spaceId: 'a\r\nSet-Cookie: x' }],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(String(output![0].json.error)).not.toMatch(/[\r\n]/);
	});
});

export const BAD_INPUT_COUNT = BAD_INPUTS.length + 3;
