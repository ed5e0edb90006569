/**
 * What users install is the packed tarball, not this source tree: every node and credential
 * n8n is told about must be in it, each node with its codex file (category and links in
 * the editor) and every icon it names. Runs `npm pack --dry-run` on the built package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface Manifest {
	n8n: { nodes: string[]; credentials: string[] };
}

function packedFiles(): Set<string> {
	if (!existsSync(path.join(ROOT, 'dist')))
		throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
	const text = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [info] = JSON.parse(text) as Array<{ files: Array<{ path: string }> }>;
	return new Set(info.files.map((file) => file.path));
}

/** The `file:` icons a compiled node or credential names, as paths inside the package. */
function iconsOf(compiled: string, icon: unknown): string[] {
	const values =
		typeof icon === 'string' ? [icon] : icon && typeof icon === 'object' ? Object.values(icon) : [];
	return values
		.filter((value): value is string => typeof value === 'string' && value.startsWith('file:'))
		.map((value) =>
			path.posix.normalize(
				path.posix.join(path.posix.dirname(compiled), value.slice('file:'.length)),
			),
		);
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
const manifest = readJson('package.json') as Manifest;
let files: Set<string>;
beforeAll(() => {
	files = packedFiles();
});

test('the package declares at least the download node and the credential', () => {
	expect(manifest.n8n.nodes.length).toBeGreaterThanOrEqual(1);
	expect(manifest.n8n.credentials).toEqual(['dist/credentials/DingTalkApi.credentials.js']);
});

test.each(manifest.n8n.nodes)(
	'%s is packed with its codex file and its icons',
	async (nodeFile) => {
		expect(files).toContain(nodeFile);
		const codex = nodeFile.replace(/\.js$/, '.json');
		expect(files).toContain(codex);
		const exported = (await import(path.join(ROOT, nodeFile))) as Record<
			string,
			new () => { description: { name: string; icon?: unknown } }
		>;
		const [NodeClass] = Object.values(exported);
		const { description } = new NodeClass();
		const codexData = readJson(codex) as { node: string; categories: string[] };
		expect(codexData.node).toBe(`n8n-nodes-dingtalk-storage.${description.name}`);
		expect(codexData.categories.length).toBeGreaterThan(0);
		const icons = iconsOf(nodeFile, description.icon);
		expect(icons.length).toBeGreaterThan(0);
		for (const icon of icons) expect(files).toContain(icon);
	},
);

test.each(manifest.n8n.credentials)('%s is packed with its icon', async (credentialFile) => {
	expect(files).toContain(credentialFile);
	const exported = (await import(path.join(ROOT, credentialFile))) as Record<
		string,
		new () => { icon?: unknown }
	>;
	const [CredentialClass] = Object.values(exported);
	const icons = iconsOf(credentialFile, new CredentialClass().icon);
	expect(icons.length).toBeGreaterThan(0);
	for (const icon of icons) expect(files).toContain(icon);
});

test('nothing but the built package, the READMEs and manifest is shipped (no sources, tests or emulator)', () => {
	for (const file of files)
		expect(file).toMatch(/^(dist\/|README(\.zh-CN)?\.md$|package\.json$|index\.js$|LICENSE)/);
	expect([...files].some((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toBe(false);
});
