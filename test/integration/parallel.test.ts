/**
 * Items in parallel (option "Items in Parallel") under DingTalk's rate limit: output order
 * and item linking unchanged, no QPS error reaching the user, and nothing half-written
 * left behind when some of the parallel downloads fail.
 */
import {
	apiCalls,
	appCredentials,
	binarySha256,
	download,
	partialBinaries,
	useEmulator,
} from '../harness/fixtures';
import { runNode, useBinaryMode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

// The pacing itself (never more than 20 calls in any second) is proved on an injected clock
// (test/unit/rateLimiter.test.ts). Here the emulator runs in the test's own process and stamps
// each call when it handles it: on a loaded machine, calls that arrived a second apart can be
// handled together and read as a burst. So what is asserted is what a user sees: every item
// succeeds, each file's download info is fetched once successfully, in order.
test("at the emulator's 20 requests/second limit, 60 items in parallel: all succeed, each file's info fetched once", async () => {
	const { emulator } = ctx;
	emulator.state.qpsLimit = 20;
	const ids = ['1001', '1004', '1006'];
	const items = Array.from({ length: 60 }, (_, i) => ({ dentryId: ids[i % 3] }));
	const { output, error } = await runNode({
		parameters: download(emulator, '={{ $json.dentryId }}', { concurrency: 8 }),
		items,
		credentials: appCredentials(emulator),
	});
	expect(error).toBeUndefined();
	expect(output).toHaveLength(60);
	expect(output!.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
	expect(output!.map((item) => item.json.dentryId)).toEqual(items.map((item) => item.dentryId));
	for (const [i, item] of output!.entries()) {
		if (i < 6)
			expect(await binarySha256(item.binary!.data)).toBe(emulator.sha256(items[i].dentryId));
	}
	const calls = apiCalls(emulator, 'downloadInfo');
	expect(calls.filter((call) => call.status === 200)).toHaveLength(60);
	// Anything else is DingTalk's QPS answer, retried (never another error).
	for (const call of calls.filter((each) => each.status !== 200)) expect(call.status).toBe(403);
	const rejected = (emulator.qpsRejections() as Record<string, number>)['downloadInfos.query'] ?? 0;
	expect(rejected).toBe(calls.filter((call) => call.status !== 200).length);
});

test('parallel items with failures among them: order kept, the failures are error items, no partial files', async () => {
	const { emulator } = ctx;
	const storage = await useBinaryMode('filesystem');
	emulator.setFault('1005', { truncateAfterBytes: 300_000 });
	const ids = ['1001', '1005', 'missing', '1004', '1005', '1002', '1005', '1001'];
	const { output } = await runNode({
		parameters: download(emulator, '={{ $json.dentryId }}', { concurrency: 4 }),
		items: ids.map((dentryId) => ({ dentryId })),
		credentials: appCredentials(emulator),
		continueOnFail: true,
	});
	expect(output!.map((item) => item.json.code ?? item.json.dentryId)).toEqual([
		'1001',
		'incompleteBody',
		'dentryNotExist',
		'1004',
		'incompleteBody',
		'1002',
		'incompleteBody',
		'1001',
	]);
	for (const [i, item] of output!.entries()) {
		if (item.binary) expect(await binarySha256(item.binary.data)).toBe(emulator.sha256(ids[i]));
	}
	expect(partialBinaries(storage)).toEqual([]);
});

test('without Continue On Fail, one failure stops the parallel run and names its item', async () => {
	const { emulator } = ctx;
	const { output, error } = await runNode({
		parameters: download(emulator, '={{ $json.dentryId }}', { concurrency: 4 }),
		items: ['1001', '1004', 'error-spaceNotExist', '1002', '1005', '1001'].map((dentryId) => ({
			dentryId,
		})),
		credentials: appCredentials(emulator),
	});
	expect(output).toBeUndefined();
	expect(error!.message).toContain('The space does not exist');
	expect((error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(2);
});

test('Items in Parallel and Requests per Second are checked', async () => {
	const { emulator } = ctx;
	const bad = await runNode({
		parameters: download(emulator, '1004', { concurrency: 0 }),
		credentials: appCredentials(emulator),
	});
	expect(bad.error?.message).toContain('Invalid "concurrency"');
	const badRate = await runNode({
		parameters: download(emulator, '1004', { requestsPerSecond: -1 }),
		credentials: appCredentials(emulator),
	});
	expect(badRate.error?.message).toContain('Invalid "requestsPerSecond"');
});
