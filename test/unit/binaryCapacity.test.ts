import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	activeMode,
	capacityOf,
	databaseLimitBytes,
	DEFAULT_MODE_CEILING_BYTES,
	modeOfBinary,
} from '../../nodes/DingTalk/n8n/binaryCapacity';
import { n8nSetting } from '../../nodes/DingTalk/n8n/settings';

const MiB = 1024 * 1024;
const settings = (values: Record<string, string>) => (name: string) => values[name];

describe('binary capacity', () => {
	test('the mode a stored binary reveals', () => {
		expect(modeOfBinary({ data: '', mimeType: 'x' })).toBe('default');
		expect(
			modeOfBinary({
				data: 'filesystem-v2',
				id: 'filesystem-v2:workflows/1/executions/2/binary_data/u',
				mimeType: 'x',
			}),
		).toBe('filesystem');
		expect(modeOfBinary({ data: 'filesystem', id: 'filesystem:2/u', mimeType: 'x' })).toBe(
			'filesystem',
		);
		expect(modeOfBinary({ data: 'database', id: 'database:2c1f', mimeType: 'x' })).toBe('database');
		expect(modeOfBinary({ data: 's3', id: 's3:workflows/1/u', mimeType: 'x' })).toBe('s3');
	});

	test("database mode: n8n's N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE in MiB, 512 by default", () => {
		expect(databaseLimitBytes(settings({}))).toBe(512 * MiB);
		expect(databaseLimitBytes(settings({ N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: '64' }))).toBe(
			64 * MiB,
		);
		expect(databaseLimitBytes(settings({ N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: '' }))).toBe(
			512 * MiB,
		);
		expect(databaseLimitBytes(settings({ N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: 'lots' }))).toBe(
			512 * MiB,
		);
		const database = capacityOf(
			'database',
			8 * MiB,
			settings({ N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: '100' }),
		);
		expect(database.maxBytes).toBe(100 * MiB);
		expect(database.limitFrom).toBe('100 MiB, N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
	});

	// What n8n 2.41.1 makes of each value (its schema: z.coerce.number().max(1024), the default
	// 512 when a value fails it; checked against the installed n8n's zod): the guard must take
	// the limit n8n applies, or a file between the two limits is read whole before n8n refuses it.
	test.each([
		['8', 8 * MiB],
		['0.5', 0.5 * MiB],
		['1024', 1024 * MiB],
		['1e3', 1000 * MiB],
		['0x10', 16 * MiB],
		['0', 0],
		['-3', 0],
		['-Infinity', 0],
		['2048', 512 * MiB],
		['1024.5', 512 * MiB],
		['Infinity', 512 * MiB],
		['8MiB', 512 * MiB],
		['NaN', 512 * MiB],
	])(
		'N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=%s is the limit n8n 2.x applies: %p bytes',
		(value, bytes) => {
			expect(databaseLimitBytes(settings({ N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: value }))).toBe(
				bytes,
			);
		},
	);

	test('a value n8n ignores is named in the error, with the limit n8n applies instead', () => {
		const database = capacityOf(
			'database',
			256 * MiB,
			settings({ N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: '2048' }),
		);
		expect(database.maxBytes).toBe(512 * MiB);
		expect(database.limitFrom).toBe(
			"512 MiB, n8n's default: it ignores N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=2048, which is not a number of MiB up to 1024",
		);
		expect(capacityOf('database', 256 * MiB, settings({})).limitFrom).toBe(
			"512 MiB, n8n's default for N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE",
		);
	});

	test('filesystem streams; the in-memory modes take the node option, default mode at most what a string holds', () => {
		expect(capacityOf('filesystem', MiB, settings({})).maxBytes).toBeUndefined();
		expect(capacityOf('s3', 300 * MiB, settings({})).maxBytes).toBe(300 * MiB);
		expect(capacityOf('azure', 2000 * MiB, settings({})).maxBytes).toBe(2000 * MiB);
		expect(capacityOf('default', 300 * MiB, settings({})).maxBytes).toBe(300 * MiB);
		expect(capacityOf('default', 1024 * MiB, settings({})).maxBytes).toBe(
			DEFAULT_MODE_CEILING_BYTES,
		);
		expect(DEFAULT_MODE_CEILING_BYTES).toBeGreaterThan(380 * MiB);
	});

	test('the mode is probed once per run of a node, and taken from N8N_DEFAULT_BINARY_DATA_MODE only when it says filesystem', async () => {
		let probes = 0;
		const helpers = {
			prepareBinaryData: async () => {
				probes++;
				return { data: 'database', id: 'database:1', mimeType: 'x' };
			},
		};
		expect(await activeMode(helpers, settings({}))).toBe('database');
		expect(await activeMode(helpers, settings({}))).toBe('database');
		expect(probes).toBe(1);
		expect(
			await activeMode(
				{ prepareBinaryData: helpers.prepareBinaryData },
				settings({ N8N_DEFAULT_BINARY_DATA_MODE: 'database' }),
			),
		).toBe('database');
		expect(probes).toBe(2);
		expect(
			await activeMode(
				{ prepareBinaryData: helpers.prepareBinaryData },
				settings({ N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' }),
			),
		).toBe('filesystem');
		expect(probes).toBe(2);
	});

	test("the probe is stored inside the caller's guard (the download's binary folder lock), and only there", async () => {
		const events: string[] = [];
		const helpers = {
			prepareBinaryData: async () => {
				events.push('stored');
				return { data: 'database', id: 'database:1', mimeType: 'x' };
			},
		};
		const guard = async <T>(store: () => Promise<T>) => {
			events.push('locked');
			try {
				return await store();
			} finally {
				events.push('released');
			}
		};
		expect(await activeMode(helpers, settings({}), guard)).toBe('database');
		expect(await activeMode(helpers, settings({}), guard)).toBe('database');
		expect(events).toEqual(['locked', 'stored', 'released']);
	});

	test("n8n's settings: the variable, else the file named by <NAME>_FILE, quotes dropped", () => {
		const name = 'DINGTALK_TEST_SETTING';
		const file = path.join(mkdtempSync(path.join(tmpdir(), 'setting-')), 'value');
		writeFileSync(file, ' 64\n');
		try {
			expect(n8nSetting(name)).toBeUndefined();
			process.env[`${name}_FILE`] = file;
			expect(n8nSetting(name)).toBe('64');
			process.env[name] = '"128"';
			expect(n8nSetting(name)).toBe('128');
		} finally {
			delete process.env[name];
			delete process.env[`${name}_FILE`];
		}
	});
});
