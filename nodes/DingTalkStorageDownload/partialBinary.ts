/**
 * When a download fails or is cancelled while n8n is writing it (filesystem binary mode),
 * n8n has already created the file and leaves the part written so far behind: n8n writes
 * a binary's `.metadata` file only after the data is complete, and offers no helper to
 * delete a binary whose id it never returned. This removes exactly that partial file.
 *
 * It is found by difference: the execution's binary folder is listed before the node
 * hands the stream to n8n; afterwards, the one new file without a `.metadata` companion
 * is the partial one. Items are processed one at a time, so nothing else of this node
 * can be writing there at that moment. If the folder cannot be found (another binary
 * mode) or the difference is ambiguous, nothing is touched.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
// Node built-ins, deliberately: n8n has no public helper to delete a partial binary.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { readdir, unlink } from 'node:fs/promises';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import path from 'node:path';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { Readable } from 'node:stream';

export interface BinaryFolderSnapshot {
	folder: string;
	names: Set<string>;
}

function executionBinaryFolder(ctx: IExecuteFunctions): string | undefined {
	try {
		const executionId = ctx.getExecutionId();
		const workflowId = ctx.getWorkflow().id;
		if (!executionId || !workflowId) return undefined;
		// The id n8n gives filesystem binaries of this execution, with a placeholder name.
		const probe = `filesystem-v2:workflows/${workflowId}/executions/${executionId}/binary_data/probe`;
		return path.dirname(ctx.helpers.getBinaryPath(probe));
	} catch {
		return undefined;
	}
}

async function list(folder: string): Promise<Set<string> | undefined> {
	try {
		return new Set(await readdir(folder));
	} catch (error) {
		// A folder that does not exist yet is simply empty.
		return (error as { code?: string }).code === 'ENOENT' ? new Set() : undefined;
	}
}

export async function snapshotBinaryFolder(ctx: IExecuteFunctions): Promise<BinaryFolderSnapshot | undefined> {
	const folder = executionBinaryFolder(ctx);
	if (!folder) return undefined;
	const names = await list(folder);
	return names ? { folder, names } : undefined;
}

/** Removes the partial file a failed write left behind; true when it removed one. */
export async function removePartialBinary(snapshot: BinaryFolderSnapshot | undefined): Promise<boolean> {
	if (!snapshot) return false;
	const now = await list(snapshot.folder);
	if (!now) return false;
	const orphans = [...now].filter(
		(name) => !snapshot.names.has(name) && !name.endsWith('.metadata') && !now.has(`${name}.metadata`),
	);
	if (orphans.length !== 1) return false;
	try {
		await unlink(path.join(snapshot.folder, orphans[0]));
		return true;
	} catch {
		return false;
	}
}

/**
 * Hands the stream to n8n's binary data service. If it fails (the transfer broke off, or
 * the execution was cancelled), the partial file n8n wrote is removed and the error goes on.
 */
export async function storeBinary(ctx: IExecuteFunctions, stream: Readable, fileName: string, mimeType: string): Promise<IBinaryData> {
	const snapshot = await snapshotBinaryFolder(ctx);
	try {
		return await ctx.helpers.prepareBinaryData(stream, fileName, mimeType);
	} catch (error) {
		stream.destroy();
		await removePartialBinary(snapshot);
		throw error;
	}
}
