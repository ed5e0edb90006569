/**
 * The "DingTalk API" credential: the Test button (really calls DingTalk), and the parts
 * n8n's HTTP Request node uses (preAuthentication fetching a token, and the header).
 */
import {
	Workflow,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
} from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkStorageDownload } from '../../nodes/DingTalk/StorageDownload/DingTalkStorageDownload.node';
import {
	apiCalls,
	appCredentials,
	download,
	rl,
	runStorage,
	serializeRun,
	tokenCredentials,
	useEmulator,
} from '../harness/fixtures';
import { runNode } from '../harness/n8n';

const ctx = useEmulator('filesystem');

async function testCredential(data: ICredentialsDecrypted['data']) {
	const node = new DingTalkStorageDownload();
	return await node.methods.credentialTest.dingTalkApiTest.call({} as ICredentialTestFunctions, {
		id: '1',
		name: 'test',
		type: 'dingTalkApi',
		data,
	});
}

describe('credential test (the Test button)', () => {
	test('working App Key & Secret', async () => {
		expect(await testCredential(appCredentials(ctx.emulator))).toEqual({
			status: 'OK',
			message: expect.stringContaining('successful'),
		});
	});

	test('a wrong App Secret', async () => {
		const result = await testCredential({
			...appCredentials(ctx.emulator),
			appSecret: 'not-the-secret',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toContain('did not accept the App Key and App Secret');
		expect(result.message).not.toContain('not-the-secret');
	});

	test('a working access token, and a dead one', async () => {
		const { emulator } = ctx;
		expect((await testCredential(tokenCredentials(emulator, emulator.issueToken()))).status).toBe(
			'OK',
		);
		const dead = await testCredential(tokenCredentials(emulator, 'dead-token'));
		expect(dead).toEqual({
			status: 'Error',
			message: expect.stringContaining('the access token is invalid or expired'),
		});
	});

	test('it really calls the API', async () => {
		const { emulator } = ctx;
		await testCredential(tokenCredentials(emulator, emulator.issueToken()));
		expect(apiCalls(emulator, 'dentry')).toHaveLength(1);
	});

	test('an unreachable or invalid base URL', async () => {
		const unreachable = await testCredential({
			...appCredentials(ctx.emulator),
			baseUrl: 'http://127.0.0.1:1',
		});
		expect(unreachable.status).toBe('Error');
		expect(unreachable.message).toContain('could not get an answer from http://127.0.0.1:1');
		const invalid = await testCredential({
			...appCredentials(ctx.emulator),
			baseUrl: 'ftp://example',
		});
		expect(invalid).toEqual({
			status: 'Error',
			message: expect.stringContaining('Invalid "baseUrl"'),
		});
	});
});

describe('the Base URL: refused before any request, never repeated in an error', () => {
	const withUserInfo = 'http://gwuser:s3cretpw@127.0.0.1:1/';

	test('the Test button: user info, a query and plain http to another machine are refused without repeating the value', async () => {
		const cases: Array<[string, RegExp]> = [
			[withUserInfo, /user name or password/],
			['https://gw.example.com/dingtalk?token=s3cretpw', /query/],
			['http://gw.example.com/s3cretpw', /plain http.*https:\/\//],
		];
		for (const [baseUrl, problem] of cases) {
			const result = await testCredential({ ...appCredentials(ctx.emulator), baseUrl });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/^Invalid "baseUrl": /);
			expect(result.message).toMatch(problem);
			for (const secret of ['gwuser', 's3cretpw']) expect(result.message).not.toContain(secret);
		}
		expect(ctx.emulator.log).toHaveLength(0);
	});

	test('a node run with a Base URL holding a user and password: the error item and the exception contain neither', async () => {
		const { emulator } = ctx;
		const credentials = { ...appCredentials(emulator), baseUrl: withUserInfo };
		const asItem = await runNode({
			parameters: download(emulator, '1004'),
			credentials,
			continueOnFail: true,
		});
		expect(asItem.output![0].json).toMatchObject({ field: 'baseUrl', code: 'invalidParameter' });
		const asException = await runStorage(
			emulator,
			'file',
			'get',
			{ dentryId: rl('1004') },
			{ credentials },
		);
		expect(asException.error?.message).toMatch(/^Invalid "baseUrl": /);
		for (const result of [asItem, asException]) {
			const everything = serializeRun(result);
			expect(everything).toContain('baseUrl');
			expect(everything).not.toContain('s3cretpw');
			expect(everything).not.toContain('gwuser');
		}
		expect(emulator.log).toHaveLength(0);
	});

	test('a gateway path prefix is kept: every request goes under it', async () => {
		const { emulator } = ctx;
		// The emulator answers only at its root: a prefix that was dropped would still work,
		// one that is kept makes the token request go to /prefix/v1.0/... and fail with 404.
		const result = await testCredential({
			...appCredentials(emulator),
			baseUrl: `${emulator.baseUrl}/gateway-prefix/`,
		});
		expect(result.status).toBe('Error');
		expect(emulator.log.map((entry) => entry.path)).toEqual([
			expect.stringMatching(/^\/gateway-prefix\/v1\.0\/oauth2\/accessToken/),
		]);
	});
});

describe("use from n8n's HTTP Request node (predefined credential type)", () => {
	const credential = new DingTalkApi();
	const helpers: IHttpRequestHelper = {
		helpers: {
			httpRequest: async (options: IHttpRequestOptions) => {
				const response = await fetch(options.url, {
					method: options.method,
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(options.body),
				});
				return await response.json();
			},
		},
	} as IHttpRequestHelper;

	function resolveHeader(data: Record<string, unknown>): string {
		const node: INode = {
			id: '1',
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4,
			position: [0, 0],
			parameters: {},
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: {
				getByName: () => undefined,
				getByNameAndVersion: () => undefined,
				getKnownTypes: () => ({}),
			} as never,
		});
		const expression = credential.authenticate.properties.headers![
			'x-acs-dingtalk-access-token'
		] as string;
		return String(
			workflow.expression.getSimpleParameterValue(
				node,
				expression,
				'internal',
				{ $credentials: data } as never,
				undefined,
				'',
			),
		);
	}

	test('App Key & Secret: preAuthentication fetches a token DingTalk accepts, sent as x-acs-dingtalk-access-token', async () => {
		const { emulator } = ctx;
		const data = { ...appCredentials(emulator), sessionToken: '' };
		const fetched = await credential.preAuthentication.call(helpers, data);
		expect(typeof fetched.sessionToken).toBe('string');
		const header = resolveHeader({ ...data, ...fetched });
		expect(header).toBe(fetched.sessionToken);
		const answer = await fetch(
			`${emulator.baseUrl}/v1.0/storage/spaces/1000/dentries/1001/query?unionId=${emulator.unionId}`,
			{
				method: 'POST',
				headers: { 'x-acs-dingtalk-access-token': header, 'content-type': 'application/json' },
				body: '{"option":{}}',
			},
		);
		expect(answer.status).toBe(200);
	});

	test('preAuthentication checks the Base URL as the nodes do: a password in it is refused, never sent nor shown', async () => {
		const { emulator } = ctx;
		const sent: unknown[] = [];
		const watching = {
			helpers: { httpRequest: async (options: unknown) => sent.push(options) },
		} as unknown as IHttpRequestHelper;
		const data = {
			...appCredentials(emulator),
			baseUrl: 'https://gwuser:s3cretpw@gw.example.com/dingtalk',
			sessionToken: '',
		};
		const refused = credential.preAuthentication.call(watching, data);
		await expect(refused).rejects.toThrow('Invalid "baseUrl"');
		await expect(refused).rejects.not.toThrow(/s3cretpw|gwuser/);
		expect(sent).toEqual([]);
	});

	test('Access Token: the token itself is sent, no token request', async () => {
		const data = { ...tokenCredentials(ctx.emulator, 'my-token'), sessionToken: '' };
		expect(await credential.preAuthentication.call(helpers, data)).toEqual({});
		expect(resolveHeader(data)).toBe('my-token');
	});

	test('a hidden, expirable field holds the fetched token (how n8n knows to refresh it)', () => {
		const session = credential.properties.find((property) => property.name === 'sessionToken');
		expect(session).toMatchObject({ type: 'hidden', typeOptions: { expirable: true } });
	});
});
