/**
 * When a download fails or is cancelled while n8n is writing it (filesystem binary mode),
 * n8n has already created the file and leaves the part written so far behind: n8n writes
 * a binary's `.metadata` file only after the data is complete, and offers no helper to
 * delete a binary whose id it never returned. This removes exactly that partial file.
 *
 * Which file is ours: the execution's binary folder is listed before the stream is handed
 * to n8n, and again when n8n first reads from it (n8n opens the file before reading); the
 * one new file without a `.metadata` companion is ours. Items running in parallel take
 * turns for that short moment (one lock per folder), so each claims only its own file.
 * If the folder cannot be found (another binary mode) or the claim is ambiguous, nothing
 * is touched.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
// Node built-ins, deliberately: n8n has no public helper to delete a partial binary.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { readdir, unlink } from 'node:fs/promises';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import path from 'node:path';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import type { Readable } from 'node:stream';

/**
 * What storing a binary needs of a node's context: an execution's (IExecuteFunctions) or a
 * poll's (IPollFunctions, which has no execution yet: nothing to clean up there).
 */
export type BinaryContext = Pick<IExecuteFunctions, 'getExecutionId' | 'getWorkflow'> & {
	helpers: Pick<IExecuteFunctions['helpers'], 'prepareBinaryData' | 'getBinaryPath'>;
};

function executionBinaryFolder(ctx: BinaryContext): string | undefined {
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

/** One holder per folder at a time; returns the release function (safe to call twice). */
const folderLocks = new Map<string, Promise<void>>();
async function lockFolder(folder: string): Promise<() => void> {
	const previous = folderLocks.get(folder) ?? Promise.resolve();
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	const tail = previous.then(() => held);
	folderLocks.set(folder, tail);
	await previous;
	let released = false;
	return () => {
		if (released) return;
		released = true;
		release();
		if (folderLocks.get(folder) === tail) folderLocks.delete(folder);
	};
}

/**
 * Runs `store` (a whole buffer stored in this execution's binary data, such as the binary
 * mode probe) while no download's partial-file claim is open in the execution's folder, so
 * a cleanup never takes that file for its own.
 */
export async function withBinaryFolderLock<T>(
	ctx: BinaryContext,
	store: () => Promise<T>,
): Promise<T> {
	const folder = executionBinaryFolder(ctx);
	if (!folder) return await store();
	const release = await lockFolder(folder);
	try {
		return await store();
	} finally {
		release();
	}
}

export interface BinarySource {
	stream: Readable;
	/** Settles when the consumer first reads from the stream, or when the stream closes unread. */
	firstRead: Promise<void>;
}

/**
 * Hands the stream to n8n's binary data service. If storing fails (the transfer broke
 * off, or the execution was cancelled), the partial file n8n wrote is removed and the
 * error goes on.
 */
export async function storeBinary(
	ctx: BinaryContext,
	source: BinarySource,
	fileName: string,
	mimeType: string,
): Promise<IBinaryData> {
	const folder = executionBinaryFolder(ctx);
	if (!folder) return await ctx.helpers.prepareBinaryData(source.stream, fileName, mimeType);

	const release = await lockFolder(folder);
	let claimed: string | undefined;
	let claiming: Promise<void> = Promise.resolve();
	try {
		const before = await list(folder);
		claiming = source.firstRead
			.then(async () => {
				const now = before && (await list(folder));
				const fresh = now
					? [...now].filter((name) => !before!.has(name) && !name.endsWith('.metadata'))
					: [];
				if (fresh.length === 1) claimed = fresh[0];
			})
			.catch(() => undefined)
			.finally(release);
		return await ctx.helpers.prepareBinaryData(source.stream, fileName, mimeType);
	} catch (error) {
		// Destroying the stream settles firstRead (on close) if no read ever came.
		source.stream.destroy();
		await claiming;
		if (claimed) await unlink(path.join(folder, claimed)).catch(() => undefined);
		throw error;
	} finally {
		release();
	}
}
