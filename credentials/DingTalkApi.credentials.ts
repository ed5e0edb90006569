import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { appTokenRequest, issuedTokenFrom } from '../nodes/DingTalk/shared/api/tokenEndpoint';
import { requireBaseUrl } from '../nodes/DingTalk/shared/helpers/validate';

/**
 * "DingTalk API": an internal app's App Key + App Secret, or a plain access token.
 *
 * The package's nodes fetch, cache and renew tokens themselves (and test this credential
 * through their `dingTalkApiTest` method, nodes/DingTalk/n8n/credentialTest.ts). The `authenticate` and
 * `preAuthentication` below exist for n8n's own HTTP Request node, so the same credential
 * can call any other DingTalk v1.0 API as a "predefined credential type".
 */
export class DingTalkApi implements ICredentialType {
	name = 'dingTalkApi';

	displayName = 'DingTalk API';

	icon = 'file:../icons/dingtalk.svg' as const;

	documentationUrl =
		'https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'App Key & Secret',
					value: 'appCredentials',
					description:
						"An internal app's credentials; access tokens are fetched and renewed automatically",
				},
				{
					name: 'Access Token',
					value: 'accessToken',
					description: 'A token you obtained yourself; it expires after about two hours',
				},
			],
			default: 'appCredentials',
		},
		{
			displayName: 'App Key',
			name: 'appKey',
			// The App Key is the app's public client ID, not a secret: shown in clear on purpose.
			// eslint-disable-next-line n8n-nodes-base/cred-class-field-type-options-password-missing
			type: 'string',
			default: '',
			required: true,
			description:
				'The Client ID (AppKey) of your DingTalk internal app, from the DingTalk Developer Console',
			displayOptions: { show: { authentication: ['appCredentials'] } },
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The Client Secret (AppSecret) of the same app',
			displayOptions: { show: { authentication: ['appCredentials'] } },
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A DingTalk access token, sent as the x-acs-dingtalk-access-token header',
			displayOptions: { show: { authentication: ['accessToken'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.dingtalk.com',
			description:
				'The DingTalk API host. Change it for the international host (https://api.dingtalk.io) or a gateway in your network (a path prefix such as https://gw.example.com/dingtalk is kept). It must use https (http only for this machine: 127.0.0.1, ::1, localhost) and carry no user name, password, query or fragment.',
		},
		{
			// Filled by preAuthentication for n8n's HTTP Request node; n8n stores it and
			// calls preAuthentication again when it is empty or a request fails.
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		if (credentials.authentication === 'accessToken') return {};
		// The same checks as the nodes' (https, no user name, password or query), so that n8n's
		// own error for this request can never show a password from the URL.
		const baseUrl = requireBaseUrl(credentials.baseUrl);
		// The nodes' request and reading of the answer (shared/api/tokenEndpoint.ts).
		const issued = issuedTokenFrom(
			await this.helpers.httpRequest({
				...appTokenRequest(baseUrl, credentials.appKey as string, credentials.appSecret as string),
				json: true,
			}),
		);
		if (!issued) {
			throw new Error(
				'DingTalk did not return an access token: check the App Key, App Secret and Base URL',
			);
		}
		return { sessionToken: issued.token };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'x-acs-dingtalk-access-token':
					'={{$credentials.authentication === "accessToken" ? $credentials.accessToken : $credentials.sessionToken}}',
			},
		},
	};
}
