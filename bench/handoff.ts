/**
 * `npm run bench:handoff`: how the bytes are handed to n8n's binary writer matters more
 * than anything else left on a fast link. A local server (HTTP, and HTTPS with a
 * throwaway self-signed certificate) sends 256 MiB; the transfer's outlet relays it into
 * `fs.promises.writeFile`, exactly as n8n's filesystem binary mode writes a stream:
 *  - as the network delivered it (one write per socket read: ≤ 64 KiB, ~16–40 KiB over TLS);
 *  - every chunk gathered into 256 KiB buffers;
 *  - what the node does: full socket reads (64 KiB) as they are, smaller chunks gathered.
 * For reference, the same bytes received and thrown away (no writing at all).
 * Each run is its own process holding a ~200 MB heap, as an n8n process does (the
 * garbage collector's work grows with it). Runs on the current Node, and on the Node 24
 * of the cached n8n 2.x install. Median of 3; prints figures, asserts nothing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { ensureN8n, makeTestCertificate, median, MiB } from './common';
import { Outlet, relayBody } from '../nodes/DingTalk/shared/transfer/outlet';
import { send } from '../nodes/DingTalk/shared/transport/http';

const SIZE = 256 * MiB;

function serve(tlsDir: string | undefined): Promise<number> {
	const block = Buffer.alloc(256 * 1024, 0x5a);
	const handler: http.RequestListener = (_req, res) => {
		res.writeHead(200, { 'content-length': SIZE, 'content-type': 'application/octet-stream' });
		let left = SIZE;
		const pump = () => {
			while (left > 0) {
				const n = Math.min(left, block.length);
				left -= n;
				if (!res.write(n === block.length ? block : block.subarray(0, n)))
					return void res.once('drain', pump);
			}
			res.end();
		};
		pump();
	};
	const server = tlsDir
		? https.createServer(
				{
					key: readFileSync(path.join(tlsDir, 'key.pem')),
					cert: readFileSync(path.join(tlsDir, 'cert.pem')),
				},
				handler,
			)
		: http.createServer(handler);
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
	);
}

/** One measured download in this process: prints {ms, growthMiB}. */
async function measure(url: string, passThroughBytes: number) {
	const heap: unknown[] = [];
	for (let i = 0; i < 1_500_000; i++) heap.push({ i, s: `item ${i}`, a: [i] });
	const out = path.join(os.tmpdir(), `bench-handoff-${process.pid}.bin`);
	const rss = () => process.memoryUsage().rss;
	const before = rss();
	let peak = before;
	const sampler = setInterval(() => (peak = Math.max(peak, rss())), 5);
	const started = process.hrtime.bigint();
	const response = await send({
		url,
		method: 'GET',
		headers: {},
		timeouts: { connectMs: 5000, responseMs: 5000, idleMs: 5000 },
	});
	if (passThroughBytes === 0) {
		// Receiving alone: what the network path costs this process before any writing.
		await relayBody(response.body, () => undefined);
	} else {
		const outlet = new Outlet(
			async (o) => await o.relay(response.body, () => undefined),
			() => undefined,
			passThroughBytes,
		);
		await writeFile(out, outlet.stream);
	}
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	clearInterval(sampler);
	rmSync(out, { force: true });
	process.stdout.write(
		JSON.stringify({ ms, growthMiB: (peak - before) / MiB, heap: heap.length }) + '\n',
	);
	process.exit(0);
}

async function runChild(nodeBinary: string, url: string, passThroughBytes: number, caFile: string) {
	const child = spawn(nodeBinary, [__filename, 'measure', url, String(passThroughBytes)], {
		env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let text = '';
	child.stdout!.on('data', (chunk) => (text += chunk));
	await once(child, 'exit');
	return JSON.parse(text.trim().split('\n').pop()!) as { ms: number; growthMiB: number };
}

async function main() {
	if (process.argv[2] === 'measure') return await measure(process.argv[3], Number(process.argv[4]));
	if (process.argv[2] === 'serve') {
		const port = await serve(process.argv[3] || undefined);
		process.send!(port);
		return;
	}
	const tlsDir = makeTestCertificate().dir;
	const servers = [];
	const urls: Record<string, string> = {};
	for (const scheme of ['http', 'https']) {
		const child = spawn(process.execPath, [__filename, 'serve', scheme === 'https' ? tlsDir : ''], {
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const [port] = (await once(child, 'message')) as [number];
		servers.push(child);
		urls[scheme] = `${scheme}://127.0.0.1:${port}/file`;
	}
	const node24 = (await ensureN8n('2')).nodeBinary;
	const runtimes = [
		{ label: `Node ${process.versions.node}`, binary: process.execPath },
		{ label: 'Node 24 (n8n 2.x)', binary: node24 },
	];
	const modes = [
		{ label: 'received, thrown away', passThrough: 0 },
		{ label: 'as delivered', passThrough: 1 },
		{ label: 'all gathered to 256 KiB', passThrough: 256 * 1024 },
		{ label: 'the node: < 64 KiB gathered', passThrough: 64 * 1024 },
	];
	console.log(
		`Hand-off into fs.promises.writeFile, ${SIZE / MiB} MiB from a local server, ~200 MB heap per process, median of 3`,
	);
	console.log(
		`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}; each cell: MiB/s, peak memory growth`,
	);
	console.log(
		`${'runtime'.padEnd(19)} ${'link'.padEnd(6)} ${modes.map((mode) => mode.label.padEnd(30)).join('')}`,
	);
	try {
		for (const runtime of runtimes) {
			for (const scheme of ['http', 'https']) {
				const figures = modes.map(() => ({ ms: [] as number[], growth: [] as number[] }));
				for (let run = 0; run < 3; run++) {
					for (const [index, mode] of modes.entries()) {
						const result = await runChild(
							runtime.binary,
							urls[scheme],
							mode.passThrough,
							path.join(tlsDir, 'cert.pem'),
						);
						figures[index].ms.push(result.ms);
						figures[index].growth.push(result.growthMiB);
					}
				}
				const cells = figures.map(({ ms, growth }) =>
					`${(SIZE / MiB / (median(ms) / 1000)).toFixed(0)} MiB/s, ${median(growth).toFixed(0)} MiB`.padEnd(
						30,
					),
				);
				console.log(`${runtime.label.padEnd(19)} ${scheme.padEnd(6)} ${cells.join('')}`);
			}
		}
	} finally {
		for (const child of servers) child.kill();
		rmSync(tlsDir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
