/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies reach globals the bench pages define (window.bench, obs, viewerHarness, rrweb) */
// Direct co-browse benchmark: the plain rrweb floor (record → bare ws relay → Replayer in live mode,
// no buffer) and our full path (widget.js + recorder.js → backend → CobrowseViewer on the desk side),
// measured in the same run with the same pages and the same load.
import { API, type Ack, type EngagementView, type LoginResponse } from '@engage/protocol';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import puppeteer, { type Browser, type CDPSession, type Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { startBenchServer, ROOT } from './direct-pages';
import { latencies, median, wireSizes, type WireSizes } from './direct-stats';
import { percentile, progress, report } from './report';
import { HUMAN_PACE, Human } from './human';
import { freePort, startBackend, startPostgres } from './services';

const TICK_MS = 50;
const DROP = 20;
/** Mutation-only phase: 620 ticks → 600 samples after the first 20 are dropped. */
const TICKS = 620;
/** Mutations and ~40 pointer moves/s together, for cursor latency and bytes on the wire. */
const MIXED_MS = 20_000;
const MOVE_MS = 25;
const OVERHEAD_ITERATIONS = 100;
const OVERHEAD_GAP_MS = 25;
const LATE_JOINS = 5;
const SNAPSHOTS = 7;
/** DIRECT_DEMO_QUICK=1: the demo session with pauses cut to a tenth (a different metric name). */
const DEMO_QUICK = process.env.DIRECT_DEMO_QUICK === '1';
const AGENT = { email: 'agent@demo.test', password: 'agent-demo-1' };
/** Same pointer sampling as our recorder, so the cursor floor compares pipelines, not settings. */
const PLAIN_SAMPLING = { mousemove: 12, mousemoveCallback: 12 };
const PRIVATE_SELECTOR = '[data-cobrowse="private"],[data-cobrowse="protected"],engage-widget';
const MASK_SELECTOR = '[data-cobrowse="mask"]';

type Extra = Record<string, unknown>;

/** A figure that could not be measured: value null and why, never a made-up number. */
function missing(metric: string, unit: string, error: unknown, extra: Extra = {}): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(`${JSON.stringify({ metric, value: null, unit, error: message.split('\n')[0].slice(0, 300), ...extra })}\n`);
}

function figure(metric: string, value: number | null | undefined, unit: string, extra: Extra = {}, why = 'not measured'): void {
  if (value === null || value === undefined || !Number.isFinite(value)) missing(metric, unit, why, extra);
  else report(metric, value, unit, extra);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;

function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** One participant: its own browser context (never a second tab that would hide the first). */
async function party(browser: Browser): Promise<Page> {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => progress(`direct: page error on ${page.url()}: ${(e as Error).message}`));
  return page;
}

async function closeParty(page: Page): Promise<void> {
  await page.browserContext().close().catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// Latency phases (the same for both paths)

interface Phase {
  /** Agent clock minus customer clock, ms (already taken off the samples). */
  clock: number;
  mutation: { samples: number[]; missing: number };
  cursor?: { samples: number[]; missing: number; moves: number };
}

async function movePointer(page: Page, durationMs: number): Promise<void> {
  const start = Date.now();
  for (let i = 0; ; i++) {
    const due = start + i * MOVE_MS;
    if (due - start >= durationMs) return;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    await page.mouse.move(40 + (i % 700), 140 + Math.floor(i / 700) * 40);
  }
}

/** How far this page's clock (performance.timeOrigin + now()) is ahead of the system clock, in ms
 *  (mean over ~20 ms, so Date.now()'s 1 ms steps average out; the same bias on every page). */
async function clockOffset(page: Page): Promise<number> {
  return page.evaluate(() => {
    let sum = 0;
    let n = 0;
    const end = performance.now() + 20;
    while (performance.now() < end) {
      sum += performance.timeOrigin + performance.now() - Date.now();
      n++;
    }
    return sum / n;
  });
}

/** Difference between the agent page's and the customer page's clocks (ms), taken off every sample. */
async function skew(customer: Page, agent: Page): Promise<number> {
  const a: number[] = [];
  for (let i = 0; i < 3; i++) a.push((await clockOffset(agent)) - (await clockOffset(customer)));
  return median(a);
}

async function runPhase(customer: Page, agent: Page, ticks: number, withPointer: boolean): Promise<Phase> {
  const clock = await skew(customer, agent);
  await customer.evaluate(() => (window as any).bench.take());
  await agent.evaluate(() => (window as any).takeObs());
  const ticking = customer.evaluate((n: number, gap: number) => (window as any).bench.ticks(n, gap), ticks, TICK_MS);
  if (withPointer) await movePointer(customer, ticks * TICK_MS);
  await ticking;
  await sleep(600);
  const c = (await customer.evaluate(() => (window as any).bench.take())) as { sent: Array<[number, number]>; moves: Array<[number, number, number]> };
  const a = (await agent.evaluate(() => (window as any).takeObs())) as { marks: Array<[string, number]>; mouse: Array<[number, number, number]> };
  const shown = a.marks.map(([txt, t]) => [Number(txt.slice(1).split(' ')[0]), t] as [number, number]).filter(([i]) => Number.isFinite(i));
  const mutation = latencies(c.sent.map(([i, t]) => [i, t + clock] as [number, number]), shown, DROP);
  if (!withPointer) return { mutation, clock };
  const index = new Map<string, number>();
  c.moves.forEach(([x, y], i) => index.set(`${x},${y}`, i));
  const sentMoves = c.moves.map(([, , t], i) => [i, t + clock] as [number, number]);
  const shownMoves = a.mouse.map(([x, y, t]) => [index.get(`${x},${y}`) ?? -1, t] as [number, number]).filter(([i]) => i >= 0);
  const cursor = latencies(sentMoves, shownMoves, DROP);
  return { mutation, clock, cursor: { ...cursor, moves: c.moves.length } };
}

function pct(s: { samples: number[] }, p: number): number {
  return percentile(s.samples, p);
}

// ---------------------------------------------------------------------------------------------
// Main-thread time of the overhead workload

async function mainThread(page: Page, cdp: CDPSession): Promise<{ taskMs: number; scriptMs: number }> {
  const read = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
    const m = (n: string) => metrics.find((x) => x.name === n)?.value ?? 0;
    return { task: m('TaskDuration'), script: m('ScriptDuration') };
  };
  await sleep(300);
  const before = await read();
  await page.evaluate((n: number, gap: number) => (window as any).bench.workload(n, gap), OVERHEAD_ITERATIONS, OVERHEAD_GAP_MS);
  await sleep(300); // let the recorder's batch go out
  const after = await read();
  return { taskMs: (after.task - before.task) * 1000, scriptMs: (after.script - before.script) * 1000 };
}

type Overhead = { taskMs: number; scriptMs: number; runs: number[] };

/** The workload on every page in turn, round after round (the machine's other load hits all alike); medians. */
async function overhead(pages: Record<string, Page>, rounds = 3): Promise<Record<string, Overhead>> {
  const cdps: Record<string, CDPSession> = {};
  const runs: Record<string, Array<{ taskMs: number; scriptMs: number }>> = {};
  for (const [k, page] of Object.entries(pages)) {
    cdps[k] = await page.createCDPSession();
    await cdps[k].send('Performance.enable');
    runs[k] = [];
  }
  for (let i = 0; i < rounds; i++) for (const [k, page] of Object.entries(pages)) runs[k].push(await mainThread(page, cdps[k]));
  const out: Record<string, Overhead> = {};
  for (const k of Object.keys(pages)) {
    await cdps[k].detach().catch(() => undefined);
    out[k] = { taskMs: median(runs[k].map((r) => r.taskMs)), scriptMs: median(runs[k].map((r) => r.scriptMs)), runs: runs[k].map((r) => round(r.taskMs)) };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Wire capture on the customer page (CDP: WebSocket frames the page sends)

interface Tap {
  frames: string[];
  capturing: boolean;
  extensions: string | null;
  /** Detaches: DevTools' Network domain copies every WebSocket frame on the page's main thread, which
   *  must not count against the recorder in the overhead rounds (the plain page has no tap). */
  close(): Promise<void>;
}

async function wireTap(page: Page): Promise<Tap> {
  const cdp = await page.createCDPSession();
  const tap: Tap = { frames: [], capturing: false, extensions: null, close: () => cdp.detach().catch(() => undefined) };
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameSent', (e: { response: { payloadData: string; opcode: number } }) => {
    if (tap.capturing && e.response.opcode === 1 && e.response.payloadData.includes('"cobrowse/record"')) tap.frames.push(e.response.payloadData);
  });
  cdp.on('Network.webSocketHandshakeResponseReceived', (e: { response: { headers: Record<string, string> } }) => {
    const h = e.response.headers;
    const ext = Object.entries(h).find(([k]) => k.toLowerCase() === 'sec-websocket-extensions')?.[1];
    tap.extensions = ext ?? 'none';
  });
  return tap;
}

function perMinute(s: WireSizes, ms: number): Record<string, number> {
  const k = 60_000 / ms;
  return {
    raw_bytes_per_min: Math.round(s.raw * k),
    whole_minute_deflate_bytes_per_min: Math.round(s.wholeDeflate * k),
    per_message_stream_deflate_bytes_per_min: Math.round(s.perMessageStream * k),
    per_message_no_context_deflate_bytes_per_min: Math.round(s.perMessageNoContext * k),
    messages_per_min: Math.round(s.messages * k),
    full_snapshots_in_capture: s.fullSnapshots,
  };
}

// ---------------------------------------------------------------------------------------------
// The real wire: a TCP proxy on loopback between the customer's browser and the backend

interface WireCount {
  /** Bytes the customer's WebSocket connections sent (frames as negotiated: headers, mask, deflate). */
  clientToServer: number;
  serverToClient: number;
  /** WebSocket connections that carried bytes while capturing (one per page load). */
  connections: number;
}

interface WireProxy {
  url: string;
  setTarget(port: number): void;
  start(): void;
  stop(): WireCount;
  close(): Promise<void>;
}

/** Forwards every connection to the backend untouched and counts the bytes of WebSocket connections
 *  (those whose request asks for `Upgrade: websocket`) while capturing; HTTP (widget.js…) is not counted. */
async function startWireProxy(): Promise<WireProxy> {
  let target = 0;
  let capturing = false;
  let count: WireCount = { clientToServer: 0, serverToClient: 0, connections: 0 };
  const live = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ port: target, host: '127.0.0.1', noDelay: true });
    live.add(client).add(upstream);
    let ws: boolean | null = null;
    let counted = false;
    const tally = (dir: 'clientToServer' | 'serverToClient', n: number) => {
      if (!ws || !capturing) return;
      if (!counted) {
        counted = true;
        count.connections++;
      }
      count[dir] += n;
    };
    client.on('data', (d: Buffer) => {
      ws ??= /\r\nupgrade:\s*websocket/i.test(d.toString('latin1', 0, Math.min(d.length, 4096)));
      tally('clientToServer', d.length);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      tally('serverToClient', d.length);
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget: (p) => void (target = p),
    start() {
      count = { clientToServer: 0, serverToClient: 0, connections: 0 };
      capturing = true;
    },
    stop() {
      capturing = false;
      return count;
    },
    close: async () => {
      for (const s of live) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Full path: customer widget → backend → desk viewer

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

async function request<T>(s: Socket, ev: string, payload: unknown): Promise<T> {
  const a = await new Promise<Ack<T>>((resolve) => s.emit(ev, payload, (x: Ack<T>) => resolve(x)));
  if (!a.ok) throw new Error(`${ev}: ${a.error.message}`);
  return a.data;
}

const w = (id: string) => `>>> [data-testid="${id}"]`;

/** The customer opens the chat in the widget; the agent accepts and asks to co-browse; the customer allows. */
async function startCobrowse(customer: Page, agent: Socket, name: string): Promise<string> {
  await customer.locator(w('launcher')).click();
  await customer.locator(w('name-input')).fill(name);
  await customer.locator(w('start-chat')).click();
  await customer.waitForSelector(w('chat-input'));
  let engagement: EngagementView | undefined;
  const until = Date.now() + 15_000;
  while (!engagement) {
    const q = await request<{ queue: EngagementView[] }>(agent, 'queue/subscribe', {});
    engagement = q.queue.find((e) => e.customerName === name);
    if (!engagement) {
      if (Date.now() > until) throw new Error(`engagement of ${name} never reached the queue`);
      await sleep(100);
    }
  }
  await request(agent, 'engagement/accept', { engagementId: engagement.id });
  await request(agent, 'cobrowse/request', { engagementId: engagement.id });
  await customer.locator(w('cobrowse-allow')).click();
  await customer.waitForFunction(() => !!(window as any).__engageRecorder, { timeout: 15_000 });
  return engagement.id;
}

// ---------------------------------------------------------------------------------------------

export async function benchDirect(): Promise<void> {
  const t0 = Date.now();
  // Snippet sizes: the built bundles, gzip -9 as libs/cobrowse-snippet/build.mjs counts them.
  for (const [metric, file] of [
    ['snippet.dormant_gzip_bytes', 'widget.js'],
    ['snippet.recorder_gzip_bytes', 'recorder.js'],
  ] as const) {
    try {
      const code = readFileSync(path.join(ROOT, 'dist/widget', file));
      report(metric, gzipSync(code, { level: 9 }).length, 'bytes', { file: `dist/widget/${file}`, raw_bytes: code.length });
    } catch (e) {
      missing(metric, 'bytes', e);
    }
  }

  const server = await startBenchServer();
  const demoPort = await freePort();
  const demoOrigin = `http://127.0.0.1:${demoPort}`;
  const pg = await startPostgres();
  // Customer pages reach the backend through the counting proxy (PUBLIC_URL: the demo site's widget
  // tag points there too); the agent and the viewers connect directly.
  const wire = await startWireProxy();
  const backend = await startBackend({
    DATABASE_URL: pg.url,
    SEED_DEMO: 'true',
    DEMO_SITE_PORT: String(demoPort),
    ALLOWED_ORIGINS: [server.origin, demoOrigin].join(','),
    PUBLIC_URL: wire.url,
  });
  wire.setTarget(Number(new URL(backend.url).port));
  server.setBackend(wire.url);
  const browser = await launch();
  progress(`direct: backend ${backend.url}, pages ${server.origin}, relay ${server.relayUrl}, demo ${demoOrigin}`);

  const results: {
    plain?: { quiet: Phase; mixed: Phase; overhead?: Overhead; bytes?: WireSizes; bytesMs?: number; startLagMs?: number; rafWait?: number[] };
    full?: { quiet: Phase; mixed: Phase; overhead?: Overhead; bytes?: WireSizes; bytesMs?: number; extensions?: string | null; wire?: WireCount };
  } = {};
  const errors: Record<string, string> = {};
  const fail = (what: string, e: unknown) => {
    errors[what] = e instanceof Error ? e.message.split('\n')[0] : String(e);
    progress(`direct: ${what} failed: ${errors[what]}`);
  };
  let none: Overhead | undefined;
  let plainCustomer: Page | undefined;
  let nonePage: Page | undefined;
  let lateJoin: { ms: number[]; connectMs: number[] } | undefined;
  const snapshot: { full?: { times: number[]; start: number; bytes: number; nodes: number }; plain?: { times: number[]; start: number; bytes: number; nodes: number } } = {};
  let demo: DemoRun | undefined;
  let login: LoginResponse | undefined;
  let agentSocket: Socket | undefined;

  try {
    // ------------------------------------------------------------------ baseline: plain rrweb
    try {
      progress('direct: baseline (plain rrweb → bare ws relay → Replayer, live, no buffer)');
      const viewer = await party(browser);
      const customer = await party(browser);
      await viewer.goto(`${server.origin}/viewer-plain`, { waitUntil: 'load' });
      await viewer.evaluate(() => (window as any).viewerReady());
      await customer.goto(`${server.origin}/customer-plain`, { waitUntil: 'load' });
      await customer.evaluate((s) => (window as any).startPlain(s), PLAIN_SAMPLING);
      await viewer.waitForFunction(() => (window as any).obs !== undefined);
      const quiet = await runPhase(customer, viewer, TICKS, false);
      progress(`direct: baseline mutation p50 ${pct(quiet.mutation, 50).toFixed(2)} ms, p99 ${pct(quiet.mutation, 99).toFixed(2)} ms (${quiet.mutation.samples.length} samples)`);
      const from = server.relayed.length;
      const mixedStart = Date.now();
      const mixed = await runPhase(customer, viewer, MIXED_MS / TICK_MS, true);
      const mixedMs = Date.now() - mixedStart - 600;
      const bytes = await wireSizes(server.relayed.slice(from).map((f) => f.data));
      progress(`direct: baseline with pointer: mutation p99 ${pct(mixed.mutation, 99).toFixed(2)} ms, cursor p99 ${mixed.cursor ? pct(mixed.cursor, 99).toFixed(2) : '?'} ms`);
      const startLagMs = (await viewer.evaluate(() => (window as any).startLag)) as number;
      // How long a requestAnimationFrame asked for at an arbitrary moment waits here (the replayer applies on rAF).
      const rafWait = (await viewer.evaluate(
        () =>
          new Promise<number[]>((resolve) => {
            const out: number[] = [];
            const go = () => {
              const t = performance.now();
              requestAnimationFrame(() => {
                out.push(performance.now() - t);
                if (out.length < 40) setTimeout(go, 23 + (out.length % 7));
                else resolve(out.sort((a, b) => a - b));
              });
            };
            go();
          }),
      )) as number[];
      results.plain = { quiet, mixed, bytes, bytesMs: mixedMs, startLagMs, rafWait };
      plainCustomer = customer; // kept recording (relay without viewers) for the overhead rounds
      await closeParty(viewer);
    } catch (e) {
      fail('baseline', e);
    }

    // ------------------------------------------------------------------ no recorder at all (control)
    try {
      nonePage = await party(browser);
      await nonePage.goto(`${server.origin}/customer-none`, { waitUntil: 'load' });
    } catch (e) {
      fail('control page', e);
    }

    // ------------------------------------------------------------------ full path
    let customer: Page | undefined;
    let viewer: Page | undefined;
    let engagementId = '';
    try {
      progress('direct: full path (widget.js + recorder.js → backend → CobrowseViewer)');
      login = await post<LoginResponse>(`${backend.url}${API.login}`, AGENT);
      agentSocket = await connect(backend.url, login.token);
      customer = await party(browser);
      viewer = await party(browser);
      const tap = await wireTap(customer);
      await customer.goto(`${server.origin}/customer-full`, { waitUntil: 'load' });
      engagementId = await startCobrowse(customer, agentSocket, 'Bench customer');
      await viewer.goto(`${server.origin}/viewer-full`, { waitUntil: 'load' });
      await viewer.evaluate((u: string, t: string, id: string) => (window as any).viewerHarness.open(u, t, id), backend.url, login.token, engagementId);
      await viewer.waitForFunction(() => (window as any).viewerHarness.status() === 'live', { timeout: 15_000 });
      const quiet = await runPhase(customer, viewer, TICKS, false);
      progress(`direct: full mutation p50 ${pct(quiet.mutation, 50).toFixed(2)} ms, p99 ${pct(quiet.mutation, 99).toFixed(2)} ms (${quiet.mutation.samples.length} samples, ${quiet.mutation.missing} missing)`);
      tap.capturing = true;
      wire.start();
      const mixedStart = Date.now();
      const mixed = await runPhase(customer, viewer, MIXED_MS / TICK_MS, true);
      const mixedMs = Date.now() - mixedStart - 600;
      tap.capturing = false;
      await tap.close();
      const wireCount = wire.stop();
      const bytes = await wireSizes(tap.frames);
      progress(`direct: full with pointer: mutation p99 ${pct(mixed.mutation, 99).toFixed(2)} ms, cursor p99 ${mixed.cursor ? pct(mixed.cursor, 99).toFixed(2) : '?'} ms, ${tap.frames.length} record frames`);
      results.full = { quiet, mixed, bytes, bytesMs: mixedMs, extensions: tap.extensions, wire: wireCount };
    } catch (e) {
      fail('full path', e);
    }

    // ------------------------------------------------------------------ late joiner
    try {
      if (!customer || !viewer || !login || !engagementId) throw new Error('the full path did not start');
      const ticking = customer.evaluate((n: number, gap: number) => (window as any).bench.ticks(n, gap), 80, TICK_MS);
      const ms: number[] = [];
      const connectMs: number[] = [];
      for (let i = 0; i < LATE_JOINS; i++) {
        const r = (await viewer.evaluate((u: string, t: string, id: string) => (window as any).viewerHarness.lateJoin(u, t, id), backend.url, login.token, engagementId)) as { ms: number | null; connectMs: number };
        if (r.ms === null) throw new Error('a late viewer never showed the complete page within 10 s');
        ms.push(r.ms);
        connectMs.push(r.connectMs);
        await sleep(200);
      }
      await ticking;
      lateJoin = { ms, connectMs };
    } catch (e) {
      fail('late join', e);
    }
    if (viewer) await closeParty(viewer);

    // ------------------------------------------------------------------ recorder overhead (no viewer replaying)
    try {
      if (!customer || !plainCustomer || !nonePage || !results.full || !results.plain) throw new Error('a customer page is missing');
      progress('direct: recorder overhead (interleaved rounds: plain rrweb, ours, no recorder)');
      const o = await overhead({ plain: plainCustomer, full: customer, none: nonePage });
      results.plain.overhead = o.plain;
      results.full.overhead = o.full;
      none = o.none;
    } catch (e) {
      fail('overhead', e);
    }
    for (const p of [customer, plainCustomer, nonePage]) if (p) await closeParty(p);

    // ------------------------------------------------------------------ full snapshot of 10,000 nodes
    for (const kind of ['full', 'plain'] as const) {
      try {
        const page = await party(browser);
        await page.goto(`${server.origin}/big-${kind}`, { waitUntil: 'load' });
        snapshot[kind] = (await page.evaluate(
          async (k: string, n: number, priv: string, mask: string) => {
            const w = window as any;
            let bytes = 0;
            const t0 = performance.now();
            let snap: () => void;
            let stop: () => void;
            if (k === 'full') {
              // Our recorder as the widget starts it; send encodes the batch as socket.io would.
              const h = w.__engageRecorder.start({
                blockSelector: priv,
                maskTextSelector: mask,
                send: (ev: unknown) => ((bytes += JSON.stringify(ev).length), Promise.resolve()),
                onFailure: () => undefined,
                onError: () => undefined,
              });
              snap = () => h.takeFullSnapshot();
              stop = () => h.stop();
            } else {
              const s = w.rrweb.record({ emit: (e: unknown) => (bytes += JSON.stringify(e).length) });
              snap = () => w.rrweb.record.takeFullSnapshot(true);
              stop = s;
            }
            const start = performance.now() - t0;
            bytes = 0;
            const times: number[] = [];
            for (let i = 0; i < n; i++) {
              await new Promise((r) => setTimeout(r, 60));
              const t = performance.now();
              snap();
              times.push(performance.now() - t);
            }
            stop();
            return { times, start, bytes: Math.round(bytes / n), nodes: w.countNodes() };
          },
          kind,
          SNAPSHOTS,
          PRIVATE_SELECTOR,
          MASK_SELECTOR,
        )) as { times: number[]; start: number; bytes: number; nodes: number };
        await closeParty(page);
      } catch (e) {
        fail(`snapshot ${kind}`, e);
      }
    }

    // ------------------------------------------------------------------ scripted session on the demo site
    try {
      if (!agentSocket) throw new Error('no agent socket');
      demo = await demoSession(browser, demoOrigin, agentSocket, wire, DEMO_QUICK);
    } catch (e) {
      fail('demo session', e);
    }
  } finally {
    agentSocket?.close();
    await browser.close().catch(() => undefined);
    await backend.stop();
    await pg.stop();
    await server.close();
    await wire.close();
  }

  // ------------------------------------------------------------------ figures
  const P = results.plain;
  const F = results.full;
  const why = (k: string) => errors[k] ?? 'not measured';
  const samplesNote = (s?: { samples: number[]; missing: number }, ph?: Phase) =>
    s ? { samples: s.samples.length, never_shown: s.missing, dropped_first: DROP, over_50ms: s.samples.filter((x) => x > 50).length, clock_correction_ms: ph ? round(ph.clock) : null } : {};

  figure('direct.mutation_to_replay_ms.p50', F && pct(F.quiet.mutation, 50), 'ms', { ...samplesNote(F?.quiet.mutation, F?.quiet), tick_ms: TICK_MS, target: 5 }, why('full path'));
  const ratio = F && P ? pct(F.quiet.mutation, 99) / pct(P.quiet.mutation, 99) : null;
  figure('direct.mutation_to_replay_ms.p99', F && pct(F.quiet.mutation, 99), 'ms', { ...samplesNote(F?.quiet.mutation, F?.quiet), target: 20, vs_baseline_p99: ratio === null ? null : round(ratio), target_vs_baseline: 2 }, why('full path'));
  figure('direct.mutation_to_replay_with_pointer_ms.p99', F && pct(F.mixed.mutation, 99), 'ms', { ...samplesNote(F?.mixed.mutation, F?.mixed), p50: F ? round(pct(F.mixed.mutation, 50)) : null, pointer_moves_per_s: 1000 / MOVE_MS }, why('full path'));
  figure('direct.cursor_ms.p99', F?.mixed.cursor && pct(F.mixed.cursor, 99), 'ms', { ...samplesNote(F?.mixed.cursor, F?.mixed), p50: F?.mixed.cursor ? round(pct(F.mixed.cursor, 50)) : null, moves: F?.mixed.cursor?.moves, target: 20 }, why('full path'));
  figure('direct.baseline_mutation_to_replay_ms.p50', P && pct(P.quiet.mutation, 50), 'ms', {
    ...samplesNote(P?.quiet.mutation, P?.quiet),
    tick_ms: TICK_MS,
    first_event_transit_ms: P?.startLagMs === undefined ? null : round(P.startLagMs),
    raf_wait_ms_p50: P?.rafWait ? round(percentile(P.rafWait, 50)) : null,
    raf_wait_ms_p99: P?.rafWait ? round(percentile(P.rafWait, 99)) : null,
    note: 'rrweb live mode applies events on requestAnimationFrame; raf_wait is how long one rAF takes to come on this machine. The Replayer clock starts at the wall clock when the first event arrives (startLive()), as in the issue recipe',
  }, why('baseline'));
  figure('direct.baseline_mutation_to_replay_ms.p99', P && pct(P.quiet.mutation, 99), 'ms', samplesNote(P?.quiet.mutation, P?.quiet), why('baseline'));
  figure('direct.baseline_mutation_to_replay_with_pointer_ms.p99', P && pct(P.mixed.mutation, 99), 'ms', { ...samplesNote(P?.mixed.mutation, P?.mixed), p50: P ? round(pct(P.mixed.mutation, 50)) : null }, why('baseline'));
  figure('direct.baseline_cursor_ms.p99', P?.mixed.cursor && pct(P.mixed.cursor, 99), 'ms', { ...samplesNote(P?.mixed.cursor, P?.mixed), p50: P?.mixed.cursor ? round(pct(P.mixed.cursor, 50)) : null, sampling: PLAIN_SAMPLING }, why('baseline'));

  const bytesNote = (s: WireSizes, ms: number) => ({
    compression: 'one deflate stream flushed per message (permessage-deflate with context takeover, 4-byte flush tail stripped), zlib level 6',
    measured_s: round(ms / 1000),
    extrapolated_to: '1 min',
    ...perMinute(s, ms),
  });
  const wireNote = (w: WireCount, ms: number) => ({
    how: 'bytes the customer browser wrote to its WebSocket connections, counted at a TCP proxy on loopback between it and the backend (frame headers, masks and the negotiated compression included; TCP/IP headers not)',
    wire_client_to_server_bytes: w.clientToServer,
    wire_server_to_client_bytes_per_min: Math.round((w.serverToClient * 60_000) / ms),
    wire_connections: w.connections,
    models: 'the *_deflate_bytes_per_min fields model the same recorder frames compressed offline (raw_bytes_per_min: uncompressed)',
  });
  if (F?.bytes && F.bytesMs && F.wire) {
    figure('direct.bytes_per_min_synthetic', (F.wire.clientToServer * 60_000) / F.bytesMs, 'bytes', {
      ...wireNote(F.wire, F.bytesMs),
      ...bytesNote(F.bytes, F.bytesMs),
      what: 'the customer socket during a mutation every 50 ms + 40 pointer moves/s (recorder frames seen with CDP Network.webSocketFrameSent for the models)',
      negotiated_ws_extensions: F.extensions,
      target: 40 * 1024,
    });
  } else missing('direct.bytes_per_min_synthetic', 'bytes', why('full path'));
  if (P?.bytes && P.bytesMs) {
    figure('direct.baseline_bytes_per_min_synthetic', (P.bytes.perMessageStream * 60_000) / P.bytesMs, 'bytes', { ...bytesNote(P.bytes, P.bytesMs), what: 'plain rrweb events, one JSON frame each, through the bare relay' });
  } else missing('direct.baseline_bytes_per_min_synthetic', 'bytes', why('baseline'));
  if (demo) {
    const minutes = demo.ms / 60_000;
    const what = {
      what: `scripted session on the demo site at a person's pace: ${demo.pages} page loads (products, add to cart twice, cart, remove one, order history with a 500-row table scrolled in bursts and an order opened and closed by SPA route changes, checkout typed at ~5 chars/s, home) with reading pauses and pointer paths before clicks`,
      wall_time_s: round(demo.ms / 1000),
      wire_client_to_server_bytes_total: demo.wire.clientToServer,
      actions: { ...demo.counts, readingMs: Math.round(demo.counts.readingMs) },
      session_total_raw_bytes: demo.sizes.raw,
      session_total_stream_deflate_bytes: demo.sizes.perMessageStream,
      negotiated_ws_extensions: demo.extensions,
      target: 50 * 1024,
    };
    const note = { ...wireNote(demo.wire, demo.ms), ...bytesNote(demo.sizes, demo.ms), extrapolated_to: demo.quick ? '1 min' : 'none: the session lasted five minutes' };
    if (demo.quick) {
      figure('direct.bytes_per_min_demo_compressed', demo.wire.clientToServer / minutes, 'bytes', {
        ...note,
        ...what,
        warning: 'DIRECT_DEMO_QUICK=1: the same steps with pauses cut to a tenth, so more happens per minute than in a real session; not direct.bytes_per_min_demo',
      });
      missing('direct.bytes_per_min_demo', 'bytes', 'not measured: DIRECT_DEMO_QUICK=1 ran the shortened session (see direct.bytes_per_min_demo_compressed)');
    } else {
      figure('direct.bytes_per_min_demo', demo.wire.clientToServer / minutes, 'bytes', {
        ...note,
        ...what,
        how_per_min: 'wire bytes of the whole session divided by its length in minutes (5)',
      });
    }
  } else missing(DEMO_QUICK ? 'direct.bytes_per_min_demo_compressed' : 'direct.bytes_per_min_demo', 'bytes', why('demo session'));

  if (F?.overhead && P?.overhead) {
    const pctOver = ((F.overhead.taskMs - P.overhead.taskMs) / P.overhead.taskMs) * 100;
    figure('direct.recorder_overhead_pct', pctOver, '%', {
      how: `main-thread TaskDuration (CDP Performance.getMetrics) of the same DOM workload (${OVERHEAD_ITERATIONS} steps, ${OVERHEAD_GAP_MS} ms apart, median of 3 runs): our widget+recorder vs plain rrweb record`,
      ours_task_ms: round(F.overhead.taskMs),
      plain_task_ms: round(P.overhead.taskMs),
      no_recorder_task_ms: none ? round(none.taskMs) : null,
      ours_script_ms: round(F.overhead.scriptMs),
      plain_script_ms: round(P.overhead.scriptMs),
      no_recorder_script_ms: none ? round(none.scriptMs) : null,
      ours_runs_ms: F.overhead.runs,
      plain_runs_ms: P.overhead.runs,
      target: 10,
    });
  } else missing('direct.recorder_overhead_pct', '%', errors.overhead ?? errors['full path'] ?? errors.baseline ?? 'not measured');

  const snap = (k: 'full' | 'plain') => snapshot[k];
  const sf = snap('full');
  figure('direct.full_snapshot_10k_ms', sf && median(sf.times), 'ms', sf ? { nodes: sf.nodes, runs_ms: sf.times.map(round), max_ms: round(Math.max(...sf.times)), snapshot_json_bytes: sf.bytes, recorder_start_ms: round(sf.start), how: 'median of recorder takeFullSnapshot() incl. batching and JSON encoding', target: 100 } : {}, why('snapshot full'));
  const sp = snap('plain');
  figure('direct.baseline_full_snapshot_10k_ms', sp && median(sp.times), 'ms', sp ? { nodes: sp.nodes, runs_ms: sp.times.map(round), snapshot_json_bytes: sp.bytes, how: 'median of rrweb.record.takeFullSnapshot(true) incl. JSON encoding' } : {}, why('snapshot plain'));

  figure('direct.late_join_ms', lateJoin && median(lateJoin.ms), 'ms', lateJoin ? { runs_ms: lateJoin.ms.map(round), max_ms: round(Math.max(...lateJoin.ms)), socket_connect_ms: lateJoin.connectMs.map(round), how: 'median of 5: CobrowseViewer on a connected socket, from cobrowse/watch to the replayed page having the live marker (polled, ~4 ms resolution)', target: 200 } : {}, why('late join'));
  progress(`direct: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// ---------------------------------------------------------------------------------------------

/** The demo session lasts this long in wall time (the "scripted 5-minute session"). */
const DEMO_SESSION_MS = 5 * 60_000;

interface DemoRun {
  sizes: WireSizes;
  ms: number;
  extensions: string | null;
  pages: number;
  wire: WireCount;
  quick: boolean;
  counts: Human['counts'];
}

/**
 * A customer on the demo site for five minutes of wall time, at a person's pace: reads, points at
 * things before clicking them, adds to the cart, opens the cart, the order history (a single-page
 * app with a 500-row table, scrolled in bursts, an order opened and closed by route changes), fills
 * the checkout form at ~5 characters a second, and ends on the home page. DIRECT_DEMO_QUICK=1 runs
 * the same steps with pauses cut to a tenth (reported under a different metric name).
 */
async function demoSession(browser: Browser, demo: string, agent: Socket, wire: WireProxy, quick: boolean): Promise<DemoRun> {
  progress(`direct: scripted session on the demo site (${quick ? 'quick: pauses cut to a tenth' : 'five minutes of wall time, human pace'})`);
  const page = await party(browser);
  const tap = await wireTap(page);
  let pages = 0;
  page.on('load', () => pages++);
  const you = new Human(page, quick ? { scale: 0.1, keyDelayMs: 30 } : HUMAN_PACE);
  /**
   * After a page load the recorder is back (a new page resumes sharing within a second); the
   * customer folds the chat panel away when it covers the page.
   */
  const resumed = async () => {
    await page.waitForFunction(() => !!(window as any).__engageRecorder, { timeout: 10_000 }).catch(() => undefined);
    const chat = await page.$(w('chat-input'));
    if (chat && (await chat.isVisible())) await you.click(w('launcher'));
  };

  await page.goto(`${demo}/login`, { waitUntil: 'load' });
  await page.locator('input[name="name"]').fill('Dana');
  await page.locator('input[name="password"]').fill('demo');
  await Promise.all([page.waitForNavigation(), page.click('form button[type="submit"]')]);
  await page.goto(`${demo}/products`, { waitUntil: 'load' });
  tap.capturing = true;
  wire.start();
  const start = Date.now();
  await startCobrowse(page, agent, 'Demo customer');
  await resumed();
  const at = (what: string) => progress(`direct: demo session ${((Date.now() - start) / 1000).toFixed(0)} s: ${what}`);

  // Products: look the catalogue over, add two things.
  await you.read(6000);
  for (const n of [1, 2, 3]) {
    await you.pointTo(`[data-testid="product"]:nth-of-type(${n}) h2`);
    await you.read(3500);
  }
  await you.clickAndLoad('[data-testid="product"]:nth-of-type(2) [data-testid="add-to-cart"]');
  await resumed();
  await you.read(4000);
  await you.clickAndLoad('[data-testid="product"]:nth-of-type(1) [data-testid="add-to-cart"]');
  await resumed();
  await you.read(3000);
  at('products done');

  // The cart: read it, take the jacket out again.
  await you.clickAndLoad('[data-testid="cart-link"]');
  await resumed();
  await you.read(9000);
  await you.clickAndLoad('[data-testid="cart-line"]:last-of-type button');
  await resumed();
  await you.read(4000);
  at('cart done');

  // Order history: a single-page app with 500 rows, scrolled in bursts, one order opened.
  await you.clickAndLoad('nav a[href="/orders"]');
  await resumed();
  await you.read(6000);
  for (let i = 0; i < 12; i++) {
    await you.scroll(Math.round(you.between(3, 7)));
    await you.read(you.between(2500, 5000));
  }
  await you.click('a[href="/orders/NW-10342"]');
  await you.read(8000);
  await you.click('[data-testid="orders-link"]');
  await you.read(3000);
  for (let i = 0; i < 5; i++) {
    await you.scroll(Math.round(you.between(4, 8)));
    await you.read(you.between(2500, 4500));
  }
  await you.scroll(-10);
  await you.read(3000);
  at('orders done');

  // Checkout: the form, typed at a person's speed.
  await you.clickAndLoad('nav a[href="/checkout"]');
  await resumed();
  await you.read(6000);
  await you.typeInto('input[name="email"]', 'dana@example.org');
  await you.read(2000);
  await you.typeInto('textarea[name="note"]', 'Ring twice, the bell is broken');
  await you.read(3000);
  await you.typeInto('input[name="cardNumber"]', '4000 0566 5566 5556');
  await you.read(1500);
  await you.typeInto('input[name="cvc"]', '737');
  await you.read(8000);
  at('checkout done');

  // Home, reading until the five minutes are up.
  await you.clickAndLoad('nav a[href="/"]');
  await resumed();
  await you.pointTo('.hero h1');
  if (quick) await you.read(4000);
  else {
    const left = DEMO_SESSION_MS - (Date.now() - start);
    if (left > 0) await you.read(left);
    else progress(`direct: the scripted steps took ${((Date.now() - start) / 1000).toFixed(0)} s, more than five minutes`);
  }
  tap.capturing = false;
  const wireCount = wire.stop();
  const ms = Date.now() - start;
  at('end');
  const sizes = await wireSizes(tap.frames);
  await closeParty(page);
  return { sizes, ms, extensions: tap.extensions, pages, wire: wireCount, quick, counts: you.counts };
}
