import fc from 'fast-check';

import {
	cleanFileName,
	fileNameFromContentDisposition,
} from '../../nodes/DingTalk/shared/helpers/contentDisposition';

describe('fileNameFromContentDisposition', () => {
	test.each([
		[`attachment; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf`, '合同.pdf'],
		[`attachment; filename="fallback.pdf"; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf`, '合同.pdf'],
		[
			`attachment; filename*=utf-8'zh-CN'%E8%AE%BE%E8%AE%A1%E7%A8%BF%20v2.zip; filename="x.zip"`,
			'设计稿 v2.zip',
		],
		[`attachment; filename*=iso-8859-1'en'%A3%20rates.txt`, '£ rates.txt'],
		['attachment; filename="report 2026.xlsx"', 'report 2026.xlsx'],
		['attachment; filename="quoted \\"name\\".txt"', 'quoted "name".txt'],
		['attachment; filename=plain.txt', 'plain.txt'],
		['inline; filename="a;b.txt"; size=3', 'a;b.txt'],
		['attachment; filename="%E5%90%88%E5%90%8C.pdf"', '合同.pdf'],
		// Raw UTF-8 bytes, as an HTTP client that decodes headers as Latin-1 shows them.
		[`attachment; filename="${Buffer.from('合同.pdf', 'utf8').toString('latin1')}"`, '合同.pdf'],
		['attachment; filename="../../etc/passwd"', 'passwd'],
		['attachment; filename="C:\\\\temp\\\\x.doc"', 'x.doc'],
		// A broken extended value falls back to the plain one.
		[`attachment; filename*=UTF-8''%E5%ZZ.pdf; filename="ok.pdf"`, 'ok.pdf'],
	])('%s names the file %p', (header, expected) => {
		expect(fileNameFromContentDisposition(header)).toBe(expected);
	});

	test.each([
		undefined,
		'',
		'attachment',
		'inline; size=10',
		'attachment; filename=""',
		'attachment; filename=".."',
	])('no name in %p', (header) => {
		expect(fileNameFromContentDisposition(header)).toBeUndefined();
	});

	test('never throws, and never returns a path or control characters', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string(),
					fc.string().map((s) => `attachment; filename*=UTF-8''${s}`),
					fc.string().map((s) => `attachment; filename="${s}"`),
				),
				(header) => {
					const name = fileNameFromContentDisposition(header);
					if (name !== undefined) {
						expect(name).not.toMatch(/[/\\]/);
						expect(name).not.toMatch(/[\u0000-\u001f\u007f]/);
						expect(name.trim()).toBe(name);
						expect(name.length).toBeGreaterThan(0);
					}
				},
			),
			{ numRuns: 3000 },
		);
	});

	test('a file name keeps its last path segment and loses control characters; a blank one is no name', () => {
		expect(cleanFileName('a/b/c.txt')).toBe('c.txt');
		expect(cleanFileName('tab\there.txt')).toBe('tabhere.txt');
		expect(cleanFileName('   ')).toBeUndefined();
	});
});
