/**
 * Concurrent executions of one app share one token request. Cancelling one of them must end
 * that execution's wait only: the request goes on and the others get the token. Between the
 * nodes and the emulator sits a small gateway on 127.0.0.1 that holds every token request
 * until the test lets it through, so "cancelled while the token request is in flight" is a
 * point the test chooses, not a race. Since no caller's cancellation ends the shared request,
 * it has a time limit of its own, tried against a server whose answer never ends.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { getDownloadInfo } from '../../nodes/DingTalk/shared/storage/downloadInfo';
import { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import { TokenCache } from '../../nodes/DingTalk/shared/api/tokenCache';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import { DEFAULT_TIMEOUTS } from '../../nodes/DingTalk/shared/transport/http';
import { apiCalls, appCredentials, binarySha256, download, useEmulator } from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

const TOKEN_PATH = '/v1.0/oauth2/accessToken';

interface Gateway {
	baseUrl: string;
	/** Token requests that reached the gateway. */
	tokenRequests: number;
	/** Settles when the first token request has arrived (and is being held). */
	tokenRequested: Promise<void>;
	/** Lets the held token requests (and any later one) through to the emulator. */
	release: () => void;
	close: () => Promise<void>;
}

let gateway: Gateway;

/** A fresh gateway in front of the emulator: a base URL no token was ever cached for. */
async function startGateway(target: string): Promise<Gateway> {
	const upstream = new URL(target);
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	let tokenArrived!: () => void;
	const tokenRequested = new Promise<void>((resolve) => (tokenArrived = resolve));
	const state = { tokenRequests: 0 };
	const server = http.createServer((req, res) => {
		const forward = () => {
			const proxied = http.request(
				{
					host: upstream.hostname,
					port: upstream.port,
					path: req.url,
					method: req.method,
					headers: { ...req.headers, host: upstream.host },
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			proxied.on('error', () => res.destroy());
			req.pipe(proxied);
		};
		if (req.method === 'POST' && req.url?.startsWith(TOKEN_PATH)) {
			state.tokenRequests++;
			tokenArrived();
			void released.then(forward);
		} else {
			forward();
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		get tokenRequests() {
			return state.tokenRequests;
		},
		tokenRequested,
		release,
		close: async () => {
			release();
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

beforeEach(async () => {
	gateway = await startGateway(ctx.emulator.baseUrl);
});

afterEach(async () => {
	await gateway.close();
});

test('client level: cancelling A while the token request is in flight rejects A with "cancelled"; B gets the token; one token request', async () => {
	const { emulator } = ctx;
	// The process-wide cache is used by the nodes; a cache of the test's own keeps this independent.
	const tokenCache = new TokenCache();
	const clientWith = (signal: AbortSignal) =>
		new DingTalkClient({
			baseUrl: gateway.baseUrl,
			auth: { kind: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret },
			timeouts: DEFAULT_TIMEOUTS,
			signal,
			tokenCache,
		});
	const a = new AbortController();
	const b = new AbortController();
	const file = { spaceId: '1000', dentryId: '1004', unionId: emulator.unionId };
	const callA = getDownloadInfo(clientWith(a.signal), file, { preferIntranet: false });
	await gateway.tokenRequested;
	const callB = getDownloadInfo(clientWith(b.signal), file, { preferIntranet: false });

	a.abort();
	// A's answer comes while the gateway still holds the token request: A did not wait for it.
	const failure = await callA.catch((error: unknown) => error);
	expect(failure).toBeInstanceOf(DingTalkApiError);
	expect((failure as DingTalkApiError).code).toBe('cancelled');

	gateway.release();
	const info = await callB;
	expect(info.resourceUrls.length).toBeGreaterThan(0);
	expect(gateway.tokenRequests).toBe(1);
	expect(apiCalls(emulator, 'token')).toHaveLength(1);
	// Only B asked for the download info: A stopped at the token.
	expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(1);
});

test('two executions of the node: cancelling A while the token request is in flight leaves B to download its file', async () => {
	const { emulator } = ctx;
	const credentials = { ...appCredentials(emulator), baseUrl: gateway.baseUrl };
	// Under Continue On Fail, A's item shows how its wait ended.
	const runA = runNode({
		parameters: download(emulator, '1004'),
		credentials,
		cancelWhen: gateway.tokenRequested,
		continueOnFail: true,
	});
	await gateway.tokenRequested;
	const runB = runNode({ parameters: download(emulator, '1005'), credentials });

	// A is cancelled as the token request arrives and its run ends while that request is still held.
	const resultA = await runA;
	expect(resultA.run.status).toBe('canceled');
	expect(resultA.output).toEqual([
		expect.objectContaining({ json: expect.objectContaining({ code: 'cancelled' }) }),
	]);
	expect(gateway.tokenRequests).toBe(1);

	gateway.release();
	const resultB = await runB;
	expect(resultB.error).toBeUndefined();
	expect(await binarySha256(resultB.output![0].binary!.data)).toBe(emulator.sha256('1005'));
	expect(gateway.tokenRequests).toBe(1);
	expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(1);
});

test('the shared token request has a lifetime of its own: an answer that trickles in forever ends with a clear error', async () => {
	// Headers at once, then a byte every 20 ms: no phase timeout (connect, headers, idle) ever fires.
	const trickle = http.createServer((_req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		const timer = setInterval(() => res.write(' '), 20);
		res.on('close', () => clearInterval(timer));
	});
	await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
	try {
		const client = new DingTalkClient({
			baseUrl: `http://127.0.0.1:${(trickle.address() as AddressInfo).port}`,
			auth: { kind: 'appCredentials', appKey: 'app', appSecret: 'trickle-secret' },
			timeouts: { connectMs: 200, responseMs: 200, idleMs: 200 },
			tokenCache: new TokenCache(),
		});
		const failure = await client.tokens.token().catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(DingTalkApiError);
		expect(failure).toMatchObject({ code: 'apiUnreachable', retryable: true });
		expect((failure as Error).message).toMatch(
			/^Getting an access token failed: no complete answer from http:\/\/127\.0\.0\.1:\d+ within 1 s$/,
		);
	} finally {
		trickle.closeAllConnections();
		await new Promise((resolve) => trickle.close(resolve));
	}
});
