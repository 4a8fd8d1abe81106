/**
 * Loopback: the real SFU process, two headless Chromium pages. Page A sends its fake camera and
 * microphone, page B receives them; B must decode video frames and hear audio energy. The test
 * talks to the SFU's control API itself, standing in for the backend. This is the test that
 * catches worker builds that crash on the browser's DTLS handshake (the KTLS/BIO bug).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page, PuppeteerNode } from 'puppeteer-core';
import { findRepoRoot } from '../src/config/read-config';
import { workerBinForTests } from '../src/config/test-worker-bin';

const root = findRepoRoot(__dirname);
const chromium = process.env['PUPPETEER_EXECUTABLE_PATH'] ?? '/usr/bin/chromium';
const workerBin = workerBinForTests();
if (workerBin && !existsSync(chromium)) console.warn(`SKIPPING the SFU loopback test: no Chromium at ${chromium}`);
const describeLoopback = workerBin && existsSync(chromium) ? describe : describe.skip;
const secret = 'loopback-test-secret-0123456789abcdef';

jest.setTimeout(90_000);
/** totalAudioEnergy of silence stays around 1e-10; one beep of the fake microphone adds far more. */
const AUDIBLE_ENERGY = 1e-4;

describeLoopback('SFU loopback with two Chromium pages', () => {
  let sfu: ChildProcess;
  let sfuUrl: string;
  let sfuOutput = '';
  let pageServer: http.Server;
  let pageUrl: string;
  let browser: Browser;
  let tmp: string;
  let puppeteer: PuppeteerNode;

  beforeAll(async () => {
    // puppeteer-core 25 is ESM-only; jest loads it with vm modules on, as tools/run-tests.mjs runs it.
    if (!/--experimental-vm-modules/.test(process.env['NODE_OPTIONS'] ?? '')) {
      throw new Error('run jest with NODE_OPTIONS=--experimental-vm-modules (as tools/run-tests.mjs does): puppeteer-core is ESM-only');
    }
    puppeteer = ((await import('puppeteer-core')) as unknown as { default: PuppeteerNode }).default;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sfu-loopback-'));
    execFileSync(process.execPath, ['tools/build-node.mjs', 'sfu/src'], { cwd: root, stdio: 'pipe' });
    sfu = spawn(process.execPath, [path.join(root, 'dist/node/sfu/src/main.js')], {
      cwd: root,
      env: { ...process.env, SFU_PORT: '0', SFU_HOST: '127.0.0.1', SFU_SECRET: secret, WORKERS: '1', RTC_MIN_PORT: '45000', RTC_MAX_PORT: '45199', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sfu.stderr?.on('data', (d: Buffer) => (sfuOutput += d.toString()));
    const ready = await new Promise<{ port: number }>((resolve, reject) => {
      let out = '';
      sfu.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = /^READY (.*)$/m.exec(out);
        if (line) resolve(JSON.parse(line[1]));
      });
      sfu.once('exit', (code) => reject(new Error(`the SFU exited with ${code} before READY: ${sfuOutput}`)));
    });
    sfuUrl = `http://127.0.0.1:${ready.port}`;

    const bundle = path.join(tmp, 'page.js');
    await build({ entryPoints: [path.join(__dirname, 'loopback-page.ts')], bundle: true, format: 'iife', target: 'es2022', outfile: bundle, logLevel: 'silent' });
    const js = readFileSync(bundle);
    pageServer = http.createServer((req, res) => {
      if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>loopback</title><script src="/page.js"></script>');
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;

    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
        '--disable-renderer-backgrounding',
        '--disable-background-timer-throttling',
        '--disable-backgrounding-occluded-windows',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
    if (sfu && sfu.exitCode === null) {
      const exited = new Promise((resolve) => sfu.once('exit', resolve));
      sfu.kill('SIGTERM');
      await exited;
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A page whose signalling goes to the control API as peer `peerId` of `engagementId`. */
  async function openPeer(engagementId: string, peerId: string, only?: 'udp' | 'tcp'): Promise<Page> {
    // Each peer in its own browser context: a second tab in one context hides the first, and a
    // hidden tab's camera and encoder are throttled.
    const page = await (await browser.createBrowserContext()).newPage();
    page.on('pageerror', (err) => console.error(`[${peerId}] page error: ${String(err)}`));
    await page.exposeFunction('sfuSignal', async (action: string, body: unknown) => {
      const res = await fetch(`${sfuUrl}/rooms/${engagementId}/peers/${peerId}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { iceCandidates?: { protocol: string }[] };
      if (!res.ok) throw new Error(`${action}: ${res.status} ${JSON.stringify(json)}`);
      if (only && json.iceCandidates) json.iceCandidates = json.iceCandidates.filter((c) => c.protocol === only);
      return json;
    });
    await page.goto(pageUrl);
    return page;
  }

  it.each(['udp', 'tcp'] as const)('carries audio and video from page A to page B over %s', async (protocol) => {
    const engagementId = `loopback-${protocol}`;
    const started = Date.now();
    const a = await openPeer(engagementId, 'customer', protocol);
    const b = await openPeer(engagementId, 'agent', protocol);
    try {
      const handler = await a.evaluate(() => window.loopback.join());
      await b.evaluate(() => window.loopback.join());
      expect(handler).toMatch(/^Chrome/);
      const producerIds = await a.evaluate(() => window.loopback.produce());
      expect(producerIds).toHaveLength(2);
      await b.evaluate((ids) => window.loopback.consume(ids), producerIds);

      let stats: Awaited<ReturnType<typeof window.loopback.stats>> = {};
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        stats = await b.evaluate(() => window.loopback.stats());
        const audio = stats['audio'];
        // Chrome's fake microphone beeps once a second: wait for a beep, not just the noise floor.
        if ((stats['video']?.framesDecoded ?? 0) > 0 && (audio?.totalAudioEnergy ?? 0) > AUDIBLE_ENERGY) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const pair = await b.evaluate(() => window.loopback.selectedPair());
      console.log(`loopback ${protocol}: media checks met ${Date.now() - started} ms after the pages opened; handler ${handler}; pair ${JSON.stringify(pair)}; stats ${JSON.stringify(stats)}`);
      expect(stats['video']?.framesDecoded).toBeGreaterThan(0);
      expect(stats['audio']?.totalAudioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
      expect(pair.protocol).toBe(protocol);
      // the worker is still alive (a DTLS crash would have killed it and closed the room)
      const health = (await (await fetch(`${sfuUrl}/health`)).json()) as { workers: number };
      expect(health.workers).toBe(1);
      const metrics = await (await fetch(`${sfuUrl}/metrics`)).text();
      expect(metrics).toMatch(/^sfu_consumers 2$/m);
    } finally {
      await a.close();
      await b.close();
      await fetch(`${sfuUrl}/rooms/${engagementId}/close`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
    }
  });
});
