import { DEFAULT_CONCURRENCY } from '../../nodes/DingTalk/n8n/downloadOptions';
import { nodeProperties } from '../../nodes/DingTalk/StorageDownload/description';
import { DEFAULT_REQUESTS_PER_SECOND } from '../../nodes/DingTalk/shared/api/callPolicy';
import { InputError } from '../../nodes/DingTalk/shared/errors';
import { DEFAULT_TIMEOUTS } from '../../nodes/DingTalk/shared/transport/http';
import {
	oneOf,
	optionalVersion,
	positiveTimeout,
	requireBaseUrl,
	requireFieldName,
	requireId,
	requireName,
} from '../../nodes/DingTalk/shared/helpers/validate';

function fieldOf(fn: () => unknown): string | undefined {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		expect((error as Error).message).toMatch(/^Invalid "/);
		return (error as InputError).field;
	}
	throw new Error('expected an InputError');
}

describe('input checks', () => {
	test('an ID is trimmed and numbers become text; an empty, non-text or control-character ID is refused naming its field', () => {
		expect(requireId('spaceId', ' 123 ')).toBe('123');
		expect(requireId('dentryId', 456)).toBe('456');
		expect(requireId('dentryId', '../x')).toBe('../x');
		expect(fieldOf(() => requireId('spaceId', ''))).toBe('spaceId');
		expect(fieldOf(() => requireId('spaceId', '   '))).toBe('spaceId');
		expect(fieldOf(() => requireId('dentryId', 'a\nb'))).toBe('dentryId');
		expect(fieldOf(() => requireId('unionId', 'a\r'))).toBe('unionId');
		expect(fieldOf(() => requireId('unionId', 'a\u0000b'))).toBe('unionId');
		expect(fieldOf(() => requireId('unionId', undefined))).toBe('unionId');
		expect(fieldOf(() => requireId('unionId', { a: 1 }))).toBe('unionId');
	});

	test('a version is absent (latest) or a whole number of 0 or more; anything else is refused', () => {
		expect(optionalVersion(undefined)).toBeUndefined();
		expect(optionalVersion('')).toBeUndefined();
		expect(optionalVersion(3)).toBe(3);
		expect(optionalVersion('4')).toBe(4);
		expect(optionalVersion(0)).toBe(0);
		for (const bad of [-1, 1.5, 'abc', Number.NaN, Infinity, 2 ** 60, '  ']) {
			expect(fieldOf(() => optionalVersion(bad))).toBe('version');
		}
	});

	test('timeouts must be positive numbers, binary field names non-empty, and the base URL http(s)', () => {
		expect(positiveTimeout('timeout', undefined, 5)).toBe(5);
		expect(positiveTimeout('timeout', 1500, 5)).toBe(1500);
		for (const bad of [0, -1, Number.NaN, '100'])
			expect(fieldOf(() => positiveTimeout('idleTimeout', bad, 5))).toBe('idleTimeout');
		expect(requireFieldName('binaryPropertyName', ' data ')).toBe('data');
		expect(fieldOf(() => requireFieldName('binaryPropertyName', ''))).toBe('binaryPropertyName');
		expect(requireBaseUrl('https://api.dingtalk.com/')).toBe('https://api.dingtalk.com');
		expect(requireBaseUrl(undefined)).toBe('https://api.dingtalk.com');
		expect(fieldOf(() => requireBaseUrl('ftp://x'))).toBe('baseUrl');
		expect(fieldOf(() => requireBaseUrl('not a url'))).toBe('baseUrl');
	});
});

describe("the credential's Base URL", () => {
	/** The InputError for `baseUrl`, checked to name the field and to repeat none of `secrets`. */
	function refusal(value: string, secrets: string[]): InputError {
		let caught: unknown;
		try {
			requireBaseUrl(value);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(InputError);
		const error = caught as InputError;
		expect(error.field).toBe('baseUrl');
		expect(error.message).toMatch(/^Invalid "baseUrl": /);
		const shown = `${error.message}\n${error.description ?? ''}`;
		for (const secret of secrets) expect(shown).not.toContain(secret);
		return error;
	}

	test.each([
		['a user name', 'https://gwuser@gw.example.com/dingtalk', ['gwuser']],
		['a user name and password', 'https://gwuser:s3cretpw@gw.example.com', ['gwuser', 's3cretpw']],
		['a password only', 'https://:s3cretpw@gw.example.com', ['s3cretpw']],
		[
			'user info on a loopback http URL',
			'http://gwuser:s3cretpw@127.0.0.1:1/',
			['gwuser', 's3cretpw'],
		],
	])('%s is refused without repeating it', (_case, value, secrets) => {
		expect(refusal(value, secrets).message).toContain('contains a user name or password');
	});

	test.each([
		[
			'a query',
			'https://gw.example.com/dingtalk?key=s3cretpw',
			['s3cretpw', 'key='],
			/contains a query/,
		],
		['an empty query', 'https://gw.example.com/?', [], /contains a query/],
		['a fragment', 'https://gw.example.com/#s3cretpw', ['s3cretpw'], /contains a fragment/],
		['an empty fragment', 'https://gw.example.com#', [], /contains a fragment/],
	])('%s is refused without repeating it', (_case, value, secrets, problem) => {
		expect(refusal(value, secrets).message).toMatch(problem);
	});

	test.each([
		'http://api.dingtalk.com',
		'http://gw.example.com:8080/dingtalk',
		'http://10.0.0.5',
		'http://[::2]',
		'http://0.0.0.0',
		'http://localhost.example.com',
	])('plain http to another machine (%s) is refused, saying to use https', (value) => {
		const error = refusal(value, []);
		expect(error.message).toMatch(/plain http/);
		expect(error.description).toMatch(/https:\/\//);
	});

	test.each([
		['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
		['http://127.8.9.10:1/', 'http://127.8.9.10:1'],
		['http://localhost:5678/', 'http://localhost:5678'],
		['http://LOCALHOST:5678', 'http://localhost:5678'],
		['http://[::1]:8080/', 'http://[::1]:8080'],
		['https://api.dingtalk.com/', 'https://api.dingtalk.com'],
		['  https://api.dingtalk.io  ', 'https://api.dingtalk.io'],
		['https://gw.example.com/dingtalk/', 'https://gw.example.com/dingtalk'],
		['https://gw.example.com/a/b//', 'https://gw.example.com/a/b'],
		['https://gw.example.com:8443/dingtalk', 'https://gw.example.com:8443/dingtalk'],
	])(
		'%p is accepted as %p (loopback http; https with a path prefix; trailing slashes trimmed)',
		(value, expected) => {
			expect(requireBaseUrl(value)).toBe(expected);
		},
	);

	test("unset means DingTalk's own host", () => {
		expect(requireBaseUrl(undefined)).toBe('https://api.dingtalk.com');
		expect(requireBaseUrl('')).toBe('https://api.dingtalk.com');
	});

	test.each([
		['not a URL at all', 'not a s3cretpw url', ['s3cretpw'], /is not a URL/],
		['a host:port with no scheme', 'gw.example.com:s3cretpw', ['s3cretpw'], /./],
		[
			'user:password@host with no scheme',
			'gwuser:s3cretpw@gw.example.com',
			['gwuser', 's3cretpw'],
			/does not start with https:\/\//,
		],
		[
			'a broken URL with a password',
			'https://gwuser:s3cretpw@',
			['gwuser', 's3cretpw'],
			/is not a URL/,
		],
		['another scheme', 'ftp://gw.example.com', [], /"ftp:" is not http or https/],
	])('garbage: %s is refused without repeating it', (_case, value, secrets, problem) => {
		expect(refusal(value, secrets).message).toMatch(problem);
	});

	test('the value sent is the parsed URL: a line break hidden in it is gone', () => {
		expect(requireBaseUrl('https://gw.example.com/ding\ntalk')).toBe(
			'https://gw.example.com/dingtalk',
		);
	});
});

test('the node shows the same timeout defaults the transport uses', () => {
	const options = nodeProperties.find((property) => property.name === 'options')!.options as Array<{
		name: string;
		default: unknown;
	}>;
	const defaults = Object.fromEntries(options.map((option) => [option.name, option.default]));
	expect(defaults.connectTimeout).toBe(DEFAULT_TIMEOUTS.connectMs);
	expect(defaults.timeout).toBe(DEFAULT_TIMEOUTS.responseMs);
	expect(defaults.idleTimeout).toBe(DEFAULT_TIMEOUTS.idleMs);
	expect(defaults.concurrency).toBe(DEFAULT_CONCURRENCY);
	expect(defaults.requestsPerSecond).toBe(DEFAULT_REQUESTS_PER_SECOND);
});

describe('names and choices', () => {
	test("a name is trimmed; DingTalk's forbidden characters, a slash, a control character or a final dot are refused", () => {
		expect(requireName('name', ' 2026-11 ')).toBe('2026-11');
		expect(requireName('newName', '合同 (终版).pdf')).toBe('合同 (终版).pdf');
		expect(requireName('name', 2026)).toBe('2026');
		for (const bad of [
			'',
			'   ',
			'a/b',
			'a*b',
			'a"b',
			'a<b',
			'a>b',
			'a`b',
			'a\tb',
			'a\nb',
			'report.',
			undefined,
			null,
			{},
		]) {
			expect(fieldOf(() => requireName('name', bad))).toBe('name');
		}
	});

	test('a choice must be one of the allowed values; absent means the default', () => {
		expect(oneOf('order', undefined, ['ASC', 'DESC'] as const, 'DESC')).toBe('DESC');
		expect(oneOf('order', 'ASC', ['ASC', 'DESC'] as const, 'DESC')).toBe('ASC');
		for (const bad of ['asc', 'UP', 3, true])
			expect(fieldOf(() => oneOf('order', bad, ['ASC', 'DESC'] as const, 'DESC'))).toBe('order');
	});
});
