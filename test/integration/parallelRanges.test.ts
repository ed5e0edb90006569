/**
 * Parallel ranged download (option "Parallel Connections"): byte-exact under faults,
 * one stream when ranges are ignored or the file is small, nothing half-written on failure.
 */
import {
	appCredentials,
	binarySha256,
	download,
	partialBinaries,
	storageCalls,
	useEmulator,
} from '../harness/fixtures';
import { runNode, useBinaryMode, type BinaryMode } from '../harness/n8n';

const MiB = 1024 * 1024;
const FILE = `gen-${18 * MiB + 321}`; // five 4 MiB chunks, the last one short

describe.each<BinaryMode>(['filesystem', 'default'])(
	'parallel connections, %s binary mode',
	(mode) => {
		const ctx = useEmulator(mode);

		test.each([2, 4, 8])(
			'%i connections: byte-exact, reported as the whole file',
			async (connections) => {
				const { emulator } = ctx;
				const { output, error } = await runNode({
					parameters: download(emulator, FILE, { parallelConnections: connections }),
					credentials: appCredentials(emulator),
				});
				expect(error).toBeUndefined();
				expect(output![0].json).toMatchObject({ statusCode: 200, size: 18 * MiB + 321 });
				expect(output![0].json.contentRange).toBeUndefined();
				expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(FILE));
				const ranges = storageCalls(emulator).map((call) => call.headers.range);
				expect(ranges).toHaveLength(5);
				expect(new Set(ranges).size).toBe(5);
			},
		);

		test('connections reset mid-chunk: each range resumed on its own, the whole verified', async () => {
			const { emulator } = ctx;
			emulator.setFault(FILE, { resetAfterBytes: MiB + 7, times: 3 });
			const { output, error } = await runNode({
				parameters: download(emulator, FILE, { parallelConnections: 4 }),
				credentials: appCredentials(emulator),
			});
			expect(error).toBeUndefined();
			expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(FILE));
			expect(storageCalls(emulator).length).toBe(5 + 3);
		});

		test('URL fallback and re-query on an expired signature work with parallel ranges', async () => {
			const { emulator } = ctx;
			emulator.setFault(FILE, { failFirstUrl: 503 });
			emulator.expireNextSignatures(1);
			const { output } = await runNode({
				parameters: download(emulator, FILE, { parallelConnections: 4 }),
				credentials: appCredentials(emulator),
			});
			expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(FILE));
		});

		test('storage that ignores ranges: one stream, whole file', async () => {
			const { emulator } = ctx;
			emulator.setFault(FILE, { ignoreRange: true });
			const { output } = await runNode({
				parameters: download(emulator, FILE, { parallelConnections: 4 }),
				credentials: appCredentials(emulator),
			});
			expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(FILE));
			expect(storageCalls(emulator)).toHaveLength(1);
		});

		test('a file smaller than one chunk: one request, reported as the whole file', async () => {
			const { emulator } = ctx;
			const { output } = await runNode({
				parameters: download(emulator, '1001', { parallelConnections: 4 }),
				credentials: appCredentials(emulator),
			});
			expect(output![0].json).toMatchObject({
				statusCode: 200,
				size: 200_000,
				fileName: '合同-2026年度采购.pdf',
			});
			expect(output![0].json.contentRange).toBeUndefined();
			expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1001'));
		});
	},
);

describe('parallel connections that cannot complete', () => {
	const ctx = useEmulator('filesystem');

	test('a chunk that keeps breaking off: a clear error, nothing emitted, no partial file', async () => {
		const { emulator } = ctx;
		const storage = await useBinaryMode('filesystem');
		emulator.setFault(FILE, { truncateAfterBytes: 1000 });
		const { output } = await runNode({
			parameters: download(emulator, FILE, { parallelConnections: 4 }),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.code).toBe('incompleteBody');
		expect(partialBinaries(storage)).toEqual([]);
	});
});
