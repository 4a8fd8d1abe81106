/**
 * Test documents built in code (no binary fixtures): PDFs with pdf-lib (incl. an AcroForm), image
 * headers, video heads, office packages (a stored-ZIP writer), and the bad files every upload must
 * refuse. Shared with the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, PDFString, StandardFonts, rgb } from 'pdf-lib';

/** A text PDF of `pages` pages (A4), each saying its number. */
export async function textPdf(pages = 3, opts: { attachBytes?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const p = doc.addPage([595.28, 841.89]);
    p.drawText(`Page ${i} of ${pages}`, { x: 50, y: 780, size: 24, font });
    for (let l = 0; l < 40; l++) p.drawText(`Line ${l + 1}: the quick brown fox jumps over the lazy dog.`, { x: 50, y: 740 - l * 17, size: 11, font });
  }
  // Bulk (for size figures): an attachment of incompressible bytes.
  if (opts.attachBytes) await doc.attach(randomBytes(opts.attachBytes), 'noise.bin', { mimeType: 'application/octet-stream' });
  return doc.save();
}

/** Field names of formPdf(). */
export const FORM_FIELDS = { name: 'full_name', iban: 'iban', agree: 'agree', plan: 'plan', country: 'country', signature: 'customer_signature' } as const;

/**
 * A one-page form: text (full_name, required; iban), check box (agree), radio group (plan: basic /
 * premium), dropdown (country) and a signature field (customer_signature, /FT /Sig).
 */
export async function formPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText('Account opening form', { x: 50, y: 790, size: 20, font });
  const form = doc.getForm();
  const label = (t: string, y: number) => page.drawText(t, { x: 50, y, size: 11, font });
  label('Full name', 740);
  const name = form.createTextField(FORM_FIELDS.name);
  name.addToPage(page, { x: 160, y: 732, width: 250, height: 22 });
  name.enableRequired();
  label('IBAN', 700);
  form.createTextField(FORM_FIELDS.iban).addToPage(page, { x: 160, y: 692, width: 250, height: 22 });
  label('I agree', 660);
  form.createCheckBox(FORM_FIELDS.agree).addToPage(page, { x: 160, y: 655, width: 16, height: 16 });
  label('Plan', 620);
  const plan = form.createRadioGroup(FORM_FIELDS.plan);
  plan.addOptionToPage('basic', page, { x: 160, y: 615, width: 16, height: 16 });
  plan.addOptionToPage('premium', page, { x: 260, y: 615, width: 16, height: 16 });
  label('Country', 580);
  const country = form.createDropdown(FORM_FIELDS.country);
  country.addOptions(['Austria', 'Belgium', 'France']);
  country.addToPage(page, { x: 160, y: 572, width: 150, height: 22 });
  label('Signature', 500);
  page.drawRectangle({ x: 160, y: 460, width: 220, height: 60, borderColor: rgb(0.5, 0.5, 0.5), borderWidth: 1 });
  const ctx = doc.context;
  const sig = ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of(FORM_FIELDS.signature), Rect: [160, 460, 380, 520], F: 4, P: page.ref });
  const sigRef = ctx.register(sig);
  page.node.addAnnot(sigRef);
  form.acroForm.addField(sigRef);
  return doc.save();
}

/** A PDF whose trailer names an /Encrypt dictionary with a user password nobody knows. */
export function encryptedPdf(): Uint8Array {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -44 >>`,
  ];
  return assemblePdf(objs, '/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]');
}

/** A PDF header followed by garbage: no objects, no xref. */
export function damagedPdf(): Uint8Array {
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R'), randomBytes(2000)]);
}

function assemblePdf(objects: string[], trailerExtra: string): Uint8Array {
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ───────────── images ─────────────

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A real, decodable RGB PNG of `w`×`h` (a colour gradient). */
export function png(w = 64, h = 48): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([(x * 255) / w, (y * 255) / h, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PNG header declaring `w`×`h` with no pixel data (an image that would be huge once decoded). */
export function pngHeaderOnly(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A signature-pad-like PNG data URL. */
export function signatureDataUrl(): string {
  return `data:image/png;base64,${png(120, 40).toString('base64')}`;
}

/** JPEG markers up to a baseline SOF0 frame header declaring `w`×`h`. */
export function jpegHeader(w: number, h: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

export function gifHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return Buffer.concat([b, Buffer.from([0x3b])]);
}

/** A lossless WebP (VP8L) header declaring `w`×`h`. */
export function webpHeader(w: number, h: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBP', 8, 'latin1');
  b.write('VP8L', 12, 'latin1');
  b.writeUInt32LE(10, 16);
  b[20] = 0x2f;
  b.writeUInt32LE(((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14), 21);
  return b;
}

// ───────────── video heads ─────────────

export function mp4Head(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.write('isomiso2avc1', 12, 'latin1');
  const mdat = Buffer.alloc(1024);
  mdat.writeUInt32BE(1024, 0);
  mdat.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdat]);
}

export function webmHead(): Buffer {
  return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84]), Buffer.from('webm'), Buffer.alloc(512)]);
}

// ───────────── office ─────────────

/** A ZIP with stored (uncompressed) entries, in the given order. */
export function storedZip(entries: Array<[string, string | Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * A DOCX with `text`; with `linkedImage`, the body also shows an image linked (TargetMode External)
 * to that URL, which a converter must never fetch.
 */
export function docx(text: string, opts: { linkedImage?: string } = {}): Buffer {
  const image = opts.linkedImage
    ? `<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="Picture 1"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="1" name="canary.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rIdImg"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`
    : '';
  const rels = opts.linkedImage ? `<Relationship Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="${opts.linkedImage}" TargetMode="External"/>` : '';
  return storedZip([
    [
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    ],
    ['_rels/.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/officeDocument" Target="word/document.xml"/></Relationships>`],
    ['word/_rels/document.xml.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`],
    ['word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}" xmlns:r="${R}"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p>${image}</w:body></w:document>`],
  ]);
}

/** An ODT package (mimetype first, stored). */
export function odt(text: string): Buffer {
  return storedZip([
    ['mimetype', 'application/vnd.oasis.opendocument.text'],
    ['META-INF/manifest.xml', `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`],
    ['content.xml', `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text><text:p>${text}</text:p></office:text></office:body></office:document-content>`],
  ]);
}

/**
 * A flat ODT (.fodt) with `text`, a section linked to `fileUrl` (e.g. file:///etc/hostname) and an
 * image linked to `imageUrl`: a converter that follows links would include the file or fetch the URL.
 */
export function flatOdt(text: string, opts: { fileUrl?: string; imageUrl?: string } = {}): Buffer {
  const section = opts.fileUrl ? `<text:section text:name="Linked"><text:section-source xlink:href="${opts.fileUrl}" xlink:type="simple" text:filter-name="Text"/></text:section>` : '';
  const image = opts.imageUrl ? `<text:p><draw:frame draw:name="Img" text:anchor-type="as-char" svg:width="2cm" svg:height="2cm"><draw:image xlink:href="${opts.imageUrl}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>` : '';
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text><text:p>${text}</text:p>${section}${image}<text:p>End of document</text:p></office:text></office:body></office:document>
`,
    'utf8',
  );
}

/** An OLE compound file head naming a WordDocument stream (what the sniffer looks for). */
export function legacyDocHead(): Buffer {
  const b = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  Buffer.from('WordDocument', 'utf16le').copy(b, 1024);
  return b;
}

// ───────────── refused ─────────────

export const htmlFile = () => Buffer.from('<!DOCTYPE html>\n<html><head><title>Invoice</title></head><body><script>alert(1)</script></body></html>\n');
export const svgFile = () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>\n');

/** A PDF that is also an HTML page in its first bytes. */
export async function pdfHtmlPolyglot(): Promise<Buffer> {
  const pdf = Buffer.from(await textPdf(1));
  const nl = pdf.indexOf(0x0a);
  return Buffer.concat([pdf.subarray(0, nl + 1), Buffer.from('%<html><script>alert(document.domain)</script></html>\n'), pdf.subarray(nl + 1)]);
}

/** A PDF with a ZIP appended after %%EOF. */
export async function pdfZipPolyglot(): Promise<Buffer> {
  return Buffer.concat([Buffer.from(await textPdf(1)), storedZip([['evil.html', '<script>alert(1)</script>']])]);
}

/** A JPEG with an HTML comment payload near the start. */
export function jpegHtmlPolyglot(): Buffer {
  const j = jpegHeader(10, 10);
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x30]), Buffer.from('<html><script>alert(1)</script></html>'.padEnd(46))]);
  return Buffer.concat([j.subarray(0, 2), com, j.subarray(2)]);
}
