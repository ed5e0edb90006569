/**
 * Files on disk for upload tests: deterministic bytes (the emulator's generator, so no
 * large buffer is ever built), written in a temporary folder, with their sha256.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

const content = require('../../emulator/content') as {
	chunks: (seed: number, start: number, end: number) => Iterable<Buffer>;
};

export interface InputFile {
	path: string;
	size: number;
	sha256: string;
}

export function useInputFolder() {
	const handle: { folder: string } = { folder: '' };
	beforeAll(() => {
		handle.folder = mkdtempSync(path.join(tmpdir(), 'dingtalk-upload-input-'));
	});
	afterAll(() => rmSync(handle.folder, { recursive: true, force: true }));
	return handle;
}

/**
 * Writes `size` deterministic bytes (from `seed`) to `name`, streamed: in a new sub-folder
 * of `folder` (so names may repeat), or with `flat`, in `folder` itself.
 */
export async function writeInputFile(
	folder: string,
	name: string,
	size: number,
	seed = 7,
	options: { flat?: boolean } = {},
): Promise<InputFile> {
	const dir = options.flat ? folder : mkdtempSync(path.join(folder, 'f-'));
	const file = path.join(dir, name);
	mkdirSync(path.dirname(file), { recursive: true });
	const out = createWriteStream(file);
	const hash = createHash('sha256');
	if (size > 0) {
		for (const chunk of content.chunks(seed, 0, size - 1)) {
			hash.update(chunk);
			if (!out.write(chunk)) await once(out, 'drain');
		}
	}
	out.end();
	await once(out, 'finish');
	return { path: file, size, sha256: hash.digest('hex') };
}
