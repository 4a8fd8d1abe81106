import { execFileSync } from 'node:child_process';
import { PDFDocument } from 'pdf-lib';
import type { Browser, Page } from 'puppeteer-core';
import { seriousA11yViolations } from './support/axe';
import { launchChromium, openParty, screenshot } from './support/browser';
import { DEMO_SUPERVISOR, loginToDesk, tid, waitForText } from './support/desk';
import {
  annotationIds,
  docx,
  dragViewer,
  drawOnPage,
  fileOnDisk,
  FORM,
  formPdf,
  openDocuments,
  png,
  recordWebm,
  sha256,
  signOnPad,
  spoofedHtml,
  textPdf,
  uploadFile,
  viewerScroll,
  waitForDocument,
  waitForPage,
} from './support/documents';
import { connectByInvitation } from './support/flows';
import { startPlatform, type Platform } from './support/platform';

/** The bytes behind a link of the page (signed content URL), fetched by the page itself. */
async function fetchBytes(page: Page, href: string): Promise<Buffer> {
  const b64 = await page.evaluate(async (url: string) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    const buf = new Uint8Array(await res.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return btoa(s);
  }, href);
  return Buffer.from(b64, 'base64');
}

/** A page of a PDF as RGB pixels (pdftoppm, 40 dpi unless said). */
function rasterize(pdf: Buffer, pageNo = 1, dpi = 40): { w: number; h: number; at: (x: number, y: number) => [number, number, number] } {
  const ppm = execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(pageNo), '-l', String(pageNo), fileOnDisk('r.pdf', pdf)], { maxBuffer: 64 * 1024 * 1024 });
  // P6\n<w> <h>\n255\n<rgb…>
  const header = ppm.subarray(0, 32).toString('latin1').split(/\s+/);
  const w = Number(header[1]);
  const h = Number(header[2]);
  const offset = ppm.length - w * h * 3;
  return { w, h, at: (x, y) => { const i = offset + (Math.floor(y * h) * w + Math.floor(x * w)) * 3; return [ppm[i], ppm[i + 1], ppm[i + 2]]; } };
}

/** Whether some pixel along the segment from a to b (normalized) is clearly coloured (not white/grey). */
function inkAlong(r: ReturnType<typeof rasterize>, a: [number, number], b: [number, number]): boolean {
  for (let t = 0; t <= 1; t += 0.02) {
    const [R, G, B] = r.at(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t);
    if (Math.max(R, G, B) - Math.min(R, G, B) > 60) return true;
  }
  return false;
}

/** How many pixels inside a normalized rectangle are dark (a drawn signature's ink: navy on paper). */
function darkPixels(r: ReturnType<typeof rasterize>, rect: { x: number; y: number; w: number; h: number }): number {
  let n = 0;
  for (let py = Math.ceil(rect.y * r.h); py < (rect.y + rect.h) * r.h; py++)
    for (let px = Math.ceil(rect.x * r.w); px < (rect.x + rect.w) * r.w; px++) {
      const [R, G, B] = r.at(px / r.w, py / r.h);
      if (Math.max(R, G, B) < 110) n++;
    }
  return n;
}

/** The signed copy the customer's room links to once signing is done (the link of this document). */
async function signedCopy(customer: Page, name: string): Promise<Buffer> {
  await waitForText(customer, 'doc-export-link', `${name} (signed)`, 30_000);
  return fetchBytes(customer, await customer.$eval(tid('doc-export-link'), (a) => (a as HTMLAnchorElement).href));
}

/** Marks in the empty right margin of the form (fields end at 0.69 of the width). */
const AGENT_STROKE: Array<[number, number]> = [[0.74, 0.12], [0.8, 0.15], [0.86, 0.11], [0.94, 0.16]];
const CUSTOMER_RECT: Array<[number, number]> = [[0.74, 0.2], [0.95, 0.3]];
const AGENT_ELLIPSE: Array<[number, number]> = [[0.74, 0.46], [0.95, 0.56]];
const CUSTOMER_ARROW: Array<[number, number]> = [[0.75, 0.62], [0.93, 0.7]];
const SECRET = 'DE89370400440532013000';

async function fieldValue(page: Page, name: string): Promise<string> {
  return page.$eval(tid(`doc-field-${name}`), (e) => (e instanceof HTMLInputElement || e instanceof HTMLSelectElement ? e.value : (e.textContent ?? '').trim()));
}

describe('document room: view, mark up, fill, sign and save together', () => {
  let platform: Platform;
  let browser: Browser;
  let agent: Page;
  let customer: Page;

  beforeAll(async () => {
    platform = await startPlatform({});
    browser = await launchChromium({ fakeMedia: true });
    agent = (await openParty(browser)).page;
    customer = (await openParty(browser)).page;
    agent.on('pageerror', (e) => console.error('[agent page]', String(e)));
    customer.on('pageerror', (e) => console.error('[customer page]', String(e)));
    await connectByInvitation(platform, agent, customer);
    await openDocuments(agent);
    await openDocuments(customer);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('agent uploads a PDF form; the customer sees the same page; both draw; the customer fills (one field customer-only) and signs; the signed PDF verifies', async () => {
    await waitForText(agent, 'doc-empty', 'No documents yet');
    const form = await formPdf();
    await uploadFile(agent, 'form.pdf', form);
    await waitForDocument(agent, 'form.pdf');
    // The agent presents: the customer's room opens the same document on the same page.
    await waitForText(customer, 'doc-open-name', 'form.pdf');
    await Promise.all([waitForPage(agent, 1, { text: true }), waitForPage(customer, 1, { text: true })]);
    await waitForText(customer, 'doc-following', 'Following the agent');
    expect(await customer.$eval(tid('doc-page-1'), (e) => e.querySelector('.textLayer')?.textContent ?? '')).toContain('Account opening form');

    // The agent makes the IBAN customer-only.
    await agent.locator(`${tid('doc-field-policy')} summary`).click();
    await agent.locator(tid(`doc-policy-customer-${FORM.iban}`)).click();
    await agent.waitForFunction((sel: string) => !(document.querySelector(sel) instanceof HTMLInputElement), {}, tid(`doc-field-${FORM.iban}`));

    // Both draw; each stroke appears on the other side.
    await agent.locator(tid('doc-tool-pen')).click();
    await drawOnPage(agent, 1, AGENT_STROKE);
    await customer.waitForSelector(`${tid('doc-annotation')}[data-author="agent"]`);
    await customer.locator(tid('doc-tool-rect')).click();
    await drawOnPage(customer, 1, CUSTOMER_RECT);
    await agent.waitForSelector(`${tid('doc-annotation')}[data-author="customer"][data-tool="rect"]`);
    // Undo removes the customer's rectangle on both sides; redo brings the same mark back.
    const rectId = await agent.$eval(`${tid('doc-annotation')}[data-tool="rect"]`, (e) => e.getAttribute('data-ann-id'));
    await customer.locator(tid('doc-undo')).click();
    await agent.waitForFunction((id: string) => !document.querySelector(`[data-ann-id="${id}"]`), {}, rectId!);
    await customer.locator(tid('doc-redo')).click();
    await agent.waitForSelector(`[data-ann-id="${rectId}"]`);
    await customer.locator(tid('doc-tool-rect')).click(); // tool off: the fields take clicks again
    // An ellipse from the agent and an arrow from the customer: each shows on the other side as drawn.
    await agent.locator(tid('doc-tool-ellipse')).click();
    await drawOnPage(agent, 1, AGENT_ELLIPSE);
    await agent.locator(tid('doc-tool-ellipse')).click();
    await customer.locator(tid('doc-tool-arrow')).click();
    await drawOnPage(customer, 1, CUSTOMER_ARROW);
    await customer.locator(tid('doc-tool-arrow')).click();
    await customer.waitForSelector(`${tid('doc-annotation')}[data-author="agent"][data-tool="ellipse"] ellipse`);
    await agent.waitForSelector(`${tid('doc-annotation')}[data-author="customer"][data-tool="arrow"] path`);
    const ellipse = await customer.$eval(`${tid('doc-annotation')}[data-tool="ellipse"] ellipse`, (e) => ['cx', 'cy', 'rx', 'ry'].map((a) => Number(e.getAttribute(a))));
    // Page units of the form (595 × 842 points): centre and radii of the box the agent dragged.
    const expected = [0.845 * 595.28, 0.51 * 841.89, 0.105 * 595.28, 0.05 * 841.89];
    ellipse.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(3));
    // A text note reaches the other side; the eraser removes a highlighter stroke on both sides.
    await agent.locator(tid('doc-tool-text')).click();
    await drawOnPage(agent, 1, [[0.74, 0.34]]);
    await agent.locator(tid('doc-note-input')).fill('Check this');
    await agent.keyboard.press('Enter');
    await waitForText(customer, 'doc-annotation', 'Check this');
    await agent.locator(tid('doc-tool-highlighter')).click();
    await drawOnPage(agent, 1, [[0.74, 0.4], [0.84, 0.4], [0.94, 0.4]]);
    const marker = (await customer.waitForSelector(`${tid('doc-annotation')}[data-tool="highlighter"]`))!;
    const markerId = await marker.evaluate((e) => e.getAttribute('data-ann-id'));
    await agent.locator(tid('doc-tool-eraser')).click();
    const mb = (await (await agent.$(`[data-ann-id="${markerId}"]`))!.boundingBox())!;
    await agent.mouse.click(mb.x + mb.width / 2, mb.y + mb.height / 2);
    await customer.waitForFunction((id: string) => !document.querySelector(`[data-ann-id="${id}"]`), {}, markerId!);
    await agent.locator(tid('doc-tool-eraser')).click();
    expect((await annotationIds(agent)).sort()).toEqual((await annotationIds(customer)).sort());

    // The customer fills the form; the agent sees the values live, except the customer-only IBAN.
    await customer.locator(tid(`doc-field-${FORM.name}`)).fill('Ada Lovelace');
    await customer.locator(tid(`doc-field-${FORM.iban}`)).fill(SECRET);
    await customer.locator(tid(`doc-field-${FORM.agree}`)).click();
    await customer.locator(tid(`doc-field-${FORM.plan}-premium`)).click();
    await customer.select(tid(`doc-field-${FORM.country}`), 'France');
    await agent.waitForFunction((sel: string) => (document.querySelector(sel) as HTMLInputElement | null)?.value === 'Ada Lovelace', {}, tid(`doc-field-${FORM.name}`));
    await waitForText(agent, `doc-field-${FORM.iban}`, 'Filled by the customer');
    await agent.waitForFunction((sel: string) => (document.querySelector(sel) as HTMLSelectElement | null)?.value === 'France', {}, tid(`doc-field-${FORM.country}`));
    expect(await fieldValue(agent, FORM.country)).toBe('France');
    expect(await agent.evaluate(() => document.documentElement.outerHTML)).not.toContain(SECRET);
    expect(await agent.evaluate((s: string) => [...document.querySelectorAll('input, textarea')].some((e) => (e as HTMLInputElement).value.includes(s)), SECRET)).toBe(false);

    // Typing into the form does not make the customer roam away from the presenter.
    await waitForText(customer, 'doc-following', 'Following the agent');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    expect(await seriousA11yViolations(customer)).toEqual([]);
    for (const p of [agent, customer]) await p.$eval(tid('doc-room'), (e) => e.scrollIntoView());
    await screenshot(agent, 'documents-desk');
    await screenshot(customer, 'documents-join');

    // Complete & sign: a drawn signature into the signature field, then the signed copy.
    await customer.locator(tid('doc-sign')).click();
    await signOnPad(customer);
    const link = (await customer.waitForSelector(tid('doc-export-link'), { timeout: 30_000 }))!;
    const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
    await agent.waitForSelector(`${tid('doc-list-item')}[data-origin="signed"]`);

    const signed = await fetchBytes(customer, href);
    // Values in (flattened: no fields left), the signature embedded, annotations burnt in.
    const text = execFileSync('pdftotext', ['-layout', fileOnDisk('signed.pdf', signed), '-']).toString();
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('France');
    const loaded = await PDFDocument.load(signed);
    expect(loaded.getForm().getFields()).toHaveLength(0);
    const images = execFileSync('pdfimages', ['-list', '-f', '1', '-l', '1', fileOnDisk('signed.pdf', signed)]).toString().trim().split('\n').slice(2);
    expect(images.length).toBeGreaterThanOrEqual(1);
    const page1 = rasterize(signed, 1);
    expect(inkAlong(page1, AGENT_STROKE[0], AGENT_STROKE[3])).toBe(true);
    expect(inkAlong(page1, CUSTOMER_RECT[0], [CUSTOMER_RECT[1][0], CUSTOMER_RECT[0][1]])).toBe(true);
    // The ellipse: across its top and its left end; not through its empty middle. The arrow: along its shaft.
    const [[ex1, ey1], [ex2, ey2]] = AGENT_ELLIPSE;
    const [ecx, ecy] = [(ex1 + ex2) / 2, (ey1 + ey2) / 2];
    expect(inkAlong(page1, [ecx, ey1 - 0.015], [ecx, ey1 + 0.015])).toBe(true);
    expect(inkAlong(page1, [ex1 - 0.015, ecy], [ex1 + 0.015, ecy])).toBe(true);
    expect(inkAlong(page1, [ecx - 0.03, ecy], [ecx + 0.03, ecy])).toBe(false);
    expect(inkAlong(page1, CUSTOMER_ARROW[0], CUSTOMER_ARROW[1])).toBe(true);
    const original1 = rasterize(Buffer.from(form), 1);
    expect(inkAlong(original1, [ecx, ey1 - 0.015], [ecx, ey1 + 0.015]) || inkAlong(original1, CUSTOMER_ARROW[0], CUSTOMER_ARROW[1])).toBe(false);
    expect(inkAlong(rasterize(Buffer.from(form), 1), AGENT_STROKE[0], AGENT_STROKE[3])).toBe(false);
    // The audit page: SHA-256 before = the uploaded bytes; after = the first n bytes of this file.
    const before = /SHA-256 before[^\n]*\n\s*([0-9a-f]{64})/.exec(text);
    const after = /first (\d+) bytes[^\n]*\n\s*([0-9a-f]{64})/.exec(text);
    expect(before?.[1]).toBe(sha256(form));
    expect(after).not.toBeNull();
    expect(sha256(signed.subarray(0, Number(after![1])))).toBe(after![2]);
  });

  it('a supervisor watches the room read-only: every mark (late joiner), the values but not the customer-only one, no upload, no tools, nothing editable', async () => {
    const supervisor = (await openParty(browser)).page;
    supervisor.on('pageerror', (e) => console.error('[supervisor page]', String(e)));
    await loginToDesk(supervisor, platform.url, DEMO_SUPERVISOR);
    await supervisor.goto(`${platform.url}/desk/supervise`, { waitUntil: 'load' });
    await supervisor.locator(tid('live-item')).click();
    // The engagement is in document mode: the watch pane shows the room by itself, following the presenter.
    await supervisor.waitForSelector(`${tid('watch-documents-panel')} ${tid('doc-room')}`, { visible: true });
    await waitForText(supervisor, 'doc-open-name', 'form.pdf');
    await waitForPage(supervisor, 1);
    await waitForText(supervisor, 'doc-following', 'Following the agent');
    // Joining late, it loads every persisted mark, the ellipse and the arrow among them.
    const expected = (await annotationIds(agent)).sort();
    await supervisor.waitForFunction((n: number) => document.querySelectorAll('[data-testid="doc-annotation"]').length === n, {}, expected.length);
    expect((await annotationIds(supervisor)).sort()).toEqual(expected);
    expect(await supervisor.$$eval(tid('doc-annotation'), (els) => els.map((e) => e.getAttribute('data-tool')).sort())).toEqual(expect.arrayContaining(['arrow', 'ellipse', 'pen', 'rect', 'text']));
    await supervisor.waitForSelector(tid('doc-signature'));
    // Read-only: no upload, no tools, no presenting, no export or signing, no calculator keys; fields disabled.
    for (const id of ['doc-upload-input', 'doc-tool-pen', 'doc-tool-ellipse', 'doc-undo', 'doc-present', 'doc-export', 'doc-sign', 'doc-calc-toggle', 'doc-field-policy']) {
      expect([id, await supervisor.$(tid(id))]).toEqual([id, null]);
    }
    expect(await fieldValue(supervisor, FORM.name)).toBe('Ada Lovelace');
    // Every field control on the page (text, check box, radios, list) is there and disabled.
    const controls = await supervisor.$$eval('.doc-field', (els) => els.filter((e) => e.matches('input, select, textarea, button')).map((e) => [e.getAttribute('data-testid'), (e as HTMLInputElement).disabled]));
    expect(controls.map(([id]) => id).sort()).toEqual([`doc-field-${FORM.agree}`, `doc-field-${FORM.country}`, `doc-field-${FORM.name}`, `doc-field-${FORM.plan}-basic`, `doc-field-${FORM.plan}-premium`].sort());
    expect(controls.every(([, disabled]) => disabled === true)).toBe(true);
    await waitForText(supervisor, `doc-field-${FORM.iban}`, 'Filled by the customer');
    expect(await supervisor.evaluate(() => document.documentElement.outerHTML)).not.toContain(SECRET);
    // A drawing tool picked on the page is not there to pick; a click on the page draws nothing.
    const before = (await annotationIds(supervisor)).length;
    await drawOnPage(supervisor, 1, [[0.75, 0.8], [0.9, 0.85]]);
    // Live: a new mark of the agent reaches the supervisor too.
    await agent.locator(tid('doc-tool-pen')).click();
    await drawOnPage(agent, 1, [[0.75, 0.76], [0.85, 0.78], [0.93, 0.75]]);
    await agent.locator(tid('doc-tool-pen')).click();
    await supervisor.waitForFunction((n: number) => document.querySelectorAll('[data-testid="doc-annotation"]').length === n, {}, before + 1);
    expect((await annotationIds(supervisor)).sort()).toEqual((await annotationIds(agent)).sort());
    expect(await seriousA11yViolations(supervisor)).toEqual([]);
    await supervisor.$eval(tid('doc-room'), (e) => e.scrollIntoView());
    await screenshot(supervisor, 'documents-supervisor');
    // The pane's Documents button hides and shows the room again.
    await supervisor.locator(tid('watch-documents')).click();
    await supervisor.waitForSelector(tid('watch-documents-panel'), { hidden: true });
    await supervisor.locator(tid('watch-documents')).click();
    await supervisor.waitForSelector(`${tid('watch-documents-panel')} ${tid('doc-room')}`, { visible: true });
    await supervisor.browserContext().close();
  });

  it('the customer signs on a chosen spot of a PDF without a signature field, and of an image; each signed copy shows the signature there and has its audit page', async () => {
    // A PDF without fields: the signature goes where the customer clicks (right half, middle of the page).
    const statement = await textPdf(1, { label: 'Statement' });
    await uploadFile(agent, 'statement.pdf', statement);
    await waitForText(customer, 'doc-open-name', 'statement.pdf');
    await waitForPage(customer, 1);
    await customer.locator(tid('doc-sign')).click();
    await signOnPad(customer);
    await waitForText(customer, 'doc-place-hint', 'Click on the page where your signature goes');
    await drawOnPage(customer, 1, [[0.8, 0.5]]);
    await customer.waitForSelector(`${tid('doc-page-1')} ${tid('doc-signature')}`);
    const pdfSpot = { x: 0.65, y: 0.465, w: 0.3, h: 0.07 };
    const signedPdf = await signedCopy(customer, 'statement');
    expect(darkPixels(rasterize(signedPdf, 1, 100), pdfSpot)).toBeGreaterThan(20);
    expect(darkPixels(rasterize(Buffer.from(statement), 1, 100), pdfSpot)).toBe(0);
    // Elsewhere on the page (left of the spot, under the text) the copy is what the original was.
    const text = execFileSync('pdftotext', ['-layout', fileOnDisk('statement-signed.pdf', signedPdf), '-']).toString();
    expect(text).toContain('Signature audit page');
    expect(/SHA-256 before[^\n]*\n\s*([0-9a-f]{64})/.exec(text)?.[1]).toBe(sha256(statement));
    expect(execFileSync('pdfinfo', [fileOnDisk('statement-signed.pdf', signedPdf)]).toString()).toMatch(/Pages:\s+2\b/);

    // An image (a colour gradient, no dark pixel anywhere): signed in its middle.
    await uploadFile(agent, 'id-card.png', png(900, 600));
    await waitForText(customer, 'doc-open-name', 'id-card.png');
    await customer.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLImageElement | null)?.naturalWidth ?? 0) === 900, {}, tid('doc-image'));
    expect(await customer.$(tid('doc-export-link'))).toBeNull();
    await customer.locator(tid('doc-sign')).click();
    await signOnPad(customer);
    await waitForText(customer, 'doc-place-hint', 'Click on the page where your signature goes');
    await drawOnPage(customer, 1, [[0.5, 0.5]]);
    await customer.waitForSelector(`${tid('doc-page-1')} ${tid('doc-signature')}`);
    await screenshot(customer, 'documents-signed-image');
    const signedImage = await signedCopy(customer, 'id-card');
    const img = rasterize(signedImage, 1, 100);
    expect(darkPixels(img, { x: 0.35, y: 0.425, w: 0.3, h: 0.15 })).toBeGreaterThan(20);
    expect(darkPixels(img, { x: 0, y: 0, w: 0.3, h: 1 }) + darkPixels(img, { x: 0.7, y: 0, w: 0.3, h: 1 })).toBe(0);
    const imgText = execFileSync('pdftotext', ['-layout', fileOnDisk('id-card-signed.pdf', signedImage), '-']).toString();
    expect(imgText).toContain('Signature audit page');
    expect(execFileSync('pdfinfo', [fileOnDisk('id-card-signed.pdf', signedImage)]).toString()).toMatch(/Pages:\s+2\b/);
  });

  it('an image and a DOCX are shared and viewed on both sides', async () => {
    await uploadFile(agent, 'photo.png', png(320, 200));
    await waitForDocument(customer, 'photo.png');
    await waitForText(customer, 'doc-open-name', 'photo.png');
    await customer.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLImageElement | null)?.naturalWidth ?? 0) === 320, {}, tid('doc-image'));
    // Zoom and pan: the agent zooms in and drags the picture; the customer follows; then roams by hand and by keys.
    for (let i = 0; i < 3; i++) await agent.locator(tid('doc-zoom-in')).click();
    await waitForText(customer, 'doc-zoom', '195 %');
    await agent.waitForFunction(() => {
      const s = document.querySelector<HTMLElement>('[data-testid="doc-scroller"]')!;
      return s.scrollWidth > s.clientWidth + 200 && s.scrollHeight > s.clientHeight + 150;
    });
    await dragViewer(agent, -200, -150);
    const panned = await viewerScroll(agent);
    expect(panned.left).toBeGreaterThanOrEqual(190);
    expect(panned.top).toBeGreaterThanOrEqual(140);
    await customer.waitForFunction(
      (l: number, t: number) => {
        const s = document.querySelector<HTMLElement>('[data-testid="doc-scroller"]')!;
        return Math.abs(s.scrollLeft / (s.scrollWidth - s.clientWidth) - l) < 0.02 && Math.abs(s.scrollTop / (s.scrollHeight - s.clientHeight) - t) < 0.02;
      },
      {},
      panned.left / panned.maxLeft,
      panned.top / panned.maxTop,
    );
    await waitForText(customer, 'doc-following', 'Following the agent');
    const c0 = await viewerScroll(customer);
    await dragViewer(customer, 100, 0);
    await waitForText(customer, 'doc-jump-back', 'Jump back');
    const c1 = await viewerScroll(customer);
    expect(c1.left).toBeCloseTo(c0.left - 100, -1);
    await customer.keyboard.press('ArrowDown');
    await customer.keyboard.press('ArrowRight');
    const c2 = await viewerScroll(customer);
    expect([c2.left - c1.left, c2.top - c1.top]).toEqual([40, 40]);
    expect((await viewerScroll(agent)).left).toBe(panned.left);
    await screenshot(customer, 'documents-image-pan');
    await customer.locator(tid('doc-jump-back')).click();
    await waitForText(customer, 'doc-following', 'Following the agent');
    await agent.locator(tid('doc-zoom-fit')).click();

    await uploadFile(agent, 'letter.docx', docx('Dear customer,\nyour contract is attached.'));
    // LibreOffice takes a few seconds: both sides see the conversion going on.
    await waitForText(customer, 'doc-converting', 'Converting…');
    await waitForDocument(agent, 'letter.docx', 90_000);
    await agent.locator(`${tid('doc-list-item')}[data-status="ready"] button[data-name="letter.docx"]`).click();
    await waitForText(customer, 'doc-open-name', 'letter.docx');
    await waitForPage(customer, 1, { text: true });
    expect(await customer.$eval(tid('doc-page-1'), (e) => e.querySelector('.textLayer')?.textContent ?? '')).toContain('your contract is attached');
  });

  it('a large upload shows its progress, then the bar goes away', async () => {
    const big = await textPdf(2, { label: 'Large', padBytes: 20 * 1024 * 1024 });
    // Loopback moves 20 MB in a blink: throttle the uploader to ~10 MB/s so the bar is seen moving.
    await agent.emulateNetworkConditions({ upload: 10 * 1024 * 1024, latency: 0 });
    try {
      const upload = uploadFile(agent, 'large.pdf', big);
      const seen = await agent.waitForFunction(
        (sel: string) => {
          const p = document.querySelector<HTMLProgressElement>(sel);
          return p && p.value > 0 && p.value < 100 ? p.value : false;
        },
        { timeout: 20_000 },
        tid('doc-upload-progress'),
      );
      expect(await seen.jsonValue()).toBeGreaterThan(0);
      await waitForText(agent, 'doc-status', 'Uploading large.pdf');
      await screenshot(agent, 'documents-upload-progress');
      await upload;
    } finally {
      await agent.emulateNetworkConditions(null);
    }
    await agent.waitForSelector(tid('doc-upload-progress'), { hidden: true });
    expect(await agent.$eval(tid('doc-status'), (e) => (e.textContent ?? '').trim())).toBe('');
    await waitForDocument(customer, 'large.pdf');
  });

  it('a video plays, pauses and seeks in sync', async () => {
    const clip = await recordWebm(agent, 4);
    await uploadFile(agent, 'clip.webm', clip);
    await waitForDocument(customer, 'clip.webm');
    await agent.locator(`button[data-name="clip.webm"]`).click();
    await waitForText(customer, 'doc-open-name', 'clip.webm');
    const ready = (p: Page) => p.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLVideoElement | null)?.readyState ?? 0) >= 3, {}, tid('doc-video'));
    await Promise.all([ready(agent), ready(customer)]);
    await agent.$eval(tid('doc-video'), (v) => (v as HTMLVideoElement).play());
    await customer.waitForFunction((sel: string) => !(document.querySelector(sel) as HTMLVideoElement).paused, {}, tid('doc-video'));
    await agent.$eval(tid('doc-video'), (v) => {
      (v as HTMLVideoElement).pause();
      (v as HTMLVideoElement).currentTime = 2;
    });
    await customer.waitForFunction((sel: string) => {
      const v = document.querySelector(sel) as HTMLVideoElement;
      return v.paused && Math.abs(v.currentTime - 2) < 0.1;
    }, {}, tid('doc-video'));
    // The customer plays: the agent follows, and while both play they stay within 100 ms.
    await customer.$eval(tid('doc-video'), (v) => (v as HTMLVideoElement).play());
    await agent.waitForFunction((sel: string) => !(document.querySelector(sel) as HTMLVideoElement).paused, {}, tid('doc-video'));
    // The follower measures its drift from the shared state (server clock) and keeps it within 100 ms.
    await agent.waitForFunction((sel: string) => {
      const d = (document.querySelector(sel) as HTMLVideoElement).dataset['drift'];
      return d !== undefined && Math.abs(Number(d)) <= 100;
    }, {}, tid('doc-video'));
    await customer.$eval(tid('doc-video'), (v) => (v as HTMLVideoElement).pause());
    await agent.waitForFunction((sel: string) => (document.querySelector(sel) as HTMLVideoElement).paused, {}, tid('doc-video'));
    const [a, c] = await Promise.all([agent.$eval(tid('doc-video'), (v) => (v as HTMLVideoElement).currentTime), customer.$eval(tid('doc-video'), (v) => (v as HTMLVideoElement).currentTime)]);
    expect(Math.abs(a - c)).toBeLessThan(0.1);
  });

  it('the calculator is shared', async () => {
    await agent.locator(tid('doc-calc-toggle')).click();
    await customer.locator(tid('doc-calc-toggle')).click();
    await customer.locator(tid('doc-calc-input')).fill('12.5*(3+4)');
    await waitForText(agent, 'doc-calc-result', '87.5');
    await waitForText(agent, 'doc-calc-by', 'the customer');
    await agent.locator(tid('doc-calc-key-C')).click();
    await customer.waitForFunction((sel: string) => (document.querySelector(sel) as HTMLInputElement).value === '', {}, tid('doc-calc-input'));
  });

  it('a spoofed upload (HTML named .pdf) is refused with its reason, and nothing else breaks', async () => {
    await uploadFile(customer, 'invoice.pdf', spoofedHtml());
    await waitForText(customer, 'doc-error', 'unsupported_type');
    expect(await customer.$$eval(tid('doc-name'), (els) => els.map((e) => e.textContent?.trim()))).not.toContain('invoice.pdf');
    // The room still works.
    await uploadFile(customer, 'real.pdf', await formPdf());
    await waitForDocument(agent, 'real.pdf');
  });
});
