/**
 * End to end in the real n8n application: n8n 2.41.1 on Node 24 and n8n 1.123.81 on
 * Node 20, installed into a cache outside the repository; this package packed with
 * `npm pack` and installed as n8n's Community Nodes installer does; credentials and
 * workflows imported with the n8n CLI and run with `n8n execute --id`.
 *
 * The 1.x run is skipped only when N8N_E2E_SKIP_1X=1, and says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startEmulator } from '../../emulator';
import { makeTestCertificate } from '../../emulator/tls';

// Plain JavaScript helpers shared with `npm run demo`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureN8n } = require('../../scripts/e2e/n8n-install') as typeof import('../../scripts/e2e/n8n-install');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('../../scripts/e2e/n8n-runner') as typeof import('../../scripts/e2e/n8n-runner');

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Install = Awaited<ReturnType<typeof ensureN8n>>;
type WorkflowNode = { name: string; type: string; parameters: Record<string, unknown>; position?: number[]; [key: string]: unknown };
type Workflow = { id: string; name: string; nodes: WorkflowNode[]; connections: Record<string, unknown>; [key: string]: unknown };
type OutputItem = { json: Record<string, unknown>; binary?: Record<string, { id?: string; data: string; fileName?: string }>; pairedItem?: unknown };

const NODE_TYPE = 'n8n-nodes-dingtalk-storage.dingTalkStorageDownload';
const APP_CREDENTIAL = { dingTalkApi: { id: 'dtCredentialApp1', name: 'DingTalk API' } };
const TOKEN_CREDENTIAL = { dingTalkApi: { id: 'dtCredentialTok1', name: 'DingTalk API (token)' } };
const TLS_CREDENTIAL = { dingTalkApi: { id: 'dtCredentialTls1', name: 'DingTalk API (HTTPS storage)' } };
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

const skip1x = process.env.N8N_E2E_SKIP_1X === '1';
if (skip1x) console.warn('N8N_E2E_SKIP_1X=1: the n8n 1.x end-to-end run is SKIPPED on purpose.');

function sha256File(file: string) {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function readExample(name: string): Workflow {
	return JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8')) as Workflow;
}

/** Points an example's DingTalk node at the emulator. */
function patchExample(workflow: Workflow, emulator: Emulator, patch: (node: WorkflowNode) => void): Workflow {
	for (const node of workflow.nodes) {
		if (node.type === NODE_TYPE) {
			node.parameters.spaceId = node.parameters.spaceId === 'YOUR_SPACE_ID' ? '1000' : node.parameters.spaceId;
			node.parameters.unionId = emulator.unionId;
		}
		patch(node);
	}
	return workflow;
}

function manualWorkflow(id: string, name: string, nodes: WorkflowNode[]): Workflow {
	const all: WorkflowNode[] = [{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, ...nodes];
	const connections: Record<string, unknown> = {};
	all.slice(0, -1).forEach((node, index) => {
		connections[node.name] = { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] };
	});
	all.forEach((node, index) => (node.position = [index * 240, 0]));
	return { id, name, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {} };
}

function dingTalkNode(parameters: Record<string, unknown>, credentials = APP_CREDENTIAL) {
	return { id: 'dingtalk-node', name: 'DingTalk Storage Download', type: NODE_TYPE, typeVersion: 1, parameters: { options: {}, ...parameters }, credentials };
}

const VERSIONS = [
	{ major: '2' as const, label: 'n8n 2.41.1 on Node 24' },
	{ major: '1' as const, label: 'n8n 1.123.81 on Node 20' },
];

describe.each(VERSIONS)('$label', ({ major }) => {
	const run = major === '1' && skip1x ? describe.skip : describe;

	run('end to end', () => {
		let install: Install;
		let emulator: Emulator;
		/** A second emulator whose storage speaks HTTPS, as DingTalk's does. */
		let tlsEmulator: Emulator;
		let tls: ReturnType<typeof makeTestCertificate>;
		let userFolder: string;
		let outDir: string;
		const workflows: Workflow[] = [];
		/** Everything n8n printed (run data and logs), searched for secrets at the end. */
		const printed: string[] = [];
		/** The app secret, and every token and storage signature the emulator saw. */
		const secrets = new Set<string>();
		function harvestSecrets() {
			for (const each of [emulator, tlsEmulator]) {
				secrets.add(each.appSecret);
				for (const entry of each.log) {
					const token = entry.headers['x-acs-dingtalk-access-token'];
					if (typeof token === 'string') secrets.add(token);
					if (entry.server === 'storage' && typeof entry.headers.authorization === 'string') secrets.add(entry.headers.authorization);
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
			// Get Download Info prints the signed headers by design: only its log is searched.
			printed.push(workflowId === 'dtE2eDownldInfo1' ? '' : result.stdout, result.stderr);
			harvestSecrets();
			const items = runner.nodeOutput(result.data, nodeName) as OutputItem[] | undefined;
			if (!items) {
				throw new Error(`"${nodeName}" has no run data (n8n exit ${result.code}).\nstdout:\n${result.stdout.slice(-3000)}\nstderr:\n${result.stderr.slice(-3000)}`);
			}
			return { items, result };
		}

		beforeAll(async () => {
			install = await ensureN8n(major);
			emulator = await startEmulator();
			tls = makeTestCertificate();
			tlsEmulator = await startEmulator({ storageTls: { key: tls.key, cert: tls.cert } });
			userFolder = runner.createUserFolder(runner.packPackage());
			outDir = mkdtempSync(path.join(tmpdir(), 'dingtalk-e2e-out-'));
			await runner.importCredentials(install, userFolder, [
				{ id: 'dtCredentialApp1', name: 'DingTalk API', type: 'dingTalkApi', data: { authentication: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret, baseUrl: emulator.baseUrl } },
				{ id: 'dtCredentialTok1', name: 'DingTalk API (token)', type: 'dingTalkApi', data: { authentication: 'accessToken', accessToken: emulator.issueToken(), baseUrl: emulator.baseUrl } },
				{ id: 'dtCredentialTls1', name: 'DingTalk API (HTTPS storage)', type: 'dingTalkApi', data: { authentication: 'appCredentials', appKey: tlsEmulator.appKey, appSecret: tlsEmulator.appSecret, baseUrl: tlsEmulator.baseUrl } },
			]);

			workflows.push(
				patchExample(readExample('download-file.workflow.json'), emulator, (node) => {
					if (node.type === NODE_TYPE) node.parameters.dentryId = '1001';
				}),
				patchExample(readExample('download-list.workflow.json'), emulator, (node) => {
					if (node.type === 'n8n-nodes-base.code') {
						node.parameters.jsCode = "return [{ json: { spaceId: '1000', dentryId: '1002' } }, { json: { spaceId: '1000', dentryId: 'no-such-file' } }, { json: { spaceId: '1000', dentryId: '1005' } }];";
					}
				}),
				patchExample(readExample('nightly-copy.workflow.json'), emulator, (node) => {
					if (node.type === 'n8n-nodes-base.code') node.parameters.jsCode = "return [{ json: { dentryId: '1001' } }, { json: { dentryId: '1004' } }];";
					if (node.type === 'n8n-nodes-base.readWriteFile') node.parameters.fileName = `=${outDir}/{{ $json.fileName }}`;
				}),
				manualWorkflow('dtE2eTokenMode01', 'token mode, range', [
					dingTalkNode({ operation: 'download', spaceId: '1000', dentryId: '1005', unionId: emulator.unionId, binaryPropertyName: 'data', options: { range: 'bytes=1000-1999' } }, TOKEN_CREDENTIAL),
				]),
				manualWorkflow('dtE2eDownldInfo1', 'download info', [dingTalkNode({ operation: 'getDownloadInfo', spaceId: '1000', dentryId: '1001', unionId: emulator.unionId })]),
				manualWorkflow('dtE2eHttpReqst01', 'HTTP Request with the DingTalk credential', [
					{
						id: 'http-node',
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
						credentials: APP_CREDENTIAL,
					},
				]),
			);
			// Over HTTPS the body arrives in TLS-record-sized chunks: gathered before n8n writes them.
			for (const [id, parallelConnections] of [['dtE2eHttpsOne001', 1], ['dtE2eHttpsPar001', 3]] as const) {
				workflows.push(
					manualWorkflow(id, `HTTPS storage, ${parallelConnections} connection(s)`, [
						{
							id: `${id}-code`,
							name: 'Files',
							type: 'n8n-nodes-base.code',
							typeVersion: 2,
							parameters: { jsCode: "return [{ json: { dentryId: '1005' } }, { json: { dentryId: 'gen-20000003' } }];" },
						},
						dingTalkNode(
							{ operation: 'download', spaceId: '1000', dentryId: '={{ $json.dentryId }}', unionId: tlsEmulator.unionId, binaryPropertyName: 'data', options: { parallelConnections } },
							TLS_CREDENTIAL,
						),
					]),
				);
			}
			for (const workflow of workflows) await runner.importWorkflow(install, userFolder, workflow);
		}, 30 * 60_000);

		afterAll(async () => {
			await emulator?.close();
			await tlsEmulator?.close();
			if (tls) rmSync(tls.dir, { recursive: true, force: true });
			if (userFolder) rmSync(userFolder, { recursive: true, force: true });
			if (outDir) rmSync(outDir, { recursive: true, force: true });
		});

		test('1. download one file (the example), filesystem binary mode: bytes, Chinese name, MIME type, size', async () => {
			const { items } = await execute('dtExampleDownld1', 'DingTalk Storage Download');
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({ fileName: '合同-2026年度采购.pdf', mimeType: 'application/pdf', size: 200_000, statusCode: 200 });
			expect(items[0].binary?.data.id).toMatch(/^filesystem/);
			expect(existsSync(stored(items[0]))).toBe(true);
			expect(sha256File(stored(items[0]))).toBe(emulator.sha256('1001'));
		});

		test('2. the same in the default (in-memory) binary mode', async () => {
			const { items } = await execute('dtExampleDownld1', 'DingTalk Storage Download', { N8N_DEFAULT_BINARY_DATA_MODE: 'default' });
			const binary = items[0].binary!.data;
			expect(binary.id).toBeUndefined();
			expect(binary.fileName).toBe('合同-2026年度采购.pdf');
			expect(createHash('sha256').update(Buffer.from(binary.data, 'base64')).digest('hex')).toBe(emulator.sha256('1001'));
		});

		test('3. chained: three items by expression, Continue On Fail, the middle file missing', async () => {
			const { items } = await execute('dtExampleList001', 'DingTalk Storage Download');
			expect(items).toHaveLength(3);
			expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			expect(items[0].json.fileName).toBe('quarterly report.xlsx');
			expect(sha256File(stored(items[0]))).toBe(emulator.sha256('1002'));
			expect(items[1].binary).toBeUndefined();
			expect(items[1].json).toMatchObject({ code: 'dentryNotExist', httpCode: 404 });
			expect(sha256File(stored(items[2]))).toBe(emulator.sha256('1005'));
		});

		test('4. range download with an access-token credential: exact bytes and contentRange', async () => {
			const { items } = await execute('dtE2eTokenMode01', 'DingTalk Storage Download');
			expect(items[0].json).toMatchObject({ statusCode: 206, size: 1000, contentRange: `bytes 1000-1999/${3 * 1024 * 1024 + 17}`, totalSize: 3 * 1024 * 1024 + 17 });
			expect(readFileSync(stored(items[0])).equals(emulator.bytes('1005', 1000, 1999))).toBe(true);
		});

		test('5. Get Download Info', async () => {
			const { items } = await execute('dtE2eDownldInfo1', 'DingTalk Storage Download');
			expect(items[0].json).toMatchObject({ protocol: 'HEADER_SIGNATURE', expirationSeconds: 900, region: 'ZHANGJIAKOU' });
			expect(items[0].json.resourceUrls).toHaveLength(2);
			expect(typeof items[0].json.expiresAt).toBe('string');
			expect(items[0].binary).toBeUndefined();
		});

		test("6. n8n's HTTP Request node with the DingTalk API credential is authenticated", async () => {
			emulator.log.length = 0;
			const { items } = await execute('dtE2eHttpReqst01', 'HTTP Request');
			expect(items[0].json.dentry).toMatchObject({ id: '1001', name: '合同-2026年度采购.pdf' });
			const call = emulator.log.find((entry) => entry.path.includes('/dentries/1001/query'));
			expect(call?.headers['x-acs-dingtalk-access-token']).toMatch(/^emu-token-/);
			expect(call?.status).toBe(200);
		});

		test('7. nightly copy (the example, manual path): Read/Write Files from Disk writes byte-exact files', async () => {
			const { items, result } = await execute('dtExampleNightly', 'Write to disk', { N8N_RESTRICT_FILE_ACCESS_TO: outDir });
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
		])('8. storage over HTTPS (as DingTalk serves files), %s: byte-exact files', async (_label, workflowId) => {
			const { items } = await execute(workflowId, 'DingTalk Storage Download', { NODE_EXTRA_CA_CERTS: tls.certFile });
			expect(items.map((item) => item.json.size)).toEqual([3 * 1024 * 1024 + 17, 20_000_003]);
			expect(sha256File(stored(items[0]))).toBe(tlsEmulator.sha256('1005'));
			expect(sha256File(stored(items[1]))).toBe(tlsEmulator.sha256('gen-20000003'));
			expect(tlsEmulator.log.filter((entry) => entry.server === 'storage').every((entry) => entry.status === 200 || entry.status === 206)).toBe(true);
		});

		test('no app secret or access token in anything n8n printed (run data and its log)', () => {
			expect(printed.length).toBeGreaterThan(10);
			const everything = printed.join('\n');
			expect(secrets.size).toBeGreaterThan(2);
			for (const secret of secrets) expect(everything).not.toContain(secret);
		});
	});
});
