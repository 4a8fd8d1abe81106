// Integration: real Chromium, real egress proxy, loopback fixture servers only.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BrowserHost } from '../browser/browser-host';
import { EgressProxy, type BlockedEvent } from '../egress/egress-proxy';
import { staticResolver } from '../egress/resolver';
import { configureLogging, createLogger } from '../logger';
import { AllowList } from '../policy/url-policy';
import { proxySessionOptionsSchema as sessionOptionsSchema, type ProxySessionOptions as SessionOptions } from '@engage/protocol';
import { startServer, type TestServer } from '../test/fixture-server';
import { IsolatedContext } from './isolated-context';
import { ProxySession, type Frame, type SessionLimits } from './proxy-session';

jest.setTimeout(60_000);
configureLogging('silent');
const log = createLogger('test');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';
const SCREENS = path.resolve(__dirname, '../../../tmp/screens');

const limits: SessionLimits = {
  maxDurationMs: 120_000,
  maxHeapBytes: 200 * 2 ** 20,
  maxTabs: 3,
  watchdogMs: 500,
  hangTimeoutMs: 3_000,
  navigationTimeoutMs: 15_000,
  jpegQuality: 60,
};

let fixture: TestServer;
let secret: TestServer;
let defaultEgress: EgressProxy;
let host: BrowserHost;
let allow: AllowList;
const resolve = staticResolver({ 'rebind.localtest': ['127.0.0.1'], 'fixture.localtest': ['127.0.0.1'] });
const open: ProxySession[] = [];

beforeAll(async () => {
  secret = await startServer('secret');
  fixture = await startServer('fixture', () => secret.origin);
  allow = AllowList.parse(`127.0.0.1:${fixture.port}`);
  defaultEgress = await EgressProxy.create({ allow, resolve, log, denyAll: true });
  host = await BrowserHost.create({ executablePath: CHROMIUM, proxyUrl: defaultEgress.url, rendererHeapMb: 512, log });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await host?.close();
  await defaultEgress?.close();
  await fixture?.close();
  await secret?.close();
  // Nothing the secret server holds may have been reached by any test.
});

async function session(options: Partial<SessionOptions> = {}, overrides: Partial<SessionLimits> = {}): Promise<ProxySession> {
  const ic = await IsolatedContext.create(host, { allow, resolve, log });
  const opts = sessionOptionsSchema.parse({ viewport: { width: 1024, height: 700 }, ...options });
  const s = await ProxySession.create(ic, opts, { uaSuffix: ' EngageProxy/1', allow, limits: { ...limits, ...overrides } }, log);
  open.push(s);
  return s;
}

function next<T>(s: ProxySession, event: 'frame' | 'page-shown' | 'navigated' | 'dialog' | 'dialog-closed' | 'blocked' | 'closed' | 'download-refused', pred: (v: T) => boolean = () => true, ms = 15_000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const handler = (v: T) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      s.off(event, handler as never);
      resolvePromise(v);
    };
    s.on(event, handler as never);
  });
}

/** Writes the frame as JPEG and, decoded by Chromium, as PNG (what a viewer would show). */
async function saveFrame(name: string, f: Frame): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  writeFileSync(path.join(SCREENS, `${name}.jpg`), Buffer.from(f.data, 'base64'));
  const page = await host.browser.newPage();
  try {
    const { deviceWidth: w, deviceHeight: h } = f.metadata;
    await page.setViewport({ width: Math.round(w), height: Math.round(h) });
    await page.setContent(`<body style="margin:0"><img style="width:${w}px;height:${h}px;display:block" src="data:image/jpeg;base64,${f.data}"></body>`);
    await page.waitForFunction(() => document.images[0].complete);
    await page.screenshot({ path: path.join(SCREENS, `${name}.png`) as `${string}.png` });
  } finally {
    await page.close();
  }
}

const isJpeg = (f: Frame) => {
  const b = Buffer.from(f.data, 'base64');
  return b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
};

describe('ProxySession', () => {
  it('streams JPEG frames of the page and reports navigation', async () => {
    const t0 = Date.now();
    const s = await session();
    const firstFrame = next<Frame>(s, 'frame');
    const nav = next<{ url: string; title: string }>(s, 'navigated', (n) => n.title === 'Home');
    await s.navigate({ action: 'goto', url: `${fixture.origin}/` });
    const frame = await firstFrame;
    console.log(`first frame after ${Date.now() - t0} ms (session create + goto), frame ${Buffer.from(frame.data, 'base64').length} bytes`);
    expect(isJpeg(frame)).toBe(true);
    expect(frame.metadata.deviceWidth).toBe(1024);
    expect(await nav).toEqual({ url: `${fixture.origin}/`, title: 'Home' });
  });

  it('says once when its first page is on screen, not for the blank page it starts on', async () => {
    const s = await session();
    let shown = 0;
    let framesBefore = 0;
    s.on('frame', () => shown === 0 && framesBefore++);
    s.on('page-shown', () => shown++);
    // The blank page's frames do not count: the start is over only once the requested page shows.
    await next<Frame>(s, 'frame');
    expect(shown).toBe(0);
    const onScreen = next<void>(s, 'page-shown');
    await s.navigate({ action: 'goto', url: `${fixture.origin}/` });
    await onScreen;
    expect(s.page.url()).toBe(`${fixture.origin}/`);
    expect(framesBefore).toBeGreaterThan(0);
    await s.navigate({ action: 'goto', url: `${fixture.origin}/second` });
    await s.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p>more</p>'));
    await next<Frame>(s, 'frame');
    expect(shown).toBe(1);
  });

  it('follows a click on a link and takes typed text', async () => {
    const s = await session();
    await s.navigate({ action: 'goto', url: `${fixture.origin}/` });
    const box = await s.page.$eval('#name', (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    });
    await s.input({ kind: 'mouse', type: 'click', x: box.x, y: box.y, button: 'left', clickCount: 1, deltaX: 0, deltaY: 0 });
    await s.input({ kind: 'text', text: 'Hello proxy' });
    expect(await s.page.$eval('#name', (el) => (el as HTMLInputElement).value)).toBe('Hello proxy');
    await s.input({ kind: 'key', type: 'press', key: 'Backspace' });
    expect(await s.page.$eval('#name', (el) => (el as HTMLInputElement).value)).toBe('Hello prox');

    const link = await s.page.$eval('#next', (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + 20, y: r.y + r.height / 2 };
    });
    const nav = next<{ url: string; title: string }>(s, 'navigated', (n) => n.url.endsWith('/second') && n.title === 'Second page');
    await s.input({ kind: 'mouse', type: 'click', x: link.x, y: link.y, button: 'left', clickCount: 1, deltaX: 0, deltaY: 0 });
    await nav;
    await s.navigate({ action: 'back' });
    expect(s.page.url()).toBe(`${fixture.origin}/`);
  });

  it('emulates a phone with its locale and time zone', async () => {
    const s = await session({
      viewport: { width: 390, height: 844, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
      locale: 'de-DE',
      timezoneId: 'Asia/Tokyo',
    });
    await s.navigate({ action: 'goto', url: `${fixture.origin}/env` });
    const env = await s.page.evaluate(() => (window as unknown as { __env: Record<string, unknown> }).__env);
    expect(env).toMatchObject({ innerWidth: 390, dpr: 3, mobile: true, coarse: true, touch: true, language: 'de-DE', tz: 'Asia/Tokyo', locale: 'de-DE' });
    expect(env.ua).toMatch(/Mobile.*EngageProxy\/1$/);
    expect(env.headerUa).toMatch(/EngageProxy\/1$/);
    expect(env.acceptLanguage).toMatch(/^de-DE/);
    const frame = next<Frame>(s, 'frame');
    await s.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p>.</p>'));
    const f = await frame;
    expect(f.metadata.deviceWidth).toBe(390);
    await saveFrame('proxy-phone-env', f);
  });

  it('delivers touch input', async () => {
    const s = await session({ viewport: { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true } });
    await s.navigate({ action: 'goto', url: `${fixture.origin}/` });
    await s.page.evaluate(() => {
      (window as unknown as { __touches: number }).__touches = 0;
      addEventListener('touchstart', () => (window as unknown as { __touches: number }).__touches++);
    });
    await s.input({ kind: 'touch', type: 'start', points: [{ x: 100, y: 300, id: 0 }] });
    await s.input({ kind: 'touch', type: 'end', points: [] });
    expect(await s.page.evaluate(() => (window as unknown as { __touches: number }).__touches)).toBe(1);
  });

  it('blacks out masked elements and password fields in frames', async () => {
    const s = await session({ maskSelectors: ['.card'] });
    await s.navigate({ action: 'goto', url: `${fixture.origin}/masked` });
    const styles = await s.page.evaluate(() =>
      ['.card', '#pw', 'h1'].map((sel) => getComputedStyle(document.querySelector(sel) as Element).filter),
    );
    expect(styles).toEqual(['brightness(0)', 'brightness(0)', 'none']);
    // The page removing the mask stylesheet gets it back.
    await s.page.evaluate(() => document.getElementById('__engage_mask__')?.remove());
    await new Promise((r) => setTimeout(r, 50));
    expect(await s.page.evaluate(() => getComputedStyle(document.querySelector('.card') as Element).filter)).toBe('brightness(0)');
    const frame = next<Frame>(s, 'frame');
    await s.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p>later</p>'));
    await saveFrame('proxy-masked', await frame);
  });

  it('folds a pop-up into the main view', async () => {
    const s = await session();
    await s.navigate({ action: 'goto', url: `${fixture.origin}/popup` });
    const nav = next<{ url: string }>(s, 'navigated', (n) => n.url.endsWith('/second'));
    await s.page.click('#pop');
    await nav;
    expect((await s.page.browserContext().pages()).length).toBe(1);
  });

  it('reports a JavaScript dialog and answers it', async () => {
    const s = await session();
    const dialog = next<{ type: string; message: string }>(s, 'dialog');
    await s.navigate({ action: 'goto', url: `${fixture.origin}/dialog` });
    expect(await dialog).toMatchObject({ type: 'prompt', message: 'Your name?' });
    const closed = next<void>(s, 'dialog-closed');
    await s.answerDialog(true, 'Ada');
    await closed;
    await s.page.waitForFunction(() => (window as unknown as { __answer?: string }).__answer === 'Ada');
    await expect(s.answerDialog(true, 'again')).rejects.toMatchObject({ code: 'no-dialog' });
  });

  it('reports a dialog closed by the page going away (nobody answered it)', async () => {
    const s = await session();
    const dialog = next(s, 'dialog');
    await s.navigate({ action: 'goto', url: `${fixture.origin}/dialog` });
    await dialog;
    const closed = next<void>(s, 'dialog-closed');
    // The page is replaced while its prompt is open (what a navigation by the backend does).
    await s.navigate({ action: 'goto', url: `${fixture.origin}/second` });
    await closed;
  });

  it('accepts a beforeunload dialog by itself: leaving the page is never held up', async () => {
    const s = await session();
    await s.navigate({ action: 'goto', url: `${fixture.origin}/leave` });
    const dialogs: unknown[] = [];
    s.on('dialog', (d) => dialogs.push(d));
    const box = await s.page.$eval('#away', (a) => { const r = a.getBoundingClientRect(); return { x: r.x + 10, y: r.y + 10 }; });
    const left = next<{ url: string }>(s, 'navigated', (n) => n.url.endsWith('/second'));
    // A real click gives the page the user activation that beforeunload dialogs need.
    await s.input({ kind: 'mouse', type: 'click', x: box.x, y: box.y, button: 'left', clickCount: 1, deltaX: 0, deltaY: 0 });
    await left;
    expect(dialogs).toEqual([]);
  });

  it('refuses downloads', async () => {
    const s = await session();
    await s.navigate({ action: 'goto', url: `${fixture.origin}/download-page` });
    const refused = next<{ url: string }>(s, 'download-refused');
    await s.page.click('#dl');
    expect((await refused).url).toBe(`${fixture.origin}/download`);
  });

  it('forgets cookies when the session closes', async () => {
    const a = await session();
    await a.navigate({ action: 'goto', url: `${fixture.origin}/set-cookie` });
    await a.navigate({ action: 'goto', url: `${fixture.origin}/cookies` });
    expect(await a.page.$eval('#c', (e) => e.textContent)).toBe('sid=secret-cookie');
    await a.close();
    const b = await session();
    await b.navigate({ action: 'goto', url: `${fixture.origin}/cookies` });
    expect(await b.page.$eval('#c', (e) => e.textContent)).toBe('');
  });
});

describe('URL policy in the browser', () => {
  let s: ProxySession;
  const blocked: BlockedEvent[] = [];
  beforeEach(async () => {
    blocked.length = 0;
    s = await session();
    s.on('blocked', (b) => blocked.push(b));
  });
  afterEach(() => expect(secret.hits).toEqual([]));

  const shownReason = () => s.page.$eval('#reason', (e) => e.textContent).catch(() => null);

  it.each([
    ['file:///etc/hostname', 'blocked: scheme file'],
    ['chrome://version', 'blocked: scheme chrome'],
    ['view-source:http://example.com/', 'blocked: scheme view-source'],
    ['data:text/html,<h1>hi</h1>', 'blocked: scheme data'],
    ['javascript:alert(1)', 'blocked: scheme javascript'],
    ['http://0.0.0.0/', 'blocked: unspecified address 0.0.0.0'],
    ['http://10.0.0.1/', 'blocked: private address 10.0.0.1'],
    ['http://169.254.169.254/latest/meta-data', 'blocked: link-local address 169.254.169.254'],
  ])('top-level %s', async (url, reason) => {
    expect(await s.navigate({ action: 'goto', url })).toEqual({ ok: false, reason });
    expect(blocked.map((b) => b.reason)).toContain(reason);
    expect(await shownReason()).toBe(reason);
  });

  it.each([
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/`, 'blocked: loopback address 127.0.0.1'],
    ['[::1]', (p: number) => `http://[::1]:${p}/`, 'blocked: loopback address ::1'],
    ['0x7f000001', (p: number) => `http://0x7f000001:${p}/`, 'blocked: loopback address 127.0.0.1'],
    ['localhost', (p: number) => `http://localhost:${p}/`, 'blocked: loopback name localhost'],
  ])('loopback on another port via %s', async (_n, make, reason) => {
    expect(await s.navigate({ action: 'goto', url: make(secret.port) })).toEqual({ ok: false, reason });
  });

  it('a link on an allowed page to a refused address ends on the error page (proxy check)', async () => {
    await s.navigate({ action: 'goto', url: `${fixture.origin}/secret-link` });
    await s.page.click('#s');
    await s.page.waitForFunction(() => document.getElementById('reason'), { timeout: 10_000 });
    expect(await shownReason()).toBe('blocked: loopback address 127.0.0.1');
    expect(blocked.map((b) => b.reason)).toContain('blocked: loopback address 127.0.0.1');
    const frame = next<Frame>(s, 'frame');
    await s.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p>.</p>'));
    await saveFrame('proxy-blocked', await frame);
  });

  it('a redirect from an allowed page to a refused address', async () => {
    const res = await s.navigate({ action: 'goto', url: `${fixture.origin}/redirect?to=${encodeURIComponent(`${secret.origin}/`)}` });
    expect(res).toEqual({ ok: false, reason: 'blocked: loopback address 127.0.0.1' });
    expect(blocked.map((b) => b.target)).toContain(`${secret.origin}/`);
  });

  it('fetch() from an allowed page to a refused address', async () => {
    await s.navigate({ action: 'goto', url: `${fixture.origin}/fetch?to=${encodeURIComponent(`${secret.origin}/data`)}` });
    const result = await s.page.evaluate(() => (window as unknown as { __result: Promise<string> }).__result);
    expect(result).not.toBe('status 200');
    expect(blocked.map((b) => b.target)).toContain(`${secret.origin}/data`);
  });

  it('a WebSocket from an allowed page to a refused address', async () => {
    await s.navigate({ action: 'goto', url: `${fixture.origin}/ws?to=${encodeURIComponent(`ws://127.0.0.1:${secret.port}/sock`)}` });
    const result = await s.page.evaluate(() => (window as unknown as { __result: Promise<string> }).__result);
    expect(result).not.toBe('open');
    expect(blocked.map((b) => b.reason)).toContain('blocked: loopback address 127.0.0.1');
  });

  it('a WebSocket to the allow-listed fixture opens (control)', async () => {
    await s.navigate({ action: 'goto', url: `${fixture.origin}/ws?to=${encodeURIComponent(`ws://127.0.0.1:${fixture.port}/sock`)}` });
    expect(await s.page.evaluate(() => (window as unknown as { __result: Promise<string> }).__result)).toBe('open');
  });

  it('a host name that resolves to loopback (the proxy resolves and checks it)', async () => {
    // Even on the allow-listed port: the allow list matches the name asked for, not its address.
    const res = await s.navigate({ action: 'goto', url: `http://rebind.localtest:${fixture.port}/` });
    expect(res).toEqual({ ok: false, reason: 'blocked: rebind.localtest resolves to loopback address 127.0.0.1' });
    expect(await shownReason()).toBe('blocked: rebind.localtest resolves to loopback address 127.0.0.1');
  });
});

describe('caps', () => {
  it('a page that allocates memory in a loop ends only its own session', async () => {
    const calm = await session();
    await calm.navigate({ action: 'goto', url: `${fixture.origin}/anim` });
    const hog = await session();
    const closed = next<{ reason: string; detail?: string }>(hog, 'closed', () => true, 40_000);
    await hog.navigate({ action: 'goto', url: `${fixture.origin}/hog` });
    const why = await closed;
    expect(['memory', 'crashed']).toContain(why.reason);
    expect(calm.closed).toBe(false);
    const frame = await next<Frame>(calm, 'frame');
    expect(isJpeg(frame)).toBe(true);
  });

  it('a page stuck in a busy loop ends only its own session', async () => {
    const busy = await session({}, { hangTimeoutMs: 1_500 });
    const closed = next<{ reason: string }>(busy, 'closed', () => true, 20_000);
    await busy.navigate({ action: 'goto', url: `${fixture.origin}/busy` });
    expect((await closed).reason).toBe('unresponsive');
  });

  it('ends a session at its maximum duration', async () => {
    const s = await session({}, { maxDurationMs: 300 });
    expect((await next<{ reason: string }>(s, 'closed')).reason).toBe('max-duration');
  });

  it('measures frames per second on an animated page', async () => {
    const s = await session();
    await s.navigate({ action: 'goto', url: `${fixture.origin}/anim` });
    await new Promise((r) => setTimeout(r, 500));
    let n = 0;
    let bytes = 0;
    s.on('frame', (f) => {
      n++;
      bytes += f.data.length * 0.75;
    });
    await new Promise((r) => setTimeout(r, 3_000));
    console.log(`animated 1024x700: ${(n / 3).toFixed(1)} fps, ${Math.round(bytes / n / 1024)} KB/frame, chromium tree RSS ${Math.round((await host.memoryBytes()) / 2 ** 20)} MB`);
    expect(n).toBeGreaterThan(5);
  });
});
