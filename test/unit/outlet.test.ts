/**
 * The outlet relays response bodies to the reader byte-exact, small chunks gathered into
 * 256 KiB buffers and full socket reads as they are, with backpressure, and never waits
 * forever on a body that failed.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';

import {
	handOffFor,
	Outlet,
	OUTLET_BUFFER_BYTES,
	OUTLET_PASS_THROUGH_BYTES,
	OutletClosedError,
	relayBody,
} from '../../nodes/DingTalk/shared/transfer/outlet';

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
		await expect(relayBody(source, () => undefined)).rejects.toMatchObject({
			code: 'UND_ERR_SOCKET',
		});
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
		const outlet = new Outlet(
			async (out) => {
				started = true;
				await out.write(Buffer.from('hello '));
				await out.write(Buffer.from('world'));
			},
			() => undefined,
		);
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toBe(false);
		const chunks = await readAll(outlet.stream);
		await outlet.firstRead;
		expect(Buffer.concat(chunks).toString()).toBe('hello world');
		expect(outlet.bytesOut).toBe(11);
	});

	test('a producer that fails makes the stream fail with its error', async () => {
		const failure = new Error('broken');
		const outlet = new Outlet(
			async (out) => {
				await out.write(Buffer.from('part'));
				throw failure;
			},
			() => undefined,
		);
		outlet.stream.resume();
		const [error] = (await once(outlet.stream, 'error').catch((e: unknown) => [e])) as unknown[];
		expect(error).toBe(failure);
	});

	test('small network chunks reach the reader gathered into 256 KiB buffers, byte-exact', async () => {
		const source = body();
		const outlet = new Outlet(
			async (out) => await out.relay(source, () => undefined),
			() => undefined,
		);
		const reading = readAll(outlet.stream);
		const sent: Buffer[] = [];
		let total = 0;
		for (let i = 0; total < 3 * OUTLET_BUFFER_BYTES + 1234; i++) {
			const piece = Buffer.alloc(1000 + ((i * 7919) % 30_000), i % 251);
			sent.push(piece);
			total += piece.length;
			source.write(piece);
		}
		source.end();
		const received = await reading;
		expect(Buffer.concat(received).equals(Buffer.concat(sent))).toBe(true);
		expect(received.slice(0, -1).every((chunk) => chunk.length === OUTLET_BUFFER_BYTES)).toBe(true);
		expect(received.at(-1)!.length).toBe(total % OUTLET_BUFFER_BYTES);
		expect(outlet.bytesOut).toBe(total);
	});

	test('large chunks pass through as they are, one at a time, with backpressure', async () => {
		const source = body();
		const outlet = new Outlet(
			async (out) => await out.relay(source, () => undefined),
			() => undefined,
		);
		const big = Buffer.alloc(
			Math.max(OUTLET_BUFFER_BYTES, outlet.stream.readableHighWaterMark * 2),
			1,
		);
		const received: Buffer[] = [];
		const reading = (async () => {
			for (;;) {
				const chunk = outlet.stream.read() as Buffer | null;
				if (chunk) received.push(chunk);
				else if (outlet.stream.readableEnded) return;
				else await Promise.race([once(outlet.stream, 'readable'), once(outlet.stream, 'end')]);
			}
		})();
		// Three writes before the reader gets a turn: the relay must stop once the reader is
		// full, or read() would hand back all three joined in a new buffer.
		source.write(big);
		source.write(big);
		source.write(big);
		source.end();
		await reading;
		expect(received).toHaveLength(3);
		received.forEach((chunk) => expect(chunk).toBe(big));
	});

	test('write() gathers too, and the end flushes what is left', async () => {
		const pieces = Array.from({ length: 350 }, (_, i) => Buffer.alloc(10_000, i));
		const outlet = new Outlet(
			async (out) => {
				for (const piece of pieces) await out.write(piece);
			},
			() => undefined,
		);
		const received = await readAll(outlet.stream);
		expect(received.map((chunk) => chunk.length)).toEqual([
			OUTLET_BUFFER_BYTES,
			OUTLET_BUFFER_BYTES,
			OUTLET_BUFFER_BYTES,
			3_500_000 - 3 * OUTLET_BUFFER_BYTES,
		]);
		expect(Buffer.concat(received).equals(Buffer.concat(pieces))).toBe(true);
	});

	test('a full socket read after small chunks: what was gathered goes first, then the read as it is', async () => {
		const small = [Buffer.alloc(3000, 1), Buffer.alloc(5000, 2)];
		const full = Buffer.alloc(OUTLET_PASS_THROUGH_BYTES, 3);
		const outlet = new Outlet(
			async (out) => {
				for (const piece of [...small, full, Buffer.alloc(10, 4)]) await out.write(piece);
			},
			() => undefined,
		);
		const received = await readAll(outlet.stream);
		expect(received.map((chunk) => chunk.length)).toEqual([8000, OUTLET_PASS_THROUGH_BYTES, 10]);
		expect(received[1]).toBe(full);
		expect(
			Buffer.concat(received).equals(Buffer.concat([...small, full, Buffer.alloc(10, 4)])),
		).toBe(true);
	});

	test('a write waiting for room fails with OutletClosedError when the reader goes away', async () => {
		let writing: Promise<void> | undefined;
		let closed = 0;
		const outlet = new Outlet(
			async (out) => {
				writing = out.write(Buffer.alloc(OUTLET_BUFFER_BYTES * 2));
				await writing.catch(() => undefined);
			},
			() => closed++,
		);
		outlet.stream.read(0); // starts the producer
		await new Promise((resolve) => setImmediate(resolve));
		outlet.stream.destroy();
		await expect(writing).rejects.toBeInstanceOf(OutletClosedError);
		expect(closed).toBe(1);
	});

	test('firstRead settles when the stream closes unread', async () => {
		const outlet = new Outlet(
			async () => undefined,
			() => undefined,
		);
		outlet.stream.destroy();
		await expect(outlet.firstRead).resolves.toBeUndefined();
	});
});

describe('handOffFor: how chunks are handed on, by link and runtime (measured with npm run bench:gather)', () => {
	test.each([
		['http://storage/file', '24.21.0', OUTLET_PASS_THROUGH_BYTES],
		['http://storage/file', '22.0.0', OUTLET_PASS_THROUGH_BYTES],
		['http://storage/file', '20.20.2', Number.POSITIVE_INFINITY],
		['https://storage/file', '24.21.0', Number.POSITIVE_INFINITY],
		['HTTPS://storage/file', '20.20.2', Number.POSITIVE_INFINITY],
	])('%s on Node %s: full reads pass through from %d bytes', (url, node, passThroughBytes) => {
		expect(handOffFor(url, node)).toEqual({ gatherBytes: OUTLET_BUFFER_BYTES, passThroughBytes });
	});

	test('gathering is into 1 MiB buffers', () => {
		expect(OUTLET_BUFFER_BYTES).toBe(1024 * 1024);
	});
});
