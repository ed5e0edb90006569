import { InputError } from '../errors';

/**
 * An instant from a user's date: ms since 1970, or undefined when the field is empty.
 * Accepts what n8n's Date & Time fields and expressions give: an ISO 8601 text (one
 * without an offset, such as n8n's picker gives, is read in `timeZone`, the workflow's
 * time zone), a Date, ms since 1970, or a Luxon DateTime.
 */
export function instantOf(field: string, value: unknown, timeZone: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
	if (
		typeof value === 'object' &&
		typeof (value as { toMillis?: unknown }).toMillis === 'function'
	) {
		const ms = (value as { toMillis: () => number }).toMillis();
		if (Number.isFinite(ms)) return ms;
	}
	if (typeof value === 'string') {
		const text = value.trim();
		const local =
			/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/.exec(
				text,
			);
		if (local) {
			const [year, month, day, hour, minute, second, fraction] = local
				.slice(1)
				.map((part) => Number(part ?? 0));
			const ms = fraction && local[7] ? Number(local[7].padEnd(3, '0')) : 0;
			const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
			const check = new Date(asUtc);
			const valid =
				check.getUTCMonth() === month - 1 &&
				check.getUTCDate() === day &&
				hour < 24 &&
				minute < 60 &&
				second < 60;
			if (Number.isFinite(asUtc) && valid) return asUtc - offsetMs(asUtc, timeZone);
		} else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
			const ms = Date.parse(text);
			if (Number.isFinite(ms)) return ms;
		}
	}
	throw new InputError(
		field,
		`"${String(value)}" is not a date and time`,
		'Use the date picker, or an ISO 8601 text such as 2026-01-31T18:00:00+08:00.',
	);
}

/**
 * How far `timeZone` is ahead of UTC around the given wall-clock time (read as UTC), in ms.
 * Corrected once, so a time near a daylight-saving change lands on the right side.
 */
function offsetMs(wallClockAsUtc: number, timeZone: string): number {
	const first = zoneOffsetAt(wallClockAsUtc, timeZone);
	return zoneOffsetAt(wallClockAsUtc - first, timeZone);
}

function zoneOffsetAt(instant: number, timeZone: string): number {
	let parts: Intl.DateTimeFormatPart[];
	try {
		parts = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
		}).formatToParts(new Date(instant));
	} catch {
		return 0;
	}
	const part = (type: string) => Number(parts.find((each) => each.type === type)?.value ?? 0);
	const wall = Date.UTC(
		part('year'),
		part('month') - 1,
		part('day'),
		part('hour'),
		part('minute'),
		part('second'),
	);
	return wall - Math.floor(instant / 1000) * 1000;
}
