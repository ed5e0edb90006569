import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { DingTalkStorageError, InputError } from '../shared/errors';

/**
 * The package's errors as n8n sees them: an error item under Continue On Fail, or the
 * NodeApiError / NodeOperationError that stops the node. Never a secret: the package's
 * errors carry none (see shared/errors.ts).
 */
function errorFields(error: DingTalkStorageError): IDataObject {
	const fields: IDataObject = { error: error.message, code: error.code };
	if (error.httpCode !== undefined) fields.httpCode = error.httpCode;
	if (error.requestId) fields.requestId = error.requestId;
	if (error.description) fields.description = error.description;
	if (error instanceof InputError) fields.field = error.field;
	// Whether the same call may succeed later (a rate limit, DingTalk busy): worth a retry.
	fields.retryable = error.retryable;
	return fields;
}

/** Fields of an error item under Continue On Fail. */
export function errorItemFields(error: unknown): IDataObject {
	if (error instanceof DingTalkStorageError) return errorFields(error);
	return { error: error instanceof Error ? error.message : String(error) };
}

/** The n8n error for a failure that stops the node. */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
): NodeOperationError | NodeApiError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof InputError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: error.description,
		});
	}
	if (error instanceof DingTalkStorageError) {
		return new NodeApiError(node, errorFields(error) as JsonObject, {
			message: error.message,
			description: error.description,
			httpCode: error.httpCode === undefined ? undefined : String(error.httpCode),
			itemIndex,
		});
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}
