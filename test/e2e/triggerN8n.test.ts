/**
 * The DingTalk Storage Trigger in real n8n, as users run it: an activated workflow (the
 * trigger polling every 5 seconds → an HTTP Request node that hands each item to a recorder
 * in this test), changes made in the emulator between polls, the items of the next
 * execution; then n8n stopped and started again, with changes made while it was down,
 * and nothing delivered twice. n8n 2.41.1 (Node 24) and 1.123.81 (Node 20).
 *
 * Download Files is on, and one new file can never be downloaded (no permission): it comes
 * on its own item with `downloadError`, the good files beside it with their bytes, and it
 * never stalls the trigger.
 *
 * The mirror example runs beside it: files written to a local folder, set aside in its
 * `.deleted` folder as they are deleted or renamed in DingTalk; the file that cannot be
 * downloaded is skipped.
 *
 * Polls every 5 s (twelve once-a-minute schedules, see FAST_POLLS in scripts/workflows.js).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { EMULATOR_DEFAULTS, startEmulator } from '../../emulator';
import { listingsOf, startRecorder, waitFor, N8N_MATRIX } from '../harness/realN8n';

const { ensureN8n } =
	require('../../scripts/e2e/n8n-install') as typeof import('../../scripts/e2e/n8n-install');
const runner =
	require('../../scripts/e2e/n8n-runner') as typeof import('../../scripts/e2e/n8n-runner');
const build = require('../../scripts/workflows') as typeof import('../../scripts/workflows');

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Install = Awaited<ReturnType<typeof ensureN8n>>;
interface Received {
	event: string;
	dentryId: string;
	name: string;
	changes: string[];
	eventId: string;
	downloadError: string | null;
	hasFile: boolean;
}

const SPACE = EMULATOR_DEFAULTS.spaceId;
const skip1x = process.env.N8N_E2E_SKIP_1X === '1';

const VERSIONS = N8N_MATRIX;

describe.each(VERSIONS)('$label', ({ major }) => {
	const run = major === '1' && skip1x ? describe.skip : describe;

	run('DingTalk Storage Trigger, activated', () => {
		let install: Install;
		let emulator: Emulator;
		let recorder: Awaited<ReturnType<typeof startRecorder<Received>>>;
		let userFolder: string;
		/** The workflows the test activates (in its first n8n, through the editor's API). */
		let activeIds: string[] = [];
		/** The workflows, saved when the test's first n8n starts. */
		let saved: Array<Record<string, unknown> & { id: string }> = [];
		let watchedId: string;
		let mirrorId: string;
		/** Watch: File: one file watched by its own workflow, recorded apart. */
		let oneFileId: string;
		let oneFileRecorder: Awaited<ReturnType<typeof startRecorder<Received>>>;
		let mirrorDir: string;
		const env = () => ({ N8N_RESTRICT_FILE_ACCESS_TO: mirrorDir });
		/** The local copies, by name, with their sha256 (the set-aside `.deleted` folder apart). */
		const mirrored = () =>
			Object.fromEntries(
				readdirSync(mirrorDir)
					.filter((name) => name !== '.deleted')
					.map((name) => [
						name,
						createHash('sha256')
							.update(readFileSync(path.join(mirrorDir, name)))
							.digest('hex'),
					]),
			);
		/** Whether the local copies are exactly these files with these contents. */
		const sameCopies = (expected: Record<string, string>) => {
			const actual = mirrored();
			return (
				Object.keys(actual).length === Object.keys(expected).length &&
				Object.entries(expected).every(([name, sha]) => actual[name] === sha)
			);
		};
		/** The copies set aside, by their names without the time prefix. */
		const setAside = () =>
			existsSync(path.join(mirrorDir, '.deleted'))
				? readdirSync(path.join(mirrorDir, '.deleted'))
						.map((name) => name.replace(/^\d{8}-\d{6} /, ''))
						.sort()
				: [];

		/** The ID of an entry of the watched folder, by name. */
		const idOf = (name: string): string => {
			const entry = emulator.drive
				.children(SPACE, watchedId)
				.find((each: { name: string }) => each.name === name);
			if (!entry) throw new Error(`no ${name} in the watched folder`);
			return entry.id;
		};

		const mirrorOf = (name: string): string => {
			const entry = emulator.drive
				.children(SPACE, mirrorId)
				.find((each: { name: string }) => each.name === name);
			if (!entry) throw new Error(`no ${name} in the mirrored folder`);
			return entry.id;
		};

		/** Listing calls of the watched folder so far: one per poll. */
		const polls = () => listingsOf(emulator.log, watchedId);

		beforeAll(async () => {
			install = await ensureN8n(major);
			emulator = await startEmulator();
			recorder = await startRecorder<Received>();
			oneFileRecorder = await startRecorder<Received>();
			oneFileId = (emulator.drive.addFile(SPACE, '0', '单文件-e2e.docx') as { id: string }).id;
			const watched = emulator.drive.createFolder(SPACE, '0', '同步-e2e', 'AUTO_RENAME') as {
				id: string;
			};
			watchedId = watched.id;
			emulator.drive.addFile(SPACE, watchedId, 'a.pdf');
			emulator.drive.addFile(SPACE, watchedId, 'b.pdf');
			mirrorId = (
				emulator.drive.createFolder(SPACE, '0', '镜像-e2e', 'AUTO_RENAME') as { id: string }
			).id;
			emulator.drive.addFile(SPACE, mirrorId, 'm1.pdf');
			mirrorDir = mkdtempSync(path.join(tmpdir(), 'dingtalk-mirror-'));
			userFolder = runner.freshUserFolder();
			await runner.importCredentials(install, userFolder, [build.credentialRecord(emulator)]);
			const workflow = build.triggerToRecorder(
				'dtE2eTriggerWf1',
				emulator,
				watchedId,
				recorder.url,
				{ download: true },
			);

			// The mirror example, pointed at the emulator and a temporary folder, polling every 5 s.
			const mirror = build.exampleFor('mirror-folder.workflow.json', emulator);
			for (const node of mirror.nodes) {
				if (node.type === build.NODE_TYPES.trigger)
					Object.assign(node.parameters, {
						pollTimes: build.FAST_POLLS,
						folderId: build.locator(mirrorId),
					});
				for (const key of ['command', 'fileName']) {
					if (typeof node.parameters[key] === 'string')
						node.parameters[key] = (node.parameters[key] as string).replace(
							'/data/dingtalk-mirror',
							mirrorDir,
						);
				}
			}
			// Watch: File, on a file outside the watched folder.
			const oneFile = build.triggerToRecorder(
				'dtE2eTriggerOne1',
				emulator,
				'0',
				oneFileRecorder.url,
			);
			for (const node of oneFile.nodes)
				if (node.type === build.NODE_TYPES.trigger) {
					delete node.parameters.folderId;
					Object.assign(node.parameters, { watch: 'file', fileId: build.locator(oneFileId) });
				}
			saved = [workflow, mirror, oneFile];
			activeIds = saved.map((each) => each.id);
		}, 30 * 60_000);

		afterAll(async () => {
			await recorder?.close();
			await oneFileRecorder?.close();
			await emulator?.close();
			if (userFolder) rmSync(userFolder, { recursive: true, force: true });
			if (mirrorDir) rmSync(mirrorDir, { recursive: true, force: true });
		});

		test(
			'baseline silently; the next poll brings what changed (and the mirror example follows, byte-exact); across a restart nothing is lost and nothing comes twice',
			async () => {
				const server = await runner.startWorkflowServer(install, userFolder, env(), saved);
				let n8n: Awaited<ReturnType<typeof runner.startN8n>> = server;
				try {
					// Activated here, as the editor's toggle does; after the restart n8n activates
					// them itself.
					for (const id of activeIds) await server.activate(id);
					// Activation polls once: the baseline, which emits nothing.
					await waitFor('the baseline poll', () => polls() >= 1, 90_000, n8n.output);
					await new Promise((resolve) => setTimeout(resolve, 2_000));
					expect(recorder.received).toEqual([]);

					const c = emulator.drive.addFile(SPACE, watchedId, 'c.pdf') as { id: string };
					const locked = emulator.drive.addFile(SPACE, watchedId, 'locked.pdf') as { id: string };
					emulator.setFault(locked.id, { downloadInfoError: 'permissionDenied' });
					const m2 = emulator.drive.addFile(SPACE, mirrorId, 'm2.docx') as { id: string };
					const mirrorLocked = emulator.drive.addFile(SPACE, mirrorId, 'm-locked.pdf') as {
						id: string;
					};
					emulator.setFault(mirrorLocked.id, { downloadInfoError: 'permissionDenied' });
					emulator.drive.editFile(mirrorOf('m1.pdf'));
					emulator.drive.editFile(idOf('a.pdf'));
					emulator.drive.rename(SPACE, idOf('b.pdf'), 'b2.pdf');
					emulator.drive.editFile(oneFileId);
					// The next poll (within 5 s) starts an execution with the four changes.
					await waitFor(
						'the four changes',
						() => recorder.received.length >= 4,
						150_000,
						n8n.output,
					);
					expect(
						recorder.received
							.map((item) => [
								item.event,
								item.name,
								item.changes,
								item.hasFile,
								item.downloadError,
							])
							.sort(),
					).toEqual([
						['created', 'c.pdf', [], true, null],
						['created', 'locked.pdf', [], false, 'permissionDenied'],
						['updated', 'a.pdf', ['content'], true, null],
						['updated', 'b2.pdf', ['renamed'], true, null],
					]);
					expect(recorder.received.find((item) => item.name === 'c.pdf')?.dentryId).toBe(c.id);
					// The one watched file: its new version, alone.
					await waitFor(
						'the new version of the watched file',
						() => oneFileRecorder.received.length >= 1,
						150_000,
						n8n.output,
					);
					// The mirror: the new and the edited file, byte-exact (m1.pdf existed before the baseline: the edit brings it).
					// Waited for whole: a copy is there (empty) before Write to Disk has written it.
					const copies = {
						'm1.pdf': emulator.sha256(mirrorOf('m1.pdf')),
						'm2.docx': emulator.sha256(m2.id),
					};
					await waitFor(
						'the mirror copies, byte-exact',
						() =>
							existsSync(path.join(mirrorDir, 'm2.docx')) &&
							existsSync(path.join(mirrorDir, 'm1.pdf')) &&
							sameCopies(copies),
						150_000,
						() => `${n8n.output()}\nlocal copies: ${JSON.stringify(mirrored())}`,
					);
					expect(mirrored()).toEqual(copies);
				} finally {
					await n8n.stop();
				}

				expect(setAside()).toEqual([]);
				// While n8n is down: one file deleted, one added.
				emulator.drive.remove(SPACE, idOf('a.pdf'), true);
				emulator.drive.addFile(SPACE, watchedId, 'd.pdf');
				emulator.drive.remove(SPACE, mirrorOf('m1.pdf'), true);
				const m3 = mirrorOf('m2.docx');
				emulator.drive.rename(SPACE, m3, 'm3.docx');
				emulator.drive.rename(SPACE, oneFileId, '单文件-改名.docx');
				const pollsBefore = polls();

				n8n = await runner.startN8n(install, userFolder, env());
				try {
					await waitFor(
						'the changes made while n8n was down',
						() => recorder.received.length >= 6,
						150_000,
						n8n.output,
					);
					// Waited for whole, as above.
					await waitFor(
						'the mirror to follow, byte-exact',
						() => sameCopies({ 'm3.docx': emulator.sha256(m3) }),
						150_000,
						() => `${n8n.output()}\nlocal copies: ${JSON.stringify(mirrored())}`,
					);
					expect(mirrored()).toEqual({ 'm3.docx': emulator.sha256(m3) });
					// Deleted and renamed files' old copies are set aside, not removed.
					expect(setAside()).toEqual(['m1.pdf', 'm2.docx']);
					await waitFor(
						'the rename of the watched file',
						() => oneFileRecorder.received.length >= 2,
						150_000,
						n8n.output,
					);
					// One more poll after that: it must bring nothing new.
					const delivered = polls();
					await waitFor('one more poll', () => polls() > delivered, 150_000, n8n.output);
					await new Promise((resolve) => setTimeout(resolve, 3_000));
				} finally {
					await n8n.stop();
				}
				expect(polls()).toBeGreaterThan(pollsBefore + 1);
				expect(
					recorder.received
						.slice(4)
						.map((item) => [item.event, item.name])
						.sort(),
				).toEqual([
					['created', 'd.pdf'],
					['deleted', 'a.pdf'],
				]);
				const keys = recorder.received.map((item) => `${item.event}:${item.dentryId}:${item.name}`);
				expect(new Set(keys).size).toBe(keys.length);
				expect(new Set(recorder.received.map((item) => item.eventId)).size).toBe(6);
				expect(recorder.received).toHaveLength(6);
				// Watch: File: its version and its rename, nothing of the folder's changes, nothing twice.
				expect(
					oneFileRecorder.received.map((item) => [
						item.event,
						item.name,
						item.changes,
						item.dentryId,
					]),
				).toEqual([
					['updated', '单文件-e2e.docx', ['content'], oneFileId],
					['updated', '单文件-改名.docx', ['renamed'], oneFileId],
				]);
			},
			10 * 60_000,
		);
	});
});
