import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';

export default tseslint.config(
	{
		ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'demo-output/**', '**/*.js', '**/*.mjs'],
	},
	...tseslint.configs.recommended,
	// n8n's community-node rules judge what ships (nodes/, credentials/); tests, the
	// emulator and benchmarks are development tools that use Node freely.
	{ ...communityNodes.configs.recommended, files: ['nodes/**/*.ts', 'credentials/**/*.ts'] },
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// "Only applicable to nodes in the main repository" (the rule's own words): our
			// documentation link points at DingTalk's docs, not at an n8n docs slug.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These two predate NodeConnectionTypes and want the string 'main'; the newer
			// community rule (node-connection-type-literal) wants the enum, which we follow.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		// Tests and benchmarks load the plain-JavaScript scripts (scripts/) they share with
		// `npm run dev` and `npm run demo` through require().
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		// The shared core (DingTalk client, storage APIs, transfer engine, HTTP transport,
		// helpers) knows nothing of n8n by design: it throws the package's own typed errors
		// (shared/errors.ts), and n8n/nodeErrors.ts turns every one into NodeApiError /
		// NodeOperationError or an error item. The glue that reads credentials and
		// parameters throws the same typed errors, for the same single conversion (the
		// Event Trigger's listener too: its node file converts what activation throws).
		files: [
			'nodes/DingTalk/shared/**/*.ts',
			'nodes/DingTalk/n8n/**/*.ts',
			'nodes/DingTalk/StorageEventTrigger/trigger/**/*.ts',
		],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
);
