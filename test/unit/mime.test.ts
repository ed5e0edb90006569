import { chooseMimeType, mimeTypeFromFileName } from '../../nodes/DingTalk/shared/helpers/mime';

describe('chooseMimeType', () => {
	test.each([
		['application/pdf', 'x.bin', 'application/pdf'],
		['text/plain; charset=utf-8', 'x.pdf', 'text/plain; charset=utf-8'],
		[
			'application/octet-stream',
			'report.xlsx',
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		],
		['binary/octet-stream', 'photo.JPG', 'image/jpeg'],
		[
			'Application/Octet-Stream; foo=bar',
			'a.docx',
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
		],
		[undefined, 'notes.md', 'text/markdown'],
		[undefined, 'archive.unknownext', 'application/octet-stream'],
		['binary/octet-stream', 'noextension', 'application/octet-stream'],
		['garbage', '合同.pdf', 'application/pdf'],
		['', '.hidden', 'application/octet-stream'],
	])('%p with %p → %p', (contentType, fileName, expected) => {
		expect(chooseMimeType(contentType, fileName)).toBe(expected);
	});

	test('a type is found from the extension, Chinese names included; a bare dot gives none', () => {
		expect(mimeTypeFromFileName('设计稿 v2.zip')).toBe('application/zip');
		expect(mimeTypeFromFileName('a.')).toBeUndefined();
		expect(mimeTypeFromFileName('a.7z')).toBe('application/x-7z-compressed');
	});
});
