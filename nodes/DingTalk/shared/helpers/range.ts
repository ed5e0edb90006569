import { InputError } from '../errors';

/**
 * One byte range, as HTTP knows it (RFC 9110 §14.1.2):
 * `from` covers start..end (end inclusive, open when absent); `suffix` the last `length` bytes.
 */
export type ByteRange =
	{ kind: 'from'; start: number; end?: number } | { kind: 'suffix'; length: number };

/** A range as the server says it served it (`Content-Range: bytes start-end/total`). */
export interface ServedRange {
	start: number;
	end: number;
	/** Absent when the server answered `/*`. */
	total?: number;
}

const RANGE_HELP =
	'Use one range such as "bytes=0-499", "0-499" (the first 500 bytes), "500-" (from byte 500 to the end) or "-500" (the last 500 bytes).';

function parseOffset(text: string, field: string): number {
	if (!/^\d+$/.test(text)) {
		throw new InputError(field, `"${text}" is not a whole number of bytes`, RANGE_HELP);
	}
	const value = Number(text);
	if (!Number.isSafeInteger(value)) {
		throw new InputError(field, `${text} is too large to be a byte offset`, RANGE_HELP);
	}
	return value;
}

/** Parses the user's range option. Throws InputError naming `field` for anything else. */
export function parseRange(input: string, field = 'range'): ByteRange {
	let spec = input.trim();
	if (/^bytes\s*=/i.test(spec)) spec = spec.replace(/^bytes\s*=\s*/i, '');
	if (spec === '') throw new InputError(field, 'no byte range given', RANGE_HELP);
	if (spec.includes(',')) {
		throw new InputError(field, 'only one range can be downloaded at a time', RANGE_HELP);
	}
	const match = /^([^-]*)-([^-]*)$/.exec(spec);
	if (!match) throw new InputError(field, `"${input.trim()}" is not a byte range`, RANGE_HELP);
	const [, first, last] = match.map((part) => part?.trim() ?? '');

	if (first === '') {
		if (last === '') throw new InputError(field, 'a range needs at least one number', RANGE_HELP);
		const length = parseOffset(last, field);
		if (length === 0) throw new InputError(field, 'the last 0 bytes is an empty range', RANGE_HELP);
		return { kind: 'suffix', length };
	}
	const start = parseOffset(first, field);
	if (last === '') return { kind: 'from', start };
	const end = parseOffset(last, field);
	if (end < start) {
		throw new InputError(field, `the range ends (${end}) before it starts (${start})`, RANGE_HELP);
	}
	return { kind: 'from', start, end };
}

/** The `Range` header value for a range. */
export function formatRange(range: ByteRange): string {
	if (range.kind === 'suffix') return `bytes=-${range.length}`;
	return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Parses `Content-Range: bytes a-b/total` (or `/*`); undefined when it is not that. */
export function parseContentRange(header: string | undefined): ServedRange | undefined {
	if (!header) return undefined;
	const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
	if (!match) return undefined;
	const start = Number(match[1]);
	const end = Number(match[2]);
	const total = match[3] === '*' ? undefined : Number(match[3]);
	if (![start, end].every(Number.isSafeInteger) || end < start) return undefined;
	if (total !== undefined && (!Number.isSafeInteger(total) || end >= total)) return undefined;
	return { start, end, total };
}

/** Whether `range` has at least one byte in a file of `size` bytes. */
export function isSatisfiable(range: ByteRange, size: number): boolean {
	return range.kind === 'suffix' ? size > 0 : range.start < size;
}

/**
 * Whether what the server served is exactly what was asked (clamped to the file's end,
 * as RFC 9110 allows). When the total is unknown, only the start can be checked.
 */
export function servedMatches(range: ByteRange, served: ServedRange): boolean {
	if (range.kind === 'suffix') {
		if (served.total === undefined) return false;
		const expectedStart = Math.max(0, served.total - range.length);
		return served.start === expectedStart && served.end === served.total - 1;
	}
	if (served.start !== range.start) return false;
	const lastByte = served.total === undefined ? undefined : served.total - 1;
	const wantedEnd = range.end === undefined ? lastByte : Math.min(range.end, lastByte ?? range.end);
	return wantedEnd === undefined || served.end === wantedEnd;
}

/** The rest of a served range after `received` bytes of it have arrived. */
export function remainderOf(served: ServedRange, received: number): ByteRange {
	return { kind: 'from', start: served.start + received, end: served.end };
}
