/**
 * The outlet relays response bodies to the reader chunk by chunk: no concatenation, with
 * backpressure, and it never waits forever on a body that already failed.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';

import { Outlet, OutletClosedError, relayBody } from '../../nodes/DingTalkStorageDownload/transfer/outlet';

/** A body as undici hands it over: a byte stream that is written to from the outside. */
function body(): PassThrough {
	return new PassThrough();
}

async function readAll(stream: Readable): Promise<Buffer[]> {
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	await once(stream, 'end');
	return chunks;
}

describe('relayBody', () => {
	test('passes every chunk on as it came, the same buffer, in order', async () => {
		const source = body();
		const pieces = [Buffer.from('ab'), Buffer.from('cde'), Buffer.from('f')];
		const seen: Buffer[] = [];
		const relaying = relayBody(source, (chunk) => {
			seen.push(chunk);
		});
		for (const piece of pieces) source.write(piece);
		source.end();
		await relaying;
		expect(Buffer.concat(seen).toString()).toBe('abcdef');
		expect(seen).toHaveLength(3);
		seen.forEach((chunk, i) => expect(chunk).toBe(pieces[i]));
	});

	test('a body that already failed before the relay started rejects at once (no hang)', async () => {
		const source = body();
		source.on('error', () => undefined);
		source.write('some bytes that will never be read');
		source.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
		await new Promise((resolve) => setImmediate(resolve));
		await expect(relayBody(source, () => undefined)).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
	});

	test('a body closed without an error before its end rejects as a premature close', async () => {
		const source = body();
		const relaying = relayBody(source, () => undefined);
		source.write('x');
		source.destroy();
		await expect(relaying).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
	});

	test('a chunk refused by the callback destroys the body and rejects with that error', async () => {
		const source = body();
		const refusal = new Error('too long');
		const relaying = relayBody(source, () => {
			throw refusal;
		});
		source.write('x');
		await expect(relaying).rejects.toBe(refusal);
		expect(source.destroyed).toBe(true);
	});

	test('returning false pauses the body until the caller resumes it', async () => {
		const source = body();
		let calls = 0;
		const relaying = relayBody(source, () => {
			calls++;
			return false;
		});
		source.write('a');
		source.write('b');
		await new Promise((resolve) => setImmediate(resolve));
		expect(calls).toBe(1);
		expect(source.isPaused()).toBe(true);
		source.resume();
		source.end();
		await relaying;
		expect(calls).toBe(2);
	});
});

describe('Outlet', () => {
	test('produces nothing until the first read, then streams and ends', async () => {
		let started = false;
		const outlet = new Outlet(async (out) => {
			started = true;
			await out.write(Buffer.from('hello '));
			await out.write(Buffer.from('world'));
		}, () => undefined);
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toBe(false);
		const chunks = await readAll(outlet.stream);
		await outlet.firstRead;
		expect(Buffer.concat(chunks).toString()).toBe('hello world');
		expect(outlet.bytesOut).toBe(11);
	});

	test('a producer that fails makes the stream fail with its error', async () => {
		const failure = new Error('broken');
		const outlet = new Outlet(async (out) => {
			await out.write(Buffer.from('part'));
			throw failure;
		}, () => undefined);
		outlet.stream.resume();
		const [error] = (await once(outlet.stream, 'error').catch((e: unknown) => [e])) as unknown[];
		expect(error).toBe(failure);
	});

	test('relayed bodies reach the reader one network chunk at a time, with backpressure', async () => {
		const source = body();
		const outlet = new Outlet(async (out) => await out.relay(source, () => undefined), () => undefined);
		const big = Buffer.alloc(outlet.stream.readableHighWaterMark * 2, 1);
		const received: Buffer[] = [];
		const reading = (async () => {
			for (;;) {
				const chunk = outlet.stream.read() as Buffer | null;
				if (chunk) received.push(chunk);
				else if (outlet.stream.readableEnded) return;
				else await Promise.race([once(outlet.stream, 'readable'), once(outlet.stream, 'end')]);
			}
		})();
		// Three writes before the reader gets a turn: the relay must stop after the reader is full.
		source.write(big);
		source.write(big);
		source.write(big);
		source.end();
		await reading;
		expect(received).toHaveLength(3);
		received.forEach((chunk) => expect(chunk.buffer).toBe(big.buffer));
	});

	test('a write waiting for room fails with OutletClosedError when the reader goes away', async () => {
		let writing: Promise<void> | undefined;
		let closed = 0;
		const outlet = new Outlet(async (out) => {
			writing = out.write(Buffer.alloc(out.stream.readableHighWaterMark * 2));
			await writing.catch(() => undefined);
		}, () => closed++);
		outlet.stream.read(0); // starts the producer
		await new Promise((resolve) => setImmediate(resolve));
		outlet.stream.destroy();
		await expect(writing).rejects.toBeInstanceOf(OutletClosedError);
		expect(closed).toBe(1);
	});

	test('firstRead settles when the stream closes unread', async () => {
		const outlet = new Outlet(async () => undefined, () => undefined);
		outlet.stream.destroy();
		await expect(outlet.firstRead).resolves.toBeUndefined();
	});
});
