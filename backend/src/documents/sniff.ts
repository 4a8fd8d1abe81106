import { DOC_LIMITS } from '@engage/protocol';
import { DocumentError } from '../common/errors';
import { listZipEntries } from './zip-entries';

/** What the bytes are, decided from magic numbers only (never from the name). */
export interface Sniffed {
  mime: string;
  /** `office` files are converted to PDF; the others are shown as they are. */
  family: 'pdf' | 'image' | 'video' | 'office';
  /** Declared size in pixels (images, read from the header without decoding). */
  width: number | null;
  height: number | null;
}

export const OFFICE_MIME = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  odp: 'application/vnd.oasis.opendocument.presentation',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  doc: 'application/msword',
  ppt: 'application/vnd.ms-powerpoint',
  xls: 'application/vnd.ms-excel',
} as const;

const ODF_TYPES: readonly string[] = [OFFICE_MIME.odt, OFFICE_MIME.odp, OFFICE_MIME.ods];
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'mp71', 'dash', 'f4v ', 'MSNV']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1', 'avif', 'avis']);

/** How many bytes of the head are enough to tell a video (the rest is not read for videos). */
export const SNIFF_HEAD_BYTES = 4096;

const refuse = (why: string) => new DocumentError('unsupported_type', `This file cannot be shared: ${why}. Accepted are PDF, PNG, JPEG, WebP, GIF, MP4, WebM and Word, PowerPoint, Excel or OpenDocument files.`);

const startsWith = (b: Buffer, sig: number[] | string, at = 0) => {
  const bytes = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
  return b.length >= at + bytes.length && b.subarray(at, at + bytes.length).equals(bytes);
};

/** Markup that makes a browser (or a sloppy sniffer) treat bytes as a web page. */
const ACTIVE_MARKUP = /<(html|script|!doctype\s+html|svg|body|iframe|object|embed)[\s>/]/i;

/** Whether the bytes are a video, from the head alone (videos are not read further). */
export function isVideoHead(head: Buffer): boolean {
  return (startsWith(head, 'ftyp', 4) && MP4_BRANDS.has(head.subarray(8, 12).toString('latin1'))) || isWebm(head);
}

function isWebm(head: Buffer): boolean {
  if (!startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return false;
  const docType = head.subarray(0, 64).indexOf(Buffer.from([0x42, 0x82]));
  return docType > 0 && head.subarray(docType, docType + 12).includes(Buffer.from('webm'));
}

/**
 * Decides the type of a file from its bytes. `bytes` is the whole file, except for videos where the
 * head (SNIFF_HEAD_BYTES) is enough and `complete` is false. Throws DocumentError with the reason.
 */
export function sniff(bytes: Buffer, opts: { complete: boolean; size: number; maxPixels?: number }): Sniffed {
  if (opts.size === 0 || bytes.length === 0) throw new DocumentError('empty_file', 'This file is empty (0 bytes).');
  const maxPixels = opts.maxPixels ?? DOC_LIMITS.imageMaxPixels;
  const head = bytes.subarray(0, 1024);

  if (startsWith(bytes, '%PDF-')) {
    rejectPolyglot(bytes, opts.complete, 'PDF');
    return { mime: 'application/pdf', family: 'pdf', width: null, height: null };
  }
  const image = imageOf(bytes);
  if (image) {
    rejectPolyglot(bytes, opts.complete, 'image');
    if (image.width === null || image.height === null) throw new DocumentError('damaged_file', `This ${image.label} image is damaged: its size cannot be read.`);
    if (image.width * image.height > maxPixels) {
      throw new DocumentError('image_too_large', `This image declares ${image.width} × ${image.height} pixels (${Math.round((image.width * image.height) / 1e6)} megapixels); at most ${Math.round(maxPixels / 1e6)} megapixels are accepted.`);
    }
    return { mime: image.mime, family: 'image', width: image.width, height: image.height };
  }
  if (startsWith(bytes, 'ftyp', 4)) {
    const brand = bytes.subarray(8, 12).toString('latin1');
    if (MP4_BRANDS.has(brand)) return { mime: 'video/mp4', family: 'video', width: null, height: null };
    if (HEIF_BRANDS.has(brand)) throw refuse('HEIC/AVIF images are not accepted (export it as JPEG or PNG)');
    if (brand === 'qt  ') throw refuse('QuickTime (.mov) videos are not accepted (use MP4 or WebM)');
    throw refuse(`this is an ISO media file of brand "${brand.replace(/[^\x20-\x7e]/g, '?')}", not an MP4 video`);
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    if (isWebm(bytes)) return { mime: 'video/webm', family: 'video', width: null, height: null };
    throw refuse('Matroska (.mkv) videos are not accepted (use MP4 or WebM)');
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return officeZip(bytes, opts.complete);
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return legacyOffice(bytes);
  const flat = flatOdf(bytes);
  if (flat) return flat;
  throw refuse(describeUnknown(head));
}

/** A PDF or image carrying markup or an archive is refused: it would be two files in one. */
function rejectPolyglot(bytes: Buffer, complete: boolean, what: string): void {
  const headText = bytes.subarray(0, 1024).toString('latin1');
  if (ACTIVE_MARKUP.test(headText)) throw refuse(`this ${what} also contains web page markup (a polyglot file)`);
  if (!complete) return;
  const tail = bytes.subarray(Math.max(0, bytes.length - 65_536));
  // An archive's end record near the end of a PDF or image means a ZIP/JAR was appended to it.
  if (tail.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))) throw refuse(`this ${what} has an archive appended to it (a polyglot file)`);
  if (what === 'PDF') {
    const eof = bytes.lastIndexOf(Buffer.from('%%EOF'));
    const after = eof >= 0 ? bytes.subarray(eof + 5) : Buffer.alloc(0);
    if (after.includes(Buffer.from([0x50, 0x4b, 0x03, 0x04])) || ACTIVE_MARKUP.test(after.toString('latin1'))) throw refuse('this PDF carries another file after its end (a polyglot file)');
  }
}

interface ImageHeader {
  mime: string;
  label: string;
  width: number | null;
  height: number | null;
}

/** The image type and its declared size, from the header alone (nothing is decoded). */
export function imageOf(b: Buffer): ImageHeader | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    const ok = b.length >= 24 && startsWith(b, 'IHDR', 12);
    return { mime: 'image/png', label: 'PNG', width: ok ? b.readUInt32BE(16) : null, height: ok ? b.readUInt32BE(20) : null };
  }
  if (startsWith(b, 'GIF87a') || startsWith(b, 'GIF89a')) {
    const ok = b.length >= 10;
    return { mime: 'image/gif', label: 'GIF', width: ok ? b.readUInt16LE(6) : null, height: ok ? b.readUInt16LE(8) : null };
  }
  if (startsWith(b, 'RIFF') && startsWith(b, 'WEBP', 8)) return { mime: 'image/webp', label: 'WebP', ...webpSize(b) };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', label: 'JPEG', ...jpegSize(b) };
  return null;
}

function webpSize(b: Buffer): { width: number | null; height: number | null } {
  const none = { width: null, height: null };
  if (b.length < 30) return none;
  const chunk = b.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8 ') {
    if (!(b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a)) return none;
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return none;
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return none;
}

/** Walks the JPEG markers to the first SOFn frame header. */
function jpegSize(b: Buffer): { width: number | null; height: number | null } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { width: null, height: null };
    const marker = b[i + 1];
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    if (marker === 0xd9 || marker === 0xda || len < 2) break;
    i += 2 + len;
  }
  return { width: null, height: null };
}

function officeZip(bytes: Buffer, complete: boolean): Sniffed {
  if (!complete) throw refuse('this is a ZIP archive');
  const entries = listZipEntries(bytes);
  if (!entries) throw new DocumentError('damaged_file', 'This file looks like an office document or archive but it is damaged (its table of contents cannot be read).');
  const first = entries[0];
  // ODF: the first entry is `mimetype`, stored uncompressed, naming the document type.
  if (first?.name === 'mimetype' && first.method === 0) {
    const start = first.dataOffset;
    const mime = bytes.subarray(start, start + first.compressedSize).toString('latin1').trim();
    if (ODF_TYPES.includes(mime)) return { mime, family: 'office', width: null, height: null };
    throw refuse(`this is an OpenDocument file of type "${mime.slice(0, 80)}", which is not a text, presentation or spreadsheet`);
  }
  const names = entries.map((e) => e.name);
  if (names.includes('[Content_Types].xml')) {
    if (names.some((n) => n.startsWith('word/'))) return { mime: OFFICE_MIME.docx, family: 'office', width: null, height: null };
    if (names.some((n) => n.startsWith('ppt/'))) return { mime: OFFICE_MIME.pptx, family: 'office', width: null, height: null };
    if (names.some((n) => n.startsWith('xl/'))) return { mime: OFFICE_MIME.xlsx, family: 'office', width: null, height: null };
    throw refuse('this Office Open XML package is not a Word, PowerPoint or Excel document');
  }
  throw refuse('this is a ZIP archive, not an office document');
}

/** OLE compound files: Word, PowerPoint and Excel name their main stream (UTF-16 in the directory). */
function legacyOffice(bytes: Buffer): Sniffed {
  const has = (name: string) => bytes.includes(Buffer.from(name, 'utf16le'));
  if (has('WordDocument')) return { mime: OFFICE_MIME.doc, family: 'office', width: null, height: null };
  if (has('PowerPoint Document')) return { mime: OFFICE_MIME.ppt, family: 'office', width: null, height: null };
  if (has('Workbook') || has('Book')) return { mime: OFFICE_MIME.xls, family: 'office', width: null, height: null };
  throw refuse('this is an OLE compound file (e.g. an installer or Outlook message), not a Word, PowerPoint or Excel document');
}

/** Flat OpenDocument (.fodt/.fodp/.fods): one XML file naming its ODF type. */
function flatOdf(bytes: Buffer): Sniffed | null {
  const text = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('<?xml') && !text.startsWith('<office:document')) return null;
  const m = /<office:document\b[^>]*\boffice:mimetype="([^"]+)"/.exec(text);
  if (m && ODF_TYPES.includes(m[1]) && !ACTIVE_MARKUP.test(text)) return { mime: m[1], family: 'office', width: null, height: null };
  return null;
}

/** A reason a person understands for bytes that are none of the accepted types. */
function describeUnknown(head: Buffer): string {
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (/^<\?xml[\s\S]*<svg[\s>]/.test(text) || text.startsWith('<svg')) return 'SVG images are not accepted';
  if (/^(<!--[\s\S]*?-->\s*)*<(!doctype html|html|head|body|script|meta|iframe|div|p)[\s>]/.test(text)) return 'this is an HTML file';
  if (text.startsWith('<?xml')) return 'this is an XML file';
  if (text.startsWith('#!')) return 'this is a script';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'this is a program (ELF executable)';
  if (startsWith(head, 'MZ')) return 'this is a Windows program';
  if (startsWith(head, [0x1f, 0x8b])) return 'this is a gzip archive';
  if (startsWith(head, 'Rar!')) return 'this is a RAR archive';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'this is a 7-Zip archive';
  if (startsWith(head, 'BM')) return 'BMP images are not accepted (use PNG or JPEG)';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF images are not accepted (use PNG or JPEG)';
  if (startsWith(head, 'RIFF')) return 'this RIFF file (AVI video or WAV sound) is not accepted';
  if (startsWith(head, '{\\rtf')) return 'RTF documents are not accepted (save it as DOCX or PDF)';
  if (head.includes(Buffer.from('%PDF-'))) return 'this file has bytes before its PDF header (a PDF must start with %PDF-)';
  const printable = head.subarray(0, 512).every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128);
  return printable ? 'this is a plain text file' : 'its type is not recognised';
}
