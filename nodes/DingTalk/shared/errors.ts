/**
 * The package's own error types. They know nothing of n8n: the node turns them into
 * NodeApiError / NodeOperationError or, under "Continue On Fail", into error items.
 * No message or description built here ever contains a token, an app secret, a signed
 * header value or a signed URL's query string.
 */
export interface ErrorDetails {
	/** A stable, machine-readable code: DingTalk's own code, or one of ours. */
	code: string;
	/** HTTP status that caused it, when there was one. */
	httpCode?: number;
	/** DingTalk's request id, for support tickets. */
	requestId?: string;
	/** What the user can do about it. */
	description?: string;
	/** Whether repeating the same call later may succeed (rate limits, timeouts, a broken connection). */
	retryable?: boolean;
}

export class DingTalkStorageError extends Error {
	readonly code: string;
	readonly httpCode?: number;
	readonly requestId?: string;
	readonly description?: string;
	readonly retryable: boolean;

	constructor(message: string, details: ErrorDetails, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'DingTalkStorageError';
		this.code = details.code;
		this.httpCode = details.httpCode;
		this.requestId = details.requestId;
		this.description = details.description;
		this.retryable = details.retryable ?? false;
	}
}

/** A parameter the user gave is not usable; raised before any request is sent. */
export class InputError extends DingTalkStorageError {
	constructor(
		readonly field: string,
		problem: string,
		description?: string,
	) {
		super(`Invalid "${field}": ${problem}`, { code: 'invalidParameter', description });
		this.name = 'InputError';
	}
}

/** DingTalk's API answered with an error (or with something that is not an answer). */
export class DingTalkApiError extends DingTalkStorageError {
	constructor(message: string, details: ErrorDetails) {
		super(message, details);
		this.name = 'DingTalkApiError';
	}
}

/** Fetching the file from storage failed, or what arrived could not be verified. */
export class DownloadError extends DingTalkStorageError {
	constructor(message: string, details: ErrorDetails, options?: { cause?: unknown }) {
		super(message, details, options);
		this.name = 'DownloadError';
	}
}

/**
 * Whether a failed change call may still have been carried out by DingTalk: no answer after
 * the request may have arrived (apiUnreachable, not retryable), a cancellation, or a success
 * status whose answer could not be read (not JSON, too large). Such a change is never
 * reported as failed-and-safe-to-repeat.
 */
export function changeMayHaveHappened(error: unknown): boolean {
	if (!(error instanceof DingTalkStorageError)) return false;
	if (error.code === 'apiUnreachable') return !error.retryable;
	if (error.code === 'cancelled' || error.code === 'responseTooLarge') return true;
	return (
		error.code === 'invalidResponse' &&
		error.httpCode !== undefined &&
		error.httpCode >= 200 &&
		error.httpCode < 300
	);
}

/** Names a URL for a human without its query string (which may carry a signature). */
export function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
	} catch {
		return '(unparseable URL)';
	}
}

/** Sending a file to DingTalk storage failed, or its bytes could not be accounted for; nothing was committed. */
export class UploadError extends DingTalkStorageError {
	constructor(message: string, details: ErrorDetails, options?: { cause?: unknown }) {
		super(message, details, options);
		this.name = 'UploadError';
	}
}

/** Whether an error is this package's cancellation (an execution stopped, a trigger deactivated). */
export function isCancelled(error: unknown): boolean {
	return error instanceof DingTalkStorageError && error.code === 'cancelled';
}
