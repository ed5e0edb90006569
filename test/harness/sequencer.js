// @ts-check
'use strict';
/**
 * Runs the longest suites first, so that jest's two workers finish at about the same time
 * (jest's own order, by the durations of earlier runs in its cache or else by file size,
 * starts a fresh clone's 4-minute suites last). Suites not named here keep jest's order,
 * after these.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds each long suite took on the 2-core machine (per project, so per n8n line). */
const EXPECTED_SECONDS = {
	'queueFilesystem.test.ts': 160,
	'realN8n.test.ts': 110,
	'triggerN8n.test.ts': 60,
	'eventTriggerN8n.test.ts': 50,
	'agentN8n.test.ts': 50,
	'queueDatabase.test.ts': 45,
	'transfer.test.ts': 30,
	'upload.test.ts': 25,
	'storageErrors.test.ts': 25,
	'faultMatrix.test.ts': 18,
	'trigger.test.ts': 15,
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
