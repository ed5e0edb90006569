import { InputError } from '../errors';

/**
 * Checks on user input, run before any request. Each failure names the field and
 * says what is wrong.
 */

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A required ID: surrounding whitespace is dropped, nothing else is changed. */
export function requireId(field: string, value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string') {
		throw new InputError(field, `expected text, got ${value === null ? 'null' : typeof value}`);
	}
	// Checked before trimming: a line break in an ID is a sign of a wrong mapping, not padding.
	if (CONTROL_CHARACTERS.test(value)) {
		throw new InputError(field, 'it contains a line break or another control character');
	}
	const id = value.trim();
	if (id === '')
		throw new InputError(
			field,
			'it is empty',
			`Fill in "${field}" (an expression such as {{ $json.${field} }} works too).`,
		);
	return id;
}

/** A file version: absent means latest; otherwise a whole number, 0 or more. */
export function optionalVersion(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const version = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
		throw new InputError(
			'version',
			`"${String(value)}" is not a file version (a whole number, 0 or more)`,
			'Remove the option to download the latest version.',
		);
	}
	return version;
}

export function positiveTimeout(field: string, value: unknown, fallback: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw new InputError(field, `${String(value)} is not a positive number of milliseconds`);
	}
	return Math.ceil(value);
}

/** An optional whole number within [min, max]. */
export function wholeNumber(
	field: string,
	value: unknown,
	fallback: number,
	min: number,
	max: number,
): number {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new InputError(field, `${String(value)} is not a whole number from ${min} to ${max}`);
	}
	return value;
}

export function requireFieldName(field: string, value: unknown): string {
	const name = typeof value === 'string' ? value.trim() : '';
	if (name === '')
		throw new InputError(field, 'the binary field name is empty', 'Use a name such as "data".');
	return name;
}

/**
 * The credential's API base URL: https (http only to this machine), with any path prefix a
 * gateway needs, without trailing slashes. Errors never repeat the value: it may hold a
 * password, and errors reach execution data and AI agents' models.
 */
export function requireBaseUrl(value: unknown): string {
	const text =
		typeof value === 'string' && value.trim() !== '' ? value.trim() : 'https://api.dingtalk.com';
	const useHttps =
		"Use https://api.dingtalk.com, or your gateway's https address (a path such as https://gw.example.com/dingtalk is fine).";
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new InputError('baseUrl', 'the value is not a URL', useHttps);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		// Only a well-known scheme is named: in "gwuser:s3cret@host" (no scheme typed) the
		// parser takes the user name for one.
		const problem = KNOWN_SCHEMES.has(url.protocol)
			? `"${url.protocol}" is not http or https`
			: 'it does not start with https://';
		throw new InputError('baseUrl', problem, useHttps);
	}
	if (url.username !== '' || url.password !== '') {
		throw new InputError(
			'baseUrl',
			'the Base URL contains a user name or password',
			"Remove it from the URL: DingTalk is signed in to with the App Key and App Secret (or the access token). Put a gateway's own authentication in the gateway, not in the Base URL.",
		);
	}
	// Checked on the whole URL, not `search` / `hash`: a bare "?" or "#" leaves those empty.
	// Without user info, a "?" or "#" in it can only start a query or a fragment.
	if (url.href.includes('?')) {
		throw new InputError(
			'baseUrl',
			'the Base URL contains a query (a "?" part), which would break every request path',
			'Remove everything from the "?" on; a gateway prefix belongs in the path.',
		);
	}
	if (url.href.includes('#')) {
		throw new InputError(
			'baseUrl',
			'the Base URL contains a fragment (a "#" part)',
			'Remove everything from the "#" on.',
		);
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		throw new InputError(
			'baseUrl',
			'plain http to another machine would send the App Secret and access tokens unencrypted',
			`${useHttps} Plain http is accepted only for this machine (127.0.0.1, ::1, localhost).`,
		);
	}
	// Built from the parsed parts, not the text: the parser has dropped tabs and line breaks,
	// and what is sent is what was checked.
	return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

const KNOWN_SCHEMES = new Set([
	'ftp:',
	'ftps:',
	'sftp:',
	'file:',
	'ws:',
	'wss:',
	'data:',
	'javascript:',
	'mailto:',
]);

/** This machine, as the URL parser writes it (it has already turned 127.1 or 0x7f.0.0.1 into 127.0.0.1). */
export function isLoopbackHost(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * A name for a file or folder, by DingTalk's rules (its add-folder API page): no tab or
 * other control character, none of * " < > `, not ending with a dot; and no `/`, which
 * separates the names of a path. Spaces around it are dropped, as DingTalk drops them.
 */
export function requireName(field: string, value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string' || value.trim() === '')
		throw new InputError(field, 'the name is empty');
	const name = value.trim();
	const rules =
		'DingTalk names may not contain tabs, line breaks, / or * " < > ` and may not end with a dot.';
	const bad = /[\u0000-\u001f\u007f*"<>`/]/.exec(name);
	if (bad)
		throw new InputError(
			field,
			`"${name.replace(/[\u0000-\u001f\u007f]/g, '?')}" contains ${/[\u0000-\u001f\u007f]/.test(bad[0]) ? 'a control character' : `"${bad[0]}"`}`,
			rules,
		);
	if (name.endsWith('.')) throw new InputError(field, `"${name}" ends with a dot`, rules);
	return name;
}

/** One of a fixed set of values (an n8n options parameter, or an expression giving one). */
export function oneOf<T extends string>(
	field: string,
	value: unknown,
	allowed: readonly T[],
	fallback: T,
): T {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	throw new InputError(field, `"${String(value)}" is not one of ${allowed.join(', ')}`);
}

/**
 * A list given as text ("a, b" or one per line) or as a list (from an expression or an AI
 * agent): its entries trimmed, empty ones dropped. Each must be a line of text.
 */
export function textList(field: string, value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const entries = Array.isArray(value)
		? value
		: typeof value === 'string'
			? value.split(/[,，;\n]/)
			: [value];
	return entries
		.map((entry) => {
			if (typeof entry === 'number' && Number.isFinite(entry)) return String(entry);
			if (typeof entry !== 'string' || CONTROL_CHARACTERS.test(entry.trim()))
				throw new InputError(field, `"${String(entry)}" is not a line of text`);
			return entry.trim();
		})
		.filter((entry) => entry !== '');
}
