/**
 * The document room in end-to-end tests and the bench: fixture files built in code (pdf-lib PDFs,
 * a form, a DOCX package, a PNG, a spoofed HTML "PDF", a WebM recorded by Chromium) and the steps a
 * person takes in the room (open the Documents tab, upload, wait for a page, draw).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, PDFString, StandardFonts, rgb } from 'pdf-lib';
import type { ElementHandle, Page } from 'puppeteer-core';
import { tid } from './desk';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A text PDF of `pages` A4 pages, each saying its number; `padBytes` of incompressible bulk to reach a size. */
export async function textPdf(pages = 3, opts: { padBytes?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const p = doc.addPage([595.28, 841.89]);
    p.drawText(`Page ${i} of ${pages}`, { x: 50, y: 780, size: 24, font });
    for (let l = 0; l < 40; l++) p.drawText(`Line ${l + 1}: the quick brown fox jumps over the lazy dog.`, { x: 50, y: 740 - l * 17, size: 11, font });
  }
  if (opts.padBytes) {
    const noise = new Uint8Array(opts.padBytes);
    for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, Math.min(noise.length, i + 65536)));
    await doc.attach(noise, 'noise.bin', { mimeType: 'application/octet-stream' });
  }
  return doc.save();
}

/** Field names of formPdf(). */
export const FORM = { name: 'full_name', iban: 'iban', agree: 'agree', plan: 'plan', country: 'country', signature: 'customer_signature' } as const;

/** A one-page form: full_name (required), iban, agree (check box), plan (radio), country (dropdown), a /Sig field. */
export async function formPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText('Account opening form', { x: 50, y: 790, size: 20, font });
  const form = doc.getForm();
  const label = (t: string, y: number) => page.drawText(t, { x: 50, y, size: 11, font });
  label('Full name', 740);
  const name = form.createTextField(FORM.name);
  name.addToPage(page, { x: 160, y: 732, width: 250, height: 22 });
  name.enableRequired();
  label('IBAN', 700);
  form.createTextField(FORM.iban).addToPage(page, { x: 160, y: 692, width: 250, height: 22 });
  label('I agree', 660);
  form.createCheckBox(FORM.agree).addToPage(page, { x: 160, y: 655, width: 16, height: 16 });
  label('Plan', 620);
  const plan = form.createRadioGroup(FORM.plan);
  plan.addOptionToPage('basic', page, { x: 160, y: 615, width: 16, height: 16 });
  plan.addOptionToPage('premium', page, { x: 260, y: 615, width: 16, height: 16 });
  label('Country', 580);
  const country = form.createDropdown(FORM.country);
  country.addOptions(['Austria', 'Belgium', 'France']);
  country.addToPage(page, { x: 160, y: 572, width: 150, height: 22 });
  label('Signature', 500);
  page.drawRectangle({ x: 160, y: 460, width: 220, height: 60, borderColor: rgb(0.5, 0.5, 0.5), borderWidth: 1 });
  const ctx = doc.context;
  const sig = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of(FORM.signature), Rect: [160, 460, 380, 520], F: 4, P: page.ref }));
  page.node.addAnnot(sig);
  form.acroForm.addField(sig);
  return doc.save();
}

function storedZip(entries: Array<[string, string]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = Buffer.from(content, 'utf8');
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

/** A minimal Word document (DOCX) with one paragraph per line of `text`. */
export function docx(text: string): Buffer {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const paras = text
    .split('\n')
    .map((l) => `<w:p><w:r><w:t xml:space="preserve">${l.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r></w:p>`)
    .join('');
  return storedZip([
    [
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    ],
    ['_rels/.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/officeDocument" Target="word/document.xml"/></Relationships>`],
    ['word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}" xmlns:r="${R}"><w:body>${paras}</w:body></w:document>`],
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A decodable RGB PNG of w×h: a colour gradient. */
export function png(w = 320, h = 200): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([Math.floor((x * 255) / w), Math.floor((y * 255) / h), 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** An HTML page with a script, to be uploaded under a .pdf name. */
export const spoofedHtml = (): Buffer => Buffer.from('<!DOCTYPE html>\n<html><head><title>Invoice</title></head><body><script>alert(1)</script></body></html>\n');

/**
 * A short WebM (VP8/VP9) recorded by the page's Chromium from an animated canvas, with MediaRecorder.
 * A frame counter is painted in, so a test can tell positions apart.
 */
export async function recordWebm(page: Page, seconds = 4): Promise<Buffer> {
  const b64 = await page.evaluate(async (ms: number) => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const ctx = canvas.getContext('2d')!;
    const stream = canvas.captureStream(25);
    const rec = new MediaRecorder(stream, { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    const started = performance.now();
    const timer = setInterval(() => {
      const t = performance.now() - started;
      ctx.fillStyle = `hsl(${(t / 10) % 360} 70% 50%)`;
      ctx.fillRect(0, 0, 320, 180);
      ctx.fillStyle = '#fff';
      ctx.font = '48px sans-serif';
      ctx.fillText((t / 1000).toFixed(1), 100, 110);
    }, 40);
    const done = new Promise<void>((r) => (rec.onstop = () => r()));
    rec.start(250);
    await new Promise((r) => setTimeout(r, ms));
    rec.stop();
    await done;
    clearInterval(timer);
    const buf = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return btoa(s);
  }, seconds * 1000);
  return Buffer.from(b64, 'base64');
}

let tmp: string | null = null;

/** Writes the bytes under this name in a temporary folder (for a file input). */
export function fileOnDisk(name: string, bytes: Uint8Array): string {
  tmp ??= mkdtempSync(path.join(tmpdir(), 'engage-docs-'));
  const dir = mkdtempSync(path.join(tmp, 'f-'));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Shows the Documents mode of the desk pane or the join page. */
export async function openDocuments(page: Page): Promise<void> {
  await page.locator(tid('mode-tab-documents')).click();
  await page.waitForSelector(`${tid('doc-room')}`, { visible: true });
}

/** Uploads through the room's file input; resolves once the upload request has been answered. */
export async function uploadFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  const input = (await page.waitForSelector(`input${tid('doc-upload-input')}`)) as ElementHandle<HTMLInputElement> | null;
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/engagements\/[^/]+\/documents$/.test(r.url()), { timeout: 60_000 });
  await input!.uploadFile(fileOnDisk(name, bytes));
  await answered;
}

/** Waits until the list shows a ready document of this name and returns its id. */
export async function waitForDocument(page: Page, name: string, timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    (n: string) => {
      const item = [...document.querySelectorAll<HTMLElement>('[data-testid="doc-list-item"]')].find((e) => e.querySelector('[data-testid="doc-name"]')?.textContent?.trim() === n);
      return item?.dataset['status'] === 'ready' ? item.dataset['docId'] : false;
    },
    { timeout },
    name,
  );
  return (await handle.jsonValue()) as string;
}

/** Waits until page n of the open document is drawn by pdf.js (canvas), optionally with its text layer. */
export async function waitForPage(page: Page, n: number, opts: { text?: boolean; timeout?: number } = {}): Promise<void> {
  await page.waitForFunction(
    (sel: string, text: boolean) => {
      const el = document.querySelector<HTMLElement>(sel);
      return !!el && !!el.dataset['rendered'] && !!el.querySelector('canvas.doc-canvas') && (!text || !!el.dataset['text']);
    },
    { timeout: opts.timeout ?? 20_000 },
    tid(`doc-page-${n}`),
    !!opts.text,
  );
}

/** Drags the pointer across page n along normalized points (a pen stroke when the pen is picked). */
export async function drawOnPage(page: Page, n: number, points: Array<[number, number]>): Promise<void> {
  const ink = (await page.waitForSelector(tid(`doc-ink-${n}`)))!;
  await ink.scrollIntoView();
  // Bring the stroke's first point to the middle of the viewer (a page is taller than the viewer).
  await ink.evaluate((el, y: number) => {
    const scroller = el.closest('.doc-scroller');
    if (!scroller) return;
    const r = el.getBoundingClientRect();
    const s = scroller.getBoundingClientRect();
    scroller.scrollTop += r.top + y * r.height - (s.top + s.height / 2);
  }, points[0][1]);
  await new Promise((r) => setTimeout(r, 50));
  const box = (await ink.boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 3 });
  await page.mouse.up();
}

/** Annotation ids shown on the page (persisted ones). */
export function annotationIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="doc-annotation"]', (els) => els.map((e) => e.getAttribute('data-ann-id') ?? ''));
}
