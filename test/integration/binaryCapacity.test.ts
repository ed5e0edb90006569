/**
 * Files larger than n8n's binary data mode can hold: refused before their body is read
 * when the storage announces the size, stopped as soon as they pass the limit when it does
 * not, in n8n's real execution engine. The database mode (n8n 2.x's queue-mode default) is
 * played here by a store that does what n8n 2.41.1's DatabaseManager does, and proven in
 * real n8n by test/queue.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import {
	appCredentials,
	binarySha256,
	download,
	rl,
	runStorage,
	storageCalls,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { binaryService, runNode, runPoll, type BinaryMode } from '../harness/n8n';

const MiB = 1024 * 1024;
const TWELVE = `gen-${12 * MiB}`;

/** Bytes the storage sent for one file. */
function sentFor(emulator: Emulator, dentryId: string): number {
	return storageCalls(emulator)
		.filter(
			(entry) => entry.path.includes(encodeURIComponent(dentryId)) || entry.path.includes(dentryId),
		)
		.reduce((sum, entry) => sum + (entry.sentBytes ?? 0), 0);
}

describe('in-memory binary mode (default)', () => {
	const ctx = useEmulator('default');

	test('a file over "In-Memory Size Limit" is refused before its body is read, naming mode, size, limit and fix', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, TWELVE, { inMemoryLimit: 8 }),
			credentials: appCredentials(emulator),
		});
		expect(output).toBeUndefined();
		expect(error?.message).toBe(
			`The file is 12 MiB (${12 * MiB} bytes), more than n8n's "default" binary data mode may hold (8 MiB, the node option "In-Memory Size Limit"); it was not downloaded`,
		);
		expect(error?.description).toMatch(/N8N_DEFAULT_BINARY_DATA_MODE=filesystem/);
		expect(error?.description).toMatch(/raise "In-Memory Size Limit"/);
		// The connection was dropped at the headers: at most what the socket buffers held.
		expect(sentFor(emulator, TWELVE)).toBeLessThan(6 * MiB);
	});

	test('the same file under a raised limit downloads byte-exact', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, TWELVE, { inMemoryLimit: 16 }),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(TWELVE));
	});

	test('the default limit is 256 MiB; above 384 MiB the mode cannot hold a file at all, whatever the option says', async () => {
		const { emulator } = ctx;
		const over = `gen-${256 * MiB + 1}`;
		const first = await runNode({
			parameters: download(emulator, over),
			credentials: appCredentials(emulator),
		});
		expect(first.error?.message).toMatch(/\(256 MiB, the node option "In-Memory Size Limit"\)/);
		const huge = `gen-${400 * MiB}`;
		const second = await runNode({
			parameters: download(emulator, huge, { inMemoryLimit: 1024 }),
			credentials: appCredentials(emulator),
		});
		expect(second.error?.message).toMatch(
			/^The file is 400 MiB .*"default" binary data mode may hold \(383.99 MiB: the mode keeps files as base64 text/,
		);
		expect(sentFor(emulator, huge)).toBeLessThan(6 * MiB);
	});

	test('a body without Content-Length is stopped once it passes the limit; nothing is emitted', async () => {
		const { emulator } = ctx;
		emulator.setFault(TWELVE, { noContentLength: true });
		const { output, error } = await runNode({
			parameters: download(emulator, TWELVE, { inMemoryLimit: 8 }),
			credentials: appCredentials(emulator),
		});
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(
			/^The file passed 8 MiB while downloading \(the storage did not announce its size\), more than n8n's "default" binary data mode may hold \(8 MiB/,
		);
		// Under the limit, the same chunked body arrives whole.
		const fine = await runNode({
			parameters: download(emulator, TWELVE, { inMemoryLimit: 12 }),
			credentials: appCredentials(emulator),
		});
		expect(fine.error).toBeUndefined();
		expect(await binarySha256(fine.output![0].binary!.data)).toBe(emulator.sha256(TWELVE));
	});

	test('under Continue On Fail the refused file is an error item and the others download', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, '={{ $json.id }}', { inMemoryLimit: 8 }),
			items: [{ id: '1004' }, { id: TWELVE }, { id: '1001' }],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3);
		expect(output![1].binary).toBeUndefined();
		expect(output![1].json.code).toBe('tooLargeForBinaryMode');
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1004'));
		expect(await binarySha256(output![2].binary!.data)).toBe(emulator.sha256('1001'));
	});

	test("the Storage node's File → Download honours the same option", async () => {
		const { emulator } = ctx;
		const { error } = await runStorage(emulator, 'file', 'download', {
			dentryId: { __rl: true, mode: 'id', value: TWELVE },
			binaryPropertyName: 'data',
			options: { inMemoryLimit: 8 },
		});
		expect(error?.message).toMatch(/more than n8n's "default" binary data mode may hold \(8 MiB/);
	});

	test('the trigger reports a file the mode cannot hold as downloadSkipped, by its listed size, without fetching it', async () => {
		const { emulator } = ctx;
		const parameters = {
			spaceId: rl('1000'),
			folderId: rl('0'),
			unionId: emulator.unionId,
			events: ['created'],
			options: { download: true },
		};
		const baseline = await runPoll({
			parameters,
			credentials: appCredentials(emulator),
			mode: 'trigger',
		});
		const big = emulator.drive.addFile('1000', '0', 'huge.iso', { size: 300 * MiB }) as {
			id: string;
		};
		const small = emulator.drive.addFile('1000', '0', 'small.pdf') as { id: string };
		const { output, error } = await runPoll({
			parameters,
			credentials: appCredentials(emulator),
			staticData: baseline.staticData,
			mode: 'trigger',
		});
		expect(error).toBeUndefined();
		const byName = Object.fromEntries(output!.map((item) => [String(item.json.name), item]));
		expect(byName['huge.iso'].binary).toBeUndefined();
		expect(byName['huge.iso'].json.downloadSkipped).toMatch(
			/^The file is 300 MiB .*"default" binary data mode may hold \(256 MiB/,
		);
		expect(byName['small.pdf'].binary).toBeDefined();
		expect(sentFor(emulator, big.id)).toBe(0);
		expect(sentFor(emulator, small.id)).toBeGreaterThan(0);
	});

	test.each([0, 1.5, -3])(
		'"In-Memory Size Limit" %p is rejected before any request',
		async (value) => {
			const { emulator } = ctx;
			const { error } = await runNode({
				parameters: download(emulator, '1004', { inMemoryLimit: value }),
				credentials: appCredentials(emulator),
			});
			expect(error?.message).toMatch(
				/^Invalid "inMemoryLimit": .* is not a whole number from 1 to/,
			);
			expect(emulator.log).toHaveLength(0);
		},
	);
});

describe.each<BinaryMode>(['filesystem'])('%s binary mode', (mode) => {
	const ctx = useEmulator(mode);

	test('streams to disk: the in-memory limit does not apply', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, TWELVE, { inMemoryLimit: 1 }),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		expect(output![0].binary!.data.id).toMatch(/^filesystem/);
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(TWELVE));
	});
});

/**
 * n8n 2.41.1's `database` binary data mode, as its DatabaseManager.store does it: the whole
 * stream is read into memory first, and only then compared with the limit n8n's own config
 * took from N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE. (Bytes are counted here rather than
 * kept, except for files small enough to hash afterwards.)
 */
function useDatabaseMode(n8nLimitMiB: () => number) {
	const stored = new Map<string, Buffer>();
	/** The byte count of every stream or buffer n8n's store was handed, in order. */
	const reads: number[] = [];
	let service: { setManager: (mode: string, manager: unknown) => void; mode: string };
	beforeAll(() => {
		service = binaryService() as unknown as typeof service;
		service.setManager('database', {
			init: async () => undefined,
			store: async (_location: unknown, data: Buffer | Readable) => {
				let bytes = 0;
				const kept: Buffer[] = [];
				for await (const chunk of Buffer.isBuffer(data) ? [data] : data) {
					bytes += (chunk as Buffer).length;
					if (bytes <= 16 * MiB) kept.push(chunk as Buffer);
				}
				reads.push(bytes);
				if (bytes / MiB > n8nLimitMiB())
					throw new Error(
						`n8n: the size of ${bytes} bytes exceeds the max size limit of ${n8nLimitMiB()} MB set for \`database\` mode`,
					);
				const fileId = randomUUID();
				stored.set(fileId, Buffer.concat(kept));
				return { fileId, fileSize: bytes };
			},
			getAsStream: async (fileId: string) => Readable.from([stored.get(fileId)!]),
			getAsBuffer: async (fileId: string) => stored.get(fileId)!,
			getPath: (fileId: string) => `database://${fileId}`,
			getMetadata: async () => ({}),
		});
		service.mode = 'database';
	});
	beforeEach(() => {
		reads.length = 0;
		stored.clear();
	});
	afterAll(() => {
		service.mode = 'default';
		delete process.env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE;
	});
	return reads;
}

describe("database binary mode (n8n 2.x's queue-mode default), in process", () => {
	const ctx = useEmulator('default');
	let n8nLimit = 8;
	const reads = useDatabaseMode(() => n8nLimit);
	const HUGE = `gen-${512 * MiB}`;

	beforeEach(() => {
		n8nLimit = 8;
		process.env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = '8';
	});

	test.each([
		['one connection', {}],
		['Parallel Connections 4 (a ranged first answer)', { parallelConnections: 4 }],
	])(
		"a 512 MiB file at a limit of 8 MiB, %s: refused before a byte reaches n8n's store, 10 runs of 10",
		async (_how, options) => {
			const { emulator } = ctx;
			const outcomes: string[] = [];
			for (let run = 0; run < 10; run++) {
				reads.length = 0;
				const { output, error } = await runNode({
					parameters: download(emulator, HUGE, options),
					credentials: appCredentials(emulator),
				});
				// Only the mode probe (an empty binary) was stored.
				outcomes.push(
					`${output === undefined ? 'no output' : 'output'}; ${error?.message ?? 'no error'}; store read ${reads.join(', ')}`,
				);
			}
			const refused = `no output; The file is 512 MiB (${512 * MiB} bytes), more than n8n's "database" binary data mode may hold (8 MiB, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE); it was not downloaded; store read 0`;
			expect(outcomes).toEqual(Array.from({ length: 10 }, () => refused));
			expect(
				storageCalls(ctx.emulator).reduce((sum, entry) => sum + (entry.sentBytes ?? 0), 0),
			).toBeLessThan(10 * 8 * MiB);
		},
	);

	test("a 512 MiB body without Content-Length is stopped at 8 MiB, before n8n's store holds more, 10 runs of 10", async () => {
		const { emulator } = ctx;
		const outcomes: string[] = [];
		for (let run = 0; run < 10; run++) {
			reads.length = 0;
			emulator.setFault(HUGE, { noContentLength: true });
			const { error } = await runNode({
				parameters: download(emulator, HUGE),
				credentials: appCredentials(emulator),
			});
			outcomes.push(
				`${error?.message}; store handed at most the limit: ${reads.every((bytes) => bytes <= 8 * MiB)}`,
			);
		}
		const stopped =
			'The file passed 8 MiB while downloading (the storage did not announce its size), more than n8n\'s "database" binary data mode may hold (8 MiB, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE); the download was stopped and nothing was stored; store handed at most the limit: true';
		expect(outcomes).toEqual(Array.from({ length: 10 }, () => stopped));
	});

	test('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=2048, which n8n ignores (it keeps 512): a 600 MiB file is refused before it is read', async () => {
		const { emulator } = ctx;
		process.env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = '2048';
		n8nLimit = 512;
		const big = `gen-${600 * MiB}`;
		const { error } = await runNode({
			parameters: download(emulator, big),
			credentials: appCredentials(emulator),
		});
		expect(error?.message).toBe(
			`The file is 600 MiB (${600 * MiB} bytes), more than n8n's "database" binary data mode may hold (512 MiB, n8n's default: it ignores N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=2048, which is not a number of MiB up to 1024); it was not downloaded`,
		);
		expect(reads).toEqual([0]);
		expect(sentFor(emulator, big)).toBeLessThan(8 * MiB);
	});

	test('a file under the limit goes to the database store whole and byte-exact', async () => {
		const { emulator } = ctx;
		const fits = `gen-${7 * MiB + 3}`;
		const { output, error } = await runNode({
			parameters: download(emulator, fits),
			credentials: appCredentials(emulator),
		});
		expect(error).toBeUndefined();
		expect(output![0].binary!.data.id).toMatch(/^database:/);
		// Under every mode's smallest limit: no probe, the file alone.
		expect(reads).toEqual([7 * MiB + 3]);
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(fits));
	});
});
