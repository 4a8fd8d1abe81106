/**
 * The stack most end-to-end files share: a platform (backend with its demo site, and an SFU or a
 * proxy worker when asked) and one headless Chromium, started before the file's tests and stopped
 * after them. Call useStack() in a describe block; read `platform` and `browser` inside the tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from './browser';
import { startPlatform, type Platform, type PlatformOptions } from './platform';

/** A page server a test serves itself (the proxy worker is allowed to open it). */
export interface FixtureServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `page(path)` as HTML on a loopback port of its own: the pages a test's shared browser opens. */
export async function serveHtml(page: (path: string) => string): Promise<FixtureServer & { origin: string }> {
  const server = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(new URL(req.url ?? '/', 'http://x').pathname)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface StackOptions<F extends FixtureServer | undefined> {
  platform?: Omit<PlatformOptions, 'proxyAllow'>;
  chromium?: Parameters<typeof launchChromium>[0];
  /** Started first, allowed to the proxy worker (when there is one), closed last. */
  fixture?: () => Promise<F>;
}

export interface Stack<F extends FixtureServer | undefined> {
  readonly platform: Platform;
  readonly browser: Browser;
  readonly fixture: F;
}

export function useStack<F extends FixtureServer | undefined = undefined>(options: StackOptions<F> = {}): Stack<F> {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let fixture: F | undefined;

  beforeAll(async () => {
    fixture = await options.fixture?.();
    platform = await startPlatform({}, { ...options.platform, ...(fixture ? { proxyAllow: `127.0.0.1:${fixture.port}` } : {}) });
    browser = await launchChromium(options.chromium);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await fixture?.close();
  });

  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`useStack: the ${what} is not started (read it inside a test, not while declaring)`);
    return value;
  };
  return {
    get platform() {
      return started('platform', platform);
    },
    get browser() {
      return started('browser', browser);
    },
    get fixture() {
      return (options.fixture ? started('fixture', fixture) : undefined) as F;
    },
  };
}
