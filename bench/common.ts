/** Shared by the benchmark scripts: the emulator in a child process, and one download run. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../test/harness/n8n';

export const MiB = 1024 * 1024;

export interface EmulatorProcess {
	child: ChildProcess;
	baseUrl: string;
	credentials: { authentication: string; appKey: string; appSecret: string; baseUrl: string };
	stop: () => Promise<void>;
}

/** The emulator in its own process, so its work is not counted as the node's. */
export async function startEmulatorProcess(env: Record<string, string> = {}): Promise<EmulatorProcess> {
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
				credentials: { authentication: 'appCredentials', appKey: 'dingemulatorappkey', appSecret, baseUrl: match[1] },
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
	return { operation: 'download', spaceId: '1000', dentryId, unionId: 'emulator-union-id', binaryPropertyName: 'data', options };
}

/** Runs the node once; returns seconds and the output. */
export async function timedRun(emulator: EmulatorProcess, parameters: IDataObject, items?: IDataObject[]) {
	const started = process.hrtime.bigint();
	const result = await runNode({ parameters, credentials: emulator.credentials, items, continueOnFail: true });
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
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { ensureN8n } = require(path.join(SCRIPTS, 'n8n-install')) as typeof import('../scripts/e2e/n8n-install');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const runner = require(path.join(SCRIPTS, 'n8n-runner')) as typeof import('../scripts/e2e/n8n-runner');

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { makeTestCertificate } = require(path.join(__dirname, '..', '..', 'emulator', 'tls')) as typeof import('../emulator/tls');

export type WorkflowNode = Record<string, unknown> & { name: string };

/** The credential the real-n8n benchmarks import (the emulator's app). */
export const BENCH_CREDENTIAL = { id: 'dtCredentialApp1', name: 'DingTalk API' };
const credentials = { dingTalkApi: BENCH_CREDENTIAL };

/** This package's node downloading `dentryId` (a value or an expression). */
export function dingTalkNode(dentryId: string, options: Record<string, unknown>, extra: Record<string, unknown> = {}): WorkflowNode {
	return {
		name: 'DingTalk',
		type: 'n8n-nodes-dingtalk-storage.dingTalkStorageDownload',
		typeVersion: 1,
		credentials,
		...extra,
		parameters: { operation: 'download', spaceId: '1000', dentryId, unionId: 'emulator-union-id', binaryPropertyName: 'data', options },
	};
}

/**
 * The do-it-yourself workflow without this package: an HTTP Request node asking for the
 * download info (with the DingTalk credential), a second fetching the file with the
 * signed headers from an expression. `extra` goes onto both nodes, `fileExtra` onto the
 * second only.
 */
export function httpRequestNodes(infoUrl: string, extra: Record<string, unknown> = {}, fileExtra: Record<string, unknown> = {}): WorkflowNode[] {
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
export function chainWorkflow(id: string, nodes: WorkflowNode[]): Record<string, unknown> & { id: string } {
	const all: WorkflowNode[] = [{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} }, ...nodes];
	const connections: Record<string, unknown> = {};
	all.forEach((node, index) => {
		node.id = `${id}-${index}`;
		node.position = [index * 220, 0];
		if (index > 0) connections[all[index - 1].name] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	});
	return { id, name: id, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {} };
}
