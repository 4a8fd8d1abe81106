// Document room benchmark: the real backend and the real desk (dist/frontend/desk) in Chromium, an
// agent and a customer in the room. First page after opening a document (with the plain pdf.js
// floor measured cold in the same run), next page with its text layer, annotation stroke from one
// side to the other, upload→viewable for a 10 MB PDF, DOCX conversion.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { docx, textPdf } from './doc-fixtures';
import { percentile, progress, report } from './report';
import { startBackend, startPostgres } from './services';

const ROOT = path.resolve(__dirname, '../../../..');
const DESK = path.join(ROOT, 'dist/frontend/desk/browser/index.html');
const PDFJS = path.join(ROOT, 'node_modules/pdfjs-dist/build');
const AGENT = { email: 'agent@demo.test', password: 'agent-demo-1' };
const OPENS = 8;
const PLAIN_RUNS = 8;
const PAGES = 20;
const NEXT_PAGES = 6;
const STROKES = 80;
const tid = (id: string) => `[data-testid="${id}"]`;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function missing(metric: string, unit: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(`${JSON.stringify({ metric, value: null, unit, error: message.split('\n')[0].slice(0, 300) })}\n`);
}

function stats(xs: number[]): { p50: number; p95: number; p99: number; n: number } {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), n: s.length };
}

function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
  });
}

async function party(browser: Browser): Promise<Page> {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => progress(`doc: page error on ${page.url()}: ${(e as Error).message}`));
  return page;
}

/** The agent signs in and invites; the customer joins with the code; both open the Documents mode. */
async function connect(url: string, agent: Page, customer: Page): Promise<void> {
  await agent.goto(`${url}/login`, { waitUntil: 'load' });
  await agent.locator(tid('login-email')).fill(AGENT.email);
  await agent.locator(tid('login-password')).fill(AGENT.password);
  await agent.locator(tid('login-submit')).click();
  await agent.waitForFunction(() => !location.pathname.startsWith('/login'));
  await agent.locator(tid('invite')).click();
  await agent.waitForSelector(tid('invite-code'));
  const code = (await agent.$eval(tid('invite-code'), (e) => e.textContent ?? '')).replace(/\D/g, '');
  await customer.goto(`${url}/join`, { waitUntil: 'load' });
  await customer.locator(tid('join-code')).fill(code);
  await customer.locator(tid('join-submit')).click();
  await customer.waitForSelector(tid('chat-input'));
  await agent.waitForFunction((sel: string) => [...document.querySelectorAll(sel)].some((e) => (e.textContent ?? '').includes('Active')), {}, tid('engagement-item'));
  await agent.locator(tid('engagement-item')).click();
  for (const p of [agent, customer]) {
    await p.locator(tid('mode-tab-documents')).click();
    await p.waitForSelector(tid('doc-room'), { visible: true });
  }
}

async function uploadThroughInput(page: Page, dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const file = path.join(mkdtempSync(path.join(dir, 'u-')), name);
  writeFileSync(file, bytes);
  const input = (await page.waitForSelector(`input${tid('doc-upload-input')}`)) as ElementHandle<HTMLInputElement>;
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && /\/documents$/.test(r.url()), { timeout: 120_000 });
  await input.uploadFile(file);
  const res = await answered;
  if (!res.ok()) throw new Error(`upload ${name}: ${res.status()} ${await res.text()}`);
}

function waitReady(page: Page, name: string, timeout = 120_000): Promise<unknown> {
  return page.waitForFunction(
    (n: string) => [...document.querySelectorAll<HTMLElement>('[data-testid="doc-list-item"]')].some((e) => e.dataset['status'] === 'ready' && e.querySelector('[data-testid="doc-name"]')?.textContent?.trim() === n),
    { timeout, polling: 20 },
    name,
  );
}

/** Clicks a document in the list and times (in the page) page 1 visible, its canvas, its text layer. */
function openAndTime(page: Page, name: string): Promise<{ visible: number | null; canvas: number | null; text: number | null }> {
  return page.evaluate(async (n: string) => {
    const btn = document.querySelector<HTMLButtonElement>(`[data-testid="doc-list-item"] button[data-name="${n}"]`);
    if (!btn) throw new Error(`no list item ${n}`);
    const t0 = performance.now();
    btn.click();
    const out = { visible: null as number | null, canvas: null as number | null, text: null as number | null };
    while (performance.now() - t0 < 20_000) {
      await new Promise((r) => {
        requestAnimationFrame(r);
        setTimeout(r, 20);
      });
      if (document.querySelector('[data-testid="doc-open-name"]')?.textContent?.trim() !== n) continue;
      const el = document.querySelector<HTMLElement>('[data-testid="doc-page-1"]');
      if (!el) continue;
      const img = el.querySelector<HTMLImageElement>('img.doc-placeholder');
      const cv = el.querySelector('canvas.doc-canvas');
      const t = performance.now() - t0;
      if (out.visible === null && (cv || (img && img.complete && img.naturalWidth > 0))) out.visible = t;
      if (out.canvas === null && cv) out.canvas = t;
      if (out.text === null && el.dataset['text']) out.text = t;
      if (out.text !== null) break;
    }
    return out;
  }, name);
}

/** Next page (button) until its canvas and text layer are there, timed in the page. */
function nextPageTime(page: Page, n: number): Promise<number | null> {
  return page.evaluate(async (target: number) => {
    const t0 = performance.now();
    document.querySelector<HTMLButtonElement>('[data-testid="doc-next"]')!.click();
    while (performance.now() - t0 < 10_000) {
      const el = document.querySelector<HTMLElement>(`[data-testid="doc-page-${target}"]`);
      if (el?.dataset['text'] && el.querySelector('canvas.doc-canvas')) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 1));
    }
    return null;
  }, n);
}

/** A bare page with pdf.js only: the floor, cold (fresh context: worker and caches start from nothing). */
async function plainServer(pdfs: Map<string, Uint8Array>): Promise<{ server: Server; origin: string }> {
  const html = `<!doctype html><meta charset="utf-8"><body><script type="module">
    import * as pdfjs from '/pdf.min.mjs';
    pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.min.mjs';
    window.run = async (url, withText, next) => {
      const t0 = performance.now();
      const doc = await pdfjs.getDocument({ url }).promise;
      const draw = async (n) => {
        const page = await doc.getPage(n);
        const viewport = page.getViewport({ scale: 1.5 });
        const canvas = document.createElement('canvas');
        canvas.width = viewport.width; canvas.height = viewport.height;
        document.body.append(canvas);
        await page.render({ canvas, viewport }).promise;
        if (withText) {
          const div = document.createElement('div');
          document.body.append(div);
          await new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: div, viewport }).render();
        }
      };
      await draw(1);
      const first = performance.now() - t0;
      const later = [];
      for (let n = 2; n <= next + 1; n++) { const t = performance.now(); await draw(n); later.push(performance.now() - t); }
      return { first, later };
    };
  </script>`;
  const server = createServer((req, res) => {
    const u = (req.url ?? '/').split('?')[0];
    const pdf = pdfs.get(u);
    if (u === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (u === '/pdf.min.mjs' || u === '/pdf.worker.min.mjs') res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(PDFJS, u.slice(1))));
    else if (pdf) res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.from(pdf));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return { server, origin: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` };
}

async function plainBaseline(browser: Browser, pdfs: Map<string, Uint8Array>): Promise<{ first: number[]; firstText: number[]; later: number[]; laterText: number[] }> {
  const { server, origin } = await plainServer(pdfs);
  const out = { first: [] as number[], firstText: [] as number[], later: [] as number[], laterText: [] as number[] };
  try {
    const names = [...pdfs.keys()];
    for (let i = 0; i < PLAIN_RUNS; i++) {
      for (const withText of [false, true]) {
        const ctx = await browser.createBrowserContext();
        const page = await ctx.newPage();
        await page.setViewport({ width: 1280, height: 900 });
        await page.goto(origin, { waitUntil: 'load' });
        await page.waitForFunction(() => typeof (window as unknown as { run?: unknown }).run === 'function');
        const r = await page.evaluate((url: string, t: boolean, n: number) => (window as unknown as { run: (u: string, t: boolean, n: number) => Promise<{ first: number; later: number[] }> }).run(url, t, n), names[i % names.length], withText, NEXT_PAGES);
        (withText ? out.firstText : out.first).push(r.first);
        (withText ? out.laterText : out.later).push(...r.later);
        await ctx.close();
      }
    }
  } finally {
    server.close();
  }
  return out;
}

export async function benchDoc(): Promise<void> {
  if (!existsSync(DESK)) {
    for (const m of ['doc.first_page_ms', 'doc.next_page_ms', 'doc.annotation_sync_ms.p99', 'doc.upload_to_view_10mb_ms', 'doc.docx_convert_ms']) missing(m, 'ms', 'the desk is not built: run `npx nx run desk:build` first');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'engage-bench-doc-'));
  const pg = await startPostgres();
  const backend = await startBackend({ DATABASE_URL: pg.url, SEED_DEMO: 'true' });
  const browser = await launch();
  try {
    progress(`doc: backend ${backend.url}`);
    const agent = await party(browser);
    const customer = await party(browser);
    await connect(backend.url, agent, customer);
    progress('doc: agent and customer in the room');

    // Documents to open: 20-page text PDFs, each new to the viewer (its pdf.js document is cold).
    const pdfs = new Map<string, Uint8Array>();
    for (let i = 0; i < OPENS; i++) pdfs.set(`/statement-${i}.pdf`, await textPdf(PAGES, `Statement ${i}`));
    for (const [file, bytes] of pdfs) {
      await uploadThroughInput(agent, dir, file.slice(1), bytes);
      await waitReady(agent, file.slice(1));
    }
    progress(`doc: ${pdfs.size} statements uploaded`);

    // First page after opening, and later pages with their text layer (the agent opens, presenting).
    const firstVisible: number[] = [];
    const firstCanvas: number[] = [];
    const firstText: number[] = [];
    const next: number[] = [];
    for (const file of pdfs.keys()) {
      const r = await openAndTime(agent, file.slice(1));
      if (r.visible !== null) firstVisible.push(r.visible);
      if (r.canvas !== null) firstCanvas.push(r.canvas);
      if (r.text !== null) firstText.push(r.text);
      for (let n = 2; n <= NEXT_PAGES + 1; n++) {
        const t = await nextPageTime(agent, n);
        if (t !== null) next.push(t);
        await sleep(50);
      }
    }
    progress('doc: opened in the viewer; plain pdf.js floor next');
    const plain = await plainBaseline(browser, pdfs);
    const fv = stats(firstVisible);
    const fc = stats(firstCanvas);
    const ft = stats(firstText);
    const pf = stats(plain.first);
    const pft = stats(plain.firstText);
    report('doc.first_page_ms', fv.p50, 'ms', { p95: fv.p95, n: fv.n, target: 150, canvas_p50: fc.p50, canvas_p95: fc.p95, with_text_p50: ft.p50, baseline_plain_p50: pf.p50, baseline_plain_p95: pf.p95, baseline_plain_text_p50: pft.p50 });
    report('doc.baseline_plain_first_page_ms', pf.p50, 'ms', { p95: pf.p95, n: pf.n, with_text_p50: pft.p50, with_text_p95: pft.p95, note: 'plain pdfjs-dist getDocument→page 1 canvas at scale 1.5, cold context' });
    const nx = stats(next);
    const pl = stats(plain.later);
    const plt = stats(plain.laterText);
    report('doc.next_page_ms', nx.p50, 'ms', { p95: nx.p95, n: nx.n, target: 50, with_text: true, baseline_plain_p50: pl.p50, baseline_plain_text_p50: plt.p50 });

    progress('doc: annotation strokes');
    // Annotation stroke from the agent to the customer (both show the last statement, page 1).
    await agent.locator(tid('doc-zoom-fit')).click();
    await agent.locator(tid('doc-tool-pen')).click();
    await agent.$eval(tid('doc-page-1'), (e) => e.scrollIntoView());
    await customer.waitForSelector(tid('doc-ink-1'));
    await customer.evaluate(() => {
      const seen = new Map<string, number>();
      (window as unknown as { __strokes: Map<string, number> }).__strokes = seen;
      new MutationObserver(() => {
        const t = performance.timeOrigin + performance.now();
        for (const p of document.querySelectorAll('[data-testid="doc-live-stroke"], [data-testid="doc-annotation"]')) {
          const id = p.getAttribute('data-ann-id');
          if (id && !seen.has(id)) seen.set(id, t);
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const box = (await (await agent.$(tid('doc-ink-1')))!.boundingBox())!;
    const sent: number[] = [];
    for (let i = 0; i < STROKES; i++) {
      const y = box.y + Math.min(box.height - 20, 60 + (i % 30) * 12);
      const x = box.x + 40 + Math.floor(i / 30) * 150;
      await agent.mouse.move(x, y);
      await agent.mouse.down();
      await sleep(20);
      sent.push(now());
      await agent.mouse.move(x + 30, y + 4);
      await sleep(30);
      await agent.mouse.move(x + 60, y - 2);
      await sleep(30);
      await agent.mouse.up();
      await sleep(60);
    }
    await sleep(500);
    const shown = (await customer.evaluate(() => [...(window as unknown as { __strokes: Map<string, number> }).__strokes.values()])) as number[];
    const lat = shown.slice(-STROKES).map((t, i) => t - sent[i]).filter((x) => Number.isFinite(x));
    const ls = stats(lat);
    if (shown.length < STROKES) missing('doc.annotation_sync_ms.p99', 'ms', `only ${shown.length} of ${STROKES} strokes reached the customer`);
    else report('doc.annotation_sync_ms.p99', ls.p99, 'ms', { p50: ls.p50, p95: ls.p95, n: ls.n, target: 30 });
    await agent.locator(tid('doc-tool-pen')).click();

    progress('doc: 10 MB upload');
    // Upload → viewable on the other side, 10 MB PDF.
    try {
      const big = await textPdf(PAGES, 'Big', 10 * 1024 * 1024);
      const t0 = now();
      await uploadThroughInput(agent, dir, 'big.pdf', big);
      await customer.waitForFunction(
        () => {
          if (document.querySelector('[data-testid="doc-open-name"]')?.textContent?.trim() !== 'big.pdf') return false;
          const el = document.querySelector('[data-testid="doc-page-1"]');
          const img = el?.querySelector<HTMLImageElement>('img.doc-placeholder');
          return !!el?.querySelector('canvas.doc-canvas') || !!(img && img.complete && img.naturalWidth > 0);
        },
        { timeout: 120_000, polling: 'raf' },
      );
      report('doc.upload_to_view_10mb_ms', now() - t0, 'ms', { bytes: big.length, seen_by: 'customer' });
    } catch (err) {
      missing('doc.upload_to_view_10mb_ms', 'ms', err);
    }

    // DOCX → PDF with LibreOffice, upload until ready.
    try {
      const t0 = now();
      await uploadThroughInput(agent, dir, 'letter.docx', docx());
      await waitReady(agent, 'letter.docx', 180_000);
      report('doc.docx_convert_ms', now() - t0, 'ms', { includes: 'upload + conversion until the room lists it ready' });
    } catch (err) {
      missing('doc.docx_convert_ms', 'ms', err);
    }
  } finally {
    await browser.close().catch(() => undefined);
    await backend.stop();
    await pg.stop();
  }
}
