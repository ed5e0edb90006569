// A Node built-in, deliberately: an abortable timer between polls, free of n8n.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { setTimeout as delay } from 'node:timers/promises';

import { apiPath, type DingTalkClient } from '../api/client';
import type { ApiSpec } from '../api/types';
import { DingTalkApiError } from '../errors';
import { isRecord, unexpectedAnswer } from './answers';

export const TASK_API: ApiSpec = { name: 'tasks.get', action: 'Checking the task', permission: 'Storage.Task.Read' };

export type TaskStatus = 'INIT' | 'IN_PROGRESS' | 'SUCCESS' | 'FAIL';

export interface Task {
	taskId: string;
	status: TaskStatus | string;
	totalCount?: number;
	successCount?: number;
	failCount?: number;
	failMessage?: string;
}

export async function getTask(client: DingTalkClient, taskId: string, unionId: string): Promise<Task> {
	const answer = await client.call({ api: TASK_API, method: 'GET', path: apiPath`/v1.0/storage/tasks/${taskId}`, query: { unionId } });
	const task = answer.task;
	if (!isRecord(task) || typeof task.status !== 'string') throw unexpectedAnswer(TASK_API, 'the answer has no task status');
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
 * Polls a task until it ends, with back-off. Resolves with the finished task; rejects
 * when it failed (code taskFailed, DingTalk's failure message quoted), when it is still
 * running after `timeoutMs` (code taskTimeout), or when the execution is cancelled.
 */
export async function waitForTask(client: DingTalkClient, taskId: string, unionId: string, options: WaitOptions): Promise<Task> {
	const started = Date.now();
	let interval = options.firstIntervalMs ?? 300;
	for (;;) {
		const task = await getTask(client, taskId, unionId);
		if (task.status === 'SUCCESS') return task;
		if (task.status === 'FAIL') {
			const counts = task.totalCount === undefined ? '' : ` (${task.failCount ?? '?'} of ${task.totalCount} items failed)`;
			throw new DingTalkApiError(`${options.action} failed: DingTalk's task ${taskId} failed${counts}${task.failMessage ? `: "${task.failMessage.slice(0, 300)}"` : ''}`, {
				code: 'taskFailed',
				description: 'DingTalk started the change but could not finish it; part of it may have been done. Check the target in DingTalk, then run again (a conflict strategy such as Auto Rename avoids name clashes).',
			});
		}
		const elapsed = Date.now() - started;
		if (elapsed >= options.timeoutMs) {
			throw new DingTalkApiError(`${options.action}: DingTalk's task ${taskId} was still running after ${Math.round(elapsed / 1000)} s`, {
				code: 'taskTimeout',
				retryable: true,
				description: 'The change goes on at DingTalk. Raise "Wait Timeout", or turn "Wait for Completion" off and check the result later.',
			});
		}
		try {
			await delay(Math.min(interval, options.timeoutMs - elapsed), undefined, { signal: client.signal });
		} catch {
			throw new DingTalkApiError(`${options.action}: stopped waiting for task ${taskId}: the execution was cancelled`, { code: 'cancelled' });
		}
		interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 5000);
	}
}
