/**
 * A keep-alive connection that the server closes just as the next request goes out on it
 * (as DingTalk's gateway and OSS do with idle connections). A tiny server on 127.0.0.1
 * answers the first request of a connection and drops the connection when the next one
 * arrives, before answering: a call that changes nothing is sent again on a new connection
 * and succeeds; a change is never sent twice and fails saying it may have been made.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import { listDentries, renameDentry } from '../../nodes/DingTalk/shared/storage/dentries';
import { getDownloadInfo } from '../../nodes/DingTalk/shared/storage/downloadInfo';
import { openDownload } from '../../nodes/DingTalk/shared/transfer/download';

type Drop = 'close' | 'reset';

interface Seen {
	connection: number;
	method: string;
	path: string;
	dropped: boolean;
}

interface StaleServer {
	baseUrl: string;
	seen: Seen[];
	connections: () => number;
	/** Drop every request but the first of the whole server, on any connection. */
	dropEverythingAfterFirst: boolean;
	close: () => Promise<void>;
}

const FILE_BYTES = 'the stored bytes';

async function staleServer(drop: Drop): Promise<StaleServer> {
	let connections = 0;
	const seen: Seen[] = [];
	const counts = new WeakMap<Socket, { connection: number; requests: number }>();
	const server = http.createServer((req, res) => {
		const socket = req.socket;
		const count = counts.get(socket)!;
		count.requests++;
		const path = (req.url ?? '/').split('?')[0];
		// A connection's second request: the server closed the idle connection just as it came.
		const dropped = count.requests > 1 || (handle.dropEverythingAfterFirst && seen.length > 0);
		seen.push({ connection: count.connection, method: req.method ?? '', path, dropped });
		if (dropped) {
			if (drop === 'reset') socket.resetAndDestroy();
			else socket.destroy();
			return;
		}
		req.resume();
		req.on('end', () => {
			if (path === '/file') {
				res.writeHead(200, {
					'content-type': 'text/plain',
					'content-length': Buffer.byteLength(FILE_BYTES),
				});
				res.end(FILE_BYTES);
				return;
			}
			let answer: unknown = {};
			if (path.endsWith('/downloadInfos/query')) {
				answer = {
					protocol: 'HEADER_SIGNATURE',
					headerSignatureInfo: {
						resourceUrls: [`${handle.baseUrl}/file`],
						headers: { 'x-oss-date': 'now' },
					},
				};
			} else if (path.endsWith('/rename')) {
				answer = {
					dentry: { id: '9', spaceId: '1', parentId: '0', type: 'FILE', name: 'renamed.txt' },
				};
			} else if (path.endsWith('/dentries')) {
				answer = { dentries: [], nextToken: '' };
			}
			const text = JSON.stringify(answer);
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(text),
			});
			res.end(text);
		});
	});
	server.on('connection', (socket: Socket) =>
		counts.set(socket, { connection: ++connections, requests: 0 }),
	);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const handle: StaleServer = {
		baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		connections: () => connections,
		dropEverythingAfterFirst: false,
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
	return handle;
}

function clientFor(server: StaleServer): DingTalkClient {
	return new DingTalkClient({
		baseUrl: server.baseUrl,
		auth: { kind: 'accessToken', accessToken: 'stale-test-token' },
		timeouts: { connectMs: 5000, responseMs: 5000, idleMs: 5000 },
		requestsPerSecond: 0,
	});
}

const FILE = { spaceId: '1', dentryId: '9', unionId: 'operator' };
const FOLDER = { spaceId: '1', folderId: '0', unionId: 'operator', maxResults: 50 };

/**
 * Repeats a call until one of its requests went out on a used connection and was dropped
 * (undici spreads requests over its pooled connections: the first few may each open a new
 * one). Returns what the calls returned.
 */
async function untilDropped<T>(server: StaleServer, call: () => Promise<T>): Promise<T[]> {
	const results: T[] = [];
	for (let i = 0; i < 5 && !server.seen.some((request) => request.dropped); i++)
		results.push(await call());
	expect(server.seen.filter((request) => request.dropped)).toHaveLength(1);
	return results;
}

/** The dropped request was sent again at once, on a connection opened for it, and answered. */
function expectSentAgainOnNewConnection(server: StaleServer): void {
	const index = server.seen.findIndex((request) => request.dropped);
	const [dropped, again] = [server.seen[index], server.seen[index + 1]];
	expect(again).toMatchObject({ method: dropped.method, path: dropped.path, dropped: false });
	expect(again.connection).toBeGreaterThan(
		Math.max(...server.seen.slice(0, index + 1).map((request) => request.connection)),
	);
}

describe.each<Drop>(['close', 'reset'])(
	'the server drops an idle keep-alive connection as the next request arrives (%s)',
	(drop) => {
		let server: StaleServer;
		beforeEach(async () => {
			server = await staleServer(drop);
		});
		afterEach(async () => {
			await server.close();
		});

		test('a read-only query sent as POST (download info) is sent again, once, on a new connection', async () => {
			const client = clientFor(server);
			const answers = await untilDropped(
				server,
				async () => await getDownloadInfo(client, FILE, { preferIntranet: false }),
			);
			for (const info of answers) expect(info.resourceUrls).toEqual([`${server.baseUrl}/file`]);
			expectSentAgainOnNewConnection(server);
			expect(server.seen).toHaveLength(answers.length + 1);
		});

		test('a GET (a folder listing) is sent again on a new connection', async () => {
			const client = clientFor(server);
			const pages = await untilDropped(server, async () => await listDentries(client, FOLDER));
			for (const page of pages) expect(page.items).toEqual([]);
			expectSentAgainOnNewConnection(server);
		});

		test('the storage GET of a download is sent again on a new connection', async () => {
			const info = await getDownloadInfo(clientFor(server), FILE, { preferIntranet: false });
			const read = async () => {
				const opened = await openDownload({
					info,
					refreshInfo: async () => info,
					timeouts: { connectMs: 5000, responseMs: 5000, idleMs: 5000 },
				});
				const chunks: Buffer[] = [];
				for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
				return Buffer.concat(chunks).toString();
			};
			for (const text of await untilDropped(server, read)) expect(text).toBe(FILE_BYTES);
			expect(server.seen.find((request) => request.dropped)!.path).toBe('/file');
			expectSentAgainOnNewConnection(server);
		});

		test('a change (rename) is not sent twice: it fails saying the change may have been made', async () => {
			const client = clientFor(server);
			await getDownloadInfo(client, FILE, { preferIntranet: false });
			server.dropEverythingAfterFirst = true;
			const failure = await renameDentry(client, FILE, 'renamed.txt').catch(
				(error: unknown) => error,
			);
			expect(failure).toBeInstanceOf(DingTalkApiError);
			expect(failure).toMatchObject({ code: 'apiUnreachable', retryable: false });
			expect((failure as Error).message).toMatch(
				/^Renaming failed: could not get an answer from http:\/\/127\.0\.0\.1:\d+ \(the connection was closed before an answer arrived \(/,
			);
			expect((failure as DingTalkApiError).description).toMatch(/may have been made/);
			expect(server.seen.filter((request) => request.path.endsWith('/rename'))).toHaveLength(1);
		});

		test('a read-only call whose new connection drops too fails clearly after exactly two tries', async () => {
			const client = clientFor(server);
			await getDownloadInfo(client, FILE, { preferIntranet: false });
			server.dropEverythingAfterFirst = true;
			const failure = await getDownloadInfo(client, FILE, { preferIntranet: false }).catch(
				(error: unknown) => error,
			);
			expect(failure).toMatchObject({ code: 'apiUnreachable', retryable: true });
			expect((failure as Error).message).toMatch(
				/the connection was closed before an answer arrived/,
			);
			expect(server.seen).toHaveLength(3);
			expect(server.seen[2].connection).toBeGreaterThan(server.seen[1].connection);
		});
	},
);
