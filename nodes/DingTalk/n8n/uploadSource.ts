import { NodeOperationError, type IBinaryData, type IExecuteFunctions } from 'n8n-workflow';

import type { UploadSource } from '../shared/transfer/upload';

/**
 * Read size of n8n's binary stream. Each read is a fresh buffer, garbage once sent: 1 MiB
 * reads were faster but grew memory more, 256 KiB the reverse (`npm run bench:upload`).
 */
const STREAM_CHUNK_BYTES = 512 * 1024;

/**
 * An input item's binary as the upload reads it. In n8n's filesystem mode (and any mode
 * that stores binaries by ID) it is streamed from the store each time it is needed and its
 * size comes from the store's metadata; in memory mode n8n already holds the buffer, which
 * is used as it is.
 */
export async function binaryUploadSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<{ binary: IBinaryData; source: UploadSource }> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, propertyName);
	const id = binary.id;
	if (id) {
		const metadata = await ctx.helpers.getBinaryMetadata(id);
		const size = Number.isSafeInteger(metadata?.fileSize) ? metadata.fileSize : binary.bytes;
		if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The size of the binary in "${propertyName}" is not known, so it cannot be uploaded`,
				{
					itemIndex,
					description:
						'n8n did not record the file size of this binary. Pass it through a node that writes binary data again (for example Read/Write Files from Disk).',
				},
			);
		}
		return {
			binary,
			source: { size, open: async () => await ctx.helpers.getBinaryStream(id, STREAM_CHUNK_BYTES) },
		};
	}
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	return { binary, source: { size: buffer.length, buffer } };
}
