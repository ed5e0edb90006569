/**
 * The upload engine (shared/transfer/upload.ts) and the upload APIs against the emulator,
 * without n8n: the emulator's OSS signature check itself, signatures renewed in batches as
 * a long upload proceeds, and input that does not hold the bytes it announced.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';

import { EMULATOR_DEFAULTS } from '../../emulator';
import { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import {
	commitUpload,
	getPartSignatures,
	getUploadInfo,
	initMultipartUpload,
	type UploadTarget,
} from '../../nodes/DingTalk/shared/storage/upload';
import { uploadFile, type UploadSource } from '../../nodes/DingTalk/shared/transfer/upload';
import { DEFAULT_TIMEOUTS } from '../../nodes/DingTalk/shared/transport/http';
import { callsTo, storageCalls, useEmulator, type Emulator } from '../harness/fixtures';

const MiB = 1024 * 1024;

function clientOf(emulator: Emulator, signal?: AbortSignal) {
	return new DingTalkClient({
		baseUrl: emulator.baseUrl,
		auth: { kind: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret },
		timeouts: DEFAULT_TIMEOUTS,
		signal,
	});
}

function target(emulator: Emulator, name: string, size: number): UploadTarget {
	return {
		spaceId: EMULATOR_DEFAULTS.spaceId,
		parentId: '0',
		unionId: emulator.unionId,
		name,
		size,
		preferIntranet: false,
	};
}

async function run(
	emulator: Emulator,
	source: UploadSource,
	name: string,
	options: { partSize?: number; parallelConnections?: number; multipartThreshold?: number } = {},
) {
	const client = clientOf(emulator);
	const where = target(emulator, name, source.size);
	return await uploadFile({
		source,
		partSize: options.partSize ?? MiB,
		parallelConnections: options.parallelConnections ?? 2,
		multipartThreshold: options.multipartThreshold ?? 4 * MiB,
		timeouts: DEFAULT_TIMEOUTS,
		retryDelayMs: 10,
		steps: {
			uploadInfo: async () => await getUploadInfo(client, where),
			initMultipart: async () => await initMultipartUpload(client, where),
			partSignatures: async (uploadKey, partNumbers) =>
				await getPartSignatures(client, {
					unionId: where.unionId,
					uploadKey,
					partNumbers,
					preferIntranet: false,
				}),
			commit: async (uploadKey) => await commitUpload(client, where, uploadKey, 'AUTO_RENAME'),
		},
	});
}

/** A stream of `size` bytes of 0x5a, in 64 KiB chunks. */
function streamOf(size: number): Readable {
	async function* chunks() {
		for (let sent = 0; sent < size; sent += 64 * 1024)
			yield Buffer.alloc(Math.min(64 * 1024, size - sent), 0x5a);
	}
	return Readable.from(chunks(), { objectMode: false });
}

describe('the emulated storage checks OSS signatures on PUT', () => {
	const ctx = useEmulator('filesystem');

	test('exactly the signed headers are accepted; an unsigned Content-Type, a Content-MD5 or an x-oss- header is SignatureDoesNotMatch', async () => {
		const { emulator } = ctx;
		const info = await getUploadInfo(clientOf(emulator), target(emulator, 'x.bin', 3));
		const put = async (extra: Record<string, string>) => {
			const response = await request(info.urls[0], {
				method: 'PUT',
				headers: { ...info.headers, ...extra },
				body: Buffer.from('abc'),
			});
			const text = await response.body.text();
			return { status: response.statusCode, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
		};
		expect(await put({ 'content-type': 'application/octet-stream' })).toEqual({
			status: 403,
			code: 'SignatureDoesNotMatch',
		});
		expect(await put({ 'content-md5': 'kAFQmDzST7DWlj99KOF/cg==' })).toEqual({
			status: 403,
			code: 'SignatureDoesNotMatch',
		});
		expect(await put({ 'x-oss-meta-owner': 'n8n' })).toEqual({
			status: 403,
			code: 'SignatureDoesNotMatch',
		});
		expect(await put({})).toEqual({ status: 200, code: undefined });
	});
});

describe('the upload engine', () => {
	// Signatures live 5 s (OSS dates have whole seconds, so up to 1 s less in effect).
	const ctx = useEmulator('filesystem', { signatureTtlSeconds: 5 });

	test('a multipart upload that outlives its signatures fetches them in batches as it proceeds, never sending an expired one', async () => {
		const { emulator } = ctx;
		emulator.state.bytesPerSecondPerConnection = 2 * MiB;
		const size = 12 * MiB + 5;
		const result = await run(emulator, { size, open: async () => streamOf(size) }, 'long.bin', {
			partSize: MiB,
			parallelConnections: 1,
		});
		expect(result).toMatchObject({ multipart: true, parts: 13, uploadedBytes: size });
		expect(
			storageCalls(emulator)
				.filter((entry) => entry.method === 'PUT')
				.map((entry) => entry.status),
		).toEqual(Array(13).fill(200));
		// 13 parts at 2 MiB/s take about 6.5 s; signatures live 5 s: renewed on the way.
		expect(callsTo(emulator, 'multiPartUploadInfos.query')).toBeGreaterThan(1);
	}, 30_000);

	test.each([
		['single PUT, the input ends short', 1_000, 900, Infinity],
		['single PUT, the input runs long', 1_000, 1_100, Infinity],
		['multipart, the input ends short', 5 * MiB, 5 * MiB - 1, 4 * MiB],
		['multipart, the input runs long', 5 * MiB, 5 * MiB + 1, 4 * MiB],
	])('%s: sizeMismatch, nothing committed', async (_name, announced, actual, threshold) => {
		const { emulator } = ctx;
		const attempt = run(
			emulator,
			{ size: announced, open: async () => streamOf(actual) },
			'short.bin',
			{ multipartThreshold: threshold },
		);
		await expect(attempt).rejects.toMatchObject({ code: 'sizeMismatch' });
		expect(callsTo(emulator, 'files.commit')).toBe(0);
	});

	test('an input that cannot be read: sourceReadFailed, nothing committed', async () => {
		const { emulator } = ctx;
		// Gives its first 1000 bytes, then fails when read further: broken while being read.
		const broken = () => {
			let reads = 0;
			return new Readable({
				read() {
					if (reads++ === 0) this.push(Buffer.alloc(1000));
					else this.destroy(new Error('EIO: i/o error, read'));
				},
			});
		};
		await expect(
			run(emulator, { size: 5_000, open: async () => broken() }, 'eio.bin'),
		).rejects.toMatchObject({ code: 'sourceReadFailed' });
		await expect(
			run(emulator, { size: 5 * MiB, open: async () => broken() }, 'eio.bin'),
		).rejects.toMatchObject({ code: 'sourceReadFailed' });
		expect(callsTo(emulator, 'files.commit')).toBe(0);
	});

	test('the commit refuses a size other than the bytes uploaded (the emulator keeps DingTalk honest)', async () => {
		const { emulator } = ctx;
		const client = clientOf(emulator);
		const where = target(emulator, 'liar.bin', 3);
		const info = await getUploadInfo(client, where);
		await request(info.urls[0], {
			method: 'PUT',
			headers: info.headers,
			body: Buffer.from('ab'),
		}).then((response) => response.body.text());
		await expect(commitUpload(client, where, info.uploadKey, 'AUTO_RENAME')).rejects.toMatchObject({
			code: 'paramError',
		});
	});
});
