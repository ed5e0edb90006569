/**
 * `npm run bench:events`: what the DingTalk Storage Event Trigger costs and how fast it is,
 * against the emulator's Stream gateway (real WebSocket on 127.0.0.1), the trigger running
 * in n8n-core's TriggerContext in this process (its emit is where n8n starts an execution):
 *  - latency from a change (a file added through the emulator's control API) to the emit:
 *    p50 and p95 over 200 changes, one at a time;
 *  - API calls per event: creates and updates (one details query each), deletes (none),
 *    events of another space and filtered extensions (none);
 *  - the process's heap over 20,000 events through the connection (the dedupe memory of
 *    the last 10,000 event IDs fills, then stays);
 *  - the same changes through the polling trigger: its calls a month at a 1-minute and a
 *    15-minute interval, beside the Event Trigger's for the same folder and change rate.
 * A script that prints figures: no assertions. Run it on a quiet machine.
 */
import { EMULATOR_DEFAULTS, startEmulator } from '../emulator';
import { StreamRegistry } from '../nodes/DingTalk/shared/stream';
import {
	activateEventTrigger,
	runPoll,
	stopN8nTimers,
	useBinaryMode,
	removeBinaryStorage,
} from '../test/harness/n8n';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const SPACE = EMULATOR_DEFAULTS.spaceId;
const MONTH_MINUTES = 30 * 24 * 60;

function totalCalls(emulator: Emulator): number {
	return [...emulator.apiCounts.values()].reduce((sum, count) => sum + count, 0);
}

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((resolve) => setImmediate(resolve));
	}
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function heapMiB(): number {
	(globalThis as { gc?: () => void }).gc?.();
	return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main() {
	await useBinaryMode('filesystem');
	const emulator = await startEmulator();
	const registry = new StreamRegistry();
	const folder = emulator.drive.createFolder(SPACE, '0', 'events-bench', 'AUTO_RENAME') as {
		id: string;
	};
	for (let i = 0; i < 50; i++) emulator.drive.addFile(SPACE, folder.id, `existing-${i}.pdf`);
	const credentials = {
		authentication: 'appCredentials',
		appKey: emulator.appKey,
		appSecret: emulator.appSecret,
		baseUrl: emulator.baseUrl,
	};
	const parameters = {
		spaceId: SPACE,
		folderId: folder.id,
		unionId: emulator.unionId,
		events: ['created', 'updated', 'deleted'],
		options: { fileExtensions: 'pdf' },
	};

	const callsBefore = totalCalls(emulator);
	const trigger = await activateEventTrigger({ parameters, credentials, tunables: { registry } });
	const activationCalls = totalCalls(emulator) - callsBefore;

	// Latency: 200 changes, one at a time.
	const latencies: number[] = [];
	const created: string[] = [];
	let calls = totalCalls(emulator);
	for (let i = 0; i < 200; i++) {
		const before = trigger.emits.length;
		const started = process.hrtime.bigint();
		created.push((emulator.drive.addFile(SPACE, folder.id, `new-${i}.pdf`) as { id: string }).id);
		await until(() => trigger.emits.length > before);
		latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
	}
	const createCalls = (totalCalls(emulator) - calls) / 200;
	latencies.sort((a, b) => a - b);

	calls = totalCalls(emulator);
	for (const id of created.slice(0, 100)) {
		const before = trigger.emits.length;
		emulator.drive.editFile(id);
		await until(() => trigger.emits.length > before);
	}
	const updateCalls = (totalCalls(emulator) - calls) / 100;

	calls = totalCalls(emulator);
	for (const id of created.slice(100)) {
		const before = trigger.emits.length;
		emulator.drive.remove(SPACE, id, true);
		await until(() => trigger.emits.length > before);
	}
	const deleteCalls = (totalCalls(emulator) - calls) / 100;

	// Filtered: another extension (the event says it), another space.
	calls = totalCalls(emulator);
	const acked = () => emulator.stream.acks().length;
	const ackedBefore = acked();
	for (let i = 0; i < 100; i++) emulator.drive.addFile(SPACE, folder.id, `skip-${i}.txt`);
	for (let i = 0; i < 100; i++)
		emulator.stream.sendEvent({
			eventType: 'storage_dentry_update',
			data: { spaceId: '2000', dentryId: `other-${i}`, type: 'FILE', extension: 'pdf' },
		});
	await until(() => acked() >= ackedBefore + 200);
	await new Promise((resolve) => setTimeout(resolve, 200));
	const filteredCalls = (totalCalls(emulator) - calls) / 200;

	// The polling trigger on the same folder, as it is now.
	const baseline = await runPoll({ parameters, credentials });
	const pollBefore = totalCalls(emulator);
	await runPoll({ parameters, credentials, staticData: baseline.staticData });
	const callsPerPoll = totalCalls(emulator) - pollBefore;
	const entries = emulator.drive.children(SPACE, folder.id).length;

	// Memory over 20,000 events (another space's: no call, no item; every one acknowledged).
	// The emulator runs in this process: its records of deliveries and acknowledgements are
	// cleared before each batch, so that what grows is the client's (the connection, the
	// dedupe memory of the last 10,000 event IDs, the trigger's queue).
	emulator.reset();
	const heapBefore = heapMiB();
	const heaps: string[] = [];
	for (let batch = 1; batch <= 10; batch++) {
		emulator.reset();
		for (let i = 0; i < 2_000; i++)
			emulator.stream.sendEvent({
				eventType: 'storage_dentry_create',
				data: { spaceId: '2000', dentryId: `mem-${batch}-${i}`, type: 'FILE', extension: 'pdf' },
			});
		await until(() => acked() >= 2_000, 120_000);
		emulator.reset();
		if (batch % 2 === 0)
			heaps.push(`${(batch * 2_000).toLocaleString('en')}: ${heapMiB().toFixed(1)} MiB`);
	}
	const heapAfter = heapMiB();
	await trigger.close();
	await registry.closeAll();

	await emulator.close();
	stopN8nTimers();
	removeBinaryStorage();

	console.log(
		'DingTalk Storage Event Trigger (in-process, emulator on 127.0.0.1; the emit is where n8n starts the execution)',
	);
	console.log(
		`  activation (folder check, subscription, one listing of 50 entries): ${activationCalls} calls`,
	);
	console.log(
		`  latency, change -> emit, 200 creates one at a time: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
	);
	console.log(
		`  API calls per event: create ${createCalls.toFixed(2)}, update ${updateCalls.toFixed(2)}, delete ${deleteCalls.toFixed(2)}, filtered (other extension, other space) ${filteredCalls.toFixed(2)}`,
	);
	console.log(
		`  heap over 20,000 events through the connection (after GC): ${heapBefore.toFixed(1)} MiB before; ${heaps.join(', ')}; ${(heapAfter - heapBefore).toFixed(1)} MiB growth`,
	);
	console.log('');
	console.log(
		`Calls a month (30 days), this folder (${entries} entries), 100 changes a day (creates and updates):`,
	);
	const eventMonth = 100 * 30 * createCalls + 30 * callsPerPoll;
	console.log(
		`  Event Trigger, daily reconcile:          ${Math.round(eventMonth).toLocaleString('en').padStart(9)}  (${(100 * 30 * createCalls).toLocaleString('en')} details + ${(30 * callsPerPoll).toLocaleString('en')} listing)`,
	);
	console.log(
		`  Event Trigger, reconcile only at start:  ${Math.round(100 * 30 * createCalls)
			.toLocaleString('en')
			.padStart(9)}`,
	);
	for (const minutes of [1, 15]) {
		console.log(
			`  polling trigger every ${String(minutes).padEnd(2)} minute(s):       ${((MONTH_MINUTES / minutes) * callsPerPoll).toLocaleString('en').padStart(9)}  (${callsPerPoll} calls a poll, whatever changes)`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
