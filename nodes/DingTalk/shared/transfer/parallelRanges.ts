/**
 * A whole file over several connections: fetched as ranges of CHUNK_BYTES, a few chunks
 * ahead, and streamed out in order, each chunk verified against its Content-Range and
 * resumed on its own. Knows nothing of n8n.
 */
import { DownloadError } from '../errors';
import {
	formatRange,
	parseContentRange,
	servedMatches,
	type ByteRange,
	type ServedRange,
} from '../helpers/range';
import { discard } from '../transport/http';
import { relayBody, type Outlet } from './outlet';
import { acceptPart, bodyBreak, relayResumed, resumePauses, type ResumeContext } from './resume';
import { contentLength, UrlFailure, type Answer } from './urlFailover';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** How the reader's stream of a whole file is fed. */
export interface ParallelStart {
	first: Answer;
	/** The range the first answer served, when its body alone is the file. */
	served?: ServedRange;
	/** The file's size, when known. */
	size?: number;
	/** Writes the whole file to the reader; absent when the first answer's body is all there is. */
	produce?: (outlet: Outlet) => Promise<void>;
}

/**
 * The first chunk is asked for as a range: a 206 says ranges work and gives the size; a
 * 200 (ranges ignored) is simply the whole file, streamed as usual. Chunks are fetched
 * ahead (at most `connections` at once, so at most that many chunks are held) and
 * streamed out in order.
 */
export async function startParallelRanges(
	context: ResumeContext,
	connections: number,
): Promise<ParallelStart> {
	const probeRange: ByteRange = { kind: 'from', start: 0, end: CHUNK_BYTES - 1 };
	let served: ServedRange | undefined;
	let length: number | undefined;
	const first = await context.urls.firstAnswer(probeRange, (response) => {
		length = contentLength(response);
		if (response.statusCode === 200) return;
		served = parseContentRange(response.headers['content-range']);
		if (
			response.statusCode !== 206 ||
			!served ||
			served.start !== 0 ||
			served.total === undefined ||
			!servedMatches(probeRange, served)
		) {
			discard(response.body);
			throw new UrlFailure(
				`answered a range request with HTTP ${response.statusCode} ${response.headers['content-range'] ?? ''}`.trim(),
				response.statusCode,
			);
		}
	});
	const total = served?.total;
	if (!served || total === undefined || total <= CHUNK_BYTES) {
		// Ranges ignored, or the file fits in one chunk: one stream is all there is.
		return { first, served, size: served ? served.end + 1 : length };
	}

	const firstServed = served;
	const etag = first.response.headers.etag;
	const spans: Array<{ start: number; end: number }> = [];
	for (let start = CHUNK_BYTES; start < total; start += CHUNK_BYTES)
		spans.push({ start, end: Math.min(total, start + CHUNK_BYTES) - 1 });
	let firstChunkDone = false;
	const pending = new Map<number, Promise<Buffer[]>>();
	let nextSpan = 0;
	const launch = () => {
		// While the first chunk streams, it holds one of the connections.
		const slots = Math.max(1, connections - (firstChunkDone ? 0 : 1));
		while (nextSpan < spans.length && pending.size < slots) {
			const fetching = fetchSpan(context, spans[nextSpan], etag, first.urlIndex);
			fetching.catch(() => undefined); // awaited in order below; no unhandled rejection meanwhile
			pending.set(nextSpan, fetching);
			nextSpan++;
		}
	};
	const produce = async (out: Outlet) => {
		launch();
		await relayResumed(context, out, first, firstServed, firstServed.end + 1);
		firstChunkDone = true;
		for (let index = 0; index < spans.length; index++) {
			launch();
			const chunks = await pending.get(index)!;
			pending.delete(index);
			launch();
			for (const chunk of chunks) await out.write(chunk);
		}
		if (out.bytesOut !== total) {
			throw new DownloadError(
				`The download is incomplete: ${out.bytesOut} of ${total} bytes arrived`,
				{ code: 'incompleteBody', retryable: true },
			);
		}
	};
	return { first, size: total, produce };
}

/**
 * One chunk of the file into memory (as the network delivered it, no copy), verified,
 * resumed where it broke off.
 */
async function fetchSpan(
	context: ResumeContext,
	span: { start: number; end: number },
	etag: string | undefined,
	preferredUrlIndex: number,
): Promise<Buffer[]> {
	const size = span.end - span.start + 1;
	const chunks: Buffer[] = [];
	let filled = 0;
	let lastProblem = '';
	const pause = resumePauses(context.signal);
	for (let attempt = 0; attempt <= context.maxResumes; attempt++) {
		if (attempt > 0) await pause();
		const rest: ByteRange = { kind: 'from', start: span.start + filled, end: span.end };
		const { response } = await context.urls.firstAnswer(
			rest,
			acceptPart(rest, etag),
			preferredUrlIndex,
		);
		try {
			await relayBody(response.body, (piece) => {
				if (filled + piece.length > size) {
					throw new DownloadError(
						`The storage sent more bytes than the range ${formatRange(rest)} holds; the file was not emitted`,
						{ code: 'bodyTooLong' },
					);
				}
				chunks.push(piece);
				filled += piece.length;
			});
			if (filled === size) return chunks;
			lastProblem = `the connection ended after ${filled} of ${size} bytes of a chunk`;
		} catch (error) {
			lastProblem = `a chunk broke off after ${filled} bytes (${bodyBreak(error).message})`;
		}
	}
	throw new DownloadError(
		`The download is incomplete: ${lastProblem}; gave up after ${context.maxResumes} resume attempt(s)`,
		{
			code: 'incompleteBody',
			retryable: true,
			description:
				'Nothing was emitted for this file. The connection to DingTalk storage is unstable: try again, or use fewer parallel connections.',
		},
	);
}
