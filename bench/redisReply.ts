/**
 * `tsc -p tsconfig.bench.json && node .build/bench/redisReply.js`: how long the Redis
 * client of the shared rate limit takes to read one large reply. A fake Redis on
 * 127.0.0.1 answers every command with one bulk string of the given size, written in
 * pieces of the given size (the socket may still merge or split them). The client's own
 * replies are a few bytes; this shows that a large one costs time in proportion to its
 * size (joined once), not to its size times its pieces. Median of 3; prints figures,
 * asserts nothing.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

import { RedisConnection } from '../nodes/DingTalk/shared/transport/redis';

const MiB = 1024 * 1024;

async function write(socket: Socket, bytes: string | Buffer): Promise<void> {
	if (!socket.write(bytes)) await once(socket, 'drain');
}

async function serve(size: number, piece: number): Promise<{ port: number; stop: () => void }> {
	const body = Buffer.alloc(size, 0x61);
	const server = createServer((socket) => {
		socket.on('error', () => undefined);
		socket.on('data', () => {
			void (async () => {
				await write(socket, `$${size}\r\n`);
				for (let offset = 0; offset < size; offset += piece)
					await write(socket, body.subarray(offset, offset + piece));
				await write(socket, '\r\n');
			})();
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return { port: (server.address() as { port: number }).port, stop: () => server.close() };
}

async function main(): Promise<void> {
	console.log('reply size  pieces   median of 3');
	for (const [size, piece] of [
		[1 * MiB, 64 * 1024],
		[16 * MiB, 64 * 1024],
		[16 * MiB, 16 * 1024],
		[48 * MiB, 64 * 1024],
	]) {
		const server = await serve(size, piece);
		const seconds: number[] = [];
		for (let run = 0; run < 3; run++) {
			const client = new RedisConnection({
				host: '127.0.0.1',
				port: server.port,
				timeoutMs: 600_000,
			});
			const started = process.hrtime.bigint();
			const reply = await client.command(['GET', 'big']);
			seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
			client.close();
			if (typeof reply !== 'string' || reply.length !== size)
				throw new Error('the reply came back wrong');
		}
		server.stop();
		const median = [...seconds].sort((a, b) => a - b)[1];
		console.log(
			`${String(size / MiB).padStart(6)} MiB  ${String(piece / 1024).padStart(3)} KiB  ${median.toFixed(3)} s`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
