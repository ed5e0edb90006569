#!/usr/bin/env node
// @ts-check
'use strict';
/** `npm run emulator`: the DingTalk emulator alone, for manual tries and the n8n editor. */
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { startEmulator, SAMPLE_FILES, EMULATOR_DEFAULTS } = require('../emulator');

async function main() {
	const port = Number(process.env.EMULATOR_PORT ?? 0);
	// EMULATOR_STORAGE_TLS_DIR: a folder with key.pem and cert.pem; storage then speaks HTTPS.
	const tlsDir = process.env.EMULATOR_STORAGE_TLS_DIR;
	const emulator = await startEmulator({
		port,
		appSecret: process.env.EMULATOR_APP_SECRET,
		storageTls: tlsDir
			? {
					key: readFileSync(path.join(tlsDir, 'key.pem')),
					cert: readFileSync(path.join(tlsDir, 'cert.pem')),
				}
			: undefined,
	});
	// Conditions for benchmarks: a per-connection cap, latency, DingTalk's QPS limit.
	emulator.state.bytesPerSecondPerConnection = Number(
		process.env.EMULATOR_CONNECTION_BYTES_PER_SECOND ?? 0,
	);
	emulator.state.apiLatencyMs = Number(process.env.EMULATOR_API_LATENCY_MS ?? 0);
	emulator.state.storageLatencyMs = Number(process.env.EMULATOR_STORAGE_LATENCY_MS ?? 0);
	emulator.state.qpsLimit = Number(process.env.EMULATOR_QPS_LIMIT ?? 0);
	// Upload benchmarks: count uploaded bytes without writing them to disk.
	emulator.state.discardUploads = process.env.EMULATOR_DISCARD_UPLOADS === '1';
	// ... and room for them: every space's quota, in bytes.
	if (process.env.EMULATOR_SPACE_QUOTA_BYTES)
		for (const space of emulator.drive.spaces.values())
			space.quota = Number(process.env.EMULATOR_SPACE_QUOTA_BYTES);
	const credential = {
		authentication: 'appCredentials',
		appKey: emulator.appKey,
		appSecret: emulator.appSecret,
		baseUrl: emulator.baseUrl,
	};
	console.log(`DingTalk emulator: API ${emulator.baseUrl}, storage ${emulator.storageUrl}`);
	console.log('\n"DingTalk API" credential for n8n:');
	console.log(JSON.stringify(credential, null, 2));
	console.log(`\nOperator Union ID: ${emulator.unionId}`);
	console.log(
		`Spaces: ${EMULATOR_DEFAULTS.spaceId} "公司文档" (the seeded tree), ${EMULATOR_DEFAULTS.otherSpaceId} "项目资料" (8 MiB quota), ${EMULATOR_DEFAULTS.knowledgeBaseSpaceId} "产品知识库" (no recycle bin), 4001-4055 (empty)`,
	);
	console.log(
		`Sample files in space ${EMULATOR_DEFAULTS.spaceId} (File / Dentry ID → name, size):`,
	);
	for (const file of SAMPLE_FILES) console.log(`  ${file.id} → ${file.name}, ${file.size} bytes`);
	console.log(
		'  folders: 2001 /合同 (nested to /合同/2025/归档/旧版), 2007 /报表/月报 (125 files), 2008 /设计, 2009 /空文件夹',
	);
	console.log('  gen-<bytes> → a generated file of that size (e.g. gen-1073741824 = 1 GiB)');
	console.log(
		'  error-<code> → that DingTalk error (e.g. error-dentryNotExist, error-fileArchived)',
	);
	console.log('\nPress Ctrl+C to stop.');
	const stop = async () => {
		await emulator.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
