// n8n's own ceiling for `npm run bench`: hands prepareBinaryData an in-process stream of
// the given size, no network, no generation cost, so the figure is what n8n's binary data
// path alone can do. Two variants:
//  - fresh chunk bytes 0: one reused 256 KiB buffer (the ceiling (d));
//  - fresh chunk bytes N: a newly allocated N-byte buffer per chunk, as every network
//    source delivers them (a socket read is a fresh buffer of at most 64 KiB, and a
//    consumer such as n8n's in-memory mode may keep every chunk, so none can be reused).
// Loaded through N8N_CUSTOM_EXTENSIONS.
'use strict';
const { Readable } = require('node:stream');

class BenchContentStream {
	constructor() {
		this.description = {
			displayName: 'Bench Content Stream',
			name: 'benchContentStream',
			group: ['input'],
			version: 1,
			description: 'Benchmark only: a binary of the given size from memory',
			defaults: { name: 'Bench Content Stream' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [
				{ displayName: 'Size', name: 'size', type: 'number', default: 0 },
				{ displayName: 'Fresh Chunk Bytes', name: 'freshChunkBytes', type: 'number', default: 0 },
			],
		};
	}

	async execute() {
		const size = this.getNodeParameter('size', 0);
		const fresh = this.getNodeParameter('freshChunkBytes', 0);
		const block = Buffer.alloc(fresh || 256 * 1024, 0x5a);
		async function* bytes() {
			for (let left = size; left > 0; left -= block.length) {
				const length = Math.min(left, block.length);
				yield fresh ? Buffer.allocUnsafe(length) : block.subarray(0, length);
			}
		}
		const binary = await this.helpers.prepareBinaryData(
			Readable.from(bytes(), { objectMode: false }),
			'ceiling.bin',
			'application/octet-stream',
		);
		return [[{ json: { size }, binary: { data: binary } }]];
	}
}

module.exports = { BenchContentStream };
