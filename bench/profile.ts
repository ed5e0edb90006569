/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of an n8n process and sums where the time of
 * one window went (the measured node's execution), by function and by area (this package,
 * undici, n8n, Node's streams and fs, garbage collection, idle). Used by `npm run bench --
 * --profile`; prints figures, asserts nothing.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** Microseconds on the clock V8 stamps profiles with (CLOCK_MONOTONIC, as process.hrtime). */
export function monotonicMicros(): number {
	return Number(process.hrtime.bigint() / 1000n);
}

/** Which part of the process a frame belongs to. */
export function areaOf(frame: CallFrame): string {
	const { url, functionName } = frame;
	if (functionName === '(garbage collector)') return 'garbage collection';
	if (functionName === '(idle)') return 'idle (waiting for I/O)';
	if (functionName === '(program)') return 'V8 / native (program)';
	// The innermost package on the path (undici bundled with this package counts as undici).
	const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(
		url.replace(/\\/g, '/'),
	)?.[1];
	if (pkg === 'n8n-nodes-dingtalk-storage') return 'this package';
	if (pkg === 'undici') return 'undici (HTTP)';
	if (pkg) return pkg.startsWith('n8n') || pkg.startsWith('@n8n') ? `n8n (${pkg})` : pkg;
	if (url.startsWith('node:internal/streams') || url.startsWith('node:stream'))
		return 'Node streams';
	if (url.startsWith('node:internal/fs') || url.startsWith('node:fs')) return 'Node fs';
	if (url.startsWith('node:')) return 'Node (other built-ins)';
	if (url === '') return `native: ${functionName || '(anonymous)'}`;
	return 'other';
}

export interface ProfileSummary {
	windowMs: number;
	byArea: Array<[string, number]>;
	byFunction: Array<[string, number]>;
}

/** Sums self time per area and per function over samples taken in [fromUs, toUs]. */
export function summariseProfile(file: string, fromUs: number, toUs: number): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const areas = new Map<string, number>();
	const functions = new Map<string, number>();
	let at = profile.startTime;
	let windowUs = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		at += profile.timeDeltas[i] ?? 0;
		const next = profile.timeDeltas[i + 1] ?? 0;
		if (at < fromUs || at > toUs) continue;
		const frame = byId.get(profile.samples[i])?.callFrame;
		if (!frame) continue;
		windowUs += next;
		const area = areaOf(frame);
		areas.set(area, (areas.get(area) ?? 0) + next);
		const where = frame.url
			? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`
			: '';
		const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
		functions.set(key, (functions.get(key) ?? 0) + next);
	}
	const sorted = (map: Map<string, number>) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.map(([key, us]): [string, number] => [key, us / 1000]);
	return { windowMs: windowUs / 1000, byArea: sorted(areas), byFunction: sorted(functions) };
}

export function printSummary(label: string, summary: ProfileSummary, top = 15): void {
	console.log(`\n${label}: ${summary.windowMs.toFixed(0)} ms sampled during the node's execution`);
	for (const [area, ms] of summary.byArea) {
		if (ms < 1) continue;
		console.log(
			`  ${area.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / summary.windowMs).toFixed(1).padStart(5)} %`,
		);
	}
	console.log('  top functions (self time):');
	for (const [name, ms] of summary.byFunction.slice(0, top)) {
		console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${name}`);
	}
}
