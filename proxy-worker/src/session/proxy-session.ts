// One proxied browsing session: a page in its own context, dressed as the customer's device,
// streamed out as screencast frames and driven by input from the customer and the agent.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CDPSession, Dialog, KeyInput, Page, Target } from 'puppeteer-core';
import { blockedPage, type BlockedEvent } from '../egress/egress-proxy';
import { checkUrl, type AllowList } from '../policy/url-policy';
import type {
  ProxyCloseReason as CloseReason,
  ProxyDialogType as DialogType,
  ProxyFrameMetadata as FrameMetadata,
  ProxyNavigateCommand as NavigateCommand,
  ResolvedProxyInput as ResolvedInput,
  ResolvedProxySessionOptions as ResolvedSessionOptions,
} from '@engage/protocol';
import { jpegSize } from '@engage/protocol';
import type { IsolatedContext } from './isolated-context';
import { maskingScript } from './masking';

export interface SessionLimits {
  maxDurationMs: number;
  /** JS heap of the page above which the session ends. */
  maxHeapBytes: number;
  /** Pages open at once in the context (pop-ups are folded into the main page). */
  maxTabs: number;
  /** How often the heap and responsiveness are checked. */
  watchdogMs: number;
  /** A page that answers nothing for this long (a busy loop) ends its session. */
  hangTimeoutMs: number;
  navigationTimeoutMs: number;
  jpegQuality: number;
}

export interface SessionSettings {
  uaSuffix: string;
  allow: AllowList;
  limits: SessionLimits;
}

export interface Frame {
  seq: number;
  /** JPEG, base64 as CDP delivers it. */
  data: string;
  metadata: FrameMetadata;
}

interface ProxySessionEvents {
  /** A screencast frame (already acknowledged to Chromium). */
  frame: [Frame];
  /** The first page (not about:blank) painted and a frame went out since it committed: the start is over. Once. */
  'page-shown': [];
  /** The main frame committed a navigation, or its title changed after one. */
  navigated: [{ url: string; title: string }];
  /** A JavaScript dialog waits for `answerDialog` (beforeunload never: it is accepted here). */
  dialog: [{ type: DialogType; message: string; defaultValue: string }];
  /** The dialog reported by `dialog` is gone (answered, or closed by the page going away). */
  'dialog-closed': [];
  /** The URL policy refused something this page asked for. */
  blocked: [BlockedEvent];
  'download-refused': [{ url: string; filename: string }];
  /** The session ended; `reason` says why, `detail` adds the specifics. */
  closed: [{ reason: CloseReason; detail?: string }];
}

export const DEFAULT_MOBILE_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36';
export const DEFAULT_DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

let nextId = 1;

/** How long a first frame of the wrong size is held back for one of the device's size. */
export const STALE_FRAME_WAIT_MS = 500;

/** The pixel size of a base64 JPEG, read from its frame header (the header sits in the first few KB). */
function jpegPixels(base64: string): { width: number; height: number } | null {
  return jpegSize(Buffer.from(base64.slice(0, 8192), 'base64')) ?? jpegSize(Buffer.from(base64, 'base64'));
}

/**
 * Passes frames on once one of the device's own size has come: the metadata names the device's size
 * AND the JPEG has its shape (under load Chromium was seen to send metadata of the new size with the
 * picture of the old surface, 800×506 for 800×600). Frames before it are held (the newest one), and the
 * held one is passed on if nothing better arrives in `waitMs`.
 */
export class FirstFrameGate<F extends { data: string; metadata: { deviceWidth?: number; deviceHeight?: number } }> {
  #open = false;
  #held: F | undefined;
  readonly timer: NodeJS.Timeout;

  constructor(
    private readonly size: { width: number; height: number },
    waitMs: number,
    private readonly pass: (f: F) => void,
  ) {
    this.timer = setTimeout(() => this.#release(), waitMs);
    this.timer.unref?.();
  }

  /** False when the frame was held back. */
  offer(frame: F): boolean {
    if (this.#open || this.#fits(frame)) {
      if (!this.#open) clearTimeout(this.timer);
      this.#open = true;
      this.#held = undefined;
      this.pass(frame);
      return true;
    }
    this.#held = frame;
    return false;
  }

  #fits(frame: F): boolean {
    const { width, height } = this.size;
    const { deviceWidth = 0, deviceHeight = 0 } = frame.metadata;
    if (Math.abs(deviceWidth - width) >= 1 || Math.abs(deviceHeight - height) >= 1) return false;
    const px = jpegPixels(frame.data);
    // Same shape (the screencast may scale the picture down, never reshape it): within a pixel of rounding.
    return px !== null && Math.abs(px.width * height - px.height * width) <= Math.max(width, height);
  }

  #release(): void {
    if (this.#open) return;
    this.#open = true;
    const held = this.#held;
    this.#held = undefined;
    if (held) this.pass(held);
  }
}

export class ProxySession extends EventEmitter<ProxySessionEvents> {
  readonly id: string;
  readonly startedAt = Date.now();
  #closed = false;
  #seq = 0;
  #dialog: Dialog | undefined;
  /** A `dialog` was emitted and its `dialog-closed` is still due. */
  #dialogShown = false;
  #lastBlocked: (BlockedEvent & { at: number }) | undefined;
  #lastNavigated = '';
  /** The last few refusals: a failed navigation is explained by the one for its own host, not by background traffic. */
  #recentBlocked: (BlockedEvent & { at: number })[] = [];
  #timers: NodeJS.Timeout[] = [];
  #watchdogBusy = false;
  #titleTimer: NodeJS.Timeout | undefined;
  /** Progress of the first page (not about:blank) to the screen: its commit, its first paint, a frame after the commit. */
  readonly #firstPage = { committed: false, painted: false, framed: false, shown: false };

  private constructor(
    private readonly ic: IsolatedContext,
    private readonly cdp: CDPSession,
    private readonly settings: SessionSettings,
    readonly options: ResolvedSessionOptions,
    private readonly log: Logger,
    id: string,
  ) {
    super();
    this.id = id;
  }

  /** Dresses the context's page as the customer's device and starts the screencast. */
  static async create(ic: IsolatedContext, options: ResolvedSessionOptions, settings: SessionSettings, log: Logger, id?: string): Promise<ProxySession> {
    const sid = id ?? `ps${Date.now().toString(36)}${(nextId++).toString(36)}`;
    const slog = log.child({ sid });
    const session = new ProxySession(ic, ic.pageCdp, settings, options, slog, sid);
    try {
      await session.#setup();
    } catch (err) {
      await session.close('error', (err as Error).message);
      throw err;
    }
    return session;
  }

  /** The page, for diagnostics and tests; everything a user does goes through the methods below. */
  get page(): Page {
    return this.ic.page;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #setup(): Promise<void> {
    const { viewport, locale, timezoneId, maskSelectors } = this.options;
    const page = this.page;
    const cdp = this.cdp;
    const baseUa = this.options.userAgent ?? (viewport.isMobile ? DEFAULT_MOBILE_UA : DEFAULT_DESKTOP_UA);
    const userAgent = `${baseUa}${this.settings.uaSuffix}`;
    await Promise.all([
      cdp.send('Emulation.setDeviceMetricsOverride', {
        width: viewport.width,
        height: viewport.height,
        deviceScaleFactor: viewport.deviceScaleFactor,
        mobile: viewport.isMobile,
        screenWidth: viewport.width,
        screenHeight: viewport.height,
      }),
      cdp.send('Emulation.setTouchEmulationEnabled', { enabled: viewport.hasTouch, maxTouchPoints: viewport.hasTouch ? 5 : undefined }),
      cdp.send('Emulation.setUserAgentOverride', {
        userAgent,
        acceptLanguage: locale, // Chromium adds the base language (de-DE → de-DE,de;q=0.9)
        platform: viewport.isMobile ? 'Linux armv8l' : 'Linux x86_64',
      }),
      cdp.send('Emulation.setLocaleOverride', { locale }),
      cdp.send('Emulation.setTimezoneOverride', { timezoneId }),
      // Page and Performance were enabled by the pool (IsolatedContext).
      page.evaluateOnNewDocument(maskingScript(maskSelectors)),
    ]);
    page.setDefaultNavigationTimeout(this.settings.limits.navigationTimeoutMs);

    this.ic.egress.on('blocked', this.#onBlocked);
    this.ic.on('download-refused', this.#onDownload);
    this.ic.once('closed', () => void this.close('error', 'context closed'));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) void this.#onMainFrameNavigated(frame.url());
    });
    page.on('domcontentloaded', () => void this.#emitNavigated(page.url()));
    cdp.on('Page.frameNavigated', ({ frame }) => {
      if (!frame.parentId && frame.url !== 'about:blank') this.#firstPage.committed = true;
    });
    cdp.on('Page.lifecycleEvent', ({ name }) => {
      if (name !== 'firstPaint' || !this.#firstPage.committed) return;
      this.#firstPage.painted = true;
      this.#checkPageShown();
    });
    page.on('dialog', (d) => this.#onDialog(d));
    cdp.on('Page.javascriptDialogClosed', () => {
      this.#dialog = undefined;
      if (!this.#dialogShown) return;
      this.#dialogShown = false;
      this.emit('dialog-closed');
    });
    page.on('error', (err) => void this.close('crashed', err.message));
    this.ic.context.on('targetcreated', (t) => void this.#onTargetCreated(t));

    // The screencast can start on the surface painted before the device size took effect (seen on a
    // loaded machine: an 800×506 frame for an 800×600 device). Such frames wait: the first frame of the
    // device's own size replaces them, and only if none comes within STALE_FRAME_WAIT_MS is the held one shown.
    const gate = new FirstFrameGate<{ data: string; metadata: FrameMetadata }>(viewport, STALE_FRAME_WAIT_MS, (frame) => {
      this.emit('frame', { seq: ++this.#seq, ...frame });
      if (!this.#firstPage.committed) return;
      this.#firstPage.framed = true;
      this.#checkPageShown();
    });
    this.#timers.push(gate.timer);
    cdp.on('Page.screencastFrame', ({ data, metadata, sessionId }) => {
      cdp.send('Page.screencastFrameAck', { sessionId }).catch(() => undefined);
      if (!this.#closed && !gate.offer({ data, metadata })) this.log.debug({ event: 'session/stale-frame', metadata }, 'frame of the old size held back');
    });
    const scale = Math.min(viewport.deviceScaleFactor, 2);
    await cdp.send('Page.startScreencast', {
      format: 'jpeg',
      quality: this.settings.limits.jpegQuality,
      maxWidth: Math.round(viewport.width * scale),
      maxHeight: Math.round(viewport.height * scale),
      everyNthFrame: 1,
    });

    const { maxDurationMs, watchdogMs } = this.settings.limits;
    this.#timers.push(setTimeout(() => void this.close('max-duration'), maxDurationMs));
    this.#timers.push(setInterval(() => void this.#watchdog(), watchdogMs));
    this.log.info({ event: 'session/created', viewport, locale, timezoneId }, 'session ready');
    if (this.options.startUrl) void this.navigate({ action: 'goto', url: this.options.startUrl }).catch(() => undefined);
  }

  /** The frame carrying the first paint and the paint's lifecycle event come in either order: both are needed. */
  #checkPageShown(): void {
    const p = this.#firstPage;
    if (p.shown || !p.painted || !p.framed) return;
    p.shown = true;
    this.emit('page-shown');
  }

  #onDialog(d: Dialog): void {
    const type = d.type();
    // Leaving a page is never held up by it: nobody is asked, the navigation proceeds.
    if (type === 'beforeunload') {
      this.log.info({ event: 'session/dialog', type }, 'beforeunload accepted');
      d.accept().catch(() => undefined);
      return;
    }
    this.#dialog = d;
    this.#dialogShown = true;
    this.log.info({ event: 'session/dialog', type }, 'dialog open');
    this.emit('dialog', { type, message: d.message(), defaultValue: d.defaultValue() });
  }

  readonly #onBlocked = (e: BlockedEvent): void => {
    this.#lastBlocked = { ...e, at: Date.now() };
    this.#recentBlocked = [...this.#recentBlocked.slice(-9), this.#lastBlocked];
    this.emit('blocked', e);
  };

  readonly #onDownload = (e: { url: string; filename: string }): void => {
    this.log.info({ event: 'session/download-refused', url: e.url }, 'download refused');
    this.emit('download-refused', e);
  };

  async #onMainFrameNavigated(url: string): Promise<void> {
    const scheme = url.split(':')[0];
    if (scheme === 'chrome-error') {
      const recent = this.#lastBlocked && Date.now() - this.#lastBlocked.at < 5_000 ? this.#lastBlocked : undefined;
      await this.#showError(recent?.target ?? url, recent?.reason ?? 'The page could not be loaded.');
      return;
    }
    if (scheme !== 'http' && scheme !== 'https' && url !== 'about:blank') {
      // Chromium refuses most of these by itself; this catches whatever slips through.
      const reason = `blocked: scheme ${scheme}`;
      this.#onBlocked({ target: url, reason });
      await this.#showError(url, reason);
      return;
    }
    await this.#emitNavigated(url);
  }

  async #emitNavigated(url: string): Promise<void> {
    const title = await this.page.title().catch(() => '');
    const key = `${url}\n${title}`;
    if (key === this.#lastNavigated || this.#closed) return;
    this.#lastNavigated = key;
    this.emit('navigated', { url, title });
  }

  async #showError(target: string, reason: string): Promise<void> {
    if (this.#closed) return;
    try {
      await this.page.goto('about:blank');
      await this.page.setContent(blockedPage(target, reason));
    } catch (err) {
      this.log.debug({ event: 'session/error-page', err: (err as Error).message }, 'could not show error page');
    }
  }

  /** Pop-ups open in the same view: the main page follows the pop-up's URL and the pop-up closes. */
  async #onTargetCreated(target: Target): Promise<void> {
    if (target.type() !== 'page' || target === this.page.target()) return;
    const popup = await target.page().catch(() => null);
    if (!popup) return;
    const open = (await this.ic.context.pages().catch(() => [])).length;
    let url = target.url();
    if (open <= this.settings.limits.maxTabs && (url === '' || url === 'about:blank')) {
      url = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve(target.url()), 3_000);
        popup.once('framenavigated', (f) => {
          clearTimeout(timer);
          resolve(f.url());
        });
      });
    }
    await popup.close().catch(() => undefined);
    if (open > this.settings.limits.maxTabs) {
      this.log.warn({ event: 'session/max-tabs', open }, 'pop-up refused: too many tabs');
      return;
    }
    if (url && url !== 'about:blank') {
      this.log.info({ event: 'session/popup', url }, 'pop-up folded into main view');
      await this.navigate({ action: 'goto', url }).catch(() => undefined);
    }
  }

  /** Heap cap and hang detection; either ends only this session. */
  async #watchdog(): Promise<void> {
    if (this.#watchdogBusy || this.#closed) return;
    this.#watchdogBusy = true;
    const { maxHeapBytes, hangTimeoutMs } = this.settings.limits;
    try {
      const probe = this.cdp.send('Runtime.evaluate', { expression: '1', returnByValue: true });
      const answered = await Promise.race([probe.then(() => true), sleep(hangTimeoutMs).then(() => false)]);
      if (!answered && !this.#dialog) {
        await this.close('unresponsive', `no answer for ${hangTimeoutMs} ms`);
        return;
      }
      // A title set by script (no input, no navigation) is seen here.
      void this.#emitNavigated(this.page.url());
      const { metrics } = await this.cdp.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      if (heap > maxHeapBytes) await this.close('memory', `JS heap ${Math.round(heap / 2 ** 20)} MB > ${Math.round(maxHeapBytes / 2 ** 20)} MB`);
    } catch {
      // the target is gone; the crash or close handlers report why
    } finally {
      this.#watchdogBusy = false;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new SessionClosedError(this.id);
  }

  /** Opens a URL (after the URL policy), or moves back, forward, or reloads. */
  async navigate(cmd: NavigateCommand): Promise<{ ok: true; url: string } | { ok: false; reason: string }> {
    this.#assertOpen();
    const page = this.page;
    try {
      switch (cmd.action) {
        case 'goto': {
          const verdict = checkUrl(cmd.url, this.settings.allow, { topLevel: true });
          if (!verdict.ok) {
            this.#onBlocked({ target: cmd.url, reason: verdict.reason });
            await this.#showError(cmd.url, verdict.reason);
            return verdict;
          }
          const res = await page.goto(cmd.url, { waitUntil: 'domcontentloaded' });
          const blockedBy = res?.headers()['x-engage-blocked'];
          if (blockedBy) return { ok: false, reason: blockedBy };
          break;
        }
        case 'back':
          await page.goBack({ waitUntil: 'domcontentloaded' });
          break;
        case 'forward':
          await page.goForward({ waitUntil: 'domcontentloaded' });
          break;
        case 'reload':
          await page.reload({ waitUntil: 'domcontentloaded' });
          break;
        default:
          return assertUnreachable(cmd);
      }
      return { ok: true, url: page.url() };
    } catch (err) {
      const host = cmd.action === 'goto' && URL.canParse(cmd.url) ? new URL(cmd.url).hostname.replace(/^\[|\]$/g, '') : undefined;
      const own = host ? this.#recentBlocked.findLast((b) => Date.now() - b.at < 5_000 && b.target.includes(host)) : undefined;
      const recent = own ?? (this.#lastBlocked && Date.now() - this.#lastBlocked.at < 5_000 ? this.#lastBlocked : undefined);
      if (recent) return { ok: false, reason: recent.reason };
      return { ok: false, reason: `navigation failed: ${(err as Error).message.split('\n')[0]}` };
    }
  }

  /** Mouse, keyboard, text and touch input, in CSS pixels of the emulated viewport. */
  async input(ev: ResolvedInput): Promise<void> {
    this.#assertOpen();
    this.#checkTitleSoon();
    const cdp = this.cdp;
    switch (ev.kind) {
      case 'mouse': {
        const base = { x: ev.x, y: ev.y, modifiers: ev.modifiers ?? 0 };
        const button = { button: ev.button, clickCount: ev.clickCount };
        if (ev.type === 'move') await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...base });
        else if (ev.type === 'down') await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...base, ...button });
        else if (ev.type === 'up') await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...base, ...button });
        else if (ev.type === 'wheel') await cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', ...base, deltaX: ev.deltaX, deltaY: ev.deltaY });
        else {
          await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...base });
          await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...base, ...button });
          await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...base, ...button });
        }
        return;
      }
      case 'key': {
        // puppeteer knows the codes of named keys (Enter, ArrowLeft…); anything else is sent by name.
        const kb = this.page.keyboard;
        const key = ev.key as KeyInput;
        try {
          if (ev.type === 'down') await kb.down(key);
          else if (ev.type === 'up') await kb.up(key);
          else await kb.press(key);
        } catch {
          const text = ev.key.length === 1 ? ev.key : undefined;
          if (ev.type !== 'up') await cdp.send('Input.dispatchKeyEvent', { type: text ? 'keyDown' : 'rawKeyDown', key: ev.key, text, modifiers: ev.modifiers });
          if (ev.type !== 'down') await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ev.key, modifiers: ev.modifiers });
        }
        return;
      }
      case 'text':
        await cdp.send('Input.insertText', { text: ev.text });
        return;
      case 'touch': {
        const type = ({ start: 'touchStart', move: 'touchMove', end: 'touchEnd', cancel: 'touchCancel' } as const)[ev.type];
        await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: ev.points.map((p) => ({ x: p.x, y: p.y, id: p.id })) });
        return;
      }
      default:
        assertUnreachable(ev);
    }
  }

  /** Input may change the title without a navigation (a page echoing a field): look again shortly after. */
  #checkTitleSoon(): void {
    if (this.#titleTimer) return;
    this.#titleTimer = setTimeout(() => {
      this.#titleTimer = undefined;
      if (!this.#closed) void this.#emitNavigated(this.page.url());
    }, 250);
    this.#titleTimer.unref();
  }

  /** Answers the open JavaScript dialog. */
  async answerDialog(accept: boolean, text?: string): Promise<void> {
    this.#assertOpen();
    const d = this.#dialog;
    if (!d) throw new NoDialogError(this.id);
    this.#dialog = undefined;
    if (accept) await d.accept(text);
    else await d.dismiss();
  }

  /** Ends the session: stops the screencast and closes its context (cookies, storage, pages). */
  async close(reason: CloseReason = 'closed', detail?: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.forEach((t) => clearTimeout(t));
    clearTimeout(this.#titleTimer);
    this.ic.egress.off('blocked', this.#onBlocked);
    this.ic.off('download-refused', this.#onDownload);
    this.log.info({ event: 'session/closed', reason, detail, frames: this.#seq, ms: Date.now() - this.startedAt }, 'session closed');
    // The context detaches its page's CDP session (this session's) as it closes.
    await this.ic.close();
    this.emit('closed', { reason, detail });
  }
}

export class SessionClosedError extends Error {
  readonly code = 'session-closed';
  constructor(id: string) {
    super(`session ${id} is closed`);
  }
}

export class NoDialogError extends Error {
  readonly code = 'no-dialog';
  constructor(id: string) {
    super(`session ${id} has no open dialog`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function assertUnreachable(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
