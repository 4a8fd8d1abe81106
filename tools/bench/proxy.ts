/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies reach the viewer page's window.proxyViewer */
// Proxy co-browse benchmark: the plain CDP floor (puppeteer-core + Chromium screencast, JPEG q60, every
// frame acked at once, click by CDP, frame decoded in Node) and our path (the real proxy worker → the
// real backend relay → a viewer page in Chromium on the desk panel's socket events and painting),
// measured in the same run, phase by phase, on the same loopback fixtures.
import { API, EV, PROXY_EV, type Ack, type ClientResults, type CustomerSession, type LoginResponse, type ProxyFrame } from '@engage/protocol';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { CLICK_COLORS, STATIC_COLOR, STATIC_PROBE, startProxyBenchServer } from './proxy-pages';
import { cpuMeter, pssBytes, startProxyWorker, type WorkerProcess } from './proxy-procs';
import { percentile, progress, report } from './report';
import { startBackend, startPostgres } from './services';

const W = 1280;
const H = 720;
const QUALITY = 60;
const FPS_MS = 10_000;
const SETTLE_MS = 2_000;
const CLICKS = 40;
const CLICK_AT = { x: 640, y: 400 };
const SESSIONS = 8;
const FIRST_FRAMES = 30;
const CYCLES = 200;
const WARMUP_CYCLES = 10;
const AGENT = { email: 'agent@demo.test', password: 'agent-demo-1' };
/** The real Chromium binary (Debian's /usr/bin/chromium is a wrapper that does not exec). */
const CHROMIUM = process.env.CHROMIUM_PATH || (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');
const MB = 2 ** 20;
/** Quiet time before a drift reading: V8 shrinks an idle heap after a few seconds (its memory reducer),
 *  so the reading is what stays, not the garbage of the last cycles. */
const DRIFT_SETTLE_MS = 8_000;

type Extra = Record<string, unknown>;
type RGB = readonly [number, number, number];

/** A figure that could not be measured: value null and why, never a made-up number. */
function figure(metric: string, value: number | null | undefined, unit: string, extra: Extra = {}, why = 'not measured'): void {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    process.stdout.write(`${JSON.stringify({ metric, value: null, unit, error: why.split('\n')[0].slice(0, 300), ...extra })}\n`);
  } else report(metric, value, unit, extra);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const median = (xs: number[]) => percentile(sorted(xs), 50);
const near = (d: ArrayLike<number>, i: number, rgb: RGB) => Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 60;

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Median of three PSS readings of a tree, half a second apart (Chromium's memory breathes). */
async function pss(root: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(500);
    xs.push(pssBytes(root));
  }
  return median(xs);
}

// ---------------------------------------------------------------------------------------------
// Baseline: plain puppeteer-core + CDP screencast

/** JPEG decoding off the main thread (jpeg-js in a worker thread), so acks never wait for a decode. */
class Decoder {
  #worker: Worker;
  #next = 0;
  #waiting = new Map<number, (rgb: [number, number, number]) => void>();

  constructor() {
    const code = `
      const { parentPort } = require('node:worker_threads');
      const jpeg = require(${JSON.stringify(require.resolve('jpeg-js'))});
      parentPort.on('message', ({ id, data, fx, fy }) => {
        const img = jpeg.decode(Buffer.from(data, 'base64'), { useTArray: true, formatAsRGBA: true });
        const i = (Math.floor(fy * img.height) * img.width + Math.floor(fx * img.width)) * 4;
        parentPort.postMessage({ id, rgb: [img.data[i], img.data[i + 1], img.data[i + 2]] });
      });`;
    this.#worker = new Worker(code, { eval: true });
    this.#worker.on('message', ({ id, rgb }: { id: number; rgb: [number, number, number] }) => {
      const done = this.#waiting.get(id);
      this.#waiting.delete(id);
      done?.(rgb);
    });
  }

  /** Decodes a whole frame; answers the pixel at the fractional position (fx, fy). */
  pixel(data: string, fx: number, fy: number): Promise<[number, number, number]> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#worker.postMessage({ id, data, fx, fy });
    });
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }
}

let decoder: Decoder;

/** One plain context: a page, its screencast (acked at once), the newest frame decoded in Node. */
class PlainScreencast {
  frames: Array<{ at: number; bytes: number }> = [];
  firstAt: number | null = null;
  #latest: { data: string; at: number } | null = null;
  #decoding = false;
  #decode: boolean;
  /** resolve(arrivedAt, decodedAt): when the first frame showing rgb reached Node, and when its decode said so. */
  #probe: { rgb: RGB; resolve: (arrivedAt: number, decodedAt: number) => void } | null = null;
  decoded = 0;

  private constructor(
    readonly ctx: BrowserContext,
    readonly page: Page,
    readonly cdp: CDPSession,
    decode: boolean,
  ) {
    this.#decode = decode;
  }

  static async open(browser: Browser, decode: boolean, url?: string, onFirstContent?: (at: number) => void): Promise<PlainScreencast> {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    const cdp = await page.createCDPSession();
    const s = new PlainScreencast(ctx, page, cdp, decode);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: W, height: H, deviceScaleFactor: 1, mobile: false });
    cdp.on('Page.screencastFrame', ({ data, sessionId }) => {
      cdp.send('Page.screencastFrameAck', { sessionId }).catch(() => undefined);
      const at = performance.now();
      s.firstAt ??= at;
      s.frames.push({ at, bytes: Math.floor((data.length * 3) / 4) });
      if (s.#decode) s.#push(data, at);
    });
    if (onFirstContent) {
      s.#probe = { rgb: STATIC_COLOR, resolve: onFirstContent };
      s.#decode = true;
    }
    await cdp.send('Page.startScreencast', { format: 'jpeg', quality: QUALITY, maxWidth: W, maxHeight: H, everyNthFrame: 1 });
    if (url) await page.goto(url, { waitUntil: 'load' });
    return s;
  }

  #push(data: string, at: number): void {
    this.#latest = { data, at };
    if (this.#decoding) return;
    this.#decoding = true;
    this.#drain();
  }

  /** Newest frame wins, one decode at a time, as a viewer would. */
  #drain(): void {
    const frame = this.#latest;
    this.#latest = null;
    if (!frame) {
      this.#decoding = false;
      return;
    }
    const probeAt = this.#probe?.rgb === STATIC_COLOR ? STATIC_PROBE : CLICK_AT;
    void decoder.pixel(frame.data, probeAt.x / W, probeAt.y / H).then((px) => {
      this.decoded++;
      const p = this.#probe;
      if (p && near(px, 0, p.rgb)) {
        this.#probe = null;
        p.resolve(frame.at, performance.now());
      }
      this.#drain();
    });
  }

  /** Clicks by CDP; ms from the press to the arrival in Node of the first frame showing rgb at
   *  CLICK_AT (as its decode found), and to the end of that decode; null after 3 s. */
  async click(rgb: RGB): Promise<{ arrived: number; decoded: number } | null> {
    this.#decode = true;
    const shown = new Promise<{ arrived: number; decoded: number } | null>((resolve) => {
      const timer = setTimeout(() => {
        this.#probe = null;
        resolve(null);
      }, 3_000);
      this.#probe = {
        rgb,
        resolve: (arrived, decoded) => {
          clearTimeout(timer);
          resolve({ arrived, decoded });
        },
      };
    });
    const t0 = performance.now();
    const base = { x: CLICK_AT.x, y: CLICK_AT.y, button: 'left' as const, clickCount: 1 };
    await this.cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...base });
    await this.cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...base });
    const t = await shown;
    return t === null ? null : { arrived: t.arrived - t0, decoded: t.decoded - t0 };
  }

  take(): Array<{ at: number; bytes: number }> {
    const f = this.frames;
    this.frames = [];
    return f;
  }

  async close(): Promise<void> {
    await this.cdp.send('Page.stopScreencast').catch(() => undefined);
    await this.ctx.close().catch(() => undefined);
  }
}

function launchPlain(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    defaultViewport: null,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage', '--mute-audio'],
  });
}

// ---------------------------------------------------------------------------------------------
// Our path: engagements, the agent's viewer pages

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every client of the bench speaks from the fixture server's origin (the one ALLOWED_ORIGINS lists). */
let ORIGIN = '';

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], auth: { token }, extraHeaders: { origin: ORIGIN }, reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

async function request<E extends keyof ClientResults>(s: Socket, ev: E, payload: unknown): Promise<ClientResults[E]> {
  const a = await new Promise<Ack<ClientResults[E]>>((resolve) => s.emit(ev, payload, (x: Ack<ClientResults[E]>) => resolve(x)));
  if (!a.ok) throw new Error(`${ev}: ${a.error.message}`);
  return a.data;
}

/** A customer opens an engagement (its device: a 1280×720 desktop), the agent accepts it. */
async function engagement(backend: string, agent: Socket, i: number): Promise<string> {
  const s = await post<CustomerSession>(`${backend}${API.openEngagement}`, { customerName: `Proxy bench ${i}` }, { origin: ORIGIN });
  await request(agent, EV.engagementAccept, { engagementId: s.engagement.id });
  const customer = await connect(backend, s.customerToken);
  await request(customer, PROXY_EV.device, { engagementId: s.engagement.id, device: { width: W, height: H, deviceScaleFactor: 1, isMobile: false, hasTouch: false } });
  // One viewer, as in the plain floor: the customer's socket leaves (its device stays with the engagement).
  customer.close();
  return s.engagement.id;
}

interface Viewer {
  page: Page;
  engagementId: string;
}

async function openViewer(browser: Browser, origin: string, backend: string, token: string, engagementId: string): Promise<Viewer> {
  // Each viewer in its own context: a second tab in one context would hide (and throttle) the first.
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: W + 40, height: H + 40 });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => progress(`proxy: viewer page error: ${(e as Error).message}`));
  await page.goto(`${origin}/viewer`, { waitUntil: 'load' });
  await page.evaluate((u: string, t: string, id: string) => (window as any).proxyViewer.open(u, t, id), backend, token, engagementId);
  return { page, engagementId };
}

const take = (v: Viewer) => v.page.evaluate(() => (window as any).proxyViewer.take()) as Promise<{ received: number; receivedBytes: number; painted: number[]; bytes: number[]; dropped: Record<string, number> }>;

async function startOn(v: Viewer, url: string): Promise<void> {
  await v.page.evaluate((u: string, x: number, y: number, rgb: RGB) => (window as any).proxyViewer.start(u, x, y, rgb), url, STATIC_PROBE.x, STATIC_PROBE.y, STATIC_COLOR);
}

async function gotoOn(v: Viewer, url: string): Promise<void> {
  await v.page.evaluate((u: string) => (window as any).proxyViewer.goto(u), url);
}

async function stopOn(v: Viewer): Promise<void> {
  await v.page.evaluate(() => (window as any).proxyViewer.stop());
}

async function warmIdle(worker: WorkerProcess): Promise<number> {
  const h = (await (await fetch(worker.health)).json()) as { warmIdle: number; active: number };
  return h.warmIdle;
}

// ---------------------------------------------------------------------------------------------

interface Rate {
  fps: number;
  frames: number;
  frameBytes: number;
  bytesPerS: number;
}

function rate(frames: Array<{ bytes: number }>, ms: number): Rate {
  const bytes = frames.reduce((n, f) => n + f.bytes, 0);
  return { fps: (frames.length * 1000) / ms, frames: frames.length, frameBytes: frames.length ? bytes / frames.length : Number.NaN, bytesPerS: (bytes * 1000) / ms };
}

export async function benchProxy(): Promise<void> {
  const t0 = Date.now();
  const server = await startProxyBenchServer();
  const pg = await startPostgres();
  const secret = randomBytes(24).toString('hex');
  const worker = await startProxyWorker({ secret, allow: `127.0.0.1:${server.port}`, maxSessions: SESSIONS + 2, warmPool: Number(process.env.PROXY_BENCH_WARM_POOL ?? 1) });
  const backend = await startBackend({
    DATABASE_URL: pg.url,
    SEED_DEMO: 'true',
    PROXY_WORKERS: worker.control,
    PROXY_SECRET: secret,
    INACTIVITY_TIMEOUT_S: '3600',
    ALLOWED_ORIGINS: server.origin,
  });
  ORIGIN = server.origin;
  const anim = `${server.origin}/anim`;
  const click = `${server.origin}/click`;
  const still = `${server.origin}/static`;
  const plain = await launchPlain();
  const viewerBrowser = await launchPlain();
  const plainPid = plain.process()?.pid;
  const viewerPid = viewerBrowser.process()?.pid;
  decoder = new Decoder();
  /** CPU of our path: the worker's Chromium tree, the worker's node process alone, the backend, the viewer browser. */
  const meters = () => ({
    chromium: { pid: worker.browserPid, tree: true },
    worker: { pid: worker.proc.pid, tree: false },
    backend: { pid: backend.proc.pid, tree: false },
    viewer: { pid: viewerPid, tree: true },
  });
  progress(`proxy: backend ${backend.url}, worker ${worker.control} (chromium ${worker.browserPid}), fixtures ${server.origin}`);

  const errors: Record<string, string> = {};
  const fail = (what: string, e: unknown) => {
    errors[what] = e instanceof Error ? e.message.split('\n')[0] : String(e);
    progress(`proxy: ${what} failed: ${errors[what]}`);
  };
  const why = (k: string) => errors[k] ?? 'not measured';
  const R: {
    plainFps?: Rate & { decoded: number; cpu: Record<string, number> };
    fps?: Rate & { received: number; wireBytesPerS: number; dropped: Record<string, number>; cpu: Record<string, number> };
    plainClicks?: number[];
    plainClicksDecoded?: number[];
    clicks?: number[];
    plainFirst?: { first: number[]; content: number[] };
    first?: { first: number[]; content: number[]; answered: number[] };
    plainMem?: { before: number; after: number };
    mem?: { before: number; after: number };
    plainActive?: { fps: number; idle: number[] };
    active?: { fps: number; idle: number[]; cpu: Record<string, number> };
    plainAll?: number[];
    all?: number[];
    allReceived?: number[];
    allCpu?: Record<string, number>;
    plainDrift?: { before: number; after: number };
    drift?: { before: number; after: number; beforeChromium: number; afterChromium: number; beforeNode: number; afterNode: number; cycleMs: number[]; firstFrameMs: number[] };
  } = {};

  let agentSocket: Socket | undefined;
  const viewers: Viewer[] = [];
  try {
    const login = await post<LoginResponse>(`${backend.url}${API.login}`, AGENT);
    agentSocket = await connect(backend.url, login.token);
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) ids.push(await engagement(backend.url, agentSocket, i));
    for (const id of ids) viewers.push(await openViewer(viewerBrowser, server.origin, backend.url, login.token, id));
    const v0 = viewers[0];

    // ---------------------------------------------------------------- fps, animated 1280×720
    try {
      progress('proxy: baseline fps (plain CDP screencast, newest frame decoded in Node)');
      const s = await PlainScreencast.open(plain, true, anim);
      await sleep(SETTLE_MS);
      s.take();
      const d0 = s.decoded;
      const cpu = cpuMeter({ chromium: { pid: plainPid, tree: true }, bench: { pid: process.pid, tree: false } });
      await sleep(FPS_MS);
      const frames = s.take();
      R.plainFps = { ...rate(frames, FPS_MS), decoded: ((s.decoded - d0) * 1000) / FPS_MS, cpu: cpu.stop() };
      await s.close();
      progress(`proxy: baseline ${R.plainFps.fps.toFixed(1)} fps, ${Math.round(R.plainFps.frameBytes)} B/frame`);
    } catch (e) {
      fail('baseline fps', e);
    }
    try {
      progress('proxy: our fps (worker → backend → viewer page)');
      await startOn(v0, anim);
      await until(async () => (await take(v0)).painted.length > 0 || false, 'frames on the viewer', 20_000, 200);
      await sleep(SETTLE_MS);
      await take(v0);
      const cpu = cpuMeter(meters());
      await sleep(FPS_MS);
      const t = await take(v0);
      R.fps = { ...rate(t.bytes.map((bytes) => ({ bytes })), FPS_MS), received: (t.received * 1000) / FPS_MS, wireBytesPerS: (t.receivedBytes * 1000) / FPS_MS, dropped: t.dropped, cpu: cpu.stop() };
      progress(`proxy: ours ${R.fps.fps.toFixed(1)} fps painted (${R.fps.received.toFixed(1)} received), ${Math.round(R.fps.frameBytes)} B/frame, cpu ${JSON.stringify(R.fps.cpu)}`);
    } catch (e) {
      fail('fps', e);
    }

    // ---------------------------------------------------------------- click → changed pixel
    try {
      progress(`proxy: baseline click → pixel (${CLICKS} clicks)`);
      const s = await PlainScreencast.open(plain, true, click);
      await sleep(500);
      const out: number[] = [];
      const decoded: number[] = [];
      for (let k = 1; k <= CLICKS; k++) {
        const ms = await s.click(CLICK_COLORS[k % 2]);
        out.push(ms?.arrived ?? Number.POSITIVE_INFINITY);
        decoded.push(ms?.decoded ?? Number.POSITIVE_INFINITY);
        await sleep(120 + ((k * 37) % 130));
      }
      R.plainClicks = sorted(out);
      R.plainClicksDecoded = sorted(decoded);
      await s.close();
    } catch (e) {
      fail('baseline click', e);
    }
    try {
      progress(`proxy: our click → pixel (${CLICKS} clicks in the viewer page)`);
      await gotoOn(v0, click);
      await until(() => v0.page.evaluate((x: number, y: number, rgb: RGB) => (window as any).proxyViewer.pixelIs(x, y, rgb), CLICK_AT.x, CLICK_AT.y, CLICK_COLORS[0]), 'the click page on the viewer');
      await sleep(500);
      const out: number[] = [];
      for (let k = 1; k <= CLICKS; k++) {
        await v0.page.evaluate((x: number, y: number, rgb: RGB) => (window as any).proxyViewer.arm(x, y, rgb, 3_000), CLICK_AT.x, CLICK_AT.y, CLICK_COLORS[k % 2]);
        const pt = (await v0.page.evaluate((x: number, y: number) => (window as any).proxyViewer.screenPoint(x, y), CLICK_AT.x, CLICK_AT.y)) as { x: number; y: number };
        await v0.page.mouse.click(pt.x, pt.y);
        const ms = (await v0.page.evaluate(() => (window as any).proxyViewer.pending)) as number | null;
        out.push(ms ?? Number.POSITIVE_INFINITY);
        await sleep(120 + ((k * 37) % 130));
      }
      R.clicks = sorted(out);
      progress(`proxy: click p50 ${percentile(R.clicks, 50).toFixed(1)} ms, p95 ${percentile(R.clicks, 95).toFixed(1)} ms (baseline p95 ${R.plainClicks ? percentile(R.plainClicks, 95).toFixed(1) : '?'})`);
      await stopOn(v0);
    } catch (e) {
      fail('click', e);
    }

    // ---------------------------------------------------------------- session start → first frame
    try {
      progress(`proxy: baseline context → first frame (${FIRST_FRAMES} times)`);
      const first: number[] = [];
      const content: number[] = [];
      for (let i = 0; i < FIRST_FRAMES; i++) {
        const t = performance.now();
        let contentAt: number | null = null;
        const s = await PlainScreencast.open(plain, false, undefined, (arrivedAt) => (contentAt = arrivedAt));
        const go = s.page.goto(still, { waitUntil: 'load' });
        await until(() => s.firstAt !== null, 'a first plain frame', 10_000, 2);
        first.push(s.firstAt! - t);
        await go;
        await until(() => contentAt !== null, 'the page on a plain frame', 10_000, 2);
        content.push(contentAt! - t);
        await s.close();
      }
      R.plainFirst = { first: sorted(first), content: sorted(content) };
    } catch (e) {
      fail('baseline first frame', e);
    }
    try {
      progress(`proxy: our start → first frame (${FIRST_FRAMES} times, warm pool)`);
      const first: number[] = [];
      const content: number[] = [];
      const answered: number[] = [];
      for (let i = 0; i < FIRST_FRAMES; i++) {
        await until(async () => (await warmIdle(worker)) >= 1, 'a warm context', 10_000);
        await startOn(v0, still);
        await until(() => v0.page.evaluate(() => (window as any).proxyViewer.firstFrame()?.content !== null), 'the first frame of the page', 15_000);
        const f = (await v0.page.evaluate(() => (window as any).proxyViewer.firstFrame())) as { first: number; content: number; answered: number };
        first.push(f.first);
        content.push(f.content);
        answered.push(f.answered);
        await stopOn(v0);
      }
      R.first = { first: sorted(first), content: sorted(content), answered: sorted(answered) };
      progress(`proxy: first frame of the page p95 ${percentile(R.first.content, 95).toFixed(1)} ms (first frame of anything p95 ${percentile(R.first.first, 95).toFixed(1)} ms)`);
    } catch (e) {
      fail('first frame', e);
    }

    // ---------------------------------------------------------------- memory per session and density
    let plainSessions: PlainScreencast[] = [];
    try {
      progress(`proxy: baseline ${SESSIONS} contexts (memory, one animating, all animating)`);
      const before = await pss(plainPid!);
      for (let i = 0; i < SESSIONS; i++) plainSessions.push(await PlainScreencast.open(plain, false, still));
      await sleep(SETTLE_MS);
      R.plainMem = { before, after: await pss(plainPid!) };
      await plainSessions[0].page.goto(anim, { waitUntil: 'load' });
      await sleep(SETTLE_MS);
      plainSessions.forEach((s) => s.take());
      await sleep(FPS_MS);
      const counts = plainSessions.map((s) => rate(s.take(), FPS_MS).fps);
      R.plainActive = { fps: counts[0], idle: counts.slice(1) };
      for (const s of plainSessions.slice(1)) await s.page.goto(anim, { waitUntil: 'load' });
      await sleep(SETTLE_MS);
      plainSessions.forEach((s) => s.take());
      await sleep(FPS_MS);
      R.plainAll = plainSessions.map((s) => rate(s.take(), FPS_MS).fps);
    } catch (e) {
      fail('baseline density', e);
    } finally {
      for (const s of plainSessions) await s.close();
      plainSessions = [];
    }
    try {
      progress(`proxy: our ${SESSIONS} sessions (memory, one animating and seven reading, all animating)`);
      await until(async () => (await warmIdle(worker)) >= 1, 'a warm context', 10_000);
      await sleep(SETTLE_MS);
      const before = await pss(worker.browserPid);
      for (const v of viewers) {
        await startOn(v, still);
        await until(() => v.page.evaluate(() => (window as any).proxyViewer.firstFrame()?.content !== null), 'the reading page on a viewer', 15_000);
      }
      await until(async () => (await warmIdle(worker)) >= 1, 'the warm pool refilled', 10_000);
      await sleep(SETTLE_MS);
      R.mem = { before, after: await pss(worker.browserPid) };
      progress(`proxy: PSS ${Math.round(before / MB)} MB → ${Math.round(R.mem.after / MB)} MB with ${SESSIONS} sessions`);
      await gotoOn(v0, anim);
      await sleep(SETTLE_MS);
      for (const v of viewers) await take(v);
      let cpu = cpuMeter(meters());
      await sleep(FPS_MS);
      const counts: number[] = [];
      for (const v of viewers) counts.push(((await take(v)).painted.length * 1000) / FPS_MS);
      R.active = { fps: counts[0], idle: counts.slice(1), cpu: cpu.stop() };
      progress(`proxy: density active ${counts[0].toFixed(1)} fps, reading ${counts.slice(1).map((c) => c.toFixed(1)).join(' ')}`);
      for (const v of viewers.slice(1)) await gotoOn(v, anim);
      await sleep(SETTLE_MS);
      for (const v of viewers) await take(v);
      cpu = cpuMeter(meters());
      await sleep(FPS_MS);
      const all: number[] = [];
      const allReceived: number[] = [];
      for (const v of viewers) {
        const t = await take(v);
        all.push((t.painted.length * 1000) / FPS_MS);
        allReceived.push((t.received * 1000) / FPS_MS);
      }
      R.all = all;
      R.allReceived = allReceived;
      R.allCpu = cpu.stop();
      progress(`proxy: all animating ${all.map((c) => c.toFixed(1)).join(' ')} fps`);
    } catch (e) {
      fail('density', e);
    } finally {
      for (const v of viewers) await stopOn(v).catch(() => undefined);
    }

    // ---------------------------------------------------------------- create/close cycles, memory drift
    try {
      progress(`proxy: baseline ${CYCLES} context create/close cycles`);
      const cycle = async () => {
        const s = await PlainScreencast.open(plain, false, still);
        await until(() => s.firstAt !== null, 'a plain frame', 10_000, 2);
        await s.close();
      };
      for (let i = 0; i < WARMUP_CYCLES; i++) await cycle();
      await sleep(DRIFT_SETTLE_MS);
      const before = await pss(plainPid!);
      for (let i = 0; i < CYCLES; i++) await cycle();
      await sleep(DRIFT_SETTLE_MS);
      R.plainDrift = { before, after: await pss(plainPid!) };
    } catch (e) {
      fail('baseline cycles', e);
    }
    try {
      progress(`proxy: ${CYCLES} create/close cycles`);
      const id = await engagement(backend.url, agentSocket, SESSIONS);
      await request(agentSocket, EV.engagementJoin, { engagementId: id });
      let frameWaiter: (() => void) | null = null;
      agentSocket.on(PROXY_EV.frame, (f: ProxyFrame) => {
        if (f.engagementId === id && frameWaiter) frameWaiter();
      });
      const cycle = async (): Promise<{ ms: number; firstMs: number }> => {
        const t = performance.now();
        const framed = new Promise<number>((resolve) => (frameWaiter = () => ((frameWaiter = null), resolve(performance.now()))));
        await request(agentSocket!, PROXY_EV.start, { engagementId: id, url: still });
        const firstAt = await Promise.race([framed, sleep(10_000).then(() => Number.NaN)]);
        await request(agentSocket!, PROXY_EV.stop, { engagementId: id });
        return { ms: performance.now() - t, firstMs: firstAt - t };
      };
      for (let i = 0; i < WARMUP_CYCLES; i++) await cycle();
      // The worker's tree: its node process and, below it, Chromium.
      const measure = async () => {
        await until(async () => (await warmIdle(worker)) >= 1, 'the warm pool refilled', 10_000);
        await sleep(DRIFT_SETTLE_MS);
        const total = await pss(worker.proc.pid!);
        const chromium = await pss(worker.browserPid);
        return { chromium, node: total - chromium, total };
      };
      const before = await measure();
      const cycleMs: number[] = [];
      const firstFrameMs: number[] = [];
      for (let i = 0; i < CYCLES; i++) {
        const c = await cycle();
        cycleMs.push(c.ms);
        firstFrameMs.push(c.firstMs);
      }
      const after = await measure();
      R.drift = { before: before.total, after: after.total, beforeChromium: before.chromium, afterChromium: after.chromium, beforeNode: before.node, afterNode: after.node, cycleMs: sorted(cycleMs), firstFrameMs: sorted(firstFrameMs) };
      progress(`proxy: drift ${Math.round(before.total / MB)} → ${Math.round(after.total / MB)} MB`);
    } catch (e) {
      fail('cycles', e);
    }
  } finally {
    for (const v of viewers) await v.page.evaluate(() => (window as any).proxyViewer.close()).catch(() => undefined);
    agentSocket?.close();
    await viewerBrowser.close().catch(() => undefined);
    await decoder.close();
    await plain.close().catch(() => undefined);
    await backend.stop();
    await worker.stop();
    await pg.stop();
    await server.close();
  }

  // ---------------------------------------------------------------- figures
  const cpuNote = (c?: Record<string, number>) => (c ? Object.fromEntries(Object.entries(c).map(([k, v]) => [`cpu_${k}_pct`, round(v)])) : {});
  const P = R.plainFps;
  const F = R.fps;
  figure('proxy.fps', F?.fps, 'fps', F ? { received_fps: round(F.received), dropped_frames: F.dropped, window_s: FPS_MS / 1000, page: '1280×720 canvas redrawn every animation frame', what: 'frames painted on the viewer canvas', baseline_fps: P ? round(P.fps) : null, target: 55 } : {}, why('fps'));
  figure('proxy.baseline.fps', P?.fps, 'fps', P ? { decoded_in_node_fps: round(P.decoded), ...cpuNote(P.cpu), what: 'screencast frames received (acked at once; the newest decoded with jpeg-js in a worker thread)' } : {}, why('baseline fps'));
  figure('proxy.frame_bytes', F?.frameBytes, 'bytes', F ? { jpeg_quality: QUALITY, baseline_frame_bytes: P ? Math.round(P.frameBytes) : null } : {}, why('fps'));
  figure('proxy.baseline.frame_bytes', P?.frameBytes, 'bytes', { jpeg_quality: QUALITY }, why('baseline fps'));
  figure('proxy.bytes_per_s', F?.bytesPerS, 'bytes/s', F ? { what: 'JPEG bytes painted per second on the viewer', wire_jpeg_bytes_per_s_received: Math.round(F.wireBytesPerS), baseline_bytes_per_s: P ? Math.round(P.bytesPerS) : null } : {}, why('fps'));
  figure('proxy.baseline.bytes_per_s', P?.bytesPerS, 'bytes/s', {}, why('baseline fps'));
  if (F) {
    const workerCpu = (F.cpu.chromium ?? 0) + (F.cpu.worker ?? 0);
    figure('proxy.worker_cpu_per_session_pct', workerCpu, '% of a core', { ...cpuNote(F.cpu), what: 'one animating session: worker Chromium tree + worker node process (backend and viewer beside it)', backend_relay_pct: round(F.cpu.backend ?? Number.NaN), baseline_chromium_pct: P ? round(P.cpu.chromium) : null });
  } else figure('proxy.worker_cpu_per_session_pct', null, '% of a core', {}, why('fps'));
  if (R.allCpu) figure('proxy.worker_cpu_per_session_all_animating_pct', ((R.allCpu.chromium ?? 0) + (R.allCpu.worker ?? 0)) / SESSIONS, '% of a core', { ...cpuNote(R.allCpu), sessions: SESSIONS });

  const C = R.clicks;
  const PC = R.plainClicks;
  const clickNote = (xs: number[]) => ({ samples: xs.length, never_shown: xs.filter((x) => !Number.isFinite(x)).length, p99: round(percentile(xs, 99)), max: round(xs[xs.length - 1]) });
  figure('proxy.input_to_pixel_ms.p50', C && percentile(C, 50), 'ms', C ? { ...clickNote(C), how: 'real mouse click on the viewer canvas → proxy/input → worker → frame → painted pixel changed colour', target: 50 } : {}, why('click'));
  figure('proxy.input_to_pixel_ms.p95', C && percentile(C, 95), 'ms', C ? { ...clickNote(C), target: 90 } : {}, why('click'));
  const PD2 = R.plainClicksDecoded;
  const decodedNote = PD2 ? { with_decode_p50: round(percentile(PD2, 50)), with_decode_p95: round(percentile(PD2, 95)) } : {};
  const plainHow = 'CDP Input.dispatchMouseEvent → the screencast frame showing the new colour arrives in Node (found by decoding every newest frame with jpeg-js in a worker thread); the value stops at the frame\'s arrival, so the floor does not pay for jpeg-js (with_decode_*: until that decode ended)';
  figure('proxy.baseline.input_to_pixel_ms.p50', PC && percentile(PC, 50), 'ms', PC ? { ...clickNote(PC), ...decodedNote, how: plainHow } : {}, why('baseline click'));
  figure('proxy.baseline.input_to_pixel_ms.p95', PC && percentile(PC, 95), 'ms', PC ? { ...clickNote(PC), ...decodedNote } : {}, why('baseline click'));
  figure('proxy.input_to_pixel_p95_vs_cdp', C && PC ? percentile(C, 95) / percentile(PC, 95) : null, 'ratio', { vs_baseline_with_decode: C && PD2 ? round(percentile(C, 95) / percentile(PD2, 95)) : null, target: 1.3 }, why('click') + ' / ' + why('baseline click'));

  const A = R.active;
  figure('proxy.density_active_fps', A?.fps, 'fps', A ? { sessions: SESSIONS, reading_sessions_fps: A.idle.map(round), ...cpuNote(A.cpu), baseline: R.plainActive ? round(R.plainActive.fps) : null, target: 45 } : {}, why('density'));
  figure('proxy.density_all_fps', R.all && mean(R.all), 'fps', R.all ? { sessions: SESSIONS, per_session: R.all.map(round), min: round(Math.min(...R.all)), received_fps_per_session: R.allReceived?.map(round), what: 'mean over the 8 viewers of frames painted per second', ...cpuNote(R.allCpu), baseline_mean: R.plainAll ? round(mean(R.plainAll)) : null, target: 14 } : {}, why('density'));
  figure('proxy.baseline.density_active_fps', R.plainActive?.fps, 'fps', R.plainActive ? { idle_contexts_fps: R.plainActive.idle.map(round) } : {}, why('baseline density'));
  figure('proxy.baseline.density_all_fps', R.plainAll && mean(R.plainAll), 'fps', R.plainAll ? { per_context: R.plainAll.map(round), min: round(Math.min(...R.plainAll)), note: 'frames received and acked, not decoded' } : {}, why('baseline density'));

  const memNote = (m: { before: number; after: number }) => ({ tree_pss_mb_before: round(m.before / MB), tree_pss_mb_with_sessions: round(m.after / MB), sessions: SESSIONS, how: 'PSS (smaps_rollup) of the Chromium process tree: (with 8 sessions on a reading page − without) / 8' });
  figure('proxy.mem_per_session_mb', R.mem && (R.mem.after - R.mem.before) / SESSIONS / MB, 'MB', R.mem ? { ...memNote(R.mem), target: 60 } : {}, why('density'));
  figure('proxy.baseline.mem_per_session_mb', R.plainMem && (R.plainMem.after - R.plainMem.before) / SESSIONS / MB, 'MB', R.plainMem ? memNote(R.plainMem) : {}, why('baseline density'));

  // The figure is the first frame OF THE REQUESTED PAGE (a blank frame sent before it shows nothing the
  // parties asked for); the first frame of anything is noted beside it.
  const ffNote = (f: { first: number[]; content: number[] }) => ({ samples: f.content.length, p50: round(percentile(f.content, 50)), p99: round(percentile(f.content, 99)), first_any_frame_ms_p50: round(percentile(f.first, 50)), first_any_frame_ms_p95: round(percentile(f.first, 95)) });
  const answeredNote = (f: { answered: number[] }) => ({ start_answered_ms_p50: round(percentile(f.answered, 50)), start_answered_ms_p95: round(percentile(f.answered, 95)) });
  figure('proxy.first_frame_ms.p95', R.first && percentile(R.first.content, 95), 'ms', R.first ? { ...ffNote(R.first), ...answeredNote(R.first), how: 'viewer proxy/start → the first frame showing the requested page painted on the viewer (warm pool; start_answered: proxy/start answered, i.e. placed and persisted; first_any_frame: the first frame painted, whatever it shows)', baseline_p95: R.plainFirst ? round(percentile(R.plainFirst.content, 95)) : null, target: 100 } : {}, why('first frame'));
  figure('proxy.baseline.first_frame_ms.p95', R.plainFirst && percentile(R.plainFirst.content, 95), 'ms', R.plainFirst ? { ...ffNote(R.plainFirst), how: 'createBrowserContext → newPage → startScreencast → goto → arrival in Node of the first frame showing the page (found by decoding; first_any_frame: the first frame of anything)' } : {}, why('baseline first frame'));

  const D = R.drift;
  figure('proxy.mem_drift_pct', D && ((D.after - D.before) / D.before) * 100, '%', D ? {
    cycles: CYCLES,
    warmup_cycles: WARMUP_CYCLES,
    pss_mb_before: round(D.before / MB),
    pss_mb_after: round(D.after / MB),
    chromium_pss_mb: [round(D.beforeChromium / MB), round(D.afterChromium / MB)],
    worker_node_pss_mb: [round(D.beforeNode / MB), round(D.afterNode / MB)],
    cycle_ms_p50: round(percentile(D.cycleMs, 50)),
    cycle_first_frame_ms_p50: round(percentile(D.firstFrameMs, 50)),
    cycle_first_frame_ms_p95: round(percentile(D.firstFrameMs, 95)),
    how: `proxy/start (reading page) → first frame at the agent socket → proxy/stop, through the backend; PSS of the worker process tree (node + Chromium) after the warm-up and after the cycles, each after ${DRIFT_SETTLE_MS / 1000} s quiet`,
    target: 5,
  } : {}, why('cycles'));
  const PD = R.plainDrift;
  figure('proxy.baseline.mem_drift_pct', PD && ((PD.after - PD.before) / PD.before) * 100, '%', PD ? { cycles: CYCLES, warmup_cycles: WARMUP_CYCLES, pss_mb_before: round(PD.before / MB), pss_mb_after: round(PD.after / MB), how: 'createBrowserContext → page on the reading page → first frame → close; PSS of the plain Chromium tree' } : {}, why('baseline cycles'));
  progress(`proxy: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
