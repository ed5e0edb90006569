// Node built-in, deliberately: n8n reads `<NAME>_FILE` settings from files, and so do we.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { readFileSync } from 'node:fs';

/** Reads one of n8n's settings by name (n8nSetting, or a table in tests). */
export type SettingReader = (name: string) => string | undefined;

/**
 * One of n8n's own settings as n8n reads it: the environment variable, else the file named
 * by `<NAME>_FILE` (trimmed), else undefined. Quotes around a value are dropped, as n8n does.
 * Read only for n8n's binary data mode and its queue's Redis; the Redis password goes to
 * Redis and nowhere else (never into an item, a message or a log).
 */
export function n8nSetting(name: string): string | undefined {
	// n8n's configuration lives in the environment; nodes get no API for it.
	// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals
	const env = process.env;
	let value = env[name];
	if (value === undefined) {
		const file = env[`${name}_FILE`];
		if (!file) return undefined;
		try {
			value = readFileSync(file, 'utf8');
		} catch {
			return undefined;
		}
	}
	return value.trim().replace(/^(['"])(.*)\1$/, '$2');
}
