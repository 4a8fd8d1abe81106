/**
 * Loopback: the real SFU process, two headless Chromium pages. Page A sends its fake camera and
 * microphone, page B receives them; B must decode video frames and hear audio energy. The test
 * talks to the SFU's control API itself, standing in for the backend. This is the test that
 * catches worker builds that crash on the browser's DTLS handshake (the KTLS/BIO bug).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page, PuppeteerNode } from 'puppeteer-core';
import { findRepoRoot } from '../src/config/read-config';
import { workerBinForTests } from '../src/config/test-worker-bin';
import { readSfuEvents } from '../src/http/events.testing';

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
    execFileSync(process.execPath, ['tools/build-node.mjs', 'sfu/src', 'libs/protocol/src', 'libs/config-env/src'], { cwd: root, stdio: 'pipe' });
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
  async function openPeer(engagementId: string, peerId: string, only?: 'udp' | 'tcp', inBrowser: Browser = browser): Promise<Page> {
    // Each peer in its own browser context: a second tab in one context hides the first, and a
    // hidden tab's camera and encoder are throttled.
    const page = await (await inBrowser.createBrowserContext()).newPage();
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

  it('names the speaking peer from a real browser\'s audio levels, and restarts ICE on the same transport without losing the media', async () => {
    // Chrome's default fake microphone beeps 20 ms every 500 ms (silence on average): this browser
    // captures a continuous tone instead, like someone speaking.
    const tone = path.join(tmp, 'tone.wav');
    writeFileSync(tone, sineWav(440, 1));
    const speaking = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${tone}`, '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
    });
    const engagementId = 'loopback-speaker';
    const events = openEvents();
    try {
      const a = await openPeer(engagementId, 'customer', undefined, speaking);
      const b = await openPeer(engagementId, 'agent', undefined, speaking);
      await a.evaluate(() => window.loopback.join());
      await b.evaluate(() => window.loopback.join());
      const producerIds = await a.evaluate(() => window.loopback.produce());
      await b.evaluate((ids) => window.loopback.consume(ids), producerIds);
      const started = Date.now();
      await events.until((n) => n.type === 'room/speaker' && n.engagementId === engagementId && n.peerId === 'customer', 15_000);
      const speakerMs = Date.now() - started;

      const packets = async () => (await b.evaluate(() => window.loopback.stats()))['audio']?.packetsReceived ?? 0;
      const waitFor = async (what: string, pred: () => Promise<boolean>) => {
        const deadline = Date.now() + 15_000;
        while (!(await pred())) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await waitFor('the receiving transport to connect', async () => (await b.evaluate(() => window.loopback.recvState())).state === 'connected');
      const before = await b.evaluate(() => window.loopback.recvState());
      const ufragsBefore = await b.evaluate(() => window.loopback.selectedUfrags());
      expect(ufragsBefore).toEqual({ local: expect.any(String), remote: expect.any(String) });
      const restarted = await b.evaluate(() => window.loopback.restartIce());
      expect(restarted.usernameFragment).toEqual(expect.any(String));
      expect(restarted.usernameFragment).not.toBe(ufragsBefore.remote);
      // The restart really happened: the pair in use now is one of the new ICE session, on both ends
      // (the SFU's new username fragment, and a new one of the browser's).
      await waitFor('a candidate pair of the restarted ICE session', async () => {
        const now = await b.evaluate(() => window.loopback.selectedUfrags());
        return now.remote === restarted.usernameFragment && now.local !== undefined && now.local !== ufragsBefore.local;
      });
      const afterRestart = await packets();
      // Same transport, media still arriving after the restart (50 audio packets: a second).
      await waitFor('audio after the ICE restart', async () => (await packets()) > afterRestart + 50);
      const after = await b.evaluate(() => window.loopback.recvState());
      expect(after).toEqual({ id: before.id, state: 'connected' });

      // The speaker leaves: nobody speaks.
      await fetch(`${sfuUrl}/rooms/${engagementId}/peers/customer/close`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
      await events.until((n) => n.type === 'room/speaker' && n.engagementId === engagementId && n.peerId === null, 5_000);
      console.log(`speaker named ${speakerMs} ms after consuming; speakers seen ${JSON.stringify(events.seen.filter((n) => n.type === 'room/speaker').map((n) => n.peerId))}`);
    } finally {
      events.close();
      await speaking.close();
      await fetch(`${sfuUrl}/rooms/${engagementId}/close`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
    }
  });

  /** GET /events of the SFU, collected; `until` waits for a notification that matches. */
  function openEvents() {
    return readSfuEvents(sfuUrl, secret);
  }
});

/** A mono 48 kHz 16-bit PCM WAV of a sine tone at half scale (Chrome loops a fake-capture file). */
function sineWav(frequency: number, seconds: number): Buffer {
  const rate = 48_000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / rate) * 16_000), 44 + i * 2);
  return wav;
}
