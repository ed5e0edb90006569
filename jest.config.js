/** What both projects share. */
const common = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
};

/** @type {import('jest').Config} */
module.exports = {
	// The emulator and tests share one machine with CI: keep suites from competing.
	maxWorkers: 1,
	// Large-file tests stream hundreds of MiB through n8n's binary data service. (A global
	// setting: projects do not take it.)
	testTimeout: 120_000,
	projects: [
		// Unit, integration (n8n's engine in-process) and end-to-end (real n8n, one process).
		{
			...common,
			displayName: 'package',
			roots: ['<rootDir>/test'],
			testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/queue/'],
		},
		// Real n8n in queue mode: PostgreSQL, Redis, main and workers (`npm test -- --selectProjects queue`).
		{ ...common, displayName: 'queue', roots: ['<rootDir>/test/queue'] },
	],
};
