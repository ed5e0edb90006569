/**
 * The transfer under faults, through n8n's execution engine: URL fallback, re-query on
 * an expired signature, resumes after a broken connection, and failures that emit nothing.
 */
import {
	apiCalls,
	appCredentials,
	binarySha256,
	download,
	partialBinaries,
	storageCalls,
	useEmulator,
} from '../harness/fixtures';
import { runNode, useBinaryMode, type BinaryMode } from '../harness/n8n';

const BIG = '1005'; // 3 MiB + 17 bytes
const BIG_SIZE = 3 * 1024 * 1024 + 17;

describe.each<BinaryMode>(['filesystem', 'default'])('faults in %s binary mode', (mode) => {
	const ctx = useEmulator(mode);

	test('5xx on the first URL: the next URL serves the file', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { failFirstUrl: 503 });
		const { output } = await runNode({
			parameters: download(emulator, BIG),
			credentials: appCredentials(emulator),
		});
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(BIG));
		expect(storageCalls(emulator).map((call) => [call.path.split('/')[1], call.status])).toEqual([
			['oss-a', 503],
			['oss-b', 200],
		]);
	});

	test('connection refused on the first URL: the next URL serves the file', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { refuseFirstUrl: true });
		const { output } = await runNode({
			parameters: download(emulator, BIG),
			credentials: appCredentials(emulator),
		});
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(BIG));
	});

	test('an expired signature (403): download info is queried again, once, and the download succeeds', async () => {
		const { emulator } = ctx;
		emulator.expireNextSignatures(1);
		const { output } = await runNode({
			parameters: download(emulator, BIG),
			credentials: appCredentials(emulator),
		});
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(BIG));
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(2);
		expect(storageCalls(emulator).map((call) => call.status)).toEqual([403, 403, 200]);
	});

	test('403 on every attempt: one re-query, then a clear error and no binary', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { forbidden: true });
		const { output } = await runNode({
			parameters: download(emulator, BIG),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json).toMatchObject({ code: 'storageForbidden', httpCode: 403 });
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(2);
		expect(storageCalls(emulator)).toHaveLength(4);
	});

	test.each([1, 65_536, 1_000_000, BIG_SIZE - 1])(
		'connection reset after %i bytes: resumed with a range and verified',
		async (offset) => {
			const { emulator } = ctx;
			emulator.setFault(BIG, { resetAfterBytes: offset, times: 1 });
			const { output, error } = await runNode({
				parameters: download(emulator, BIG),
				credentials: appCredentials(emulator),
			});
			expect(error).toBeUndefined();
			expect(output![0].json.size).toBe(BIG_SIZE);
			expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(BIG));
			const resumed = storageCalls(emulator)[1];
			expect(resumed.headers.range).toMatch(/^bytes=\d+-3145744$/);
		},
	);

	test('a range download that breaks off resumes within the range', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { resetAfterBytes: 100_000, times: 1 });
		const { output } = await runNode({
			parameters: download(emulator, BIG, { range: '1000-1999999' }),
			credentials: appCredentials(emulator),
		});
		expect(output![0].json).toMatchObject({
			size: 1_999_000,
			contentRange: `bytes 1000-1999999/${BIG_SIZE}`,
		});
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256(BIG, 1000, 1_999_999));
	});

	test('a body that keeps ending short: a clear error, nothing emitted, the other items intact', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { truncateAfterBytes: 1000 });
		const { output } = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}'),
			items: [{ dentryId: '1004' }, { dentryId: BIG }, { dentryId: '1001' }],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output).toHaveLength(3);
		expect(output![1].binary).toBeUndefined();
		expect(output![1].json.code).toBe('incompleteBody');
		expect(output![1].json.error).toMatch(/The download is incomplete/);
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1004'));
		expect(await binarySha256(output![2].binary!.data)).toBe(emulator.sha256('1001'));
	});

	test('without Continue On Fail a truncated body fails the node', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { truncateAfterBytes: 5000 });
		const { output, error } = await runNode({
			parameters: download(emulator, BIG),
			credentials: appCredentials(emulator),
		});
		expect(output).toBeUndefined();
		expect(error!.message).toMatch(/incomplete/);
	});

	test('a stalled body hits the idle timeout: resumed, then a clear error and no binary', async () => {
		const { emulator } = ctx;
		emulator.setFault('1004', { bodyDelayMs: 1500 });
		const { output } = await runNode({
			parameters: download(emulator, '1004', { idleTimeout: 300 }),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.code).toBe('incompleteBody');
		expect(output![0].json.error).toMatch(
			/no data arrived for longer than the idle timeout\); gave up after 3 resume attempt/,
		);
	});

	test('without an Idle Timeout, the (Response) Timeout also ends a body that goes silent, as in the HTTP Request node', async () => {
		const { emulator } = ctx;
		// Without the rule the 1,000-byte file would arrive whole after 1.5 s of silence.
		emulator.setFault('1004', { bodyDelayMs: 1500 });
		const { output } = await runNode({
			parameters: download(emulator, '1004', { timeout: 300 }),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].binary).toBeUndefined();
		expect(output![0].json.code).toBe('incompleteBody');
		expect(output![0].json.error).toMatch(/no data arrived for longer than the idle timeout/);
		// An explicit Idle Timeout wins over the Timeout.
		const patient = await runNode({
			parameters: download(emulator, '1004', { timeout: 300, idleTimeout: 5000 }),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(patient.output![0].json.error).toBeUndefined();
		expect(await binarySha256(patient.output![0].binary!.data)).toBe(emulator.sha256('1004'));
	});

	test('the access token never reaches storage; storage gets exactly the signed headers', async () => {
		const { emulator } = ctx;
		await runNode({
			parameters: download(emulator, '1001', { range: '0-9' }),
			credentials: appCredentials(emulator),
		});
		for (const call of storageCalls(emulator)) {
			expect(call.headers['x-acs-dingtalk-access-token']).toBeUndefined();
			expect(call.headers['accept-encoding']).toBe('identity');
			expect(call.headers['content-type']).toBeUndefined();
			expect(Object.keys(call.headers).filter((name) => name.startsWith('x-oss-'))).toEqual([
				'x-oss-date',
			]);
		}
	});
});

describe('nothing half-written is left behind', () => {
	const ctx = useEmulator('filesystem');

	test("a transfer that fails mid-body leaves no partial file in n8n's storage", async () => {
		const { emulator } = ctx;
		const storage = await useBinaryMode('filesystem');
		emulator.setFault(BIG, { truncateAfterBytes: 600_000 });
		const { output } = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}'),
			items: [{ dentryId: '1004' }, { dentryId: BIG }, { dentryId: '1001' }],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![1].json.code).toBe('incompleteBody');
		expect(output![0].binary).toBeDefined();
		expect(partialBinaries(storage)).toEqual([]);
	});

	test('cancelling the execution mid-download stops the transfer and leaves nothing half-written', async () => {
		const { emulator } = ctx;
		const storage = await useBinaryMode('filesystem');
		const file = `gen-${64 * 1024 * 1024}`;
		emulator.setFault(file, { bodyDelayMs: 10 });
		const { output } = await runNode({
			parameters: download(emulator, file),
			credentials: appCredentials(emulator),
			cancelAfterMs: 800,
		});
		expect(output?.[0]?.binary).toBeUndefined();
		const transfer = storageCalls(emulator)[0];
		// Give the emulator a moment to notice the closed connection.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(transfer.completed).toBe(false);
		expect(transfer.sentBytes).toBeLessThan(emulator.file(file).size / 2);
		expect(partialBinaries(storage)).toEqual([]);
	});
});
