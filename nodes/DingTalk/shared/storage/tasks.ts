import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { DingTalkApiError } from '../errors';
import { Backoff, pause } from '../helpers/retry';
import { isRecord, unexpectedAnswer } from './answers';

export const TASK_API: ApiSpec = {
	name: 'tasks.get',
	action: 'Checking the task',
	permission: 'Storage.Task.Read',
};

export type TaskStatus = 'INIT' | 'IN_PROGRESS' | 'SUCCESS' | 'FAIL';

export interface Task {
	taskId: string;
	status: TaskStatus | string;
	totalCount?: number;
	successCount?: number;
	failCount?: number;
	failMessage?: string;
}

export async function getTask(
	client: DingTalkClient,
	taskId: string,
	unionId: string,
): Promise<Task> {
	const answer = await client.call({
		api: TASK_API,
		method: 'GET',
		path: apiPath`/v1.0/storage/tasks/${taskId}`,
		query: { unionId },
	});
	const task = answer.task;
	if (!isRecord(task) || typeof task.status !== 'string')
		throw unexpectedAnswer(TASK_API, 'the answer has no task status');
	const count = (value: unknown) => (typeof value === 'number' ? value : undefined);
	return {
		taskId,
		status: task.status,
		totalCount: count(task.totalCount),
		successCount: count(task.successCount),
		failCount: count(task.failCount),
		failMessage: typeof task.failMessage === 'string' ? task.failMessage : undefined,
	};
}

export interface WaitOptions {
	/** Give up after this long (the task goes on at DingTalk). */
	timeoutMs: number;
	/** First pause between polls; grows by half each time, up to `maxIntervalMs`. */
	firstIntervalMs?: number;
	maxIntervalMs?: number;
	/** What the task does, for messages: "Moving the folder". */
	action: string;
}

/**
 * In a long wait, the pause between polls is at least this share of the time waited so far:
 * a task is seen to end at most 10% later than it did, and the number of polls grows with
 * the logarithm of the wait, not with the wait. Every poll counts against DingTalk's monthly
 * call quota (on small editions a few thousand calls a month): at most 35 polls for the
 * default wait of 5 minutes, 61 for an hour, 95 for the longest (24 hours), where polling
 * every 5 seconds made 67, 727 and 17,287.
 */
const POLL_SHARE_OF_WAIT = 0.1;

/**
 * Polls a task until it ends, with back-off. Resolves with the finished task; rejects
 * when it failed (code taskFailed, DingTalk's failure message quoted), when it is still
 * running after `timeoutMs` (code taskTimeout), or when the execution is cancelled.
 *
 * A taskTimeout is not retryable: the change goes on at DingTalk, and running the
 * operation again would start it a second time (a copy made twice, a move racing the first).
 */
export async function waitForTask(
	client: DingTalkClient,
	taskId: string,
	unionId: string,
	options: WaitOptions,
): Promise<Task> {
	const started = Date.now();
	const intervals = new Backoff({
		firstDelayMs: options.firstIntervalMs ?? 300,
		factor: 1.5,
		maxDelayMs: options.maxIntervalMs ?? 5000,
		jitter: 'none',
	});
	for (;;) {
		const task = await getTask(client, taskId, unionId);
		if (task.status === 'SUCCESS') return task;
		if (task.status === 'FAIL') {
			const counts =
				task.totalCount === undefined
					? ''
					: ` (${task.failCount ?? '?'} of ${task.totalCount} items failed)`;
			throw new DingTalkApiError(
				`${options.action} failed: DingTalk's task ${taskId} failed${counts}${task.failMessage ? `: "${task.failMessage.slice(0, 300)}"` : ''}`,
				{
					code: 'taskFailed',
					description:
						'DingTalk started the change but could not finish it; part of it may have been done. Check the target in DingTalk, then run again (a conflict strategy such as Auto Rename avoids name clashes).',
				},
			);
		}
		const elapsed = Date.now() - started;
		if (elapsed >= options.timeoutMs) {
			throw new DingTalkApiError(
				`${options.action}: DingTalk's task ${taskId} was still running after ${Math.round(elapsed / 1000)} s`,
				{
					code: 'taskTimeout',
					retryable: false,
					description:
						'The change goes on at DingTalk: check its result there before running this again, which would start it a second time. Raise "Wait Timeout", or turn "Wait for Completion" off and check the result later.',
				},
			);
		}
		const interval = Math.max(intervals.nextDelay(), elapsed * POLL_SHARE_OF_WAIT);
		await pause(
			Math.min(interval, options.timeoutMs - elapsed),
			client.signal,
			() =>
				new DingTalkApiError(
					`${options.action}: stopped waiting for task ${taskId}: the execution was cancelled`,
					{ code: 'cancelled' },
				),
		);
	}
}
