/**
 * Waiting for a DingTalk task: how many polls a wait costs (each one counts against the
 * monthly call quota), a timeout that is never marked retryable, and cancellation. The
 * clock is faked: the polls of a 24-hour wait run in an instant.
 */
import type { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import { waitForTask } from '../../nodes/DingTalk/shared/storage/tasks';

/** A client whose task status comes from `status(poll)`; it counts the polls. */
function taskClient(status: (poll: number) => string, signal?: AbortSignal) {
	let polls = 0;
	const client = {
		signal,
		call: async () => ({ task: { status: status(++polls), totalCount: 1 } }),
	};
	return { client: client as unknown as DingTalkClient, polls: () => polls };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

async function settle<T>(promise: Promise<T>): Promise<T | unknown> {
	const outcome = promise.catch((error: unknown) => error);
	await jest.runAllTimersAsync();
	return await outcome;
}

describe('polls per wait', () => {
	test.each([
		['1 s', 1, 4],
		['1 minute', 60, 18],
		['the default, 5 minutes', 300, 35],
		['1 hour', 3600, 61],
		['the longest, 24 hours', 86_400, 95],
	])(
		'a task still running after %s: %i s → %i polls, then taskTimeout',
		async (_name, seconds, expectedPolls) => {
			const { client, polls } = taskClient(() => 'IN_PROGRESS');
			const failure = await settle(
				waitForTask(client, 'task-1', 'operator', {
					timeoutMs: seconds * 1000,
					action: 'Copying the folder',
				}),
			);
			expect(failure).toBeInstanceOf(DingTalkApiError);
			expect(failure).toMatchObject({ code: 'taskTimeout', retryable: false });
			expect((failure as Error).message).toBe(
				`Copying the folder: DingTalk's task task-1 was still running after ${seconds} s`,
			);
			expect((failure as DingTalkApiError).description).toMatch(
				/check its result there before running this again/,
			);
			expect(polls()).toBe(expectedPolls);
		},
	);

	test('a short task is still seen quickly: the first polls come after 300 ms, 450 ms, 675 ms', async () => {
		const started = Date.now();
		const seenAt: number[] = [];
		const { client } = taskClient((poll) => {
			seenAt.push(Date.now() - started);
			return poll < 4 ? 'IN_PROGRESS' : 'SUCCESS';
		});
		const task = await settle(
			waitForTask(client, 'task-2', 'operator', {
				timeoutMs: 300_000,
				action: 'Moving the folder',
			}),
		);
		expect(task).toMatchObject({ taskId: 'task-2', status: 'SUCCESS' });
		expect(seenAt).toEqual([0, 300, 750, 1425]);
	});

	test('a long task is seen to end at most a tenth of its time late', async () => {
		const started = Date.now();
		let endedAt = 0;
		const { client } = taskClient(() => {
			const elapsed = Date.now() - started;
			if (elapsed < 2 * 3600_000) return 'IN_PROGRESS';
			endedAt = elapsed;
			return 'SUCCESS';
		});
		await settle(
			waitForTask(client, 'task-3', 'operator', {
				timeoutMs: 86_400_000,
				action: 'Copying the folder',
			}),
		);
		expect(endedAt).toBeGreaterThanOrEqual(2 * 3600_000);
		expect(endedAt).toBeLessThanOrEqual(2 * 3600_000 * 1.1);
	});
});

test("a failed task: taskFailed with DingTalk's message", async () => {
	const { client } = taskClient(() => 'FAIL');
	const failure = await settle(
		waitForTask(client, 'task-4', 'operator', { timeoutMs: 10_000, action: 'Deleting the folder' }),
	);
	expect(failure).toMatchObject({ code: 'taskFailed', retryable: false });
});

test('cancelling the execution ends a long pause between polls at once', async () => {
	const controller = new AbortController();
	const { client, polls } = taskClient(() => 'IN_PROGRESS', controller.signal);
	const waiting = waitForTask(client, 'task-5', 'operator', {
		timeoutMs: 86_400_000,
		action: 'Copying the folder',
	}).catch((error: unknown) => error);
	// Two hours in, the pause between polls is 12 minutes long.
	await jest.advanceTimersByTimeAsync(2 * 3600_000);
	const pollsBefore = polls();
	controller.abort();
	const failure = await waiting;
	expect(failure).toMatchObject({ code: 'cancelled' });
	expect((failure as Error).message).toBe(
		'Copying the folder: stopped waiting for task task-5: the execution was cancelled',
	);
	expect(polls()).toBe(pollsBefore);
	expect(jest.getTimerCount()).toBe(0);
});
