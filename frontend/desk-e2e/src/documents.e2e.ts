import { execFileSync } from 'node:child_process';
import { PDFDocument } from 'pdf-lib';
import type { Browser, Page } from 'puppeteer-core';
import { seriousA11yViolations } from './support/axe';
import { launchChromium, openParty, screenshot } from './support/browser';
import { tid, waitForText } from './support/desk';
import { annotationIds, docx, drawOnPage, fileOnDisk, FORM, formPdf, openDocuments, png, recordWebm, sha256, spoofedHtml, uploadFile, waitForDocument, waitForPage } from './support/documents';
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

/** Page 1 of a PDF as RGB pixels (pdftoppm, 40 dpi). */
function rasterize(pdf: Buffer, pageNo = 1): { w: number; h: number; at: (x: number, y: number) => [number, number, number] } {
  const ppm = execFileSync('pdftoppm', ['-r', '40', '-f', String(pageNo), '-l', String(pageNo), fileOnDisk('r.pdf', pdf)]);
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

/** Marks in the empty right margin of the form (fields end at 0.69 of the width). */
const AGENT_STROKE: Array<[number, number]> = [[0.74, 0.12], [0.8, 0.15], [0.86, 0.11], [0.94, 0.16]];
const CUSTOMER_RECT: Array<[number, number]> = [[0.74, 0.2], [0.95, 0.3]];

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
    const SECRET = 'DE89370400440532013000';
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
    const pad = (await customer.waitForSelector(tid('doc-signature-pad')))!;
    const b = (await pad.boundingBox())!;
    await customer.mouse.move(b.x + b.width * 0.1, b.y + b.height * 0.6);
    await customer.mouse.down();
    for (let i = 1; i <= 12; i++) await customer.mouse.move(b.x + b.width * (0.1 + i * 0.06), b.y + b.height * (0.6 - 0.3 * Math.sin(i / 2)));
    await customer.mouse.up();
    await customer.locator(tid('doc-sign-apply')).click();
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
    expect(inkAlong(rasterize(Buffer.from(form), 1), AGENT_STROKE[0], AGENT_STROKE[3])).toBe(false);
    // The audit page: SHA-256 before = the uploaded bytes; after = the first n bytes of this file.
    const before = /SHA-256 before[^\n]*\n\s*([0-9a-f]{64})/.exec(text);
    const after = /first (\d+) bytes[^\n]*\n\s*([0-9a-f]{64})/.exec(text);
    expect(before?.[1]).toBe(sha256(form));
    expect(after).not.toBeNull();
    expect(sha256(signed.subarray(0, Number(after![1])))).toBe(after![2]);
  });

  it('an image and a DOCX are shared and viewed on both sides', async () => {
    await uploadFile(agent, 'photo.png', png(320, 200));
    await waitForDocument(customer, 'photo.png');
    await waitForText(customer, 'doc-open-name', 'photo.png');
    await customer.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLImageElement | null)?.naturalWidth ?? 0) === 320, {}, tid('doc-image'));

    await uploadFile(agent, 'letter.docx', docx('Dear customer,\nyour contract is attached.'));
    // LibreOffice takes a few seconds: both sides see the conversion going on.
    await waitForText(customer, 'doc-converting', 'Converting…');
    await waitForDocument(agent, 'letter.docx', 90_000);
    await agent.locator(`${tid('doc-list-item')}[data-status="ready"] button[data-name="letter.docx"]`).click();
    await waitForText(customer, 'doc-open-name', 'letter.docx');
    await waitForPage(customer, 1, { text: true });
    expect(await customer.$eval(tid('doc-page-1'), (e) => e.querySelector('.textLayer')?.textContent ?? '')).toContain('your contract is attached');
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
