import fc from 'fast-check';

import { InputError } from '../../nodes/DingTalk/shared/errors';
import {
	formatRange,
	isSatisfiable,
	parseContentRange,
	parseRange,
	remainderOf,
	servedMatches,
	type ByteRange,
} from '../../nodes/DingTalk/shared/helpers/range';

describe('parseRange', () => {
	test.each<[string, ByteRange]>([
		['bytes=0-499', { kind: 'from', start: 0, end: 499 }],
		['0-499', { kind: 'from', start: 0, end: 499 }],
		['  BYTES = 10-20 ', { kind: 'from', start: 10, end: 20 }],
		['500-', { kind: 'from', start: 500 }],
		['bytes=500-', { kind: 'from', start: 500 }],
		['-500', { kind: 'suffix', length: 500 }],
		['bytes=-1', { kind: 'suffix', length: 1 }],
		['7-7', { kind: 'from', start: 7, end: 7 }],
	])('%s is read as %j', (input, expected) => {
		expect(parseRange(input)).toEqual(expected);
	});

	test.each([
		['', 'no byte range given'],
		['bytes=', 'no byte range given'],
		['5-2', 'ends (2) before it starts (5)'],
		['abc', 'is not a byte range'],
		['bytes=0-1,5-9', 'only one range'],
		['-', 'at least one number'],
		['-0', 'empty range'],
		['1.5-3', 'not a whole number'],
		['0-99999999999999999999', 'too large'],
		['9007199254740992-', 'too large'],
		['--5', 'is not a byte range'],
		['items=0-5', 'not a whole number'],
	])('rejects %p naming the field', (input, problem) => {
		expect(() => parseRange(input)).toThrow(InputError);
		try {
			parseRange(input);
		} catch (error) {
			expect((error as InputError).field).toBe('range');
			expect((error as Error).message).toContain('Invalid "range"');
			expect((error as Error).message).toContain(problem);
		}
	});

	const rangeArbitrary: fc.Arbitrary<ByteRange> = fc.oneof(
		fc.record({
			kind: fc.constant('suffix' as const),
			length: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
		}),
		fc
			.tuple(
				fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
				fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
			)
			.map(([a, b]): ByteRange =>
				b === undefined
					? { kind: 'from', start: a }
					: { kind: 'from', start: Math.min(a, b), end: Math.max(a, b) },
			),
	);

	test('a formatted range parses back to itself', () => {
		fc.assert(
			fc.property(rangeArbitrary, (range) => expect(parseRange(formatRange(range))).toEqual(range)),
			{ numRuns: 2000 },
		);
	});

	test('no input throws anything but InputError', () => {
		fc.assert(
			fc.property(
				fc.oneof(fc.string(), fc.stringMatching(/^(bytes=)?[0-9 ,-]{0,12}$/)),
				(input) => {
					try {
						parseRange(input);
					} catch (error) {
						expect(error).toBeInstanceOf(InputError);
					}
				},
			),
			{ numRuns: 3000 },
		);
	});
});

describe('Content-Range', () => {
	test('a served range is read with its total, or without one for "/*"', () => {
		expect(parseContentRange('bytes 0-499/1234')).toEqual({ start: 0, end: 499, total: 1234 });
		expect(parseContentRange('bytes 10-20/*')).toEqual({ start: 10, end: 20, total: undefined });
	});

	test.each(['', 'bytes */1234', 'bytes 5-2/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes 0-1'])(
		'a malformed or inconsistent Content-Range %p is not a served range',
		(header) => {
			expect(parseContentRange(header)).toBeUndefined();
		},
	);

	test('servedMatches checks what was asked, clamped to the end of the file', () => {
		expect(
			servedMatches({ kind: 'from', start: 0, end: 499 }, { start: 0, end: 499, total: 1000 }),
		).toBe(true);
		expect(
			servedMatches({ kind: 'from', start: 0, end: 4999 }, { start: 0, end: 999, total: 1000 }),
		).toBe(true);
		expect(
			servedMatches({ kind: 'from', start: 0, end: 499 }, { start: 1, end: 499, total: 1000 }),
		).toBe(false);
		expect(
			servedMatches({ kind: 'from', start: 0, end: 499 }, { start: 0, end: 498, total: 1000 }),
		).toBe(false);
		expect(servedMatches({ kind: 'from', start: 500 }, { start: 500, end: 999, total: 1000 })).toBe(
			true,
		);
		expect(servedMatches({ kind: 'from', start: 500 }, { start: 500, end: 998, total: 1000 })).toBe(
			false,
		);
		expect(
			servedMatches({ kind: 'suffix', length: 100 }, { start: 900, end: 999, total: 1000 }),
		).toBe(true);
		expect(
			servedMatches({ kind: 'suffix', length: 5000 }, { start: 0, end: 999, total: 1000 }),
		).toBe(true);
		expect(servedMatches({ kind: 'suffix', length: 100 }, { start: 0, end: 99, total: 1000 })).toBe(
			false,
		);
	});

	test('a range beyond the end is unsatisfiable, and what is left of a range after n bytes is the rest of it', () => {
		expect(isSatisfiable({ kind: 'from', start: 1000 }, 1000)).toBe(false);
		expect(isSatisfiable({ kind: 'from', start: 999 }, 1000)).toBe(true);
		expect(isSatisfiable({ kind: 'suffix', length: 5 }, 0)).toBe(false);
		expect(remainderOf({ start: 100, end: 199 }, 40)).toEqual({
			kind: 'from',
			start: 140,
			end: 199,
		});
	});
});
