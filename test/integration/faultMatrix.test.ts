/**
 * The fault matrix: for every fault, the outcome is either the right file (byte-exact
 * sha256) or a clear error item under Continue On Fail, and the other items of the same
 * run are intact. Runs the node in n8n's execution engine against the emulator.
 */
import type { IDataObject } from 'n8n-workflow';

import { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import { TokenCache } from '../../nodes/DingTalk/shared/api/tokenCache';
import { getDownloadInfo } from '../../nodes/DingTalk/shared/storage/downloadInfo';
import {
	apiCalls,
	appCredentials,
	binarySha256,
	download,
	expectNoSecrets,
	storageCalls,
	useEmulator,
	type Emulator,
} from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

const BIG = '1005';
const BIG_SIZE = 3 * 1024 * 1024 + 17;

type Fault = Parameters<Emulator['setFault']>[1];
type Outcome = { file: true } | { error: string; message?: RegExp };

interface Case {
	name: string;
	/** The fault sits at the token endpoint: use a credential whose token is not cached yet. */
	freshToken?: boolean;
	fault?: Fault;
	setup?: (emulator: Emulator) => void;
	options?: IDataObject;
	expect: Outcome;
}

const STORAGE_FAULTS: Case[] = [
	{
		name: 'connection refused on the first URL',
		fault: { refuseFirstUrl: true },
		expect: { file: true },
	},
	{
		name: 'reset before headers, once',
		fault: { resetBeforeHeaders: true, times: 1 },
		expect: { file: true },
	},
	{
		name: 'reset before headers, every time',
		fault: { resetBeforeHeaders: true },
		expect: { error: 'allUrlsFailed' },
	},
	...[1, 65_536, 1_000_000, BIG_SIZE - 17, BIG_SIZE - 1].map<Case>((offset) => ({
		name: `reset mid-body after ${offset} bytes`,
		fault: { resetAfterBytes: offset, times: 1 },
		expect: { file: true },
	})),
	{
		name: 'truncated body (Content-Length larger than what arrives), once',
		fault: { truncateAfterBytes: 2_000_000, times: 1 },
		expect: { file: true },
	},
	{
		name: 'truncated body, every time',
		fault: { truncateAfterBytes: 100 },
		expect: { error: 'incompleteBody', message: /incomplete/ },
	},
	{ name: 'body longer than Content-Length', fault: { extraBytes: 100 }, expect: { file: true } },
	{
		name: 'slow first byte, within the response timeout',
		fault: { headersDelayMs: 300 },
		options: { timeout: 5000 },
		expect: { file: true },
	},
	{
		name: 'slow first byte, past the response timeout',
		fault: { headersDelayMs: 1500 },
		options: { timeout: 300 },
		expect: { error: 'allUrlsFailed', message: /timed out waiting for the response to start/ },
	},
	{
		name: 'stalled body past the idle timeout',
		fault: { bodyDelayMs: 1500 },
		options: { idleTimeout: 300 },
		expect: { error: 'incompleteBody', message: /no data arrived/ },
	},
	...[500, 502, 503].map<Case>((status) => ({
		name: `${status} on the first URL`,
		fault: { failFirstUrl: status },
		expect: { file: true },
	})),
	{
		name: 'all URLs failing (503)',
		fault: { failAllUrls: 503 },
		expect: { error: 'allUrlsFailed', message: /HTTP 503/ },
	},
	{
		name: '403 on every attempt',
		fault: { forbidden: true },
		expect: { error: 'storageForbidden' },
	},
	{
		name: '206 with a Content-Range that does not match',
		fault: { wrongContentRange: true },
		options: { range: '0-999' },
		expect: { error: 'rangeMismatch' },
	},
	{
		name: '200 where a range was asked',
		fault: { ignoreRange: true },
		options: { range: '0-999' },
		expect: { error: 'rangeIgnored' },
	},
	{
		name: 'redirect loop',
		fault: { redirect: 'loop' },
		expect: { error: 'allUrlsFailed', message: /more than 5 redirects/ },
	},
	{
		name: 'redirect to a non-http scheme',
		fault: { redirect: 'ftp' },
		expect: { error: 'allUrlsFailed', message: /non-HTTP URL \(ftp:\)/ },
	},
	{
		name: 'redirect to another origin (signed headers dropped, so refused there)',
		fault: { redirect: 'otherOrigin' },
		expect: { error: 'storageForbidden' },
	},
];

function rewriteInfo(
	emulator: Emulator,
	rewrite: (info: Record<string, unknown>) => Record<string, unknown>,
) {
	emulator.state.downloadInfoRewrite = (answer: Record<string, unknown>) => rewrite(answer);
}

const API_FAULTS: Case[] = [
	{
		name: 'token endpoint down (503 HTML)',
		freshToken: true,
		setup: (e) =>
			(e.state.tokenEndpointAnswer = { status: 503, body: '<html>Service Unavailable</html>' }),
		expect: { error: 'invalidTokenResponse', message: /HTTP 503/ },
	},
	{
		name: 'token endpoint answering HTML with 200',
		freshToken: true,
		setup: (e) => (e.state.tokenEndpointAnswer = { status: 200, body: '<html>login</html>' }),
		expect: { error: 'invalidTokenResponse' },
	},
	{
		name: 'token endpoint answering invalid JSON',
		freshToken: true,
		setup: (e) =>
			(e.state.tokenEndpointAnswer = {
				status: 200,
				body: '{"accessToken": ',
				contentType: 'application/json',
			}),
		expect: { error: 'invalidTokenResponse' },
	},
	{
		name: 'token endpoint answering an empty body',
		freshToken: true,
		setup: (e) => (e.state.tokenEndpointAnswer = { status: 200, body: '' }),
		expect: { error: 'invalidTokenResponse' },
	},
	{
		name: 'download info without headerSignatureInfo',
		setup: (e) => rewriteInfo(e, (a) => ({ protocol: a.protocol })),
		expect: { error: 'invalidResponse', message: /no headerSignatureInfo/ },
	},
	{
		name: 'download info with empty resourceUrls',
		setup: (e) =>
			rewriteInfo(e, (a) => ({
				...a,
				headerSignatureInfo: { ...(a.headerSignatureInfo as object), resourceUrls: [] },
			})),
		expect: { error: 'invalidResponse', message: /no download URL/ },
	},
	{
		name: 'download info with an unknown protocol',
		setup: (e) => rewriteInfo(e, (a) => ({ ...a, protocol: 'URL_SIGNATURE' })),
		expect: { error: 'dentryDownloadProtocolNotSupport', message: /URL_SIGNATURE/ },
	},
	{
		name: 'download info with a CR/LF in a header value',
		setup: (e) =>
			rewriteInfo(e, (a) => {
				const info = a.headerSignatureInfo as { headers: Record<string, string> };
				return {
					...a,
					headerSignatureInfo: {
						...info,
						headers: {
							...info.headers,
							'x-oss-date': `${info.headers['x-oss-date']}\r\nX-Injected: 1`,
						},
					},
				};
			}),
		expect: { error: 'invalidResponse', message: /line break/ },
	},
	{
		name: 'download info whose only URL is not http(s)',
		setup: (e) =>
			rewriteInfo(e, (a) => ({
				...a,
				headerSignatureInfo: {
					...(a.headerSignatureInfo as object),
					resourceUrls: ['file:///etc/passwd'],
				},
			})),
		expect: { error: 'allUrlsFailed', message: /not an http\(s\) URL/ },
	},
	{
		name: 'download info with a non-http URL first and a good one second',
		setup: (e) =>
			rewriteInfo(e, (a) => {
				const info = a.headerSignatureInfo as { resourceUrls: string[] };
				return {
					...a,
					headerSignatureInfo: {
						...info,
						resourceUrls: ['ftp://127.0.0.1/x', info.resourceUrls[1]],
					},
				};
			}),
		expect: { file: true },
	},
	{
		name: 'a download-info answer of several MB',
		setup: (e) => (e.state.downloadInfoPaddingBytes = 4 * 1024 * 1024),
		expect: { error: 'responseTooLarge' },
	},
];

describe.each([
	['storage', STORAGE_FAULTS],
	['API', API_FAULTS],
] as const)('%s faults', (_kind, cases) => {
	test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
		const { emulator } = ctx;
		if (testCase.fault) emulator.setFault(BIG, testCase.fault);
		const faultOnEveryItem = testCase.setup !== undefined;
		testCase.setup?.(emulator);
		const result = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}', testCase.options ?? {}),
			items: [{ dentryId: '1004' }, { dentryId: BIG }, { dentryId: '1001' }],
			// Another spelling of the same host is another token-cache key: nothing cached.
			credentials: testCase.freshToken
				? {
						...appCredentials(emulator),
						baseUrl: emulator.baseUrl.replace('127.0.0.1', 'localhost'),
					}
				: appCredentials(emulator),
			continueOnFail: true,
		});
		// Each case searches its own outputs and errors, so any case run alone checks too.
		expectNoSecrets(result, emulator);
		const { output, error } = result;
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3);
		expect(output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		const [first, faulty, last] = output!;
		if ('file' in testCase.expect) {
			expect(faulty.json.error).toBeUndefined();
			expect(faulty.json.size).toBe(BIG_SIZE);
			expect(await binarySha256(faulty.binary!.data)).toBe(emulator.sha256(BIG));
		} else {
			expect(faulty.binary).toBeUndefined();
			expect(faulty.json.code).toBe(testCase.expect.error);
			if (testCase.expect.message) expect(faulty.json.error).toMatch(testCase.expect.message);
			expect(typeof faulty.json.description).toBe('string');
		}
		if (faultOnEveryItem && !('file' in testCase.expect)) {
			// An API-wide fault hits every item the same way, each reported on its own.
			for (const item of [first, last]) expect(item.json.code).toBe(testCase.expect.error);
		} else {
			// Range cases ask every item for bytes 0-999.
			const ranged = testCase.options?.range !== undefined;
			expect(await binarySha256(first.binary!.data)).toBe(
				ranged ? emulator.sha256('1004', 0, 999) : emulator.sha256('1004'),
			);
			expect(await binarySha256(last.binary!.data)).toBe(
				ranged ? emulator.sha256('1001', 0, 999) : emulator.sha256('1001'),
			);
		}
	});
});

describe('security across faults', () => {
	test('a redirect to another origin never carries the signed headers', async () => {
		const { emulator } = ctx;
		emulator.setFault(BIG, { redirect: 'otherOrigin' });
		await runNode({
			parameters: download(emulator, BIG),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		const crossOrigin = storageCalls(emulator).filter((call) =>
			String(call.headers.host).startsWith('localhost'),
		);
		expect(crossOrigin.length).toBeGreaterThan(0);
		for (const call of crossOrigin) {
			expect(call.headers.authorization).toBeUndefined();
			expect(call.headers['x-oss-date']).toBeUndefined();
			expect(call.headers['x-acs-dingtalk-access-token']).toBeUndefined();
		}
	});
});

describe('concurrency', () => {
	test('50 items sharing a credential whose token has just expired: one token request, all succeed', async () => {
		const { emulator } = ctx;
		await runNode({
			parameters: download(emulator, '1004'),
			credentials: appCredentials(emulator),
		});
		emulator.expireTokens();
		emulator.log.length = 0;
		const items = Array.from({ length: 50 }, (_, i) => ({ dentryId: i % 2 ? '1004' : '1006' }));
		const { output } = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}'),
			items,
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output).toHaveLength(50);
		expect(output!.filter((item) => item.json.error)).toEqual([]);
		expect(apiCalls(emulator, 'token')).toHaveLength(1);
	});

	test('50 concurrent calls after expiry share one token request (single flight)', async () => {
		const { emulator } = ctx;
		const tokenCache = new TokenCache();
		const client = new DingTalkClient({
			baseUrl: emulator.baseUrl,
			auth: { kind: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret },
			timeouts: { connectMs: 5000, responseMs: 5000, idleMs: 5000 },
			tokenCache,
		});
		const file = { spaceId: '1000', dentryId: '1004', unionId: emulator.unionId };
		await getDownloadInfo(client, file, { preferIntranet: false });
		emulator.expireTokens();
		emulator.log.length = 0;
		const answers = await Promise.all(
			Array.from(
				{ length: 50 },
				async () => await getDownloadInfo(client, file, { preferIntranet: false }),
			),
		);
		for (const answer of answers) expect(answer.resourceUrls[0]).toContain('dentry=1004');
		expect(apiCalls(emulator, 'token')).toHaveLength(1);
		// Every call that succeeded carried the one token issued after the expiry.
		const accepted = apiCalls(emulator, 'downloadInfo').filter((call) => call.status === 200);
		expect(accepted).toHaveLength(50);
		expect(new Set(accepted.map((call) => call.headers['x-acs-dingtalk-access-token'])).size).toBe(
			1,
		);
	});
});
