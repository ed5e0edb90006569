// @ts-check
'use strict';
/**
 * Uploads into the emulated storage, as DingTalk and OSS handle them: an upload key per
 * upload (single PUT or multipart), the bytes each PUT delivered written to a temporary
 * folder and hashed as they stream (never held whole in memory), and at the commit a
 * stored content the storage serves back byte for byte.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHash, randomBytes } = require('node:crypto');
const { ApiFault } = require('./errors');

/** OSS's limits. */
const MIN_PART_SIZE = 100 * 1024;
const MAX_PUT_SIZE = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;

/**
 * @typedef {object} StoredPiece
 * @property {string} file   where the bytes are
 * @property {number} size
 * @property {string} md5    hex, the ETag OSS gives
 */

/**
 * @typedef {object} PendingUpload
 * @property {string} key
 * @property {string} spaceId
 * @property {string} parentId
 * @property {string} name
 * @property {number} size       announced in the pre-check
 * @property {boolean} multipart
 * @property {Map<number, StoredPiece>} pieces  part number -> bytes (a single PUT is part 0)
 */

class Uploads {
	constructor() {
		this.folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dingtalk-emulator-uploads-'));
		/** @type {Map<string, PendingUpload>} */
		this.pending = new Map();
		/** Upload keys committed so far (a second commit of a key is refused). */
		this.committed = new Set();
		this.counter = 0;
	}

	/**
	 * @param {string} spaceId @param {any} preCheck `{size, name, parentId}` @param {boolean} multipart
	 */
	start(spaceId, preCheck, multipart) {
		const size = Number(preCheck?.size);
		if (!Number.isSafeInteger(size) || size < 0) throw new ApiFault('paramError', 'preCheckParam.size must be a whole number of bytes');
		if (typeof preCheck?.name !== 'string' || preCheck.name.trim() === '') throw new ApiFault('paramError', 'preCheckParam.name is required');
		if (!multipart && size > MAX_PUT_SIZE) throw new ApiFault('paramError', 'a single upload is limited to 5 GB: use multipart');
		const key = `upkey-${++this.counter}-${randomBytes(6).toString('hex')}`;
		this.pending.set(key, { key, spaceId, parentId: String(preCheck.parentId ?? '0'), name: preCheck.name, size, multipart, pieces: new Map() });
		return key;
	}

	/** @param {string} key */
	get(key) {
		return this.pending.get(key);
	}

	/** A temporary file for the bytes of one PUT. */
	tempFile() {
		return path.join(this.folder, `put-${++this.counter}-${randomBytes(4).toString('hex')}`);
	}

	/**
	 * Keeps what a PUT delivered as a piece of an upload (replacing an earlier try).
	 * @param {PendingUpload} upload @param {number} partNumber @param {StoredPiece} piece
	 */
	keep(upload, partNumber, piece) {
		const earlier = upload.pieces.get(partNumber);
		if (earlier) fs.rmSync(earlier.file, { force: true });
		upload.pieces.set(partNumber, piece);
	}

	/**
	 * The bytes of an upload, checked as the commit needs them: what `size` announced, in
	 * parts numbered from 1 without a gap, each but the last at least 100 KB.
	 * @param {string} key @param {unknown} size
	 * @returns {{upload: PendingUpload, stored: {files: string[], sizes: number[]}, size: number}}
	 */
	take(key, size) {
		const upload = this.pending.get(key);
		if (!upload) throw new ApiFault('paramError', this.committed.has(key) ? 'the uploadKey was committed already' : 'the uploadKey is not known');
		/** @type {StoredPiece[]} */
		let pieces;
		if (!upload.multipart) {
			const piece = upload.pieces.get(0);
			if (!piece) throw new ApiFault('paramError', 'nothing was uploaded under this uploadKey');
			pieces = [piece];
		} else {
			const numbers = [...upload.pieces.keys()].sort((a, b) => a - b);
			if (numbers.length === 0) throw new ApiFault('paramError', 'no part was uploaded under this uploadKey');
			if (numbers.length > MAX_PARTS) throw new ApiFault('paramError', 'more than 10000 parts');
			numbers.forEach((number, index) => {
				if (number !== index + 1) throw new ApiFault('paramError', `part ${index + 1} is missing`);
			});
			pieces = numbers.map((number) => /** @type {StoredPiece} */ (upload.pieces.get(number)));
			pieces.slice(0, -1).forEach((piece, index) => {
				if (piece.size < MIN_PART_SIZE) throw new ApiFault('paramError', `part ${index + 1} is smaller than 100 KB (EntityTooSmall)`);
			});
		}
		const total = pieces.reduce((sum, piece) => sum + piece.size, 0);
		if (Number(size) !== total) throw new ApiFault('paramError', `option.size ${String(size)} does not match the ${total} bytes uploaded`);
		if (total !== upload.size) throw new ApiFault('paramError', `${total} bytes were uploaded, the pre-check announced ${upload.size}`);
		return { upload, stored: { files: pieces.map((piece) => piece.file), sizes: pieces.map((piece) => piece.size) }, size: total };
	}

	/** The commit made a file: the key is spent, its pieces now belong to the file. @param {string} key */
	done(key) {
		this.pending.delete(key);
		this.committed.add(key);
	}

	/** Every upload not committed, and the bytes only they held, are forgotten. */
	reset() {
		for (const upload of this.pending.values()) for (const piece of upload.pieces.values()) fs.rmSync(piece.file, { force: true });
		this.pending.clear();
	}

	/** How many uploads were started and never committed (bytes no file shows). */
	get uncommitted() {
		return this.pending.size;
	}

	close() {
		fs.rmSync(this.folder, { recursive: true, force: true });
	}
}

/**
 * The bytes [start, end] of stored content, streamed from its files.
 * @param {{files: string[], sizes: number[]}} stored @param {number} start @param {number} end
 * @returns {AsyncGenerator<Buffer>}
 */
async function* storedChunks(stored, start, end) {
	let offset = 0;
	for (let i = 0; i < stored.files.length && offset <= end; i++) {
		const size = stored.sizes[i];
		const from = Math.max(start, offset);
		const to = Math.min(end, offset + size - 1);
		if (from <= to) {
			for await (const chunk of fs.createReadStream(stored.files[i], { start: from - offset, end: to - offset, highWaterMark: 64 * 1024 })) {
				yield /** @type {Buffer} */ (chunk);
			}
		}
		offset += size;
	}
}

/**
 * Bytes of stored content, read synchronously (tests ask for them; small ranges).
 * @param {{files: string[], sizes: number[]}} stored @param {number} start @param {number} end
 */
function readStoredSync(stored, start, end) {
	/** @type {Buffer[]} */
	const out = [];
	visitStoredSync(stored, start, end, (chunk) => out.push(Buffer.from(chunk)));
	return Buffer.concat(out);
}

/**
 * @param {{files: string[], sizes: number[]}} stored @param {number} start @param {number} end
 * @param {(chunk: Buffer) => void} each
 */
function visitStoredSync(stored, start, end, each) {
	const buffer = Buffer.allocUnsafe(1024 * 1024);
	let offset = 0;
	for (let i = 0; i < stored.files.length; i++) {
		const size = stored.sizes[i];
		const from = Math.max(start, offset);
		const to = Math.min(end, offset + size - 1);
		if (from <= to) {
			const fd = fs.openSync(stored.files[i], 'r');
			try {
				for (let position = from - offset; position <= to - offset; ) {
					const read = fs.readSync(fd, buffer, 0, Math.min(buffer.length, to - offset - position + 1), position);
					if (read === 0) break;
					each(buffer.subarray(0, read));
					position += read;
				}
			} finally {
				fs.closeSync(fd);
			}
		}
		offset += size;
	}
}

/** @param {{files: string[], sizes: number[]}} stored @param {number} start @param {number} end */
function storedSha256(stored, start, end) {
	const hash = createHash('sha256');
	visitStoredSync(stored, start, end, (chunk) => hash.update(chunk));
	return hash.digest('hex');
}

module.exports = { Uploads, storedChunks, readStoredSync, storedSha256, MIN_PART_SIZE, MAX_PUT_SIZE, MAX_PARTS };
