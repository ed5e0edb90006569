/**
 * Every documented DingTalk error, authentication, rate limits, and Continue On Fail,
 * through n8n's execution engine against the emulator.
 */
import { API_ERRORS } from '../../emulator';
import { DingTalkClient } from '../../nodes/DingTalk/shared/api/client';
import { getDownloadInfo } from '../../nodes/DingTalk/shared/storage/downloadInfo';
import { DingTalkApiError } from '../../nodes/DingTalk/shared/errors';
import {
	apiCalls,
	appCredentials,
	binarySha256,
	download,
	tokenCredentials,
	useEmulator,
} from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

const DOCUMENTED_CODES = Object.keys(API_ERRORS).filter(
	(code) => !code.startsWith('Forbidden.AccessDenied.Qps') && code !== 'InvalidAuthentication',
);

describe('every documented error code', () => {
	test.each(DOCUMENTED_CODES)(
		'%s: an error item under Continue On Fail, with code, HTTP status and request id',
		async (code) => {
			const { emulator } = ctx;
			const { output } = await runNode({
				parameters: download(emulator, `error-${code}`),
				credentials: appCredentials(emulator),
				continueOnFail: true,
			});
			expect(output).toHaveLength(1);
			const json = output![0].json;
			expect(json.code).toBe(code);
			expect(json.httpCode).toBe(API_ERRORS[code].status);
			expect(json.requestId).toMatch(/^emu-/);
			expect(json.error).toContain(`code ${code}`);
			expect(typeof json.description).toBe('string');
			expect(output![0].binary).toBeUndefined();
			expect(output![0].pairedItem).toEqual({ item: 0 });
		},
	);

	test.each(DOCUMENTED_CODES)(
		'%s: the node fails with a NodeApiError carrying the message and advice',
		async (code) => {
			const { emulator } = ctx;
			const { error } = await runNode({
				parameters: download(emulator, `error-${code}`),
				credentials: appCredentials(emulator),
			});
			expect(error).toBeDefined();
			expect(error!.name).toBe('NodeApiError');
			expect(error!.message).toContain(`code ${code}`);
			expect(error!.description).toBeTruthy();
			expect(error!.httpCode).toBe(String(API_ERRORS[code].status));
		},
	);

	test('fileArchived and permissionDenied say what to do', async () => {
		const { emulator } = ctx;
		const archived = await runNode({
			parameters: download(emulator, 'error-fileArchived'),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(archived.output![0].json.description).toMatch(/unarchive.*try again in a few minutes/i);
		const denied = await runNode({
			parameters: download(emulator, 'error-permissionDenied'),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(denied.output![0].json.description).toContain('Storage.DownloadInfo.Read');
		expect(denied.output![0].json.description).toContain('Operator Union ID');
	});
});

describe('Continue On Fail', () => {
	test('a failing item in the middle: three items out, in order, paired, the others whole', async () => {
		const { emulator } = ctx;
		const { output, error } = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}'),
			items: [{ dentryId: '1001' }, { dentryId: 'missing-file' }, { dentryId: '1002' }],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3);
		expect(output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1001'));
		expect(output![1].binary).toBeUndefined();
		expect(output![1].json).toMatchObject({ code: 'dentryNotExist', httpCode: 404 });
		expect(await binarySha256(output![2].binary!.data)).toBe(emulator.sha256('1002'));
	});

	test('bad input in one item is reported for that item, naming the field, before any request for it', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}', { range: '={{ $json.range }}' }),
			items: [
				{ dentryId: '1004', range: '' },
				{ dentryId: ' ', range: '' },
				{ dentryId: '1004', range: 'abc' },
				{ dentryId: 'a\nb', range: '' },
			],
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output!.map((item) => item.json.field)).toEqual([
			undefined,
			'dentryId',
			'range',
			'dentryId',
		]);
		expect(output![1].json.error).toBe('Invalid "dentryId": it is empty');
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(1);
	});

	test('without Continue On Fail the first failure stops the node and names the item', async () => {
		const { emulator } = ctx;
		const { error, output } = await runNode({
			parameters: download(emulator, '={{ $json.dentryId }}'),
			items: [{ dentryId: '1004' }, { dentryId: 'error-spaceNotExist' }],
			credentials: appCredentials(emulator),
		});
		expect(output).toBeUndefined();
		expect(error!.message).toContain('The space does not exist');
		expect((error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
	});
});

describe('tokens', () => {
	test('app credentials: one token for many calls, renewed once when DingTalk calls it invalid', async () => {
		const { emulator } = ctx;
		const credentials = appCredentials(emulator);
		await runNode({ parameters: download(emulator, '1004'), credentials });
		// Earlier tests may have cached this app's token already: at most one request.
		const issued = apiCalls(emulator, 'token').length;
		expect(issued).toBeLessThanOrEqual(1);
		await runNode({ parameters: download(emulator, '1004'), credentials });
		await runNode({ parameters: download(emulator, '1004'), credentials });
		expect(apiCalls(emulator, 'token')).toHaveLength(issued);
		emulator.expireTokens();
		const { output } = await runNode({ parameters: download(emulator, '1004'), credentials });
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1004'));
		expect(apiCalls(emulator, 'token')).toHaveLength(issued + 1);
		// Each download reads the file's details first (its kind is checked): that call meets the expired token.
		expect(apiCalls(emulator, 'dentry').map((call) => call.status)).toEqual([
			200, 200, 200, 400, 200,
		]);
		expect(apiCalls(emulator, 'downloadInfo').map((call) => call.status)).toEqual([
			200, 200, 200, 200,
		]);
	});

	test('InvalidAuthentication twice in a row: one refresh, then a clear error (no loop)', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls('InvalidAuthentication', 5, 'downloadInfos.query');
		const { output } = await runNode({
			parameters: download(emulator, '1004'),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].json.code).toBe('InvalidAuthentication');
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(2);
		expect(apiCalls(emulator, 'token').length).toBeLessThanOrEqual(2);
	});

	test('access token mode: a valid token works, a dead one gives a clear error', async () => {
		const { emulator } = ctx;
		const good = await runNode({
			parameters: download(emulator, '1004'),
			credentials: tokenCredentials(emulator, emulator.issueToken()),
		});
		expect(await binarySha256(good.output![0].binary!.data)).toBe(emulator.sha256('1004'));
		expect(apiCalls(emulator, 'token')).toHaveLength(0);
		const bad = await runNode({
			parameters: download(emulator, '1004'),
			credentials: tokenCredentials(emulator, 'expired-token'),
			continueOnFail: true,
		});
		expect(bad.output![0].json.error).toContain('the access token is invalid or expired');
		expect(bad.output![0].json.code).toBe('InvalidAuthentication');
	});

	test('a wrong App Secret is reported as such', async () => {
		const { emulator } = ctx;
		const { output } = await runNode({
			parameters: download(emulator, '1004'),
			credentials: { ...appCredentials(emulator), appSecret: 'wrong-secret' },
			continueOnFail: true,
		});
		expect(output![0].json.error).toContain('did not accept the App Key and App Secret');
		expect(output![0].json.httpCode).toBe(400);
	});
});

describe('rate limits', () => {
	test('a QPS answer is retried after a back-off and the download succeeds', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls(
			'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
			1,
			'downloadInfos.query',
		);
		const { output } = await runNode({
			parameters: download(emulator, '1004'),
			credentials: appCredentials(emulator),
		});
		expect(await binarySha256(output![0].binary!.data)).toBe(emulator.sha256('1004'));
		expect(apiCalls(emulator, 'downloadInfo').map((call) => call.status)).toEqual([403, 200]);
	});

	test('the monthly quota (ApiCountLimitForOrg) is not retried', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls(
			'Forbidden.AccessDenied.ApiCountLimitForOrg',
			3,
			'downloadInfos.query',
		);
		const { output } = await runNode({
			parameters: download(emulator, '1004'),
			credentials: appCredentials(emulator),
			continueOnFail: true,
		});
		expect(output![0].json.code).toBe('Forbidden.AccessDenied.ApiCountLimitForOrg');
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(1);
	});

	test('QPS answers beyond the retry budget: a bounded number of tries, then the rate-limit error', async () => {
		const { emulator } = ctx;
		emulator.failNextApiCalls('Forbidden.AccessDenied.QpsLimitForApi', 100);
		const client = new DingTalkClient({
			baseUrl: emulator.baseUrl,
			auth: { kind: 'appCredentials', appKey: emulator.appKey, appSecret: emulator.appSecret },
			timeouts: { connectMs: 5000, responseMs: 5000, idleMs: 5000 },
			maxRateLimitRetries: 3,
			rateLimitBackoffMs: 5,
		});
		const failure = await getDownloadInfo(
			client,
			{ spaceId: '1000', dentryId: '1004', unionId: emulator.unionId },
			{ preferIntranet: false },
		).catch((e: unknown) => e);
		expect(failure).toBeInstanceOf(DingTalkApiError);
		expect((failure as DingTalkApiError).code).toBe('Forbidden.AccessDenied.QpsLimitForApi');
		expect(apiCalls(emulator, 'downloadInfo')).toHaveLength(4);
	});
});
