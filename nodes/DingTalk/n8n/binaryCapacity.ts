/**
 * How large a file n8n's active binary data mode can take from a download.
 *
 * Only n8n's `filesystem` mode streams a binary to its store. The others read the whole
 * stream into memory first: `database` (the default in n8n 2.x queue mode) then refuses
 * anything over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE MiB, `default` keeps the file in
 * the item as base64 text (so Node's longest string caps it near 384 MiB), and `s3` /
 * `azure` buffer it before sending it on. A 4 GiB file in those modes would be read whole
 * into the worker's memory before n8n refuses it. So a download whose size is known is
 * checked against the mode's limit before its body is read, and one whose size is not
 * announced is stopped as soon as it passes the limit.
 */
import type { IBinaryData } from 'n8n-workflow';
// Node built-ins, deliberately: the largest string this runtime holds, and a counting stream.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { constants as bufferConstants } from 'node:buffer';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { Transform, type Readable } from 'node:stream';

import { DownloadError } from '../shared/errors';
import type { SettingReader as ReadSetting } from './settings';

const MIB = 1024 * 1024;

/** The default of the node option "In-Memory Size Limit (MiB)". */
export const DEFAULT_IN_MEMORY_LIMIT_MIB = 256;

/** n8n's default for N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, in MiB (n8n 2.x). */
export const N8N_DATABASE_MAX_FILE_SIZE_MIB = 512;

/** The largest N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE n8n accepts, in MiB; above it n8n takes its default. */
export const N8N_DATABASE_MAX_FILE_SIZE_CEILING_MIB = 1024;

/** The most bytes n8n's `default` mode can hold: its base64 text must fit in one string. */
export const DEFAULT_MODE_CEILING_BYTES = Math.floor(bufferConstants.MAX_STRING_LENGTH / 4) * 3;

export interface BinaryCapacity {
	/** n8n's name for the mode: filesystem, database, default, s3, azure. */
	mode: string;
	/** Most bytes one binary may have; undefined where the mode streams. */
	maxBytes?: number;
	/** Where the limit comes from, for the error. */
	limitFrom?: string;
	/** What the user can do about it, for the error. */
	fix?: string;
}

/** What deciding the capacity needs of n8n: a way to store an empty probe binary. */
export interface ModeProbe {
	prepareBinaryData(data: Buffer, fileName?: string): Promise<IBinaryData>;
}

/** The mode a stored binary reveals: n8n names it in the ID; memory-held binaries have none. */
export function modeOfBinary(binary: IBinaryData): string {
	if (!binary.id) return 'default';
	const prefix = binary.id.split(':')[0];
	return prefix.startsWith('filesystem') ? 'filesystem' : prefix;
}

/** A size in MiB, to 0.01 (a file's size rounded up, so one just over a limit never reads as equal). */
function mib(bytes: number, roundUp = false): string {
	const hundredths = (bytes / MIB) * 100;
	return `${(roundUp ? Math.ceil(hundredths) : Math.floor(hundredths)) / 100} MiB`;
}

/**
 * The database mode's limit, read as n8n 2.x reads N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE
 * (MiB): any number up to 1024, fractions and zero included; an empty value, one that is not
 * a number, or one above 1024 leaves n8n at its default of 512 (it only warns in its log).
 * The guard must take the limit n8n will apply: taking a value n8n ignored (2048, say) let a
 * 600 MiB file be read whole into the worker before n8n refused it at 512.
 */
export function databaseLimit(readSetting: ReadSetting): { bytes: number; from: string } {
	const raw = readSetting('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
	const unset = raw === undefined || raw.trim() === '';
	const value = unset ? Number.NaN : Number(raw);
	// As n8n's schema (a number, at most 1024): zero, negative numbers and -Infinity pass it.
	if (!Number.isNaN(value) && value <= N8N_DATABASE_MAX_FILE_SIZE_CEILING_MIB) {
		const bytes = Math.max(0, Math.floor(value * MIB));
		return { bytes, from: `${mib(bytes)}, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE` };
	}
	const bytes = N8N_DATABASE_MAX_FILE_SIZE_MIB * MIB;
	if (unset)
		return {
			bytes,
			from: `${mib(bytes)}, n8n's default for N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE`,
		};
	return {
		bytes,
		from: `${mib(bytes)}, n8n's default: it ignores N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=${raw}, which is not a number of MiB up to ${N8N_DATABASE_MAX_FILE_SIZE_CEILING_MIB}`,
	};
}

/** The database mode's limit in bytes (see databaseLimit). */
export function databaseLimitBytes(readSetting: ReadSetting): number {
	return databaseLimit(readSetting).bytes;
}

/** The limit of a mode, given the in-memory limit the node was set to. */
export function capacityOf(
	mode: string,
	inMemoryLimitBytes: number,
	readSetting: ReadSetting,
): BinaryCapacity {
	const toDisk =
		'set N8N_DEFAULT_BINARY_DATA_MODE=filesystem, which streams files to disk (in queue mode, on a folder shared by main and workers: see README "Running at scale")';
	if (mode === 'filesystem') return { mode };
	if (mode === 'database') {
		const limit = databaseLimit(readSetting);
		return {
			mode,
			maxBytes: limit.bytes,
			limitFrom: limit.from,
			fix: `To download it, ${toDisk}, or raise N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (n8n allows up to 1024 MiB; the worker holds the whole file in memory).`,
		};
	}
	if (mode === 'default' && inMemoryLimitBytes > DEFAULT_MODE_CEILING_BYTES) {
		return {
			mode,
			maxBytes: DEFAULT_MODE_CEILING_BYTES,
			limitFrom: `${mib(DEFAULT_MODE_CEILING_BYTES)}: the mode keeps files as base64 text, and Node.js strings end there`,
			fix: `To download it, ${toDisk}.`,
		};
	}
	return {
		mode,
		maxBytes: inMemoryLimitBytes,
		limitFrom: `${mib(inMemoryLimitBytes)}, the node option "In-Memory Size Limit"`,
		fix: `To download it, ${toDisk}, or raise "In-Memory Size Limit" if the machine has the memory (n8n holds the whole file in memory in this mode${mode === 'default' ? `, and at most ${mib(DEFAULT_MODE_CEILING_BYTES)}` : ''}).`,
	};
}

const probes = new WeakMap<object, Promise<string>>();

/** Runs the probe's storing (see partialBinary's folder lock); by default as it is. */
export type ProbeGuard = (store: () => Promise<IBinaryData>) => Promise<IBinaryData>;

/**
 * The active binary data mode. Filesystem mode, named in N8N_DEFAULT_BINARY_DATA_MODE, is
 * taken at its word; otherwise an empty binary is stored once per node run and its ID tells
 * (n8n's own default depends on its version and on queue mode, and tests set it in code).
 * The probe belongs to the execution and goes with it.
 */
export async function activeMode(
	helpers: ModeProbe,
	readSetting: ReadSetting,
	guard: ProbeGuard = async (store) => await store(),
): Promise<string> {
	if (readSetting('N8N_DEFAULT_BINARY_DATA_MODE') === 'filesystem') return 'filesystem';
	let probe = probes.get(helpers);
	if (!probe) {
		probe = guard(
			async () => await helpers.prepareBinaryData(Buffer.alloc(0), 'binary-mode-probe'),
		).then(modeOfBinary);
		probes.set(helpers, probe);
		// A failed probe is asked again next time, not remembered.
		probe.catch(() => probes.delete(helpers));
	}
	return await probe;
}

/**
 * The capacity that applies to a file of `size` bytes (undefined: not announced), or
 * undefined when no mode could refuse that size, so the mode need not be probed at all:
 * ordinary files cost nothing.
 */
export async function capacityFor(
	helpers: ModeProbe,
	size: number | undefined,
	inMemoryLimitBytes: number,
	readSetting: ReadSetting,
	guard?: ProbeGuard,
): Promise<BinaryCapacity | undefined> {
	const smallest = Math.min(
		inMemoryLimitBytes,
		DEFAULT_MODE_CEILING_BYTES,
		databaseLimitBytes(readSetting),
	);
	if (size !== undefined && size <= smallest) return undefined;
	return capacityOf(await activeMode(helpers, readSetting, guard), inMemoryLimitBytes, readSetting);
}

/** The error for a file the mode cannot hold. Nothing of it was stored. */
export function tooLarge(capacity: BinaryCapacity, size: number, known: boolean): DownloadError {
	const what = known
		? `The file is ${mib(size, true)} (${size} bytes)`
		: `The file passed ${mib(capacity.maxBytes ?? size)} while downloading (the storage did not announce its size)`;
	return new DownloadError(
		`${what}, more than n8n's "${capacity.mode}" binary data mode may hold (${capacity.limitFrom ?? 'no limit'}); ${known ? 'it was not downloaded' : 'the download was stopped and nothing was stored'}`,
		{ code: 'tooLargeForBinaryMode', description: capacity.fix },
	);
}

/**
 * The stream, stopped with `tooLarge` once it passes the capacity. For downloads whose
 * size the storage did not announce; the others are checked before they start.
 */
export function limitStream(stream: Readable, capacity: BinaryCapacity): Readable {
	const maxBytes = capacity.maxBytes;
	if (maxBytes === undefined) return stream;
	let seen = 0;
	const guard = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			seen += chunk.length;
			if (seen > maxBytes) {
				stream.destroy();
				callback(tooLarge(capacity, seen, false));
				return;
			}
			callback(null, chunk);
		},
	});
	stream.once('error', (error) => guard.destroy(error));
	guard.once('close', () => {
		if (!stream.destroyed) stream.destroy();
	});
	return stream.pipe(guard);
}
