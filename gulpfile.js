const { src, dest, task } = require('gulp');

// tsc emits only JavaScript. n8n also needs, beside the compiled files: the icons (one
// copy in icons/, referenced from each node and the credential) and each node's codex
// file (<Node>.node.json: its category and documentation links in the editor).
// test/unit/package.test.ts packs the package and checks both are in the tarball.
task('build:static', () =>
	src(
		[
			'icons/**/*.{png,svg}',
			'nodes/**/*.{png,svg}',
			'nodes/**/*.node.json',
			'credentials/**/*.{png,svg}',
		],
		{
			base: '.',
			encoding: false,
			allowEmpty: true,
		},
	).pipe(dest('dist')),
);
