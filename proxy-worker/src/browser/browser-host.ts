// The one Chromium process of a worker. Everything it fetches goes through an egress proxy: the
// browser-wide default (for traffic outside any session context) and one per session context.
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import puppeteer, { type Browser, type Target } from 'puppeteer-core';

export interface BrowserHostOptions {
  executablePath: string;
  /** The default egress proxy, e.g. `http://127.0.0.1:40123`. */
  proxyUrl: string;
  /** Renderer V8 old-space limit: a page that balloons dies of OOM well before the machine does. */
  rendererHeapMb: number;
  log: Logger;
}

interface BrowserHostEvents {
  /** The browser is gone: `close()` was called, or it crashed (`reason` says which). */
  closed: [{ reason: string }];
}

/** Flags that keep every byte on the proxy: loopback too, and no WebRTC UDP around it. */
export function chromiumArgs(opts: { userDataDir: string; proxyUrl: string; rendererHeapMb: number; isRoot: boolean }): string[] {
  return [
    ...(opts.isRoot ? ['--no-sandbox'] : []),
    '--headless=new',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider,AutofillServerCommunication',
    '--mute-audio',
    `--user-data-dir=${opts.userDataDir}`,
    `--proxy-server=${opts.proxyUrl}`,
    // Without this, Chromium sends loopback straight out, around the proxy.
    '--proxy-bypass-list=<-loopback>',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    `--js-flags=--max-old-space-size=${opts.rendererHeapMb}`,
  ];
}

export class BrowserHost extends EventEmitter<BrowserHostEvents> {
  readonly browser: Browser;
  /**
   * The browser's own target, looked up once: `browser.target()` searches the live target list and was
   * seen to throw "Browser target is not found" while other contexts were being created (CI, under load).
   */
  readonly browserTarget: Target;
  readonly #userDataDir: string;
  readonly #log: Logger;
  #closed = false;

  private constructor(browser: Browser, userDataDir: string, log: Logger) {
    super();
    this.browser = browser;
    this.browserTarget = browser.target();
    this.#userDataDir = userDataDir;
    this.#log = log;
    browser.once('disconnected', () => void this.#shutdown('browser disconnected'));
  }

  static async create(opts: BrowserHostOptions): Promise<BrowserHost> {
    const userDataDir = await mkdtemp(path.join(tmpdir(), 'engage-proxy-chromium-'));
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const started = Date.now();
    try {
      const browser = await puppeteer.launch({
        executablePath: opts.executablePath,
        headless: true,
        ignoreDefaultArgs: ['--enable-automation'],
        defaultViewport: null,
        args: chromiumArgs({ userDataDir, proxyUrl: opts.proxyUrl, rendererHeapMb: opts.rendererHeapMb, isRoot }),
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      opts.log.info({ event: 'browser/launched', pid: browser.process()?.pid, version: await browser.version(), ms: Date.now() - started }, 'chromium up');
      return new BrowserHost(browser, userDataDir, opts.log);
    } catch (err) {
      await rm(userDataDir, { recursive: true, force: true });
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  /** Resident memory of the browser and every process below it (renderers, GPU, utility). */
  async memoryBytes(): Promise<number> {
    const root = this.pid;
    return root ? processTreeRss(root) : 0;
  }

  async close(): Promise<void> {
    await this.#shutdown('closed');
  }

  async #shutdown(reason: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (reason !== 'closed') this.#log.error({ event: 'browser/lost', reason }, 'chromium went away');
    try {
      if (this.browser.connected) await this.browser.close();
    } catch (err) {
      this.#log.warn({ event: 'browser/close', err: (err as Error).message }, 'close failed, killing');
      this.browser.process()?.kill('SIGKILL');
    }
    await rm(this.#userDataDir, { recursive: true, force: true, maxRetries: 3 });
    this.emit('closed', { reason });
  }
}

/** Sums VmRSS of a process and its descendants from /proc (Linux); 0 where /proc is absent. */
export async function processTreeRss(rootPid: number): Promise<number> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  } catch {
    return 0;
  }
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  await Promise.all(
    entries.map(async (e) => {
      try {
        const status = await readFile(`/proc/${e}/status`, 'utf8');
        const ppid = /^PPid:\s+(\d+)/m.exec(status);
        const vm = /^VmRSS:\s+(\d+) kB/m.exec(status);
        if (ppid) parent.set(Number(e), Number(ppid[1]));
        if (vm) rss.set(Number(e), Number(vm[1]) * 1024);
      } catch {
        // the process ended while we looked
      }
    }),
  );
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) if (p === rootPid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, bytes] of rss) if (inTree(pid)) total += bytes;
  return total;
}
