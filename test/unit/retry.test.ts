/**
 * The one back-off every retry loop uses: exponential steps, jitter, a cap, Retry-After,
 * and cancellation. Time and chance are injected or faked: nothing here waits for real.
 */
import {
	Backoff,
	pause,
	retryAfterMs,
	type RetryClock,
} from '../../nodes/DingTalk/shared/helpers/retry';

/** A clock whose sleeps resolve at once and are recorded; `random` answers from a list. */
function fakeClock(randoms: number[] = [], now = 1_000_000): RetryClock & { slept: number[] } {
	const slept: number[] = [];
	return {
		slept,
		now: () => now,
		random: () => randoms.shift() ?? 0.5,
		sleep: async (ms) => {
			slept.push(ms);
		},
	};
}

describe('the steps of a back-off', () => {
	test('exponential, without jitter, up to the cap', () => {
		const backoff = new Backoff(
			{ firstDelayMs: 100, maxDelayMs: 1000, jitter: 'none' },
			fakeClock(),
		);
		expect(Array.from({ length: 6 }, () => backoff.nextDelay())).toEqual([
			100, 200, 400, 800, 1000, 1000,
		]);
		expect(backoff.retries).toBe(6);
	});

	test('another factor (task polling grows by half)', () => {
		const backoff = new Backoff(
			{ firstDelayMs: 300, factor: 1.5, maxDelayMs: 5000, jitter: 'none' },
			fakeClock(),
		);
		expect(Array.from({ length: 8 }, () => backoff.nextDelay())).toEqual([
			300, 450, 675, 1012.5, 1518.75, 2278.125, 3417.1875, 5000,
		]);
	});

	test('full jitter: anywhere from 0 to the step', () => {
		const backoff = new Backoff({ firstDelayMs: 1000, jitter: 'full' }, fakeClock([0, 0.5, 0.999]));
		expect([backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay()]).toEqual([
			0, 1000, 3996,
		]);
	});

	test('equal jitter: from half the step to the step', () => {
		const backoff = new Backoff({ firstDelayMs: 1000, jitter: 'equal' }, fakeClock([0, 1, 0.5]));
		expect([backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay()]).toEqual([
			500, 2000, 3000,
		]);
	});

	test('jitter never goes above the cap', () => {
		const backoff = new Backoff(
			{ firstDelayMs: 1000, maxDelayMs: 1500, jitter: 'equal' },
			fakeClock([1, 1, 1, 1]),
		);
		expect(Array.from({ length: 4 }, () => backoff.nextDelay())).toEqual([1000, 1500, 1500, 1500]);
	});

	test('the default cap is 30 s', () => {
		const backoff = new Backoff({ firstDelayMs: 1000, jitter: 'none' }, fakeClock());
		expect(Array.from({ length: 7 }, () => backoff.nextDelay()).pop()).toBe(30_000);
	});
});

describe('Retry-After', () => {
	const now = Date.parse('2026-12-02T10:00:00Z');

	test.each([
		['seconds', '120', 120_000],
		['zero seconds', '0', 0],
		['an IMF date', 'Wed, 02 Dec 2026 10:00:30 GMT', 30_000],
		['an RFC 850 date', 'Wednesday, 02-Dec-26 10:00:05 GMT', 5000],
		['an asctime date', 'Wed Dec  2 10:00:07 2026', 7000],
		['a date in the past', 'Wed, 02 Dec 2026 09:00:00 GMT', 0],
		['spaces around', ' 3 ', 3000],
	])('%s', (_name, header, expected) => {
		expect(retryAfterMs(header, now)).toBe(expected);
	});

	test.each([
		['absent', undefined],
		['empty', ''],
		['a fraction (not delay-seconds)', '1.5'],
		['negative', '-3'],
		['words', 'soon'],
		['a bad date', 'Wed, 99 Foo 2026 GMT'],
	])('%s: ignored', (_name, header) => {
		expect(retryAfterMs(header, now)).toBeUndefined();
	});

	test('wins over the computed step, and counts as a retry', () => {
		const backoff = new Backoff({ firstDelayMs: 100, jitter: 'none' }, fakeClock([], now));
		expect(backoff.nextDelay('7')).toBe(7000);
		expect(backoff.nextDelay()).toBe(200);
		expect(backoff.nextDelay('Wed, 02 Dec 2026 10:00:02 GMT')).toBe(2000);
		expect(backoff.retries).toBe(3);
	});

	test('is capped: a server cannot make the workflow wait an hour', () => {
		const backoff = new Backoff(
			{ firstDelayMs: 100, maxDelayMs: 10_000, jitter: 'none' },
			fakeClock([], now),
		);
		expect(backoff.nextDelay('3600')).toBe(10_000);
	});

	test('an unreadable Retry-After falls back to the back-off', () => {
		const backoff = new Backoff({ firstDelayMs: 100, jitter: 'none' }, fakeClock([], now));
		expect(backoff.nextDelay('later')).toBe(100);
	});
});

describe('waiting', () => {
	test('wait() sleeps the next delay and says how long', async () => {
		const clock = fakeClock([0.5, 0.5]);
		const backoff = new Backoff({ firstDelayMs: 100, jitter: 'full' }, clock);
		expect(await backoff.wait({ cancelled: () => new Error('cancelled') })).toBe(50);
		expect(await backoff.wait({ cancelled: () => new Error('cancelled'), retryAfter: '2' })).toBe(
			2000,
		);
		expect(clock.slept).toEqual([50, 2000]);
	});

	describe('with the system clock (timers faked)', () => {
		beforeEach(() => jest.useFakeTimers());
		afterEach(() => jest.useRealTimers());

		test('resolves when the time has passed', async () => {
			let done = false;
			const waiting = pause(5000, undefined, () => new Error('cancelled')).then(
				() => (done = true),
			);
			await jest.advanceTimersByTimeAsync(4999);
			expect(done).toBe(false);
			await jest.advanceTimersByTimeAsync(1);
			await waiting;
			expect(done).toBe(true);
		});

		test("cancellation ends the wait at once, with the caller's error, and leaves no timer", async () => {
			const controller = new AbortController();
			class Cancelled extends Error {}
			const backoff = new Backoff({ firstDelayMs: 60_000, jitter: 'none' });
			const waiting = backoff.wait({
				signal: controller.signal,
				cancelled: () => new Cancelled('the execution was cancelled'),
			});
			expect(jest.getTimerCount()).toBe(1);
			controller.abort();
			await expect(waiting).rejects.toBeInstanceOf(Cancelled);
			expect(jest.getTimerCount()).toBe(0);
		});

		test('an execution already cancelled does not wait at all', async () => {
			const controller = new AbortController();
			controller.abort();
			await expect(
				pause(60_000, controller.signal, () => new Error('cancelled before')),
			).rejects.toThrow('cancelled before');
			expect(jest.getTimerCount()).toBe(0);
		});
	});
});
