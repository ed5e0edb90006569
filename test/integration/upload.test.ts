/**
 * File → Upload of the "DingTalk Storage" node, through n8n's engine against the emulator:
 * round trips checked by sha256 in both binary modes (single PUT and multipart), the
 * conflict strategies, storage faults ending in a verified upload or a clear error with
 * nothing committed, cancellation, bad input, and no secret anywhere.
 */
import type { IDataObject } from 'n8n-workflow';

import { EMULATOR_DEFAULTS } from '../../emulator';
import {
	binarySha256,
	callsTo,
	expectNoSecrets,
	rl,
	runStorage,
	storageCalls,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { useInputFolder, writeInputFile, type InputFile } from '../harness/inputFiles';
import type { BinaryMode, RunResult } from '../harness/n8n';

const MiB = 1024 * 1024;
const ROOT = '0';

async function upload(
	emulator: Emulator,
	file: InputFile | null,
	parameters: IDataObject = {},
	extra: Parameters<typeof runStorage>[4] = {},
): Promise<RunResult> {
	return await runStorage(
		emulator,
		'file',
		'upload',
		{ folderId: rl(ROOT), binaryPropertyName: 'data', ...parameters },
		{ binaries: [file && { path: file.path }], ...extra },
	);
}

/** Downloads a dentry with the node and gives the sha256 of what arrived. */
async function downloadedSha256(
	emulator: Emulator,
	dentryId: string,
	spaceId = EMULATOR_DEFAULTS.spaceId,
): Promise<string> {
	// In memory mode a 256 MiB+ file needs more than the default In-Memory Size Limit.
	const result = await runStorage(emulator, 'file', 'download', {
		spaceId: rl(spaceId),
		dentryId: rl(dentryId),
		binaryPropertyName: 'data',
		options: { inMemoryLimit: 300 },
	});
	expect(result.error).toBeUndefined();
	return await binarySha256(result.output![0].binary!.data);
}

function namesIn(
	emulator: Emulator,
	folderId: string,
	spaceId = EMULATOR_DEFAULTS.spaceId,
): string[] {
	return emulator.drive
		.children(spaceId, folderId)
		.map((entry: { name: string }) => entry.name)
		.sort();
}

function puts(emulator: Emulator) {
	return storageCalls(emulator).filter((entry) => entry.method === 'PUT');
}

describe.each<BinaryMode>(['filesystem', 'default'])('upload, %s binary mode', (mode) => {
	const ctx = useEmulator(mode);
	const input = useInputFolder();

	test('a small file with a Chinese name: one PUT, committed, and a download gives the same bytes', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, '季度报告 2026-Q3.pdf', 123_457, 11);
		const result = await upload(emulator, file, { folderId: rl('/合同', 'path') });
		expect(result.error).toBeUndefined();
		const json = result.output![0].json;
		expect(json).toMatchObject({
			name: '季度报告 2026-Q3.pdf',
			parentId: '2001',
			type: 'FILE',
			size: file.size,
			uploadedBytes: file.size,
			multipart: false,
			spaceId: '1000',
		});
		expect(json.dentryId).toBe(json.id);
		expect(emulator.sha256(String(json.dentryId))).toBe(file.sha256);
		expect(await downloadedSha256(emulator, String(json.dentryId))).toBe(file.sha256);
		expect(callsTo(emulator, 'uploadInfos.query')).toBe(1);
		expect(callsTo(emulator, 'files.commit')).toBe(1);
		// Exactly the signed headers, the bytes and a Content-Length: nothing that breaks a signature, no token.
		const [put] = puts(emulator);
		expect(put.status).toBe(200);
		expect(put.headers['content-length']).toBe(String(file.size));
		for (const header of [
			'content-type',
			'content-md5',
			'x-acs-dingtalk-access-token',
			'transfer-encoding',
		])
			expect(put.headers[header]).toBeUndefined();
		expect(Object.keys(put.headers).filter((name) => name.startsWith('x-oss-'))).toEqual([
			'x-oss-date',
		]);
		// preferIntranet is always sent (DingTalk's default is true); the commit's size is the bytes sent.
		const apiBodies = emulator.log
			.filter((entry) => entry.server === 'api' && entry.body)
			.map((entry) => JSON.parse(entry.body!));
		expect(apiBodies.find((body) => body.protocol)).toMatchObject({
			protocol: 'HEADER_SIGNATURE',
			multipart: false,
			option: {
				preferIntranet: false,
				preCheckParam: { size: file.size, name: file.path.split('/').pop(), parentId: '2001' },
			},
		});
		expect(apiBodies.find((body) => body.uploadKey)).toMatchObject({
			name: '季度报告 2026-Q3.pdf',
			parentId: '2001',
			option: { size: file.size, conflictStrategy: 'AUTO_RENAME' },
		});
		expectNoSecrets(result, emulator);
	});

	test('an empty file', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, 'empty.log', 0);
		const result = await upload(emulator, file);
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			name: 'empty.log',
			size: 0,
			uploadedBytes: 0,
			multipart: false,
		});
		expect(await downloadedSha256(emulator, String(result.output![0].json.dentryId))).toBe(
			file.sha256,
		);
	});

	test('256 MiB and some: multipart, 4 parts at a time, signatures in batches of at most 30; byte-exact', async () => {
		const { emulator } = ctx;
		const file = await writeInputFile(input.folder, 'archive-2026.tar', 256 * MiB + 4_097, 23);
		const result = await upload(emulator, file, { options: { partSize: 8 * MiB } });
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			name: 'archive-2026.tar',
			size: file.size,
			uploadedBytes: file.size,
			multipart: true,
		});
		const parts = Math.ceil(file.size / (8 * MiB));
		expect(puts(emulator)).toHaveLength(parts);
		expect(callsTo(emulator, 'multiPartUploadInfos.init')).toBe(1);
		expect(callsTo(emulator, 'multiPartUploadInfos.query')).toBe(Math.ceil(parts / 30));
		const dentryId = String(result.output![0].json.dentryId);
		expect(emulator.sha256(dentryId)).toBe(file.sha256);
		expect(await downloadedSha256(emulator, dentryId)).toBe(file.sha256);
		expectNoSecrets(result, emulator);
	}, 120_000);
});

describe('upload: conflict strategies, faults, cancellation, bad input', () => {
	const ctx = useEmulator('filesystem');
	const input = useInputFolder();
	let small: InputFile;
	let notes: InputFile;
	let large: InputFile;
	beforeAll(async () => {
		small = await writeInputFile(input.folder, 'scan-0001.png', 300_001, 5);
		notes = await writeInputFile(input.folder, 'notes.md', 2_345, 9);
		large = await writeInputFile(input.folder, 'big.bin', 40 * MiB + 3, 13);
	});

	describe('conflict strategies on an existing name ("notes.md" in the root, 2 versions)', () => {
		test('Auto Rename (the default) keeps both', async () => {
			const { emulator } = ctx;
			const result = await upload(emulator, notes);
			expect(result.output![0].json).toMatchObject({ name: 'notes(1).md' });
			expect(namesIn(emulator, ROOT)).toEqual(expect.arrayContaining(['notes.md', 'notes(1).md']));
			expect(emulator.sha256('1004')).not.toBe(notes.sha256);
		});

		test('Overwrite adds a new version to the same file, with the uploaded bytes', async () => {
			const { emulator } = ctx;
			const result = await upload(emulator, notes, { options: { conflictStrategy: 'OVERWRITE' } });
			expect(result.output![0].json).toMatchObject({
				dentryId: '1004',
				name: 'notes.md',
				version: 3,
				size: notes.size,
			});
			expect(emulator.sha256('1004')).toBe(notes.sha256);
			expect(await downloadedSha256(emulator, '1004')).toBe(notes.sha256);
		});

		test('Return the Existing Item changes nothing', async () => {
			const { emulator } = ctx;
			const before = emulator.sha256('1004');
			const result = await upload(emulator, notes, {
				options: { conflictStrategy: 'RETURN_DENTRY_IF_EXISTS' },
			});
			expect(result.output![0].json).toMatchObject({ dentryId: '1004', version: 2 });
			expect(emulator.sha256('1004')).toBe(before);
		});

		test('Fail gives an error naming the file; nothing is committed', async () => {
			const { emulator } = ctx;
			const before = namesIn(emulator, ROOT);
			const result = await upload(
				emulator,
				notes,
				{ options: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' } },
				{ continueOnFail: true },
			);
			expect(result.output![0].json).toMatchObject({
				code: 'dentryNameConflict',
				httpCode: 400,
				retryable: false,
			});
			expect(result.output![0].json.error).toContain('"notes.md" already exists');
			expect(result.output![0].json.description).toContain('Conflict Strategy');
			expect(namesIn(emulator, ROOT)).toEqual(before);
		});
	});

	describe('storage faults: a complete verified upload, or a clear error and nothing committed', () => {
		test('single PUT: a 5xx, then a connection reset mid-body, are retried', async () => {
			const { emulator } = ctx;
			emulator.setUploadFault({ part: 0, status: 503 });
			emulator.setUploadFault({ part: 0, resetAfterBytes: 100_000 });
			const result = await upload(emulator, small);
			expect(result.error).toBeUndefined();
			expect(puts(emulator).map((entry) => entry.status)).toEqual([503, -1, 200]);
			expect(emulator.sha256(String(result.output![0].json.dentryId))).toBe(small.sha256);
		});

		test('single PUT: a 403 (expired signature) gets fresh upload info once, and the bytes are committed under its key', async () => {
			const { emulator } = ctx;
			emulator.expireNextSignatures(1);
			const result = await upload(emulator, small);
			expect(result.error).toBeUndefined();
			expect(callsTo(emulator, 'uploadInfos.query')).toBe(2);
			expect(puts(emulator).map((entry) => entry.status)).toEqual([403, 200]);
			expect(emulator.sha256(String(result.output![0].json.dentryId))).toBe(small.sha256);
			expect(emulator.uncommittedUploads()).toBe(1); // the first key, abandoned: no file
		});

		test('single PUT: refused again with a fresh signature → an error naming the step and the OSS code; nothing committed', async () => {
			const { emulator } = ctx;
			const before = namesIn(emulator, ROOT);
			emulator.setUploadFault({ part: 0, status: 403, code: 'AccessDenied', times: 5 });
			const result = await upload(emulator, small, {}, { continueOnFail: true });
			const json = result.output![0].json;
			expect(json.error).toMatch(
				/^Uploading the file failed: storage refused the signed request even with a fresh signature/,
			);
			expect(json).toMatchObject({ code: 'AccessDenied', httpCode: 403 });
			expect(callsTo(emulator, 'files.commit')).toBe(0);
			expect(namesIn(emulator, ROOT)).toEqual(before);
			expectNoSecrets(result, emulator);
		});

		test("storage's SignatureDoesNotMatch (its body echoes the signature): the error names the code, never the signature", async () => {
			const { emulator } = ctx;
			emulator.setUploadFault({ part: 0, status: 403, code: 'SignatureDoesNotMatch', times: 5 });
			const result = await upload(emulator, small, {}, { continueOnFail: true });
			expect(result.output![0].json).toMatchObject({
				code: 'SignatureDoesNotMatch',
				httpCode: 403,
			});
			expect(result.output![0].json.error).toContain('does not match the signature you provided');
			expect(result.output![0].json.error).not.toMatch(/StringToSign|SignatureProvided|LTAI/);
			expect(callsTo(emulator, 'files.commit')).toBe(0);
			expectNoSecrets(result, emulator);
		});

		test('multipart: each part retried on its own (5xx, reset, 403 → fresh signature for that part); byte-exact', async () => {
			const { emulator } = ctx;
			emulator.setUploadFault({ part: 2, status: 500 });
			emulator.setUploadFault({ part: 3, resetAfterBytes: MiB });
			emulator.setUploadFault({ part: 5, status: 403 });
			const result = await upload(emulator, large, {
				options: { partSize: 4 * MiB, parallelConnections: 3 },
			});
			expect(result.error).toBeUndefined();
			expect(result.output![0].json).toMatchObject({ multipart: true, uploadedBytes: large.size });
			const parts = Math.ceil(large.size / (4 * MiB));
			expect(puts(emulator).filter((entry) => entry.status === 200)).toHaveLength(parts);
			expect(puts(emulator)).toHaveLength(parts + 3);
			expect(callsTo(emulator, 'multiPartUploadInfos.query')).toBe(2); // one batch, one refresh of part 5
			expect(emulator.sha256(String(result.output![0].json.dentryId))).toBe(large.sha256);
		});

		test('multipart: a part that keeps failing ends the upload with an error naming the part; nothing committed, other parts stopped', async () => {
			const { emulator } = ctx;
			const before = namesIn(emulator, ROOT);
			emulator.setUploadFault({ part: 4, status: 502, code: 'BadGateway', times: 10 });
			const result = await upload(
				emulator,
				large,
				{ options: { partSize: 4 * MiB } },
				{ continueOnFail: true },
			);
			const json = result.output![0].json;
			expect(json.error).toMatch(
				/^Uploading part 4 of 11 failed after 4 tries: .*HTTP 502 \(BadGateway/,
			);
			expect(json).toMatchObject({ code: 'BadGateway', httpCode: 502, retryable: true });
			expect(callsTo(emulator, 'files.commit')).toBe(0);
			expect(namesIn(emulator, ROOT)).toEqual(before);
		});

		test('a fault of the API (quota) names the step; nothing is sent to storage', async () => {
			const { emulator } = ctx;
			const result = await upload(
				emulator,
				large,
				{ spaceId: rl(EMULATOR_DEFAULTS.otherSpaceId), options: { partSize: 4 * MiB } },
				{ continueOnFail: true },
			);
			expect(result.output![0].json).toMatchObject({ code: 'storageQuotaExceeded' });
			expect(result.output![0].json.error).toContain('Starting the multipart upload failed');
			expect(puts(emulator)).toHaveLength(0);
		});
	});

	test('cancelling the execution stops the upload at once and commits nothing', async () => {
		const { emulator } = ctx;
		emulator.state.bytesPerSecondPerConnection = 4 * MiB;
		const before = namesIn(emulator, ROOT);
		const started = Date.now();
		const result = await upload(emulator, large, {}, { cancelAfterMs: 800 });
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(result.run.status === 'canceled' || result.run.data.resultData.error !== undefined).toBe(
			true,
		);
		// A timed wait on purpose: what follows checks that no commit comes late, and a thing
		// that does not happen cannot be waited for.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(callsTo(emulator, 'files.commit')).toBe(0);
		expect(namesIn(emulator, ROOT)).toEqual(before);
	});

	describe('bad input: a clear error naming the field, before anything is sent; other items go on', () => {
		test('no binary in the field', async () => {
			const { emulator } = ctx;
			const result = await upload(emulator, null, { binaryPropertyName: 'attachment' });
			expect(result.error?.message).toMatch(/attachment/);
			expect(callsTo(emulator, 'uploadInfos.query')).toBe(0);
		});

		test('a file name DingTalk refuses; a part size below 100 KB', async () => {
			const { emulator } = ctx;
			const badName = await upload(emulator, small, { options: { fileName: 'a/b.png' } });
			expect(badName.error?.message).toContain('Invalid "fileName"');
			const badPart = await upload(emulator, small, { options: { partSize: 1000 } });
			expect(badPart.error?.message).toContain('Invalid "partSize"');
			expect(
				emulator.log.filter((entry) => entry.server === 'api' && !entry.path.includes('oauth2')),
			).toHaveLength(0);
		});

		test('Part Size × (Parallel Connections + 1) over 512 MiB is refused up front, naming both options', async () => {
			const { emulator } = ctx;
			const tooMuch = await upload(emulator, small, {
				options: { partSize: 128 * MiB, parallelConnections: 4 },
			});
			expect(tooMuch.error?.message).toContain(
				'Invalid "partSize": Part Size (128 MiB) × (Parallel Connections (4) + 1) is 640 MiB',
			);
			expect(tooMuch.error?.description).toContain(
				'Part Size × (Parallel Connections + 1) stays within 512 MiB',
			);
			// Node 20 cannot even hold one such part: refused the same way, not with a RangeError.
			const huge = await upload(emulator, small, {
				options: { partSize: 5 * 1024 * MiB, parallelConnections: 1 },
			});
			expect(huge.error?.message).toContain('more than the 512 MiB one upload may hold');
			expect(
				emulator.log.filter((entry) => entry.server === 'api' && !entry.path.includes('oauth2')),
			).toHaveLength(0);
			const within = await upload(emulator, small, {
				options: { partSize: 128 * MiB, parallelConnections: 3 },
			});
			expect(within.error).toBeUndefined();
		});

		test('under Continue On Fail, the item without a binary fails and the others are uploaded', async () => {
			const { emulator } = ctx;
			const result = await runStorage(
				emulator,
				'file',
				'upload',
				{
					folderId: rl('2009'),
					binaryPropertyName: 'data',
					options: { fileName: '={{ $json.name }}' },
				},
				{
					items: [{ name: 'one.png' }, { name: 'two.png' }, { name: 'three.png' }],
					binaries: [{ path: small.path }, null, { path: small.path }],
					continueOnFail: true,
				},
			);
			expect(result.output!.map((item) => item.json.name ?? item.json.error)).toEqual([
				'one.png',
				expect.stringMatching(/data/),
				'three.png',
			]);
			expect(result.output!.map((item) => item.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
		});
	});
});
