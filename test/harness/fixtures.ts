/** Shared set-up for the integration suites: one emulator per suite, n8n's engine, helpers. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { IBinaryData, ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { EMULATOR_DEFAULTS, startEmulator } from '../../emulator';
import { forgetRateWindows } from '../../nodes/DingTalk/shared/api/rateLimiter';
import {
	binaryService,
	removeBinaryStorage,
	runNode,
	STORAGE_NODE_TYPE,
	stopN8nTimers,
	useBinaryMode,
	type BinaryMode,
	type RunOptions,
	type RunResult,
} from './n8n';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** Starts an emulator for the suite (and n8n's binary data service in `mode`). */
export function useEmulator(
	mode: BinaryMode = 'filesystem',
	options: Parameters<typeof startEmulator>[0] = {},
) {
	const handle: { emulator: Emulator } = {} as never;
	beforeAll(async () => {
		handle.emulator = await startEmulator(options);
		await useBinaryMode(mode);
	});
	beforeEach(() => {
		handle.emulator.reset();
		// Each test starts with the app's whole rate budget (the suites' hundreds of calls
		// in a row would otherwise wait on each other's windows: rate limits have their own tests).
		forgetRateWindows();
	});
	afterAll(async () => {
		await handle.emulator.close();
		stopN8nTimers();
		removeBinaryStorage();
	});
	return handle;
}

export function appCredentials(emulator: Emulator): ICredentialDataDecryptedObject {
	return {
		authentication: 'appCredentials',
		appKey: emulator.appKey,
		appSecret: emulator.appSecret,
		baseUrl: emulator.baseUrl,
	};
}

export function tokenCredentials(
	emulator: Emulator,
	accessToken: string,
): ICredentialDataDecryptedObject {
	return { authentication: 'accessToken', accessToken, baseUrl: emulator.baseUrl };
}

export function download(
	emulator: Emulator,
	dentryId: string,
	options: IDataObject = {},
	extra: IDataObject = {},
): IDataObject {
	return {
		operation: 'download',
		spaceId: EMULATOR_DEFAULTS.spaceId,
		dentryId,
		unionId: emulator.unionId,
		binaryPropertyName: 'data',
		options,
		...extra,
	};
}

/** A resource locator value as the editor saves it. */
export function rl(value: string, mode: 'list' | 'id' | 'path' | 'url' = 'id'): IDataObject {
	return { __rl: true, mode, value };
}

/**
 * Runs the "DingTalk Storage" node: `resource` → `operation`, in the seeded space by default,
 * as the emulator's operator, with the app credential.
 */
export async function runStorage(
	emulator: Emulator,
	resource: 'file' | 'folder' | 'space' | 'permission' | 'recycleBin',
	operation: string,
	parameters: IDataObject = {},
	options: Omit<RunOptions, 'parameters' | 'credentials'> & {
		credentials?: RunOptions['credentials'];
	} = {},
): Promise<RunResult> {
	return await runNode({
		nodeType: STORAGE_NODE_TYPE,
		credentials: appCredentials(emulator),
		...options,
		parameters: {
			resource,
			operation,
			spaceId: rl(EMULATOR_DEFAULTS.spaceId),
			unionId: emulator.unionId,
			options: {},
			...parameters,
		},
	});
}

/** sha256 of a binary n8n holds, streamed (filesystem mode) or decoded (in-memory mode). */
export async function binarySha256(binary: IBinaryData): Promise<string> {
	const hash = createHash('sha256');
	if (binary.id) {
		for await (const chunk of await binaryService().getAsStream(binary.id))
			hash.update(chunk as Buffer);
	} else {
		hash.update(Buffer.from(binary.data, 'base64'));
	}
	return hash.digest('hex');
}

export async function binaryBytes(binary: IBinaryData): Promise<Buffer> {
	return await binaryService().getAsBuffer(binary);
}

/** How many calls of one API (by the name DingTalk's rate limit counts, e.g. dentries.list) reached the emulator since its last reset. */
export function callsTo(emulator: Emulator, api: string): number {
	return emulator.apiCounts.get(api) ?? 0;
}

/** Calls the emulator's API log answered, by kind. */
export function apiCalls(emulator: Emulator, kind: 'token' | 'downloadInfo' | 'dentry') {
	return emulator.log.filter(
		(entry) =>
			entry.server === 'api' &&
			(kind === 'token'
				? entry.path.startsWith('/v1.0/oauth2/accessToken')
				: kind === 'downloadInfo'
					? entry.path.includes('/downloadInfos/query')
					: /\/dentries\/[^/]+\/query/.test(entry.path)),
	);
}

export function storageCalls(emulator: Emulator) {
	return emulator.log.filter((entry) => entry.server === 'storage');
}

/** Everything an error carries, including non-enumerable fields and causes. */
function serializeError(error: unknown, depth = 0): unknown {
	if (!(error instanceof Error) || depth > 5) return error;
	const fields: Record<string, unknown> = {};
	for (const key of Object.getOwnPropertyNames(error))
		fields[key] = (error as unknown as Record<string, unknown>)[key];
	fields.cause = serializeError((error as { cause?: unknown }).cause, depth + 1);
	return fields;
}

/** A run's outputs and errors as text, for searching secrets in. */
export function serializeRun(result: RunResult): string {
	return JSON.stringify({
		output: result.output,
		error: serializeError(result.error),
		runError: serializeError(result.run.data.resultData.error),
	});
}

/** The app secret, every token the emulator saw, and every signed header value. */
export function secretsSeen(emulator: Emulator, extra: string[] = []): string[] {
	const values = new Set<string>([emulator.appSecret, ...extra]);
	for (const entry of emulator.log) {
		const token = entry.headers['x-acs-dingtalk-access-token'];
		if (typeof token === 'string') values.add(token);
		const authorization = entry.headers.authorization;
		if (entry.server === 'storage' && typeof authorization === 'string') {
			values.add(authorization);
			values.add(authorization.split(':').pop()!);
		}
	}
	return [...values].filter((value) => value.length >= 8);
}

/** Fails if the run's outputs or errors contain the app secret, a token or a signed header value. */
export function expectNoSecrets(result: RunResult, emulator: Emulator, extra: string[] = []): void {
	const text = serializeRun(result);
	for (const secret of secretsSeen(emulator, extra)) expect(text).not.toContain(secret);
}

/** Files in n8n's binary storage without a `.metadata` companion: partial writes. */
export function partialBinaries(storage: string): string[] {
	const files: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else files.push(full);
		}
	};
	if (existsSync(storage)) walk(storage);
	return files.filter((file) => !file.endsWith('.metadata') && !files.includes(`${file}.metadata`));
}
