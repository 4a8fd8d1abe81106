// One browser context of the worker's Chromium with its own egress proxy and one page: the unit a
// session owns. Nothing is shared with other contexts (cookies, storage, cache, proxy), and closing
// it drops all of that.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BrowserContext, CDPSession, Page } from 'puppeteer-core';
import type { BrowserHost } from '../browser/browser-host';
import { EgressProxy } from '../egress/egress-proxy';
import type { Resolver } from '../egress/resolver';
import type { AllowList } from '../policy/url-policy';

export interface IsolatedContextOptions {
  allow: AllowList;
  resolve: Resolver;
  log: Logger;
}

interface IsolatedContextEvents {
  /** The context and its proxy are gone. */
  closed: [];
  /** A download began and was refused (the context denies all downloads). */
  'download-refused': [{ url: string; filename: string }];
}

export class IsolatedContext extends EventEmitter<IsolatedContextEvents> {
  readonly createdAt = Date.now();
  #closed = false;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    /** The page's own CDP session, attached with Page and Performance enabled ahead of any session. */
    readonly pageCdp: CDPSession,
    readonly egress: EgressProxy,
    readonly browserCdp: CDPSession,
    private readonly log: Logger,
  ) {
    super();
  }

  static async create(host: BrowserHost, opts: IsolatedContextOptions): Promise<IsolatedContext> {
    const egress = await EgressProxy.create({ allow: opts.allow, resolve: opts.resolve, log: opts.log });
    let context: BrowserContext | undefined;
    try {
      context = await host.browser.createBrowserContext({ proxyServer: egress.url, proxyBypassList: ['<-loopback>'] });
      const browserCdp = await host.browserTarget.createCDPSession();
      await browserCdp.send('Browser.setDownloadBehavior', { behavior: 'deny', browserContextId: context.id, eventsEnabled: true });
      const page = await context.newPage();
      // What does not depend on the customer's device is done here, off the path of a session's start.
      const pageCdp = await page.createCDPSession();
      // Page: Page.javascriptDialogClosed (a dialog can close without an answer) and the first paint's
      // lifecycle event (a session's start is over); Performance: the heap watchdog.
      await Promise.all([pageCdp.send('Page.enable'), pageCdp.send('Page.setLifecycleEventsEnabled', { enabled: true }), pageCdp.send('Performance.enable')]);
      const ic = new IsolatedContext(context, page, pageCdp, egress, browserCdp, opts.log);
      browserCdp.on('Browser.downloadWillBegin', (e) => ic.emit('download-refused', { url: e.url, filename: e.suggestedFilename }));
      return ic;
    } catch (err) {
      await context?.close().catch(() => undefined);
      await egress.close();
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.pageCdp.detach().catch(() => undefined), this.browserCdp.detach().catch(() => undefined)]);
    await this.context.close().catch((err: Error) => this.log.debug({ event: 'context/close', err: err.message }, 'context already gone'));
    await this.egress.close();
    this.emit('closed');
  }
}
