/** Shared by the benchmark scripts: the emulator in a child process, and one download run. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { EMULATOR_DEFAULTS } from '../emulator';
import { runNode } from '../test/harness/n8n';

export const MiB = 1024 * 1024;

export interface EmulatorProcess {
	child: ChildProcess;
	baseUrl: string;
	credentials: { authentication: string; appKey: string; appSecret: string; baseUrl: string };
	stop: () => Promise<void>;
}

/** The emulator in its own process, so its work is not counted as the node's. */
export async function startEmulatorProcess(
	env: Record<string, string> = {},
): Promise<EmulatorProcess> {
	const appSecret = randomBytes(12).toString('hex');
	const child = spawn(process.execPath, [path.join(__dirname, '../../scripts/emulator.js')], {
		env: { ...process.env, ...env, EMULATOR_APP_SECRET: appSecret },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let text = '';
	for await (const chunk of child.stdout!) {
		text += String(chunk);
		const match = /API (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
		if (match) {
			child.stdout!.resume();
			return {
				child,
				baseUrl: match[1],
				credentials: {
					authentication: 'appCredentials',
					appKey: EMULATOR_DEFAULTS.appKey,
					appSecret,
					baseUrl: match[1],
				},
				stop: async () => {
					child.kill();
					await once(child, 'exit');
				},
			};
		}
	}
	throw new Error('the emulator did not start');
}

export function downloadParameters(dentryId: string, options: IDataObject = {}): IDataObject {
	return {
		operation: 'download',
		spaceId: EMULATOR_DEFAULTS.spaceId,
		dentryId,
		unionId: EMULATOR_DEFAULTS.unionId,
		binaryPropertyName: 'data',
		options,
	};
}

/** Runs the node once; returns seconds and the output. */
export async function timedRun(
	emulator: EmulatorProcess,
	parameters: IDataObject,
	items?: IDataObject[],
) {
	const started = process.hrtime.bigint();
	const result = await runNode({
		parameters,
		credentials: emulator.credentials,
		items,
		continueOnFail: true,
	});
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (result.error || !result.output) throw result.error ?? new Error('no output');
	return { seconds, output: result.output };
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

// Plain JavaScript shared with the end-to-end suite; resolved from the compiled location.
const SCRIPTS = path.join(__dirname, '..', '..', 'scripts', 'e2e');
export const { ensureN8n } = require(
	path.join(SCRIPTS, 'n8n-install'),
) as typeof import('../scripts/e2e/n8n-install');
export const runner = require(
	path.join(SCRIPTS, 'n8n-runner'),
) as typeof import('../scripts/e2e/n8n-runner');

export const { makeTestCertificate } = require(
	path.join(__dirname, '..', '..', 'emulator', 'tls'),
) as typeof import('../emulator/tls');
// The project's one workflow builder (also used by the end-to-end suite, the demo and dev).
const build = require(
	path.join(SCRIPTS, '..', 'workflows'),
) as typeof import('../scripts/workflows');

export type WorkflowNode = ReturnType<typeof build.dingTalkNode>;

/** The credential the real-n8n benchmarks import (the emulator's app). */
export const BENCH_CREDENTIAL = build.APP_CREDENTIAL;
const credentials = { dingTalkApi: BENCH_CREDENTIAL };

/** This package's download node fetching `dentryId` (a value or an expression). */
export function dingTalkNode(
	dentryId: string,
	options: Record<string, unknown>,
	extra: Record<string, unknown> = {},
): WorkflowNode {
	return build.dingTalkNode(
		'download',
		'DingTalk',
		downloadParameters(dentryId, options as IDataObject),
		extra,
	);
}

/**
 * The do-it-yourself workflow without this package: an HTTP Request node asking for the
 * download info (with the DingTalk credential), a second fetching the file with the
 * signed headers from an expression. `extra` goes onto both nodes, `fileExtra` onto the
 * second only.
 */
export function httpRequestNodes(
	infoUrl: string,
	extra: Record<string, unknown> = {},
	fileExtra: Record<string, unknown> = {},
): WorkflowNode[] {
	return [
		{
			name: 'Download info',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			credentials,
			...extra,
			parameters: {
				method: 'POST',
				url: infoUrl,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'dingTalkApi',
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '{"option":{"preferIntranet":false}}',
				options: {},
			},
		},
		{
			name: 'File',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			...extra,
			...fileExtra,
			parameters: {
				url: '={{ $json.headerSignatureInfo.resourceUrls[0] }}',
				sendHeaders: true,
				specifyHeaders: 'json',
				jsonHeaders: '={{ JSON.stringify($json.headerSignatureInfo.headers) }}',
				options: { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } },
			},
		},
	];
}

/** A manual-trigger workflow running `nodes` one after the other. */
export function chainWorkflow(id: string, nodes: WorkflowNode[]) {
	return build.chainWorkflow(id, id, nodes);
}

type Install = Awaited<ReturnType<typeof ensureN8n>>;

/** Peak RSS (VmHWM) of a child process, sampled until it exits. */
export function watchPeakRss(child: ChildProcess): Promise<number> {
	return new Promise((resolve) => {
		let peak = 0;
		const sample = () => {
			try {
				const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
				const match = /VmHWM:\s+(\d+) kB/.exec(status);
				if (match) peak = Math.max(peak, Number(match[1]) * 1024);
			} catch {
				// gone
			}
		};
		const timer = setInterval(sample, 20);
		child.once('exit', () => {
			clearInterval(timer);
			resolve(peak);
		});
	});
}

/**
 * `n8n execute` of one workflow, watching the n8n process's peak RSS; returns the peak,
 * the measured node's run (start, execution time, error, items) and what n8n printed.
 */
export async function executeWithPeak(
	install: Install,
	userFolder: string,
	workflowId: string,
	nodeName: string,
	extraEnv: Record<string, string> = {},
	nodeFlags: string[] = [],
) {
	const env = runner.n8nEnv(install, userFolder, extraEnv);
	const child = spawn(
		install.nodeBinary,
		[...nodeFlags, install.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'],
		{ cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let stdout = '';
	child.stdout!.on('data', (chunk) => (stdout += chunk));
	child.stderr!.resume();
	const peak = await watchPeakRss(child);
	// --trace-gc (profile mode) writes to stdout too; its lines start with "[pid:isolate]".
	const lines = stdout.split('\n').filter((line) => !/^\[\d+:0x[0-9a-f]+\]/.test(line));
	const start = lines.indexOf('{');
	const end = lines.lastIndexOf('}');
	type NodeRun = {
		startTime?: number;
		executionTime?: number;
		error?: { message?: string };
		data?: { main?: unknown[][] };
	};
	let data: { data?: { resultData?: { runData?: Record<string, NodeRun[]> } } } | undefined;
	try {
		data =
			start >= 0 && end > start ? JSON.parse(lines.slice(start, end + 1).join('\n')) : undefined;
	} catch {
		data = undefined;
	}
	const runData = data?.data?.resultData?.runData ?? {};
	const task = runData[nodeName]?.[0];
	return {
		peak,
		pid: child.pid,
		stdout,
		runData,
		startTime: task?.startTime,
		executionMs: task?.executionTime,
		error: task?.error?.message,
		items: task?.data?.main?.[0],
	};
}

/** n8n keeps each execution's binaries (2.x: .n8n/storage, 1.x: .n8n/binaryData); drop them between runs. */
export function dropBinaries(userFolder: string) {
	for (const folder of ['storage', 'binaryData'])
		rmSync(path.join(userFolder, '.n8n', folder), { recursive: true, force: true });
}
