/**
 * The document room in end-to-end tests: fixture files (the shared @engage/doc-fixtures documents
 * built in code, and a WebM recorded by Chromium) and the steps a person takes in the room (open the
 * Documents tab, upload, wait for a page, draw).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { tid } from './desk';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export { docx, FORM_FIELDS as FORM, formPdf, png, htmlFile as spoofedHtml, textPdf } from '@engage/doc-fixtures';

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

/** Draws a wavy signature on the open signature pad and applies it. */
export async function signOnPad(page: Page): Promise<void> {
  const pad = (await page.waitForSelector(tid('doc-signature-pad')))!;
  const b = (await pad.boundingBox())!;
  await page.mouse.move(b.x + b.width * 0.1, b.y + b.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(b.x + b.width * (0.1 + i * 0.06), b.y + b.height * (0.6 - 0.3 * Math.sin(i / 2)));
  await page.mouse.up();
  await page.locator(tid('doc-sign-apply')).click();
}

/** The viewer's scroll position, CSS pixels. */
export function viewerScroll(page: Page): Promise<{ left: number; top: number; maxLeft: number; maxTop: number }> {
  return page.$eval(tid('doc-scroller'), (s) => ({ left: s.scrollLeft, top: s.scrollTop, maxLeft: s.scrollWidth - s.clientWidth, maxTop: s.scrollHeight - s.clientHeight }));
}

/** Drags the pointer from the middle of the viewer by (dx, dy) pixels, in steps. */
export async function dragViewer(page: Page, dx: number, dy: number): Promise<void> {
  const box = (await (await page.waitForSelector(tid('doc-scroller')))!.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await page.mouse.up();
}
