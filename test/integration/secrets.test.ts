/**
 * No secret in any output item or error: the app secret, every access token DingTalk
 * issued, and every signed storage header value, searched for in the serialized results
 * of successful runs, failures and faults alike.
 */
import type { IDataObject } from 'n8n-workflow';

import { API_ERRORS } from '../../emulator';
import {
	appCredentials,
	download,
	secretsSeen,
	serializeRun as serialize,
	tokenCredentials,
	useEmulator,
} from '../harness/fixtures';
import { runNode, type RunResult } from '../harness/n8n';

const ctx = useEmulator('filesystem');

test('no token, app secret or signed header appears in any output or error', async () => {
	const { emulator } = ctx;
	const liveToken = emulator.issueToken();
	const results: RunResult[] = [];
	const run = async (
		parameters: IDataObject,
		options: { continueOnFail?: boolean; token?: string; items?: IDataObject[] } = {},
	) => {
		const credentials = options.token
			? tokenCredentials(emulator, options.token)
			: appCredentials(emulator);
		results.push(
			await runNode({
				parameters,
				credentials,
				continueOnFail: options.continueOnFail,
				items: options.items,
			}),
		);
	};

	await run(download(emulator, '1001'));
	await run(download(emulator, '1001', { range: '0-99' }));
	await run(download(emulator, '1001'), { token: liveToken });
	for (const continueOnFail of [true, false]) {
		for (const code of Object.keys(API_ERRORS)) {
			emulator.failNextApiCalls(code, code.startsWith('Forbidden.AccessDenied.Qps') ? 1 : 2);
			await run(download(emulator, '1004'), { continueOnFail });
		}
		await run(download(emulator, '1001', { range: '900000-' }), { continueOnFail });
		await run(download(emulator, '1004'), { continueOnFail, token: 'dead-token-1234567890' });
		await run(download(emulator, '1004'), { continueOnFail, token: liveToken });
		emulator.setFault('1005', { forbidden: true });
		await run(download(emulator, '1005'), { continueOnFail });
		emulator.setFault('1005', { truncateAfterBytes: 100 });
		await run(download(emulator, '1005'), { continueOnFail });
		emulator.setFault('1005', { resetAfterBytes: 70_000, times: 1 });
		await run(download(emulator, '1005'), { continueOnFail });
		emulator.clearFaults();
		emulator.expireTokens();
		await run(download(emulator, '1004'), { continueOnFail });
		await run(download(emulator, '1004'), { continueOnFail, token: liveToken });
	}

	const secrets = secretsSeen(emulator, [liveToken, 'dead-token-1234567890']);
	expect(secrets.length).toBeGreaterThan(5);
	const everything = results.map(serialize).join('\n');
	expect(everything).toContain('Invalid'); // the search really covers the errors
	for (const secret of secrets) expect(everything).not.toContain(secret);
});

test('Get Download Info is the one place the signed headers appear, because the user asked', async () => {
	const { emulator } = ctx;
	const result = await runNode({
		parameters: {
			operation: 'getDownloadInfo',
			spaceId: '1000',
			dentryId: '1001',
			unionId: emulator.unionId,
			options: {},
		},
		credentials: appCredentials(emulator),
	});
	const headers = result.output![0].json.headers as Record<string, string>;
	expect(headers.Authorization).toMatch(/^OSS /);
	expect(serialize(result)).not.toContain(emulator.appSecret);
	for (const entry of emulator.log) {
		const token = entry.headers['x-acs-dingtalk-access-token'];
		if (typeof token === 'string') expect(serialize(result)).not.toContain(token);
	}
});
