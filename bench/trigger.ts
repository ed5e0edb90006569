/**
 * `npm run bench:trigger`: what the DingTalk Storage Trigger costs. API calls per poll of an
 * unchanged folder (flat folders of 10, 120 and 1,000 entries; a three-level tree), the
 * calls a month at typical poll intervals against the standard edition's ~5,000, and the
 * size of the state kept in the workflow's static data for 100,000 entries. A script that
 * prints figures: no assertions.
 */
import { EMULATOR_DEFAULTS, startEmulator } from '../emulator';
import { detectChanges, type ListedEntry } from '../nodes/DingTalk/shared/watch/changes';
import { runPoll, stopN8nTimers } from '../test/harness/n8n';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const SPACE = EMULATOR_DEFAULTS.spaceId;
const MONTH_MINUTES = 30 * 24 * 60;

async function callsPerPoll(
	emulator: Emulator,
	folderId: string,
	recursive: boolean,
): Promise<number> {
	const parameters = {
		spaceId: SPACE,
		folderId,
		unionId: emulator.unionId,
		events: ['created', 'updated', 'deleted'],
		options: { recursive },
	};
	const credentials = {
		authentication: 'appCredentials',
		appKey: emulator.appKey,
		appSecret: emulator.appSecret,
		baseUrl: emulator.baseUrl,
	};
	const baseline = await runPoll({ parameters, credentials });
	if (baseline.error) throw baseline.error;
	emulator.apiCounts.clear();
	const again = await runPoll({ parameters, credentials, staticData: baseline.staticData });
	if (again.error) throw again.error;
	return [...emulator.apiCounts.values()].reduce((sum, count) => sum + count, 0);
}

async function main() {
	const emulator = await startEmulator();
	const { drive } = emulator;
	// The root of space 1000 keeps its seeded tree; new folders hold the measured cases.
	const rows: Array<[string, number]> = [];
	for (const size of [10, 120, 1000]) {
		const folder = drive.createFolder(SPACE, '0', `flat-${size}`, 'AUTO_RENAME');
		for (let i = 0; i < size; i++) drive.addFile(SPACE, folder.id, `file-${i}.pdf`);
		rows.push([`flat folder, ${size} entries`, await callsPerPoll(emulator, folder.id, false)]);
	}
	// Three levels: 5 folders of 4 sub-folders each, 30 files in every folder (630 files, 26 folders).
	const top = drive.createFolder(SPACE, '0', 'tree', 'AUTO_RENAME');
	for (let a = 0; a < 5; a++) {
		const level1 = drive.createFolder(SPACE, top.id, `dept-${a}`, 'AUTO_RENAME');
		for (let i = 0; i < 30; i++) drive.addFile(SPACE, level1.id, `a-${i}.pdf`);
		for (let b = 0; b < 4; b++) {
			const level2 = drive.createFolder(SPACE, level1.id, `team-${b}`, 'AUTO_RENAME');
			for (let i = 0; i < 30; i++) drive.addFile(SPACE, level2.id, `b-${i}.pdf`);
		}
	}
	rows.push([
		'three-level tree: 26 folders, 750 files (recursive)',
		await callsPerPoll(emulator, top.id, true),
	]);
	await emulator.close();
	stopN8nTimers();

	console.log('API calls per poll of an unchanged folder (the baseline poll costs the same):');
	for (const [label, calls] of rows) console.log(`  ${label.padEnd(52)} ${calls}`);
	console.log(
		'\nCalls a month (30 days) = calls per poll x polls; the standard edition allows about 5,000 for the whole organization:',
	);
	const intervals: Array<[string, number]> = [
		['every minute', 1],
		['every 5 minutes', 5],
		['every 15 minutes', 15],
		['every hour', 60],
		['every 6 hours', 360],
		['once a day', 1440],
	];
	console.log(
		`  ${'interval'.padEnd(18)}${rows.map(([, calls]) => `${calls} call(s)/poll`.padStart(18)).join('')}`,
	);
	for (const [label, minutes] of intervals) {
		console.log(
			`  ${label.padEnd(18)}${rows.map(([, calls]) => String(Math.round((MONTH_MINUTES / minutes) * calls)).padStart(18)).join('')}`,
		);
	}

	// The state for 100,000 entries, with realistic names, paths and times.
	const listing: ListedEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
		id: String(118_459_735_262 + i),
		name: `合同-2026-${String(i).padStart(6, '0')}.pdf`,
		parentId: String(118_459_700_000 + Math.floor(i / 500)),
		type: 'FILE',
		version: 1 + (i % 7),
		size: 10_000 + i,
		modifiedTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
		status: 'NORMAL',
		path: `/合同/部门-${Math.floor(i / 500)}/合同-2026-${String(i).padStart(6, '0')}.pdf`,
	}));
	const started = process.hrtime.bigint();
	const { next } = detectChanges(undefined, listing, 'bench', {
		events: ['created', 'updated', 'deleted'],
		includeFolders: false,
		extensions: [],
	});
	const { events } = detectChanges(next, listing, 'bench', {
		events: ['created', 'updated', 'deleted'],
		includeFolders: false,
		extensions: [],
	});
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const json = JSON.stringify(next);
	console.log(
		`\nState in the static data for 100,000 entries: ${(Buffer.byteLength(json) / 1024 / 1024).toFixed(1)} MiB of JSON (${Math.round(Buffer.byteLength(json) / 100_000)} bytes an entry); baseline and an unchanged comparison: ${ms.toFixed(0)} ms, ${events.length} events`,
	);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
