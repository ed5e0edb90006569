/**
 * The Redis client against a fake Redis: a TCP server on 127.0.0.1 that speaks RESP by
 * hand, so each test decides exactly which bytes arrive, in which pieces, and when the
 * connection closes.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import tls from 'node:tls';

import {
	RedisConnection,
	RedisReplyError,
	tlsOptions,
} from '../../nodes/DingTalk/shared/transport/redis';

const MiB = 1024 * 1024;

/** The commands in what a client sent (arrays of bulk strings), and the bytes of an unfinished one. */
function readCommands(buffer: Buffer): { commands: string[][]; rest: Buffer } {
	const commands: string[][] = [];
	let offset = 0;
	for (;;) {
		const header = buffer.indexOf('\r\n', offset);
		if (header === -1) break;
		const count = Number(buffer.toString('latin1', offset + 1, header));
		let position = header + 2;
		const args: string[] = [];
		while (args.length < count) {
			const lineEnd = buffer.indexOf('\r\n', position);
			if (lineEnd === -1) break;
			const length = Number(buffer.toString('latin1', position + 1, lineEnd));
			if (buffer.length < lineEnd + 2 + length + 2) break;
			args.push(buffer.toString('utf8', lineEnd + 2, lineEnd + 2 + length));
			position = lineEnd + 2 + length + 2;
		}
		if (args.length < count) break;
		commands.push(args);
		offset = position;
	}
	return { commands, rest: buffer.subarray(offset) };
}

/** One connection to the fake Redis: its number (0 for the first) and its socket. */
interface FakeConnection {
	index: number;
	socket: Socket;
}

interface FakeRedis {
	port: number;
	/** Every command received, on any connection, in order. */
	received: string[][];
	connections: () => number;
	stop: () => Promise<void>;
}

/** A fake Redis that hands every command to `answer`, which writes (or does not write) the reply. */
async function fakeRedis(
	answer: (command: string[], connection: FakeConnection) => void | Promise<void>,
): Promise<FakeRedis> {
	const sockets: Socket[] = [];
	const received: string[][] = [];
	const server: Server = createServer((socket) => {
		const connection = { index: sockets.length, socket };
		sockets.push(socket);
		socket.setNoDelay(true);
		socket.on('error', () => undefined);
		let buffered: Buffer = Buffer.alloc(0);
		socket.on('data', (chunk: Buffer) => {
			const { commands, rest } = readCommands(Buffer.concat([buffered, chunk]));
			buffered = rest;
			for (const command of commands) {
				received.push(command);
				// A client that closed the connection while an answer was being written: expected here.
				void Promise.resolve(answer(command, connection)).catch(() => undefined);
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('the fake Redis has no port');
	return {
		port: address.port,
		received,
		connections: () => sockets.length,
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `bytes` and waits until the socket took them (so pieces go out as separate writes). */
async function write(socket: Socket, bytes: string | Buffer): Promise<void> {
	await new Promise<void>((resolve, reject) =>
		socket.write(bytes, (error) => (error ? reject(error) : resolve())),
	);
}

describe('Redis client against a fake Redis', () => {
	let redis: FakeRedis | undefined;
	let client: RedisConnection | undefined;
	const start = async (
		answer: Parameters<typeof fakeRedis>[0],
		options: { timeoutMs?: number; password?: string } = {},
	) => {
		redis = await fakeRedis(answer);
		client = new RedisConnection({
			host: '127.0.0.1',
			port: redis.port,
			timeoutMs: 5000,
			...options,
		});
		return { redis, client };
	};
	afterEach(async () => {
		client?.close();
		await redis?.stop();
		client = undefined;
		redis = undefined;
	});

	test('a reply delivered one byte at a time, and two replies in one chunk', async () => {
		let heldPing: Socket | undefined;
		const { client } = await start(async (command, { socket }) => {
			if (command[0] === 'GET') {
				for (const byte of Buffer.from('*2\r\n$5\r\nhello\r\n:42\r\n')) {
					await write(socket, Buffer.from([byte]));
					// Spaces the bytes so that each arrives in a read of its own (not a wait for anything).
					await pause(2);
				}
			} else if (command[0] === 'PING') {
				heldPing = socket;
			} else if (command[0] === 'ECHO') {
				// The PING's reply and the ECHO's, in one write.
				await write(heldPing!, '+PONG\r\n$3\r\n值\r\n');
			}
		});
		await expect(client.command(['GET', 'k'])).resolves.toEqual(['hello', 42]);
		const [ping, echo] = await Promise.all([
			client.command(['PING']),
			client.command(['ECHO', '值']),
		]);
		expect(ping).toBe('PONG');
		expect(echo).toBe('值');
	});

	test('a stalled reply fails at its deadline with every command waiting behind it, and the next command reconnects', async () => {
		const { redis, client } = await start(
			async (command, { index, socket }) => {
				// The first connection never answers; the second does.
				if (index > 0)
					await write(socket, `$${Buffer.byteLength(command[1])}\r\n${command[1]}\r\n`);
			},
			{ timeoutMs: 300 },
		);
		const first = client.command(['ECHO', 'one']);
		const second = client.command(['ECHO', 'two']);
		await expect(first).rejects.toThrow(/no answer within 300 ms/);
		await expect(second).rejects.toThrow(/no answer within 300 ms/);
		await expect(client.command(['ECHO', 'three'])).resolves.toBe('three');
		expect(redis.connections()).toBe(2);
	});

	test('a connection closed during AUTH fails the command at once with a clear error, and the next command reconnects', async () => {
		const password = 'fake-redis-password';
		const { redis, client } = await start(
			async (command, { index, socket }) => {
				if (command[0] === 'AUTH' && index === 0) socket.destroy();
				else if (command[0] === 'AUTH') await write(socket, '+OK\r\n');
				else await write(socket, '+PONG\r\n');
			},
			// A deadline far beyond the test's: only the close can end the first command.
			{ timeoutMs: 60_000, password },
		);
		const failed = await client.command(['PING']).catch((error: unknown) => error);
		expect(failed).toBeInstanceOf(Error);
		expect((failed as Error).message).toMatch(/Redis: the server closed the connection/);
		expect((failed as Error).message).not.toContain(password);
		await expect(client.command(['PING'])).resolves.toBe('PONG');
		expect(redis.connections()).toBe(2);
		expect(redis.received.filter((command) => command[0] === 'AUTH')).toEqual([
			['AUTH', password],
			['AUTH', password],
		]);
	}, 10_000);

	test('an error inside an array reply is an element of that reply; the other commands still get theirs', async () => {
		const { redis, client } = await start(async (command, { socket }) => {
			// Pipelined: the three replies go out together once the last command is in.
			if (command[0] === 'ECHO')
				await write(
					socket,
					'+PONG\r\n*3\r\n-ERR inside\r\n:1\r\n*1\r\n-WRONGTYPE deeper\r\n$2\r\nhi\r\n',
				);
		});
		const [ping, exec, echo] = await Promise.all([
			client.command(['PING']),
			client.command(['EXEC']),
			client.command(['ECHO', 'hi']),
		]);
		expect(ping).toBe('PONG');
		expect(echo).toBe('hi');
		expect(exec).toEqual([expect.any(RedisReplyError), 1, [expect.any(RedisReplyError)]]);
		const [inside, , [deeper]] = exec as [RedisReplyError, number, RedisReplyError[]];
		expect(inside.message).toBe('ERR inside');
		expect(deeper.message).toBe('WRONGTYPE deeper');
		expect(redis.connections()).toBe(1);
	});

	test('an error reply fails its own command only', async () => {
		const { client } = await start(async (command, { socket }) => {
			await write(socket, command[0] === 'BAD' ? '-ERR unknown command\r\n' : '+OK\r\n');
		});
		const results = await Promise.allSettled([
			client.command(['SET', 'a', '1']),
			client.command(['BAD']),
			client.command(['SET', 'b', '2']),
		]);
		expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
		expect((results[1] as PromiseRejectedResult).reason).toEqual(
			new RedisReplyError('ERR unknown command'),
		);
	});

	test('a 16 MiB reply in 64 KiB pieces arrives whole, its pieces joined once rather than once per piece', async () => {
		const body = Buffer.alloc(16 * MiB);
		for (let index = 0; index < body.length; index++) body[index] = 0x61 + (index % 26);
		const { client } = await start(
			async (_command, { socket }) => {
				await write(socket, `$${body.length}\r\n`);
				for (let offset = 0; offset < body.length; offset += 64 * 1024)
					await write(socket, body.subarray(offset, offset + 64 * 1024));
				await write(socket, '\r\n');
			},
			{ timeoutMs: 60_000 },
		);
		const concat = jest.spyOn(Buffer, 'concat');
		try {
			const reply = await client.command(['GET', 'big']);
			expect(typeof reply).toBe('string');
			expect(
				createHash('sha256')
					.update(reply as string)
					.digest('hex'),
			).toBe(createHash('sha256').update(body).digest('hex'));
			// Re-joining on every piece copied ~2 GiB here; joining once copies the reply once.
			const copied = concat.mock.results.reduce(
				(sum, result) => sum + (result.value as Buffer).length,
				0,
			);
			expect(copied).toBeLessThan(2 * body.length);
		} finally {
			concat.mockRestore();
		}
	});

	test('a reply larger than 64 MiB closes the connection with a clear error as soon as it is announced', async () => {
		const { redis, client } = await start(
			async (command, { index, socket }) => {
				if (index === 0 && command[0] === 'GET') await write(socket, `$${64 * MiB + 1}\r\nabc`);
				else if (index > 0) await write(socket, '+PONG\r\n');
			},
			{ timeoutMs: 60_000 },
		);
		const big = client.command(['GET', 'huge']);
		const behind = client.command(['PING']);
		await expect(big).rejects.toThrow(
			/^Redis: a reply of at least \d+ bytes: more than the 64 MiB this client takes$/,
		);
		await expect(behind).rejects.toThrow(/more than the 64 MiB/);
		await expect(client.command(['PING'])).resolves.toBe('PONG');
		expect(redis.connections()).toBe(2);
	}, 10_000);
});

describe('TLS server name', () => {
	test('sent for a host name, not for an IP address (Node deprecates that: DEP0123)', () => {
		expect(tlsOptions('redis.internal', 6380)).toEqual({
			host: 'redis.internal',
			port: 6380,
			servername: 'redis.internal',
		});
		expect(tlsOptions('10.0.0.7', 6380)).toEqual({ host: '10.0.0.7', port: 6380 });
		expect(tlsOptions('::1', 6380)).toEqual({ host: '::1', port: 6380 });
	});

	test('the connection uses those options', async () => {
		const connect = jest.spyOn(tls, 'connect');
		const client = new RedisConnection({ host: '127.0.0.1', port: 1, tls: true, timeoutMs: 1000 });
		try {
			await expect(client.command(['PING'])).rejects.toThrow();
			expect(connect).toHaveBeenCalledWith({ host: '127.0.0.1', port: 1 });
		} finally {
			client.close();
			connect.mockRestore();
		}
	});
});
