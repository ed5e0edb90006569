/**
 * Waiting in tests for a condition, never for a length of time: the condition is checked at
 * once, after the pending promise callbacks have run, then every `intervalMs` until it holds.
 * The deadline only bounds a failing run; a passing one goes on as soon as the condition holds.
 */
export interface WaitForOptions {
	/** What is waited for, for the error when the deadline passes. */
	what?: string;
	/** How long a failing run waits before it fails (default 10 s). */
	timeoutMs?: number;
	/** Between checks after the first two (default 10 ms). */
	intervalMs?: number;
}

export async function waitFor(
	condition: () => boolean | Promise<boolean>,
	options: WaitForOptions = {},
): Promise<void> {
	const { what = 'the condition', timeoutMs = 10_000, intervalMs = 10 } = options;
	const deadline = Date.now() + timeoutMs;
	if (await condition()) return;
	// What only awaits promises is done after one turn of the event loop: no timer needed.
	await new Promise((resolve) => setImmediate(resolve));
	while (!(await condition())) {
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}
