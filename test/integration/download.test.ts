/**
 * The node inside n8n's real execution engine, against the emulator, in both binary
 * modes: byte-exact files, names, MIME types, ranges, and Get Download Info.
 */
import {
	apiCalls,
	appCredentials,
	binaryBytes,
	binarySha256,
	download,
	storageCalls,
	useEmulator,
} from '../harness/fixtures';
import { runNode, type BinaryMode } from '../harness/n8n';

const MiB = 1024 * 1024;
const LARGE = `gen-${256 * MiB + 123}`;

describe.each<BinaryMode>(['filesystem', 'default'])('download in %s binary mode', (mode) => {
	const ctx = useEmulator(mode);

	test('a small file with a Chinese name: bytes, name, MIME type, size', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, '1001'),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1);
		const [item] = output!;
		expect(item.json).toEqual({
			spaceId: '1000',
			dentryId: '1001',
			fileName: '合同-2026年度采购.pdf',
			mimeType: 'application/pdf',
			size: 200_000,
			statusCode: 200,
			region: 'ZHANGJIAKOU',
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		const binary = item.binary!.data;
		expect(binary.fileName).toBe('合同-2026年度采购.pdf');
		expect(binary.mimeType).toBe('application/pdf');
		if (mode === 'filesystem') expect(binary.id).toMatch(/^filesystem/);
		else expect(binary.id).toBeUndefined();
		expect(await binarySha256(binary)).toBe(emulator.sha256('1001'));
	});

	test(`a large file (256 MiB), streamed: byte-exact`, async () => {
		const { emulator } = ctx;
		// Over the default In-Memory Size Limit (256 MiB), so raised for memory mode.
		const { output, error } = await runNode({
			parameters: download(emulator, LARGE, { inMemoryLimit: 300 }),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		const [item] = output!;
		expect(item.json.size).toBe(256 * MiB + 123);
		expect(item.binary!.data.bytes).toBe(256 * MiB + 123);
		expect(await binarySha256(item.binary!.data)).toBe(emulator.sha256(LARGE));
	});

	test('an empty file', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1006'),
			credentials: appCredentials(emulator),
		});
		expect(output![0].json).toMatchObject({
			fileName: 'empty.txt',
			size: 0,
			mimeType: 'text/plain',
		});
		expect((await binaryBytes(output![0].binary!.data)).length).toBe(0);
	});

	test('the binary goes into the chosen field', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1004', {}, { binaryPropertyName: 'contract' }),
			credentials: appCredentials(emulator),
		});
		expect(Object.keys(output![0].binary!)).toEqual(['contract']);
		expect(await binarySha256(output![0].binary!.contract)).toBe(emulator.sha256('1004'));
	});
});

describe('file names and MIME types', () => {
	const ctx = useEmulator('filesystem');

	test('no Content-Disposition and a generic Content-Type: name from the dentry API, type from its extension', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1002'),
			credentials: appCredentials(emulator),
		});
		expect(output![0].json).toMatchObject({
			fileName: 'quarterly report.xlsx',
			mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		});
		expect(apiCalls(emulator, 'dentry')).toHaveLength(1);
	});

	test('dentry API refused for lack of permission: falls through quietly to the URL path', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, '1003'),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		expect(output![0].json).toMatchObject({
			fileName: 'scan-0042.png',
			mimeType: 'image/png',
			size: 4096,
		});
		expect(apiCalls(emulator, 'dentry')[0].status).toBe(403);
	});

	test('a plain filename= parameter, no Content-Type: type from the extension', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1004'),
			credentials: appCredentials(emulator),
		});
		expect(output![0].json).toMatchObject({ fileName: 'notes.md', mimeType: 'text/markdown' });
		// One details call only: the check that it is a file (the name needs no second one).
		expect(apiCalls(emulator, 'dentry')).toHaveLength(1);
	});

	test('the File Name option wins over everything, and picks the MIME type when the server is generic', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1002', { fileName: '报表.csv' }),
			credentials: appCredentials(emulator),
		});
		expect(output![0].json).toMatchObject({ fileName: '报表.csv', mimeType: 'text/csv' });
		expect(output![0].binary!.data.fileName).toBe('报表.csv');
		// One details call only: the check that it is a file.
		expect(apiCalls(emulator, 'dentry')).toHaveLength(1);
	});
});

describe('ranges', () => {
	const ctx = useEmulator('filesystem');
	const SIZE = 200_000;

	test.each([
		['bytes=0-499', 0, 499],
		['0-499', 0, 499],
		['199500-', 199_500, SIZE - 1],
		['-500', SIZE - 500, SIZE - 1],
		['bytes=100-999999', 100, SIZE - 1],
	])('%s → exact bytes, contentRange and totalSize', async (range, start, end) => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, '1001', { range }),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		const [item] = output!;
		expect(item.json).toMatchObject({
			statusCode: 206,
			size: end - start + 1,
			contentRange: `bytes ${start}-${end}/${SIZE}`,
			totalSize: SIZE,
		});
		expect((await binaryBytes(item.binary!.data)).equals(emulator.bytes('1001', start, end))).toBe(
			true,
		);
		expect(storageCalls(emulator)[0].headers.range).toMatch(/^bytes=/);
	});

	test('a range beyond the end: storage ignores it (200), the node fails clearly with the size and emits nothing', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1001', { range: 'bytes=500000-600000' }),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output).toHaveLength(1);
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.code).toBe('rangeNotSatisfiable');
		expect(output![0].json.error).toContain('lies beyond the end of the file');
		expect(output![0].json.error).toContain('200000 bytes');
	});

	test('storage that ignores a satisfiable range is not taken for the range', async () => {
		const { emulator } = ctx;
		emulator.setFault('1001', { ignoreRange: true });
		const { output } = await runNode({
			parameters: download(emulator, '1001', { range: '0-9' }),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.code).toBe('rangeIgnored');
	});

	test('invalid range syntax is rejected before any request, naming the field', async () => {
		const { emulator } = ctx;
		const { error } = await runNode({
			parameters: download(emulator, '1001', { range: '5-2' }),
			credentials: appCredentials(emulator),
		});
		expect(error?.message).toContain('Invalid "range"');
		expect(emulator.log).toHaveLength(0);
	});
});

describe('Get Download Info', () => {
	const ctx = useEmulator('filesystem');

	test('returns the info and downloads nothing', async () => {
		const { emulator } = ctx;
		const before = Date.now();
		const { output } = await runNode({
			parameters: {
				operation: 'getDownloadInfo',
				spaceId: '1000',
				dentryId: '1001',
				unionId: emulator.unionId,
				options: { version: 3, preferIntranet: true },
			},
			credentials: appCredentials(emulator),
		});
		const json = output![0].json as Record<string, unknown>;
		expect(json).toMatchObject({
			protocol: 'HEADER_SIGNATURE',
			expirationSeconds: 900,
			region: 'ZHANGJIAKOU',
			internalResourceUrls: [],
		});
		expect(json.resourceUrls).toHaveLength(2);
		expect(Object.keys(json.headers as object).sort()).toEqual(['Authorization', 'x-oss-date']);
		const expiresAt = Date.parse(json.expiresAt as string);
		expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000 - 1000);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000 + 1000);
		expect(output![0].binary).toBeUndefined();
		expect(storageCalls(emulator)).toHaveLength(0);
		expect(JSON.parse(apiCalls(emulator, 'downloadInfo')[0].body!)).toEqual({
			option: { version: 3, preferIntranet: true },
		});
	});

	test('preferIntranet is always sent (false by default), version only when given', async () => {
		const { emulator } = ctx;
		await runNode({
			parameters: download(emulator, '1004'),
			credentials: appCredentials(emulator),
		});
		expect(JSON.parse(apiCalls(emulator, 'downloadInfo')[0].body!)).toEqual({
			option: { preferIntranet: false },
		});
	});

	test('path parameters are URL-encoded, never interpreted', async () => {
		const { emulator } = ctx;
		for (const dentryId of ['../x', 'a/b', '%2e%2e', 'a?b#c']) {
			const { output } = await runNode({
				parameters: download(emulator, dentryId),
				credentials: appCredentials(emulator),
				continueOnFail: true,
			});
			expect(output![0].json.code).toBe('dentryNotExist');
		}
		// The first call of a download reads the file's details (its kind is checked).
		const paths = apiCalls(emulator, 'dentry').map((entry) => entry.path.split('?')[0]);
		expect(paths).toEqual([
			'/v1.0/storage/spaces/1000/dentries/..%2Fx/query',
			'/v1.0/storage/spaces/1000/dentries/a%2Fb/query',
			'/v1.0/storage/spaces/1000/dentries/%252e%252e/query',
			'/v1.0/storage/spaces/1000/dentries/a%3Fb%23c/query',
		]);
	});
});
