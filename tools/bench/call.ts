// Call set-up benchmark: the real backend, the real SFU (mediasoup) and the real desk
// (dist/frontend/desk) in Chromium with the fake camera and microphone. Per call: a new engagement
// (invitation code), the agent offers video, the customer presses Accept; measured from that click to
// the first decoded video frame on each side (getStats framesDecoded, polled in the page).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { percentile, progress, report } from './report';
import { startBackend, startPostgres, startService } from './services';

const ROOT = path.resolve(__dirname, '../../../..');
const DESK = path.join(ROOT, 'dist/frontend/desk/browser/index.html');
const SFU_MAIN = path.join(ROOT, 'dist/node/sfu/src/main.js');
const AGENT = { email: 'agent@demo.test', password: 'agent-demo-1' };
const CALLS = 10;
/** A first call warms the pages' code paths and the SFU worker; not counted. */
const WARMUP = 1;
const FRAME_TIMEOUT_MS = 30_000;
const POLL_MS = 10;
const tid = (id: string) => `[data-testid="${id}"]`;
const METRIC = 'call.setup_to_first_frame_ms';

interface CallSample {
  agent: number;
  customer: number;
}

declare global {
  interface Window {
    /** The call panel exposes its running CallSession here (stats() answers getStats). */
    __engageCall?: { stats(): Promise<{ inbound: { video?: { framesDecoded?: number } | null } }> } | null;
    /** Epoch ms of the first decoded remote video frame, set by the bench's poller. */
    __benchFirstFrame?: Promise<number>;
  }
}

/** The SFU as its own process (one worker, like the e2e platform); resolves with its control URL once READY. */
async function startSfu(secret: string): Promise<{ url: string; stop(): Promise<void> }> {
  const rtcMin = 40000 + Math.floor(Math.random() * 200) * 100;
  const sfu = await startService<{ port: number }>({
    name: 'the SFU',
    main: SFU_MAIN,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      SFU_PORT: '0',
      SFU_HOST: '127.0.0.1',
      SFU_SECRET: secret,
      WORKERS: '1',
      RTC_MIN_PORT: String(rtcMin),
      RTC_MAX_PORT: String(rtcMin + 99),
      LOG_LEVEL: 'warn',
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    },
    timeoutMs: 20_000,
  });
  return { url: `http://127.0.0.1:${sfu.ready.port}`, stop: sfu.stop };
}

function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

async function newPage(browser: Browser): Promise<Page> {
  // Each party in its own context: own storage, and a tab that is not hidden behind the other.
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => progress(`call: page error on ${page.url()}: ${(e as Error).message}`));
  return page;
}

async function signIn(url: string, agent: Page): Promise<void> {
  await agent.goto(`${url}/login`, { waitUntil: 'load' });
  await agent.locator(tid('login-email')).fill(AGENT.email);
  await agent.locator(tid('login-password')).fill(AGENT.password);
  await agent.locator(tid('login-submit')).click();
  await agent.waitForFunction(() => !location.pathname.startsWith('/login'));
}

/** Starts polling getStats in the page; `window.__benchFirstFrame` resolves with the epoch ms of the first decoded remote frame. */
function watchFirstFrame(page: Page): Promise<void> {
  return page.evaluate(
    (pollMs: number, timeoutMs: number) => {
      const start = performance.now();
      window.__benchFirstFrame = (async () => {
        while (performance.now() - start < timeoutMs) {
          const s = await window.__engageCall?.stats().catch(() => null);
          if ((s?.inbound.video?.framesDecoded ?? 0) > 0) return performance.timeOrigin + performance.now();
          await new Promise((r) => setTimeout(r, pollMs));
        }
        throw new Error('no decoded video frame');
      })();
    },
    POLL_MS,
    FRAME_TIMEOUT_MS,
  );
}

/** One call on a new engagement: invite, join, offer video, accept; times from the Accept click. */
async function oneCall(url: string, browser: Browser, agent: Page): Promise<CallSample> {
  await agent.goto(`${url}/desk`, { waitUntil: 'load' });
  await agent.locator(tid('invite')).click();
  await agent.waitForSelector(tid('invite-code'));
  const code = (await agent.$eval(tid('invite-code'), (e) => e.textContent ?? '')).replace(/\D/g, '');
  const customer = await newPage(browser);
  try {
    await customer.goto(`${url}/join`, { waitUntil: 'load' });
    await customer.locator(tid('join-code')).fill(code);
    await customer.locator(tid('join-submit')).click();
    await customer.waitForSelector(tid('chat-input'));
    const engagementId = await customer.evaluate(() => (JSON.parse(sessionStorage.getItem('engage.customer.session') ?? '{}') as { engagementId?: string }).engagementId ?? '');
    if (!engagementId) throw new Error('the join page kept no session');
    await agent.locator(`${tid('engagement-item')}[data-engagement-id="${engagementId}"]`).click();
    await agent.locator(tid('call-offer-video')).click();
    await customer.waitForSelector(tid('call-accept'), { visible: true });
    await Promise.all([watchFirstFrame(agent), watchFirstFrame(customer)]);
    const clickedAt = await customer.evaluate((sel: string) => {
      const t = performance.timeOrigin + performance.now();
      (document.querySelector(sel) as HTMLButtonElement).click();
      return t;
    }, tid('call-accept'));
    const [agentFrame, customerFrame] = await Promise.all([agent.evaluate(() => window.__benchFirstFrame), customer.evaluate(() => window.__benchFirstFrame)]);
    if (agentFrame === undefined || customerFrame === undefined) throw new Error('the frame watch was lost (page reloaded?)');
    // The call and the engagement end, so the next round starts from a quiet SFU and desk.
    await agent.locator(tid('call-end')).click();
    await customer.locator(tid('end-engagement')).click();
    await customer.waitForFunction((sel: string) => !document.querySelector(sel), {}, tid('end-engagement'));
    return { agent: agentFrame - clickedAt, customer: customerFrame - clickedAt };
  } finally {
    await customer.browserContext().close();
  }
}

export async function benchCall(): Promise<void> {
  for (const [what, file, build] of [
    ['the desk', DESK, 'nx run desk:build'],
    ['the SFU', SFU_MAIN, 'nx run sfu:build'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`call: ${what} is not built (${path.relative(ROOT, file)} missing); run \`bash tools/with-node.sh npx ${build}\` first.`);
  }
  const secret = randomBytes(24).toString('hex');
  const pg = await startPostgres();
  const sfu = await startSfu(secret).catch(async (e: unknown) => {
    await pg.stop();
    throw e;
  });
  let backend: Awaited<ReturnType<typeof startBackend>> | null = null;
  let browser: Browser | null = null;
  try {
    backend = await startBackend({ DATABASE_URL: pg.url, SEED_DEMO: 'true', SFU_URL: sfu.url, SFU_SECRET: secret, JWT_SECRET: randomBytes(24).toString('hex') });
    browser = await launch();
    const agent = await newPage(browser);
    await signIn(backend.url, agent);
    const samples: CallSample[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const s = await oneCall(backend.url, browser, agent);
      const tag = i < WARMUP ? 'warm-up' : `${i - WARMUP + 1}/${CALLS}`;
      progress(`call ${tag}: accept → first frame: agent ${s.agent.toFixed(0)} ms, customer ${s.customer.toFixed(0)} ms`);
      if (i >= WARMUP) samples.push(s);
    }
    // A call is set up when both sides decode video: the later of the two.
    const both = samples.map((s) => Math.max(s.agent, s.customer)).sort((a, b) => a - b);
    const agentSide = samples.map((s) => s.agent).sort((a, b) => a - b);
    const customerSide = samples.map((s) => s.customer).sort((a, b) => a - b);
    const p95 = percentile(both, 95);
    report(METRIC, percentile(both, 50), 'ms', {
      p95: Math.round(p95),
      n: both.length,
      agent_p50: Math.round(percentile(agentSide, 50)),
      customer_p50: Math.round(percentile(customerSide, 50)),
      warmup: WARMUP,
      from: 'customer clicks Accept',
      to: 'first decoded remote video frame on both sides',
    });
    report(`${METRIC}.p95`, p95, 'ms', { n: both.length });
  } finally {
    await browser?.close();
    await backend?.stop();
    await sfu.stop();
    await pg.stop();
  }
}
