/** Helpers for the suites that drive real n8n processes (test/e2e, test/queue). */
import { createHash } from 'node:crypto';
import { createServer, get, type Server } from 'node:http';

const { TARGETS } =
	require('../../scripts/e2e/n8n-install') as typeof import('../../scripts/e2e/n8n-install');

/**
 * The n8n versions every end-to-end suite runs on, named in one place (scripts/e2e/n8n-install.js's
 * TARGETS): newest first. `N8N_E2E_SKIP_1X=1` skips the 1.x line, and the suites say so.
 * Under `npm test` each n8n line is a jest project of its own (jest.config.js sets the global
 * N8N_E2E_MAJOR), so the two lines run side by side; a suite run alone takes every line.
 */
export const N8N_MATRIX = (Object.keys(TARGETS) as Array<'1' | '2'>)
	.sort((a, b) => Number(b) - Number(a))
	.filter((major) => !e2eMajor() || e2eMajor() === major)
	.map((major) => {
		const target = TARGETS[major];
		const node =
			target.node === 'system' ? process.versions.node.split('.')[0] : target.node.split('.')[0];
		return { major, label: `n8n ${target.n8n} on Node ${node}` };
	});

/** The n8n line this jest project runs (jest.config.js), or undefined for every line. */
function e2eMajor(): string | undefined {
	return (globalThis as { N8N_E2E_MAJOR?: string }).N8N_E2E_MAJOR ?? process.env.N8N_E2E_MAJOR;
}

/** A local HTTP endpoint that keeps every JSON body posted to it. */
export async function startRecorder<T = Record<string, unknown>>(): Promise<{
	url: string;
	received: T[];
	close: () => Promise<void>;
}> {
	const received: T[] = [];
	const server: Server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			try {
				received.push(JSON.parse(body) as T);
			} catch {
				// Not ours.
			}
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}/record`,
		received,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** Successful listing calls of a folder the emulator answered so far (one per trigger poll). */
export function listingsOf(
	log: ReadonlyArray<{ path: string; status?: number }>,
	folderId: string,
): number {
	return log.filter(
		(entry) =>
			entry.path.includes('/dentries?') &&
			entry.path.includes(`parentId=${folderId}`) &&
			entry.status === 200,
	).length;
}

export async function waitFor(
	what: string,
	condition: () => boolean,
	timeoutMs: number,
	detail: () => string = () => '',
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline)
			throw new Error(`timed out waiting for ${what}\n${detail().slice(-4000)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export interface Fetched {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	bytes: number;
	sha256: string;
	/** The body as text when it is small (an error page, JSON). */
	text: string;
	/** Set when the connection broke before the body ended. */
	error?: string;
}

/**
 * GET a URL, hashing the body as it streams (a 256 MiB answer is never held; fetch's
 * arrayBuffer was slow with the emulator in the same process).
 */
export async function getHashed(url: string, timeoutMs = 10 * 60_000): Promise<Fetched> {
	return await new Promise((resolve) => {
		const hash = createHash('sha256');
		let bytes = 0;
		const small: Buffer[] = [];
		const request = get(url, { timeout: timeoutMs }, (res) => {
			const done = (error?: string) =>
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					bytes,
					sha256: hash.digest('hex'),
					text: Buffer.concat(small).toString('utf8'),
					error,
				});
			res.on('data', (chunk: Buffer) => {
				bytes += chunk.length;
				hash.update(chunk);
				if (bytes <= 1024 * 1024) small.push(chunk);
			});
			res.on('end', () => done());
			res.on('error', (error) => done(error.message));
			res.on('aborted', () => done('aborted'));
		});
		request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		request.on('error', (error) =>
			resolve({ status: 0, headers: {}, bytes, sha256: '', text: '', error: error.message }),
		);
	});
}
