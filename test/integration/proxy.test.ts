/**
 * Enterprise intranets reach DingTalk through a proxy: HTTP_PROXY / HTTPS_PROXY /
 * NO_PROXY apply to the API and the storage alike. A small forward proxy on 127.0.0.1
 * records what passes through it.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

import { appCredentials, binarySha256, download, useEmulator } from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

interface ProxiedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
}

let proxy: http.Server;
let proxyUrl: string;
const proxied: ProxiedRequest[] = [];

beforeAll(async () => {
	// A forward proxy for plain-http targets: requests arrive in absolute form.
	proxy = http.createServer((req, res) => {
		proxied.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		const target = new URL(req.url ?? '');
		const upstream = http.request(
			{
				host: target.hostname,
				port: target.port,
				path: target.pathname + target.search,
				method: req.method,
				headers: req.headers,
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	// Tunnels (CONNECT host:port), which undici uses by default, as corporate proxies allow.
	proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
		proxied.push({ method: 'CONNECT', url: req.url ?? '', headers: req.headers });
		const [host, port] = (req.url ?? '').split(':');
		const upstream = net.connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
	delete process.env.HTTP_PROXY;
	delete process.env.NO_PROXY;
	proxy.closeAllConnections();
	await new Promise((resolve) => proxy.close(resolve));
});

beforeEach(() => {
	proxied.length = 0;
});

// Connection pools are created on first use and read the proxy variables then (as a
// process started with them would); each test uses its own connect timeout, and so its
// own freshly created pool.
test('HTTP_PROXY: the token, the download info and the file all go through the proxy', async () => {
	const { emulator } = ctx;
	process.env.HTTP_PROXY = proxyUrl;
	delete process.env.NO_PROXY;
	const { output, error } = await runNode({
		parameters: download(emulator, '1005', { connectTimeout: 4001 }),
		credentials: appCredentials(emulator),
	});
	expect(error).toBeUndefined();
	expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1005'));
	const targets = new Set(
		proxied.map((request) => request.url.replace(/^http:\/\//, '').split('/')[0]),
	);
	expect(targets).toEqual(
		new Set([new URL(emulator.baseUrl).host, new URL(emulator.storageUrl).host]),
	);
	// Nothing for DingTalk in the proxy's own request headers.
	for (const request of proxied)
		expect(request.headers['x-acs-dingtalk-access-token']).toBeUndefined();
});

test('NO_PROXY: listed hosts are reached directly', async () => {
	const { emulator } = ctx;
	process.env.HTTP_PROXY = proxyUrl;
	process.env.NO_PROXY = '127.0.0.1';
	const { output } = await runNode({
		parameters: download(emulator, '1004', { connectTimeout: 4002 }),
		credentials: appCredentials(emulator),
	});
	expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1004'));
	expect(proxied).toHaveLength(0);
});

test('an unreachable proxy gives a clear error, not a hang', async () => {
	const { emulator } = ctx;
	process.env.HTTP_PROXY = 'http://127.0.0.1:1';
	delete process.env.NO_PROXY;
	const { output } = await runNode({
		parameters: download(emulator, '1004', { connectTimeout: 4003 }),
		credentials: {
			...appCredentials(emulator),
			baseUrl: emulator.baseUrl.replace('127.0.0.1', 'localhost'),
		},
		continueOnFail: true,
	});
	expect(output![0].json.code).toBe('apiUnreachable');
	expect(output![0].json.description).toMatch(/proxy/);
});
