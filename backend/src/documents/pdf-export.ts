import { createHash } from 'node:crypto';
import type { Annotation, FieldValue, NormRect } from '@engage/protocol';
import {
  LineCapStyle,
  PDFCheckBox,
  PDFDict,
  PDFDocument,
  PDFDropdown,
  PDFName,
  PDFOptionList,
  PDFRadioGroup,
  PDFSignature,
  PDFTextField,
  StandardFonts,
  rgb,
  type PDFFont,
  type PDFPage,
  PDFRef,
  type RGB,
} from 'pdf-lib';
import { InvalidStateError } from '../common/errors';
import type { FieldDefinition } from './pdf-fields';

export interface PlacedSignature {
  page: number;
  rect: NormRect;
  /** PNG bytes. */
  png: Uint8Array;
  signerName: string;
  signerRole: string;
  signedAt: Date;
}

export interface ExportInput {
  /** The PDF (or PNG/JPEG image) to export from; never modified. */
  source: Uint8Array;
  sourceMime: string;
  annotations: Annotation[];
  fields: FieldDefinition[];
  values: Map<string, FieldValue | null>;
  /** Completion: signatures embedded, form flattened, audit page appended. */
  complete: boolean;
  signatures: PlacedSignature[];
  audit?: { engagementId: string; sourceName: string; sourceSha256: string; at: Date };
}

export interface ExportResult {
  bytes: Uint8Array;
  /** For a completed export: the signed content is the first `prefixLength` bytes, whose SHA-256 is `afterSha256`. */
  afterSha256: string | null;
  prefixLength: number | null;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * A copy of a document with its annotations burnt in and its field values filled; completed, it
 * also carries the signatures, a flattened form and an audit page appended as an incremental update
 * (so the signed content stays a byte prefix whose hash the audit page states).
 */
export async function exportPdf(input: ExportInput): Promise<ExportResult> {
  const doc = await openAsPdf(input.source, input.sourceMime);
  const pages = doc.getPages();
  if (input.fields.length) fillFields(doc, input.fields, input.values);
  for (const a of input.annotations) {
    const page = pages[a.page - 1];
    if (page) burn(page, a);
  }
  if (input.complete) {
    for (const s of input.signatures) {
      const page = pages[s.page - 1];
      if (!page) continue;
      const img = await doc.embedPng(s.png);
      const r = toPdfRect(page, s.rect);
      const scale = Math.min(r.width / img.width, r.height / img.height);
      const w = img.width * scale;
      const h = img.height * scale;
      page.drawImage(img, { x: r.x + (r.width - w) / 2, y: r.y + (r.height - h) / 2, width: w, height: h });
    }
    if (input.fields.length) {
      const form = doc.getForm();
      // Signature fields carry no appearance of their own (the drawn signature is on the page now).
      for (const f of form.getFields()) {
        if (!(f instanceof PDFSignature)) continue;
        const refs = [f.ref, ...f.acroField.getWidgets().map((w) => doc.context.getObjectRef(w.dict))].filter((r): r is PDFRef => r !== undefined);
        for (const page of pages) for (const r of refs) page.node.removeAnnot(r);
        form.acroForm.removeField(f.acroField);
      }
      form.flatten();
      dropDanglingAnnots(doc);
    }
  }
  const signed = await doc.save({ useObjectStreams: false });
  if (!input.complete || !input.audit) return { bytes: signed, afterSha256: null, prefixLength: null };
  const after = sha256(signed);
  const lines = auditLines(input, after, signed.length);
  return { bytes: await appendAuditPage(signed, lines), afterSha256: after, prefixLength: signed.length };
}

/**
 * pdf-lib's flatten deletes the widgets but leaves some of them (radio kids, removed signature
 * fields) in the pages' /Annots: references to objects that no longer exist, which readers report
 * as broken xref entries. Drop them.
 */
function dropDanglingAnnots(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    const annots = page.node.Annots();
    if (!annots) continue;
    for (let i = annots.size() - 1; i >= 0; i--) {
      const entry = annots.get(i);
      if (entry instanceof PDFRef && doc.context.lookup(entry) === undefined) annots.remove(i);
    }
  }
}

async function openAsPdf(source: Uint8Array, mime: string): Promise<PDFDocument> {
  if (mime === 'application/pdf') return PDFDocument.load(source, { updateMetadata: false });
  if (mime !== 'image/png' && mime !== 'image/jpeg') throw new InvalidStateError('Only PDF, PNG and JPEG documents can be exported; WebP and GIF images cannot.');
  const doc = await PDFDocument.create();
  const img = mime === 'image/png' ? await doc.embedPng(source) : await doc.embedJpg(source);
  // Pixels at 96 dpi as points, so the page has the picture's proportions at a printable size.
  const page = doc.addPage([img.width * 0.75, img.height * 0.75]);
  page.drawImage(img, { x: 0, y: 0, width: img.width * 0.75, height: img.height * 0.75 });
  return doc;
}

function fillFields(doc: PDFDocument, defs: FieldDefinition[], values: Map<string, FieldValue | null>): void {
  const form = doc.getForm();
  for (const def of defs) {
    const value = values.get(def.name);
    if (value === undefined || value === null) continue;
    const field = form.getFieldMaybe(def.name);
    if (!field) continue;
    try {
      if (field instanceof PDFTextField && typeof value === 'string') field.setText(value);
      else if (field instanceof PDFCheckBox && typeof value === 'boolean') {
        if (value) field.check();
        else field.uncheck();
      } else if (field instanceof PDFRadioGroup && typeof value === 'string') {
        if (value) field.select(value);
        else field.clear();
      } else if ((field instanceof PDFDropdown || field instanceof PDFOptionList) && typeof value !== 'boolean') {
        const list = Array.isArray(value) ? value : value ? [value] : [];
        if (list.length) field.select(list);
        else field.clear();
      }
    } catch {
      // A value the field refuses (e.g. longer than its MaxLen) stays out of the copy.
    }
  }
}

const toPdfPoint = (page: PDFPage, [x, y]: [number, number]) => {
  const b = page.getMediaBox();
  return { x: b.x + x * b.width, y: b.y + (1 - y) * b.height };
};

function toPdfRect(page: PDFPage, r: NormRect) {
  const b = page.getMediaBox();
  return { x: b.x + r.x * b.width, y: b.y + (1 - r.y - r.h) * b.height, width: r.w * b.width, height: r.h * b.height };
}

function colorOf(css: string): RGB {
  const m = /^#([0-9a-f]{6})$/i.exec(css);
  const n = m ? parseInt(m[1], 16) : 0;
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}

/** Text a standard PDF font can write (WinAnsi); anything else becomes "?". */
export const winAnsi = (s: string) => s.replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');

/** One annotation drawn into the page's content. */
export function burn(page: PDFPage, a: Annotation): void {
  const box = page.getMediaBox();
  const color = colorOf(a.color);
  const width = Math.max(0.5, a.width * box.width);
  const pts = a.points.map((p) => toPdfPoint(page, p));
  switch (a.tool) {
    case 'pen':
    case 'highlighter': {
      const opacity = a.tool === 'highlighter' ? 0.35 : 1;
      if (pts.length === 1) {
        page.drawCircle({ x: pts[0].x, y: pts[0].y, size: width / 2, color, opacity });
        return;
      }
      // SVG path coordinates are top-down from (box.x, box.y + height).
      const d = a.points.map(([x, y], i) => `${i ? 'L' : 'M'}${(x * box.width).toFixed(2)} ${(y * box.height).toFixed(2)}`).join(' ');
      page.drawSvgPath(d, { x: box.x, y: box.y + box.height, borderColor: color, borderWidth: width, borderOpacity: opacity, borderLineCap: LineCapStyle.Round });
      return;
    }
    case 'rect': {
      const [p, q] = pts;
      page.drawRectangle({ x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), width: Math.abs(q.x - p.x), height: Math.abs(q.y - p.y), borderColor: color, borderWidth: width });
      return;
    }
    case 'ellipse': {
      const [p, q] = pts;
      page.drawEllipse({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, xScale: Math.max(0.5, Math.abs(q.x - p.x) / 2), yScale: Math.max(0.5, Math.abs(q.y - p.y) / 2), borderColor: color, borderWidth: width });
      return;
    }
    case 'arrow': {
      const [tail, head] = pts;
      page.drawLine({ start: tail, end: head, thickness: width, color, lineCap: LineCapStyle.Round });
      const angle = Math.atan2(head.y - tail.y, head.x - tail.x);
      const len = Math.max(8, width * 4);
      for (const side of [-1, 1]) {
        const t = angle + Math.PI - side * (Math.PI / 7);
        page.drawLine({ start: head, end: { x: head.x + len * Math.cos(t), y: head.y + len * Math.sin(t) }, thickness: width, color, lineCap: LineCapStyle.Round });
      }
      return;
    }
    case 'text': {
      const size = Math.max(8, Math.min(36, box.width / 50));
      const lines = winAnsi(a.text ?? '').split('\n');
      lines.forEach((line, i) => page.drawText(line, { x: pts[0].x, y: pts[0].y - size * (i + 1), size, color }));
      return;
    }
  }
}

function auditLines(input: ExportInput, after: string, n: number): string[] {
  const audit = input.audit!;
  const signers = input.signatures.map((s) => `${s.signerName} (${s.signerRole}), signed ${s.signedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC, page ${s.page}`);
  return [
    'Signature audit page',
    '',
    `Engagement: ${audit.engagementId}`,
    `Completed: ${audit.at.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    '',
    'Signed by:',
    ...(signers.length ? signers.map((s) => `  ${s}`) : ['  (no signature)']),
    '',
    `Source document: ${audit.sourceName}`,
    'SHA-256 before (the source document):',
    `  ${audit.sourceSha256}`,
    `SHA-256 after (the signed content: the first ${n} bytes of this file):`,
    `  ${after}`,
    'This page was appended to those bytes as an incremental update of the PDF.',
  ];
}

/**
 * Appends a page to `signed` as a PDF incremental update: new objects, the updated page tree, an
 * xref section and a trailer with /Prev. `signed` stays a byte prefix of the result.
 */
export async function appendAuditPage(signed: Uint8Array, lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.load(signed, { updateMetadata: false });
  const oldMax = doc.context.largestObjectNumber;
  const page = doc.addPage([595.28, 841.89]);
  const font: PDFFont = await doc.embedFont(StandardFonts.Helvetica);
  const bold: PDFFont = await doc.embedFont(StandardFonts.HelveticaBold);
  let y = 790;
  lines.forEach((line, i) => {
    const f = i === 0 ? bold : font;
    const size = i === 0 ? 16 : 10;
    page.drawText(winAnsi(line), { x: 50, y, size, font: f, color: rgb(0, 0, 0) });
    y -= i === 0 ? 28 : 15;
  });
  await doc.flush();
  const pagesType = PDFName.of('Pages');
  const changed = doc.context
    .enumerateIndirectObjects()
    .filter(([ref, obj]) => ref.objectNumber > oldMax || (obj instanceof PDFDict && obj.get(PDFName.of('Type')) === pagesType))
    .sort((a, b) => a[0].objectNumber - b[0].objectNumber);
  const prev = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(Buffer.from(signed.subarray(Math.max(0, signed.length - 1024))).toString('latin1'));
  if (!prev) throw new Error('the signed PDF has no classic xref to append to');
  const parts: Buffer[] = [Buffer.from(signed), Buffer.from('\n')];
  let offset = signed.length + 1;
  const offsets = new Map<number, { offset: number; gen: number }>();
  for (const [ref, obj] of changed) {
    const body = new Uint8Array(obj.sizeInBytes());
    obj.copyBytesInto(body, 0);
    const chunk = Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`), Buffer.from(body), Buffer.from('\nendobj\n')]);
    offsets.set(ref.objectNumber, { offset, gen: ref.generationNumber });
    parts.push(chunk);
    offset += chunk.length;
  }
  const xrefAt = offset;
  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  let xref = 'xref\n';
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    xref += `${numbers[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const e = offsets.get(numbers[k])!;
      xref += `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n`;
    }
    i = j + 1;
  }
  const t = doc.context.trailerInfo;
  if (!t.Root) throw new Error('the signed PDF has no catalog');
  const extra = [t.Info ? `/Info ${t.Info.toString()}` : '', t.ID ? `/ID ${t.ID.toString()}` : ''].filter(Boolean).join(' ');
  xref += `trailer\n<< /Size ${doc.context.largestObjectNumber + 1} /Root ${t.Root.toString()} ${extra} /Prev ${prev[1]} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}
