// @ts-check
'use strict';
/**
 * Runs the longest suites first, so that jest's workers finish at about the same time
 * (jest's own order, by the durations of earlier runs in its cache or else by file size,
 * starts a fresh clone's 4-minute suites last). Suites not named here keep jest's order,
 * after these.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds each long suite took in a fresh-clone `.ci/run` at 50ff9c0 (per project, so per n8n line). */
const EXPECTED_SECONDS = {
	'queueFilesystem.test.ts': 125,
	'realN8n.test.ts': 70,
	'queueDatabase.test.ts': 57,
	'triggerN8n.test.ts': 50,
	'eventTriggerN8n.test.ts': 42,
	'transfer.test.ts': 36,
	'agentN8n.test.ts': 28,
	'upload.test.ts': 29,
	'faultMatrix.test.ts': 19,
	'trigger.test.ts': 16,
	'storageErrors.test.ts': 10,
};

class LongestFirst extends Sequencer {
	/** @param {import('@jest/test-result').Test[]} tests */
	async sort(tests) {
		const ordered = await super.sort(tests);
		/** @param {import('@jest/test-result').Test} test */
		const seconds = (test) =>
			EXPECTED_SECONDS[/** @type {keyof typeof EXPECTED_SECONDS} */ (path.basename(test.path))] ??
			0;
		return [...ordered].sort((a, b) => seconds(b) - seconds(a));
	}
}

module.exports = LongestFirst;
