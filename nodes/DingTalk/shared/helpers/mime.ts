/**
 * The MIME type to report for a downloaded file: the server's `Content-Type` unless it
 * is missing or says nothing ("some bytes"), then a guess from the file name's extension.
 */

const GENERIC_TYPES = new Set([
	'application/octet-stream',
	'binary/octet-stream',
	'application/binary',
	'application/unknown',
]);

const BY_EXTENSION: Record<string, string> = {
	// Documents people keep in DingTalk
	pdf: 'application/pdf',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	ppt: 'application/vnd.ms-powerpoint',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	odt: 'application/vnd.oasis.opendocument.text',
	ods: 'application/vnd.oasis.opendocument.spreadsheet',
	odp: 'application/vnd.oasis.opendocument.presentation',
	rtf: 'application/rtf',
	txt: 'text/plain',
	md: 'text/markdown',
	csv: 'text/csv',
	tsv: 'text/tab-separated-values',
	html: 'text/html',
	htm: 'text/html',
	xml: 'application/xml',
	json: 'application/json',
	yaml: 'application/yaml',
	yml: 'application/yaml',
	// Images
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	bmp: 'image/bmp',
	svg: 'image/svg+xml',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	heic: 'image/heic',
	ico: 'image/vnd.microsoft.icon',
	// Audio and video
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	m4a: 'audio/mp4',
	aac: 'audio/aac',
	ogg: 'audio/ogg',
	flac: 'audio/flac',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	avi: 'video/x-msvideo',
	mkv: 'video/x-matroska',
	webm: 'video/webm',
	// Archives and data
	zip: 'application/zip',
	rar: 'application/vnd.rar',
	'7z': 'application/x-7z-compressed',
	tar: 'application/x-tar',
	gz: 'application/gzip',
	tgz: 'application/gzip',
	bz2: 'application/x-bzip2',
	xz: 'application/x-xz',
	apk: 'application/vnd.android.package-archive',
	exe: 'application/vnd.microsoft.portable-executable',
	dmg: 'application/x-apple-diskimage',
	iso: 'application/x-iso9660-image',
	eml: 'message/rfc822',
	ofd: 'application/ofd',
};

const FALLBACK_MIME_TYPE = 'application/octet-stream';

/** A name's extension, lower case without the dot ("a.PDF" → "pdf"); none for ".env" or "a.". */
export function extensionOf(fileName: string): string | undefined {
	const dot = fileName.lastIndexOf('.');
	if (dot <= 0 || dot === fileName.length - 1) return undefined;
	return fileName.slice(dot + 1).toLowerCase();
}

/** The extension-based guess, or undefined for an unknown extension. */
export function mimeTypeFromFileName(fileName: string): string | undefined {
	const extension = extensionOf(fileName);
	return extension === undefined ? undefined : BY_EXTENSION[extension];
}

/** The media type of a Content-Type header value, lower-cased, without parameters. */
function mediaType(contentType: string | undefined): string | undefined {
	const type = contentType?.split(';')[0].trim().toLowerCase();
	return type && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : undefined;
}

export function chooseMimeType(contentType: string | undefined, fileName: string): string {
	const fromHeader = mediaType(contentType);
	if (fromHeader && !GENERIC_TYPES.has(fromHeader)) return contentType!.trim();
	return mimeTypeFromFileName(fileName) ?? FALLBACK_MIME_TYPE;
}
