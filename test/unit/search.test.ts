/** The pure parts of File → Search: dates in the workflow's time zone, lists, hit filters. */
import { instantOf } from '../../nodes/DingTalk/shared/helpers/time';
import { textList } from '../../nodes/DingTalk/shared/helpers/validate';
import { hitPasses, timePasses } from '../../nodes/DingTalk/shared/storage/search';

describe('instantOf', () => {
	test("a date without an offset (n8n's picker) is read in the workflow's time zone", () => {
		expect(instantOf('f', '2026-01-31T18:00:00', 'Asia/Shanghai')).toBe(
			Date.parse('2026-01-31T10:00:00Z'),
		);
		expect(instantOf('f', '2026-01-31', 'Asia/Shanghai')).toBe(Date.parse('2026-01-30T16:00:00Z'));
		expect(instantOf('f', '2026-07-01T12:00:00.5', 'Europe/Berlin')).toBe(
			Date.parse('2026-07-01T10:00:00.500Z'),
		);
		expect(instantOf('f', '2026-01-01 12:00', 'UTC')).toBe(Date.parse('2026-01-01T12:00:00Z'));
	});

	test('across a daylight-saving change the wall-clock time lands on the right side', () => {
		// Berlin moves from +01:00 to +02:00 at 2026-03-29 02:00 local.
		expect(instantOf('f', '2026-03-29T01:30:00', 'Europe/Berlin')).toBe(
			Date.parse('2026-03-29T00:30:00Z'),
		);
		expect(instantOf('f', '2026-03-29T03:30:00', 'Europe/Berlin')).toBe(
			Date.parse('2026-03-29T01:30:00Z'),
		);
	});

	test('an offset, ms, a Date or a Luxon-like DateTime is taken as it is; empty is undefined', () => {
		expect(instantOf('f', '2026-01-31T18:00:00+08:00', 'Europe/Berlin')).toBe(
			Date.parse('2026-01-31T10:00:00Z'),
		);
		expect(instantOf('f', 1_700_000_000_000, 'UTC')).toBe(1_700_000_000_000);
		expect(instantOf('f', new Date(5), 'UTC')).toBe(5);
		expect(instantOf('f', { toMillis: () => 42 }, 'UTC')).toBe(42);
		for (const empty of [undefined, null, '']) expect(instantOf('f', empty, 'UTC')).toBeUndefined();
	});

	test('anything else names the field', () => {
		for (const bad of ['yesterday', '2026-02-30', '2026-13-01T00:00:00', {}, true])
			expect(() => instantOf('modifiedAfter', bad, 'UTC')).toThrow(/"modifiedAfter"/);
	});
});

test('textList: commas (also full-width), semicolons or lines; lists from an agent; blanks dropped', () => {
	expect(textList('x', 'pdf, docx；xlsx\n md ,')).toEqual(['pdf', 'docx；xlsx', 'md']);
	expect(textList('x', 'a，b;c')).toEqual(['a', 'b', 'c']);
	expect(textList('x', ['1000', 2000, ' '])).toEqual(['1000', '2000']);
	expect(textList('x', undefined)).toEqual([]);
	expect(() => textList('spaceIds', [{}])).toThrow(/"spaceIds"/);
});

test('hit filters: extensions by name (case-insensitive, folders have none), modified time inclusive, unknown time passes', () => {
	const hit = (name: string, lastModifyTime?: number) => ({
		dentryUuid: 'u',
		name,
		lastModifyTime,
	});
	expect(hitPasses(hit('A.PDF'), { extensions: ['pdf'] })).toBe(true);
	expect(hitPasses(hit('a.pdf.zip'), { extensions: ['pdf'] })).toBe(false);
	expect(hitPasses(hit('合同'), { extensions: ['pdf'] })).toBe(false);
	expect(hitPasses(hit('x', 10), { modifiedAfter: 10, modifiedBefore: 10 })).toBe(true);
	expect(hitPasses(hit('x', 9), { modifiedAfter: 10 })).toBe(false);
	expect(hitPasses(hit('x', 11), { modifiedBefore: 10 })).toBe(false);
	expect(timePasses(undefined, { modifiedAfter: 10 })).toBe(true);
});
