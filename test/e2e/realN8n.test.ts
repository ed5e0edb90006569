/**
 * End to end in the real n8n application: n8n 2.41.1 on Node 24 and n8n 1.123.81 on
 * Node 20, installed into a cache outside the repository; this package packed with
 * `npm pack` and installed as n8n's Community Nodes installer does; credentials and
 * workflows imported with the n8n CLI. The download example in both binary modes and the
 * upload round trip in the default binary mode run with `n8n execute --id` (the CLI path, one
 * n8n process each, everything they print searched for secrets); the other workflows run in
 * one long-lived `n8n start`, as
 * "Execute workflow" in the editor runs them (runner.startWorkflowServer).
 *
 * The 1.x run is skipped only when N8N_E2E_SKIP_1X=1, and says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { EMULATOR_DEFAULTS, startEmulator } from '../../emulator';
import { makeTestCertificate } from '../../emulator/tls';
import { writeInputFile, type InputFile } from '../harness/inputFiles';
import { N8N_MATRIX } from '../harness/realN8n';

// Plain JavaScript helpers shared with `npm run demo`, `npm run dev` and the benchmarks.
const { ensureN8n } =
	require('../../scripts/e2e/n8n-install') as typeof import('../../scripts/e2e/n8n-install');
const runner =
	require('../../scripts/e2e/n8n-runner') as typeof import('../../scripts/e2e/n8n-runner');
const build = require('../../scripts/workflows') as typeof import('../../scripts/workflows');

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Install = Awaited<ReturnType<typeof ensureN8n>>;
type Workflow = ReturnType<typeof build.chainWorkflow>;
type WorkflowNode = Workflow['nodes'][number];
type OutputItem = {
	json: Record<string, unknown>;
	binary?: Record<string, { id?: string; data: string; fileName?: string }>;
	pairedItem?: unknown;
};

const { dingTalkNode, locator, chainWorkflow, fanOutWorkflow } = build;
const TOKEN_CREDENTIAL = { dingTalkApi: { id: 'dtCredentialTok1', name: 'DingTalk API (token)' } };
const TLS_CREDENTIAL = {
	dingTalkApi: { id: 'dtCredentialTls1', name: 'DingTalk API (HTTPS storage)' },
};
const SPACE = EMULATOR_DEFAULTS.spaceId;

const skip1x = process.env.N8N_E2E_SKIP_1X === '1';
if (skip1x) console.warn('N8N_E2E_SKIP_1X=1: the n8n 1.x end-to-end run is SKIPPED on purpose.');

function sha256File(file: string) {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** An example pointed at the emulator, with `patch` applied to each node. */
function example(
	file: string,
	emulator: Emulator,
	patch: (node: WorkflowNode) => void = () => undefined,
): Workflow {
	const workflow = build.exampleFor(file, emulator);
	for (const node of workflow.nodes) patch(node);
	return workflow;
}

const VERSIONS = N8N_MATRIX;

describe.each(VERSIONS)('$label', ({ major }) => {
	const run = major === '1' && skip1x ? describe.skip : describe;

	run('end to end', () => {
		let install: Install;
		let emulator: Emulator;
		/** A second emulator whose storage speaks HTTPS, as DingTalk's does. */
		let tlsEmulator: Emulator;
		let tls: ReturnType<typeof makeTestCertificate>;
		let userFolder: string;
		/** The long-lived n8n most tests run their workflows in (see run()). */
		let server: Awaited<ReturnType<typeof runner.startWorkflowServer>>;
		let outDir: string;
		let pdfDir: string;
		/** Local folders the upload workflows read: the example's outbox, and a round trip's. */
		let outbox: string;
		let roundTrip: string;
		let roundTripOut: string;
		const local: Record<string, InputFile> = {};
		const workflows: Workflow[] = [];
		/** The app secret, and every token and storage signature the emulator saw. */
		const secrets = new Set<string>();
		function harvestSecrets() {
			for (const each of [emulator, tlsEmulator]) {
				secrets.add(each.appSecret);
				for (const entry of each.log) {
					const token = entry.headers['x-acs-dingtalk-access-token'];
					if (typeof token === 'string') secrets.add(token);
					if (entry.server === 'storage' && typeof entry.headers.authorization === 'string')
						secrets.add(entry.headers.authorization);
				}
			}
		}

		/** Where n8n stored an item's binary (filesystem mode). */
		function stored(item: OutputItem): string {
			const id = item.binary?.data?.id;
			if (!id) throw new Error(`no filesystem binary in ${JSON.stringify(item).slice(0, 500)}`);
			return runner.binaryPath(userFolder, id);
		}

		async function execute(workflowId: string, nodeName: string, env: Record<string, string> = {}) {
			const result = await runner.execute(install, userFolder, workflowId, env);
			// Everything n8n printed (every node's output included) is searched at once, so any
			// test run alone checks too.
			harvestSecrets();
			const printed = `${result.stdout}\n${result.stderr}`;
			for (const secret of secrets) expect(printed).not.toContain(secret);
			const items = runner.nodeOutput(result.data, nodeName) as OutputItem[] | undefined;
			if (!items) {
				throw new Error(
					`"${nodeName}" has no run data (n8n exit ${result.code}).\nstdout:\n${result.stdout.slice(-3000)}\nstderr:\n${result.stderr.slice(-3000)}`,
				);
			}
			return { items, result };
		}

		function workflowOf(workflowId: string): Workflow {
			const workflow = workflows.find((each) => each.id === workflowId);
			if (!workflow) throw new Error(`no workflow ${workflowId} in this suite`);
			return workflow;
		}

		/**
		 * Runs a workflow in the suite's long-lived n8n (as "Execute workflow" in the editor
		 * does) instead of `n8n execute`: the same checks, without starting n8n each time.
		 */
		async function run(workflowId: string, nodeName: string) {
			const result = await server.run(workflowOf(workflowId));
			harvestSecrets();
			// What n8n logged, and every node's output (Get Download Info outputs the signed
			// headers by design: only its log is searched).
			const outputs = workflowId === 'dtE2eDownldInfo1' ? '' : JSON.stringify(result.data);
			for (const secret of secrets) {
				expect(result.printed).not.toContain(secret);
				expect(outputs).not.toContain(secret);
			}
			const items = runner.nodeOutput(result.data, nodeName) as OutputItem[] | undefined;
			if (!items) {
				throw new Error(
					`"${nodeName}" has no run data (execution ${result.executionId}: ${result.status}).\n${JSON.stringify(result.data).slice(0, 3000)}\n${result.printed.slice(-3000)}`,
				);
			}
			return { items, result };
		}

		beforeAll(async () => {
			install = await ensureN8n(major);
			emulator = await startEmulator();
			tls = makeTestCertificate();
			tlsEmulator = await startEmulator({ storageTls: { key: tls.key, cert: tls.cert } });
			userFolder = runner.freshUserFolder();
			outDir = mkdtempSync(path.join(tmpdir(), 'dingtalk-e2e-out-'));
			pdfDir = mkdtempSync(path.join(tmpdir(), 'dingtalk-e2e-pdfs-'));
			outbox = mkdtempSync(path.join(tmpdir(), 'dingtalk-e2e-outbox-'));
			roundTrip = mkdtempSync(path.join(tmpdir(), 'dingtalk-e2e-upload-'));
			roundTripOut = mkdtempSync(path.join(tmpdir(), 'dingtalk-e2e-upload-out-'));
			for (const [folder, name, size, seed] of [
				[outbox, '月度报告 2026-11.pdf', 200_003, 31],
				[outbox, 'scan-0042.png', 70_001, 32],
				[roundTrip, '季度合同 汇总.docx', 1_234_567, 33],
				// Just above the multipart threshold (32 MiB): parts in parallel, in real n8n.
				[roundTrip, 'archive.tar', 32 * 1024 * 1024 + 5, 34],
			] as const) {
				local[name] = await writeInputFile(folder, name, size, seed, { flat: true });
			}
			await runner.importCredentials(install, userFolder, [
				build.credentialRecord(emulator),
				build.credentialRecord(emulator, {
					id: 'dtCredentialTok1',
					name: 'DingTalk API (token)',
					accessToken: emulator.issueToken(),
				}),
				build.credentialRecord(tlsEmulator, {
					id: 'dtCredentialTls1',
					name: 'DingTalk API (HTTPS storage)',
				}),
			]);

			const download = (
				name: string,
				parameters: Record<string, unknown>,
				credentials?: Record<string, unknown>,
			) =>
				dingTalkNode(
					'download',
					name,
					{
						operation: 'download',
						spaceId: SPACE,
						unionId: emulator.unionId,
						binaryPropertyName: 'data',
						...parameters,
					},
					credentials ? { credentials } : {},
				);
			const storage = (
				name: string,
				resource: string,
				operation: string,
				parameters: Record<string, unknown> = {},
			) =>
				dingTalkNode('storage', name, {
					resource,
					operation,
					spaceId: locator(SPACE),
					unionId: emulator.unionId,
					...parameters,
				});

			const roundTripNodes = () => [
				{
					name: 'Read files',
					type: 'n8n-nodes-base.readWriteFile',
					typeVersion: 1,
					parameters: { operation: 'read', fileSelector: `${roundTrip}/*`, options: {} },
				},
				storage('Upload', 'file', 'upload', {
					folderId: locator('2009'),
					binaryPropertyName: 'data',
					options: { partSize: 4 * 1024 * 1024 },
				}),
				download('DingTalk Storage Download', {
					spaceId: '={{ $json.spaceId }}',
					dentryId: '={{ $json.dentryId }}',
				}),
				{
					name: 'Write to disk',
					type: 'n8n-nodes-base.readWriteFile',
					typeVersion: 1,
					parameters: {
						operation: 'write',
						fileName: `=${roundTripOut}/{{ $json.fileName }}`,
						dataPropertyName: 'data',
						options: {},
					},
				},
			];
			const roundTripSub = chainWorkflow('dtE2eRoundSub01', 'upload round trip (sub-workflow)', [
				...roundTripNodes(),
				{
					name: 'Count',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					parameters: { jsCode: 'return [{ json: { written: $input.all().length } }];' },
				},
			]);
			// Started by its caller instead of the Manual Trigger.
			roundTripSub.nodes[0] = {
				...roundTripSub.nodes[0],
				type: 'n8n-nodes-base.executeWorkflowTrigger',
				typeVersion: 1,
				parameters: {},
			};
			roundTripSub.settings = { executionOrder: 'v1' };
			const roundTripCaller = chainWorkflow('dtE2eRoundCall1', 'upload round trip (caller)', [
				{
					name: 'Round trip',
					type: 'n8n-nodes-base.executeWorkflow',
					typeVersion: 1,
					// Given inline: n8n 2.x runs a sub-workflow from its database only once published.
					parameters: {
						source: 'parameter',
						// Without an ID: one that is not in n8n's database fails its execution record.
						workflowJson: JSON.stringify({ ...roundTripSub, id: undefined }),
						options: {},
					},
				},
			]);
			workflows.push(
				example('download-file.workflow.json', emulator),
				example('download-list.workflow.json', emulator, (node) => {
					if (node.type === 'n8n-nodes-base.code') {
						node.parameters.jsCode =
							"return [{ json: { spaceId: '1000', dentryId: '1002' } }, { json: { spaceId: '1000', dentryId: 'no-such-file' } }, { json: { spaceId: '1000', dentryId: '1005' } }];";
					}
				}),
				example('nightly-copy.workflow.json', emulator, (node) => {
					if (node.type === 'n8n-nodes-base.code')
						node.parameters.jsCode =
							"return [{ json: { dentryId: '1001' } }, { json: { dentryId: '1004' } }];";
					if (node.type === 'n8n-nodes-base.readWriteFile')
						node.parameters.fileName = `=${outDir}/{{ $json.fileName }}`;
				}),
				example('download-pdfs-in-tree.workflow.json', emulator, (node) => {
					if (node.type === 'n8n-nodes-base.readWriteFile')
						node.parameters.fileName = `=${pdfDir}/{{ $json.fileName }}`;
				}),
				example('monthly-folder-copy.workflow.json', emulator),
				example('upload-new-files.workflow.json', emulator, (node) => {
					if (node.type === 'n8n-nodes-base.readWriteFile')
						node.parameters.fileSelector = `${outbox}/*`;
				}),
				// Read/Write Files from Disk → upload → DingTalk Storage Download: the bytes come back.
				chainWorkflow('dtE2eUploadRound', 'upload round trip', roundTripNodes()),
				// The same as a sub-workflow, for the default binary mode's `n8n execute`: the CLI
				// prints only the caller's run (a count), not each node's ~45 MB of base64.
				roundTripCaller,
				chainWorkflow('dtE2eTokenMode01', 'token mode, range', [
					download(
						'DingTalk Storage Download',
						{ dentryId: '1005', options: { range: 'bytes=1000-1999' } },
						TOKEN_CREDENTIAL,
					),
				]),
				chainWorkflow('dtE2eDownldInfo1', 'download info', [
					dingTalkNode('download', 'DingTalk Storage Download', {
						operation: 'getDownloadInfo',
						spaceId: SPACE,
						dentryId: '1001',
						unionId: emulator.unionId,
					}),
				]),
				// The DingTalk Storage node's reads: pickers as the editor saves them (__rl) and as plain strings.
				fanOutWorkflow('dtE2eStoreReads', 'DingTalk Storage: reads', [
					storage('Get by plain ID', 'file', 'get', { spaceId: SPACE, dentryId: '1004' }),
					storage('Get by path', 'file', 'get', {
						dentryId: locator('/合同/2026/合同-2026年度采购.pdf', 'path'),
					}),
					storage('Get from list', 'file', 'get', { dentryId: locator('1002', 'list') }),
					storage('List the root', 'folder', 'list', { folderId: locator('0') }),
					storage('List all monthly reports', 'folder', 'list', {
						folderId: locator('/报表/月报', 'path'),
						returnAll: true,
					}),
					storage('List versions', 'file', 'listVersions', {
						dentryId: locator('1001'),
						returnAll: true,
					}),
					storage('Get the space', 'space', 'get'),
					storage('List the spaces', 'space', 'list', { returnAll: true }),
					storage('Download by path', 'file', 'download', {
						dentryId: locator('/设计/设计稿 v2.zip', 'path'),
						binaryPropertyName: 'data',
					}),
				]),
				// Its changes, one after the other, each naming the folder the first one made.
				chainWorkflow('dtE2eStoreWrite', 'DingTalk Storage: changes', [
					storage('Create', 'folder', 'create', { folderId: locator('2009'), name: 'e2e' }),
					storage('Create again', 'folder', 'create', { folderId: locator('2009'), name: 'e2e' }),
					storage('Rename', 'folder', 'rename', {
						folderId: locator("={{ $('Create').first().json.dentryId }}"),
						newName: 'e2e-renamed',
					}),
					storage('Copy a folder into it', 'folder', 'copy', {
						folderId: locator('/合同', 'path'),
						targetFolderId: locator("={{ $('Create').first().json.dentryId }}"),
					}),
					storage('Move a file into it', 'file', 'move', {
						dentryId: locator('1004'),
						targetFolderId: locator('/空文件夹/e2e-renamed', 'path'),
					}),
					storage('Delete a file', 'file', 'delete', { dentryId: locator('1006') }),
				]),
				// Issue 23's chain: a folder by path, a file from text in it, the folder shared, a
				// preview link, the file deleted to the bin, the bin listed, the file restored.
				chainWorkflow('dtE2eShareBin01', 'DingTalk Storage: paths, text, sharing, recycle bin', [
					storage('Create by path', 'folder', 'create', { name: '/报表/2026/12' }),
					storage('Summary from text', 'file', 'createFromText', {
						folderId: locator("={{ $('Create by path').first().json.dentryId }}"),
						fileName: '摘要.md',
						content: '={{ "# 摘要\\n" + $("Create by path").first().json.path }}',
					}),
					storage('Share the folder', 'permission', 'add', {
						dentryId: locator('/报表/2026/12', 'path'),
						role: 'READER',
						members: { member: [{ type: 'USER', id: 'newhire01' }] },
					}),
					storage('Preview link', 'file', 'getLink', {
						dentryId: locator("={{ $('Summary from text').first().json.dentryId }}"),
					}),
					storage('Delete the summary', 'file', 'delete', {
						dentryId: locator("={{ $('Summary from text').first().json.dentryId }}"),
					}),
					{
						...storage('List the bin', 'recycleBin', 'list', {
							corpId: EMULATOR_DEFAULTS.corpId,
							returnAll: true,
						}),
						executeOnce: true,
					},
					{
						...storage('Restore it', 'recycleBin', 'restore', {
							corpId: EMULATOR_DEFAULTS.corpId,
							recycleItemIds:
								"={{ $('List the bin').all().filter((item) => item.json.dentryId === $('Summary from text').first().json.dentryId).map((item) => item.json.id).join(',') }}",
						}),
						executeOnce: true,
					},
				]),
				chainWorkflow('dtE2eHttpReqst01', 'HTTP Request with the DingTalk credential', [
					{
						name: 'HTTP Request',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						parameters: {
							method: 'POST',
							url: `${emulator.baseUrl}/v1.0/storage/spaces/1000/dentries/1001/query?unionId=${emulator.unionId}`,
							authentication: 'predefinedCredentialType',
							nodeCredentialType: 'dingTalkApi',
							sendBody: true,
							specifyBody: 'json',
							jsonBody: '{"option":{}}',
							options: {},
						},
						credentials: { dingTalkApi: build.APP_CREDENTIAL },
					},
				]),
			);
			// Over HTTPS the body arrives in TLS-record-sized chunks: gathered before n8n writes them.
			for (const [id, parallelConnections] of [
				['dtE2eHttpsOne001', 1],
				['dtE2eHttpsPar001', 3],
			] as const) {
				workflows.push(
					chainWorkflow(id, `HTTPS storage, ${parallelConnections} connection(s)`, [
						{
							name: 'Files',
							type: 'n8n-nodes-base.code',
							typeVersion: 2,
							parameters: {
								jsCode:
									"return [{ json: { dentryId: '1005' } }, { json: { dentryId: 'gen-20000003' } }];",
							},
						},
						download(
							'DingTalk Storage Download',
							{ dentryId: '={{ $json.dentryId }}', options: { parallelConnections } },
							TLS_CREDENTIAL,
						),
					]),
				);
			}
			// One environment for every run in the server: the folders Read/Write Files from Disk
			// may use, and the test CA the HTTPS storage's certificate is signed with.
			server = await runner.startWorkflowServer(
				install,
				userFolder,
				{
					N8N_RESTRICT_FILE_ACCESS_TO: [outDir, pdfDir, outbox, roundTrip, roundTripOut].join(';'),
					NODE_EXTRA_CA_CERTS: tls.certFile,
				},
				workflows,
			);
		}, 30 * 60_000);

		afterAll(async () => {
			await server?.stop();
			await emulator?.close();
			await tlsEmulator?.close();
			if (tls) rmSync(tls.dir, { recursive: true, force: true });
			if (userFolder) rmSync(userFolder, { recursive: true, force: true });
			if (outDir) rmSync(outDir, { recursive: true, force: true });
			if (pdfDir) rmSync(pdfDir, { recursive: true, force: true });
			for (const folder of [outbox, roundTrip, roundTripOut])
				if (folder) rmSync(folder, { recursive: true, force: true });
		});

		test('1. download one file (the example), filesystem binary mode: bytes, Chinese name, MIME type, size', async () => {
			const { items } = await execute('dtExampleDownld1', 'DingTalk Storage Download');
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({
				fileName: '合同-2026年度采购.pdf',
				mimeType: 'application/pdf',
				size: 200_000,
				statusCode: 200,
			});
			expect(items[0].binary?.data.id).toMatch(/^filesystem/);
			expect(existsSync(stored(items[0]))).toBe(true);
			expect(sha256File(stored(items[0]))).toBe(emulator.sha256('1001'));
		});

		test('2. the same in the default (in-memory) binary mode', async () => {
			const { items } = await execute('dtExampleDownld1', 'DingTalk Storage Download', {
				N8N_DEFAULT_BINARY_DATA_MODE: 'default',
			});
			const binary = items[0].binary!.data;
			expect(binary.id).toBeUndefined();
			expect(binary.fileName).toBe('合同-2026年度采购.pdf');
			expect(createHash('sha256').update(Buffer.from(binary.data, 'base64')).digest('hex')).toBe(
				emulator.sha256('1001'),
			);
		});

		test('3. chained: three items by expression, Continue On Fail, the middle file missing', async () => {
			const { items } = await run('dtExampleList001', 'DingTalk Storage Download');
			expect(items).toHaveLength(3);
			expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			expect(items[0].json.fileName).toBe('quarterly report.xlsx');
			expect(sha256File(stored(items[0]))).toBe(emulator.sha256('1002'));
			expect(items[1].binary).toBeUndefined();
			expect(items[1].json).toMatchObject({ code: 'dentryNotExist', httpCode: 404 });
			expect(sha256File(stored(items[2]))).toBe(emulator.sha256('1005'));
		});

		test('4. range download with an access-token credential: exact bytes and contentRange', async () => {
			const { items } = await run('dtE2eTokenMode01', 'DingTalk Storage Download');
			expect(items[0].json).toMatchObject({
				statusCode: 206,
				size: 1000,
				contentRange: `bytes 1000-1999/${3 * 1024 * 1024 + 17}`,
				totalSize: 3 * 1024 * 1024 + 17,
			});
			expect(readFileSync(stored(items[0])).equals(emulator.bytes('1005', 1000, 1999))).toBe(true);
		});

		test('5. Get Download Info', async () => {
			const { items } = await run('dtE2eDownldInfo1', 'DingTalk Storage Download');
			expect(items[0].json).toMatchObject({
				protocol: 'HEADER_SIGNATURE',
				expirationSeconds: 900,
				region: 'ZHANGJIAKOU',
			});
			expect(items[0].json.resourceUrls).toHaveLength(2);
			expect(typeof items[0].json.expiresAt).toBe('string');
			expect(items[0].binary).toBeUndefined();
		});

		test("6. n8n's HTTP Request node with the DingTalk API credential is authenticated", async () => {
			emulator.log.length = 0;
			const { items } = await run('dtE2eHttpReqst01', 'HTTP Request');
			expect(items[0].json.dentry).toMatchObject({ id: '1001', name: '合同-2026年度采购.pdf' });
			const call = emulator.log.find((entry) => entry.path.includes('/dentries/1001/query'));
			expect(call?.headers['x-acs-dingtalk-access-token']).toMatch(/^emu-token-/);
			expect(call?.status).toBe(200);
		});

		test('7. nightly copy (the example, manual path): Read/Write Files from Disk writes byte-exact files', async () => {
			const { items, result } = await run('dtExampleNightly', 'Write to disk');
			// The manual path ran; the schedule trigger did not fire.
			const ranNodes = Object.keys(result.data.data.resultData.runData);
			expect(ranNodes).toContain("When clicking 'Execute workflow'");
			expect(ranNodes).not.toContain('Every night at 02:00');
			expect(items).toHaveLength(2);
			expect(sha256File(path.join(outDir, '合同-2026年度采购.pdf'))).toBe(emulator.sha256('1001'));
			expect(sha256File(path.join(outDir, 'notes.md'))).toBe(emulator.sha256('1004'));
		});

		test.each([
			['one connection', 'dtE2eHttpsOne001'],
			['3 parallel connections', 'dtE2eHttpsPar001'],
		])(
			'8. storage over HTTPS (as DingTalk serves files), %s: byte-exact files',
			async (_label, workflowId) => {
				const { items } = await run(workflowId, 'DingTalk Storage Download');
				expect(items.map((item) => item.json.size)).toEqual([3 * 1024 * 1024 + 17, 20_000_003]);
				expect(sha256File(stored(items[0]))).toBe(tlsEmulator.sha256('1005'));
				expect(sha256File(stored(items[1]))).toBe(tlsEmulator.sha256('gen-20000003'));
				expect(
					tlsEmulator.log
						.filter((entry) => entry.server === 'storage')
						.every((entry) => entry.status === 200 || entry.status === 206),
				).toBe(true);
			},
		);

		test('9. DingTalk Storage, reads: file get (plain ID, path, from list), folder list (root; 125 entries paged), versions, spaces, download by path', async () => {
			const { result } = await run('dtE2eStoreReads', 'Get by plain ID');
			const out = (node: string) => runner.nodeOutput(result.data, node) as OutputItem[];
			expect(out('Get by plain ID')[0].json).toMatchObject({
				dentryId: '1004',
				name: 'notes.md',
				spaceId: SPACE,
			});
			expect(out('Get by path')[0].json).toMatchObject({
				dentryId: '1001',
				path: '/合同/2026/合同-2026年度采购.pdf',
				version: 3,
			});
			expect(out('Get from list')[0].json).toMatchObject({
				dentryId: '1002',
				name: 'quarterly report.xlsx',
			});
			expect(
				out('List the root')
					.map((item) => item.json.name)
					.sort(),
			).toEqual(
				['empty.txt', 'hidden-name.txt', 'notes.md', '合同', '报表', '空文件夹', '设计'].sort(),
			);
			expect(out('List all monthly reports')).toHaveLength(125);
			expect(out('List versions').map((item) => item.json.version)).toEqual([3, 2, 1]);
			expect(out('Get the space')[0].json).toMatchObject({ spaceId: SPACE, name: '公司文档' });
			expect(out('List the spaces')).toHaveLength(57);
			const downloaded = out('Download by path')[0];
			expect(downloaded.json).toMatchObject({ dentryId: '1005', fileName: '设计稿 v2.zip' });
			expect(sha256File(stored(downloaded))).toBe(emulator.sha256('1005'));
		});

		test('10. DingTalk Storage, changes: create (twice: the same folder), rename, copy a folder (a task), move, delete to the recycle bin', async () => {
			const { result } = await run('dtE2eStoreWrite', 'Delete a file');
			const out = (node: string) => (runner.nodeOutput(result.data, node) as OutputItem[])[0].json;
			const created = out('Create');
			expect(created).toMatchObject({ type: 'FOLDER', name: 'e2e', parentId: '2009' });
			expect(out('Create again').dentryId).toBe(created.dentryId);
			expect(out('Rename')).toMatchObject({ dentryId: created.dentryId, name: 'e2e-renamed' });
			expect(out('Copy a folder into it')).toMatchObject({
				name: '合同',
				parentId: created.dentryId,
				taskStatus: 'SUCCESS',
			});
			expect(out('Move a file into it')).toMatchObject({
				dentryId: '1004',
				parentId: created.dentryId,
				path: '/空文件夹/e2e-renamed/notes.md',
			});
			expect(out('Delete a file')).toEqual({
				spaceId: SPACE,
				dentryId: '1006',
				deleted: true,
				toRecycleBin: true,
			});
			// What DingTalk (the emulator) holds now.
			const names = emulator.drive
				.children(SPACE, String(created.dentryId))
				.map((entry: { name: string }) => entry.name)
				.sort();
			expect(names).toEqual(['notes.md', '合同']);
			expect(emulator.drive.entries.get('1006')?.status).toBe('DELETED');
		});

		test('10b. paths, text, sharing, links and the recycle bin: /报表/2026/12 made by path, 摘要.md from text in it, the folder shared, a preview link, the file deleted, listed in the bin and restored', async () => {
			const { result } = await run('dtE2eShareBin01', 'Restore it');
			const out = (node: string) => (runner.nodeOutput(result.data, node) as OutputItem[])[0].json;
			const folder = out('Create by path');
			expect(folder).toMatchObject({ type: 'FOLDER', name: '12', path: '/报表/2026/12' });
			const summary = out('Summary from text');
			expect(summary).toMatchObject({ name: '摘要.md', parentId: folder.dentryId });
			const text = '# 摘要\n/报表/2026/12';
			expect(emulator.sha256(String(summary.dentryId))).toBe(
				createHash('sha256').update(text, 'utf8').digest('hex'),
			);
			expect(out('Share the folder')).toMatchObject({
				success: true,
				dentryId: folder.dentryId,
				role: 'READER',
			});
			expect(emulator.sharing.grants.size).toBe(1);
			expect(out('Preview link')).toMatchObject({
				type: 'PREVIEW',
				requiresLogin: true,
				url: expect.stringMatching(/^https:\/\//),
			});
			expect(out('Restore it')).toMatchObject({
				restored: true,
				dentryId: summary.dentryId,
			});
			expect(emulator.drive.entries.get(String(summary.dentryId))).toMatchObject({
				status: 'NORMAL',
				parentId: folder.dentryId,
			});
		});

		test('11. chained (the example): list a tree recursively → IF (PDFs only) → DingTalk Storage Download → Read/Write Files from Disk, byte-exact', async () => {
			const { items, result } = await run('dtExamplePdfTree', 'Write to disk');
			const listed = runner.nodeOutput(result.data, 'List the folder tree') as OutputItem[];
			expect(listed.map((item) => item.json.path)).toContain(
				'/合同/2025/归档/旧版/扫描件-2019.pdf',
			);
			const pdfs = listed
				.filter((item) => item.json.extension === 'pdf')
				.map((item) => String(item.json.dentryId));
			expect(pdfs.sort()).toEqual(['1001', '3001', '3002', '3004']);
			expect(items).toHaveLength(4);
			for (const dentryId of pdfs) {
				const name = emulator.file(dentryId).name;
				expect(sha256File(path.join(pdfDir, name))).toBe(emulator.sha256(dentryId));
			}
		});

		test("12. this month's folder (the example): created once, the files copied into it; run again, nothing is duplicated", async () => {
			const first = await run('dtExampleMonthly', 'Copy into the month folder');
			const folder = (runner.nodeOutput(first.result.data, 'Month folder') as OutputItem[])[0].json;
			expect(String(folder.name)).toMatch(/^\d{4}-\d{2}$/);
			expect(folder.path).toBe(`/报表/${String(folder.name)}`);
			expect(first.items.map((item) => item.json.name).sort()).toEqual([
				'合同-2026-补充协议.docx',
				'合同-2026年度采购.pdf',
			]);
			for (const copy of first.items) {
				expect(copy.json.parentId).toBe(folder.dentryId);
				expect(emulator.sha256(String(copy.json.dentryId))).toBe(
					emulator.sha256(copy.json.name === '合同-2026年度采购.pdf' ? '1001' : '3005'),
				);
			}
			const second = await run('dtExampleMonthly', 'Copy into the month folder');
			expect(
				(runner.nodeOutput(second.result.data, 'Month folder') as OutputItem[])[0].json.dentryId,
			).toBe(folder.dentryId);
			expect(second.items.map((item) => item.json.dentryId).sort()).toEqual(
				first.items.map((item) => item.json.dentryId).sort(),
			);
			expect(emulator.drive.children(SPACE, String(folder.dentryId))).toHaveLength(2);
		});

		test("13. upload a local folder's new files (the example): uploaded byte-exact; run again, nothing new is uploaded", async () => {
			const { items } = await run('dtExampleUpload1', 'Upload to DingTalk');
			expect(items.map((item) => item.json.name).sort()).toEqual([
				'scan-0042.png',
				'月度报告 2026-11.pdf',
			]);
			for (const item of items) {
				expect(item.json).toMatchObject({
					parentId: '2009',
					multipart: false,
					uploadedBytes: local[String(item.json.name)].size,
				});
				expect(emulator.sha256(String(item.json.dentryId))).toBe(
					local[String(item.json.name)].sha256,
				);
			}
			const again = await server.run(workflowOf('dtExampleUpload1'));
			expect(runner.nodeOutput(again.data, 'Only new files') ?? []).toHaveLength(0);
			const files = emulator.drive
				.children(SPACE, '2009')
				.filter(
					(entry: { type: string; name: string }) =>
						entry.type === 'FILE' &&
						entry.name in local &&
						!entry.name.startsWith('季度') &&
						entry.name !== 'archive.tar',
				);
			expect(files.map((entry: { name: string }) => entry.name).sort()).toEqual([
				'scan-0042.png',
				'月度报告 2026-11.pdf',
			]);
		});

		// Filesystem mode in the suite's n8n; the default mode (another environment) with
		// `n8n execute`.
		test.each([
			['filesystem', undefined],
			['default (in-memory)', { N8N_DEFAULT_BINARY_DATA_MODE: 'default' }],
		])(
			'14. Read/Write Files from Disk → upload (single PUT and multipart) → download → write to disk, %s binary mode: byte-exact',
			async (_mode, modeEnv) => {
				// What DingTalk (the emulator) holds and what was written to disk are checked. In
				// memory mode `n8n execute` would print every node's binary as base64 (about 130 MB
				// here, 25-30 s of CPU per n8n line): it runs the round trip as a sub-workflow, so
				// only the caller's small output is printed (and searched for secrets); the same
				// nodes' outputs are searched in filesystem mode, in the suite's n8n.
				const writtenTo = roundTripOut;
				try {
					const before = new Set(
						emulator.drive.children(SPACE, '2009').map((entry: { id: string }) => entry.id),
					);
					const inits = emulator.apiCounts.get('multiPartUploadInfos.init') ?? 0;
					if (modeEnv) {
						const env = { N8N_RESTRICT_FILE_ACCESS_TO: `${roundTrip};${writtenTo}`, ...modeEnv };
						const result = await runner.execute(install, userFolder, 'dtE2eRoundCall1', env);
						harvestSecrets();
						for (const secret of secrets)
							expect(`${result.stdout}\n${result.stderr}`).not.toContain(secret);
						// A failed sub-workflow fails its caller: n8n's words shown if it did.
						expect({
							code: result.code,
							said: result.code === 0 ? '' : `${result.stdout}\n${result.stderr}`.slice(-3000),
						}).toEqual({ code: 0, said: '' });
					} else {
						const result = await server.run(workflowOf('dtE2eUploadRound'));
						harvestSecrets();
						for (const secret of secrets) expect(result.printed).not.toContain(secret);
						expect(result.status).toBe('success');
					}
					const added = emulator.drive
						.children(SPACE, '2009')
						.filter((entry: { id: string }) => !before.has(entry.id)) as Array<{
						id: string;
						name: string;
					}>;
					expect(added).toHaveLength(2);
					for (const entry of added)
						expect(emulator.sha256(entry.id)).toBe(local[entry.name.replace(/\(\d+\)/, '')].sha256);
					expect((emulator.apiCounts.get('multiPartUploadInfos.init') ?? 0) - inits).toBe(1);
					for (const entry of added)
						expect(sha256File(path.join(writtenTo, entry.name))).toBe(
							local[entry.name.replace(/\(\d+\)/, '')].sha256,
						);
				} finally {
					for (const name of readdirSync(writtenTo))
						rmSync(path.join(writtenTo, name), { force: true });
				}
			},
		);

		test('no app secret or access token in anything n8n printed, even where the token is refused', async () => {
			emulator.expireTokens();
			// The token credential's token has just died: the run fails, and says so without it:
			// in what n8n logged and in the execution it kept (the error included). The CLI's
			// printing is searched by the tests that run `n8n execute` (1, 2, 14).
			const result = await server.run(workflowOf('dtE2eTokenMode01'));
			harvestSecrets();
			const printed = `${result.printed}\n${JSON.stringify(result.data)}`;
			expect(result.status).toBe('error');
			expect(printed).toContain('InvalidAuthentication');
			expect(secrets.size).toBeGreaterThan(2);
			for (const secret of secrets) expect(printed).not.toContain(secret);
		});
	});
});
