/** What every project shares. */
const common = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	testMatch: ['**/*.test.ts'],
	// Transpile only: `npm run typecheck` (tsconfig.test.json) checks the types.
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }] },
};

/**
 * Suites that drive real n8n processes: the n8n line (`N8N_E2E_MAJOR`, read by N8N_MATRIX in
 * test/harness/realN8n.ts) installed or found in the cache and the package packed once before
 * any suite starts (test/harness/globalSetup.js).
 */
const realN8n = (major) => ({
	...common,
	globals: { N8N_E2E_MAJOR: major },
	globalSetup: '<rootDir>/test/harness/globalSetup.js',
	globalTeardown: '<rootDir>/test/harness/globalTeardown.js',
});

/** @type {import('jest').Config} */
module.exports = {
	// Three suites at a time on this two-core machine: with two, the CPU stood idle 19 % of
	// jest's run (the end-to-end suites wait for n8n polls and restarts, integration suites for
	// back-offs); with three, 5 %, and the run was shorter (see CONTRIBUTING.md).
	maxWorkers: 3,
	// The longest suites first, so that the workers finish together.
	testSequencer: '<rootDir>/test/harness/sequencer.js',
	// Large-file tests stream hundreds of MiB through n8n's binary data service. (A global
	// setting: projects do not take it.)
	testTimeout: 120_000,
	projects: [
		// Unit and integration (n8n's engine in-process, the emulator over HTTP).
		{
			...common,
			displayName: 'package',
			roots: ['<rootDir>/test/unit', '<rootDir>/test/integration'],
		},
		// End to end in real n8n, one process per command, each n8n line a project of its own
		// (`npm test -- --selectProjects "e2e n8n 1.x"`).
		{ ...realN8n('2'), displayName: 'e2e n8n 2.x', roots: ['<rootDir>/test/e2e'] },
		{ ...realN8n('1'), displayName: 'e2e n8n 1.x', roots: ['<rootDir>/test/e2e'] },
		// Real n8n 2.x in queue mode: PostgreSQL, Redis, main and workers.
		{ ...realN8n('2'), displayName: 'queue', roots: ['<rootDir>/test/queue'] },
	],
};
