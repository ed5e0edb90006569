// @ts-check
'use strict';
/**
 * Deterministic file content, generated on the fly so a 1 GiB test file needs no disk.
 * The bytes are a pseudo-random 64 KiB block (from the file's seed) with every block
 * stamped with its own index, so a byte served at the wrong offset changes the sha256.
 */
const { createHash } = require('node:crypto');

const BLOCK_SIZE = 64 * 1024;

/** @type {Map<number, Buffer>} */
const baseBlocks = new Map();

/** @param {number} seed */
function baseBlock(seed) {
	let block = baseBlocks.get(seed);
	if (!block) {
		block = Buffer.alloc(BLOCK_SIZE);
		let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
		for (let i = 0; i < BLOCK_SIZE; i += 4) {
			// xorshift32
			x ^= x << 13;
			x >>>= 0;
			x ^= x >>> 17;
			x ^= x << 5;
			x >>>= 0;
			block.writeUInt32LE(x, i);
		}
		baseBlocks.set(seed, block);
	}
	return block;
}

/**
 * One whole block of a file's content.
 * @param {number} seed
 * @param {number} index
 */
function block(seed, index) {
	const out = Buffer.from(baseBlock(seed));
	out.writeUInt32LE(index >>> 0, 0);
	out.writeUInt32LE(Math.floor(index / 0x100000000) ^ seed, 4);
	return out;
}

/**
 * Yields the bytes [start, end] (inclusive) of a file, in chunks of at most one block.
 * @param {number} seed
 * @param {number} start
 * @param {number} end
 * @returns {Generator<Buffer>}
 */
function* chunks(seed, start, end) {
	let position = start;
	while (position <= end) {
		const index = Math.floor(position / BLOCK_SIZE);
		const offset = position - index * BLOCK_SIZE;
		const take = Math.min(BLOCK_SIZE - offset, end - position + 1);
		yield block(seed, index).subarray(offset, offset + take);
		position += take;
	}
}

/**
 * The bytes [start, end] of a file as one buffer (small ranges only).
 * @param {number} seed
 * @param {number} start
 * @param {number} end
 */
function bytes(seed, start, end) {
	return Buffer.concat([...chunks(seed, start, end)]);
}

/** @type {Map<string, string>} */
const digests = new Map();

/**
 * sha256 (hex) of the bytes [start, end] of a file; cached.
 * @param {number} seed
 * @param {number} start
 * @param {number} end
 */
function sha256(seed, start, end) {
	const key = `${seed}:${start}:${end}`;
	let digest = digests.get(key);
	if (!digest) {
		const hash = createHash('sha256');
		for (const chunk of chunks(seed, start, end)) hash.update(chunk);
		digest = hash.digest('hex');
		digests.set(key, digest);
	}
	return digest;
}

module.exports = { BLOCK_SIZE, chunks, bytes, sha256 };
