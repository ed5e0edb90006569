/**
 * File names from `Content-Disposition` (RFC 6266), with RFC 8187/5987 extended values
 * (`filename*=UTF-8''%E5%90%88%E5%90%8C.pdf`), which is how Chinese names usually arrive.
 * Lenient the way browsers are: a percent-encoded or raw UTF-8 plain `filename=` also works.
 */

interface Parameter {
	name: string;
	value: string;
}

/** Splits `attachment; a=b; c="d;e"` into parameters, honouring quoted strings. */
function splitParameters(header: string): Parameter[] {
	const parameters: Parameter[] = [];
	let index = header.indexOf(';');
	if (index === -1) return parameters;
	index++;
	while (index < header.length) {
		while (index < header.length && /[\s;]/.test(header[index])) index++;
		const equals = header.indexOf('=', index);
		if (equals === -1) break;
		const name = header.slice(index, equals).trim().toLowerCase();
		index = equals + 1;
		while (index < header.length && /\s/.test(header[index])) index++;
		let value = '';
		if (header[index] === '"') {
			index++;
			while (index < header.length && header[index] !== '"') {
				if (header[index] === '\\' && index + 1 < header.length) index++;
				value += header[index];
				index++;
			}
			index++; // closing quote
			const next = header.indexOf(';', index);
			index = next === -1 ? header.length : next;
		} else {
			const next = header.indexOf(';', index);
			value = header.slice(index, next === -1 ? header.length : next).trim();
			index = next === -1 ? header.length : next;
		}
		if (name) parameters.push({ name, value });
	}
	return parameters;
}

function decodePercentUtf8(text: string): string | undefined {
	try {
		return decodeURIComponent(text);
	} catch {
		return undefined;
	}
}

/** `charset'language'value` → the decoded value, for UTF-8 and ISO-8859-1. */
function decodeExtendedValue(value: string): string | undefined {
	const match = /^([\w!#$%&+^`{}~-]*)'[^']*'(.*)$/.exec(value);
	if (!match) return undefined;
	const charset = match[1].toLowerCase();
	const encoded = match[2];
	if (charset === 'utf-8' || charset === 'utf8' || charset === '')
		return decodePercentUtf8(encoded);
	if (charset === 'iso-8859-1' || charset === 'latin1') {
		try {
			return unescape(encoded);
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/**
 * HTTP header values reach us decoded as Latin-1; a server that sent raw UTF-8 bytes
 * (common for CJK names) therefore shows up as mojibake. Re-decode when that is what it is.
 */
function repairRawUtf8(value: string): string {
	if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
	const bytes = Buffer.from(value, 'latin1');
	const decoded = bytes.toString('utf8');
	return decoded.includes('\ufffd') ? value : decoded;
}

/** Keeps only the last path segment and drops characters no file name should hold. */
export function cleanFileName(name: string): string | undefined {
	const lastSegment = name.split(/[/\\]/).pop() ?? '';
	const cleaned = lastSegment.replace(/[\u0000-\u001f\u007f]/g, '').trim();
	if (cleaned === '' || cleaned === '.' || cleaned === '..') return undefined;
	return cleaned;
}

/** The file name a `Content-Disposition` header carries, or undefined. Never throws. */
export function fileNameFromContentDisposition(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const parameters = splitParameters(header);
	const extended = parameters.find((p) => p.name === 'filename*');
	if (extended) {
		const decoded = decodeExtendedValue(extended.value);
		const cleaned = decoded === undefined ? undefined : cleanFileName(decoded);
		if (cleaned) return cleaned;
	}
	const plain = parameters.find((p) => p.name === 'filename');
	if (!plain) return undefined;
	let value = repairRawUtf8(plain.value);
	if (/%[0-9a-f]{2}/i.test(value)) value = decodePercentUtf8(value) ?? value;
	return cleanFileName(value);
}
