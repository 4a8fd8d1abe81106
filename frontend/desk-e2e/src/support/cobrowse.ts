import { EngageSocket } from '@engage/chat-client';
import { EV, type CobrowseView, type CustomerSession, type RecordedEvent } from '@engage/protocol';
import type { Browser, BrowserContext, Frame, Page } from 'puppeteer-core';
import { loginAgent, openAsCustomer } from './api';
import { openParty, screenshot } from './browser';
import { DEMO_AGENT, DEMO_SUPERVISOR, loginToDesk, tid, waitForText } from './desk';
import { waitForWidgetText } from './widget';

/** The replayed page inside the desk's co-browse view. */
export async function replayFrame(agent: Page): Promise<Frame> {
  const handle = await agent.waitForSelector(`${tid('cobrowse-view')} iframe`);
  const frame = await handle!.contentFrame();
  if (!frame) throw new Error('the co-browse view has no replay frame');
  return frame;
}

export async function waitInReplay(agent: Page, text: string, timeout = 15_000): Promise<void> {
  const start = Date.now();
  let seen = '';
  for (;;) {
    const frame = await replayFrame(agent).catch(() => null);
    seen = frame ? await frame.evaluate(() => document.body?.textContent ?? '').catch(() => '') : '';
    if (seen.replace(/\s+/g, ' ').includes(text)) return;
    if (Date.now() - start > timeout) {
      await screenshot(agent, 'failed-cobrowse-replay');
      throw new Error(`the replay never showed "${text}"; it shows: ${seen.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Reads the replayed page with `read` every 100 ms until `ok` accepts what it returns; a read that
 * throws (the replay is being rebuilt for a new page) is tried again. On timeout it saves the
 * screenshot `failShot` and throws with the last value seen.
 */
export async function untilReplay<T>(
  agent: Page,
  what: string,
  read: (frame: Frame) => Promise<T>,
  ok: (v: T) => boolean,
  opts: { failShot: string; timeout?: number },
): Promise<T> {
  const start = Date.now();
  let last: T | undefined;
  for (;;) {
    const frame: Frame | null = await replayFrame(agent).catch(() => null);
    if (frame) {
      try {
        last = await read(frame);
        if (ok(last)) return last;
      } catch {
        // the replay is being rebuilt (a new page); look again
      }
    }
    if (Date.now() - start > (opts.timeout ?? 15_000)) {
      await screenshot(agent, opts.failShot);
      throw new Error(`the replay never showed ${what}; last seen: ${JSON.stringify(last)?.slice(0, 400)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once the socket is connected. */
export function connected(socket: EngageSocket): Promise<void> {
  return new Promise((resolve) => socket.onStatus((s) => s === 'connected' && resolve()));
}

/**
 * The agent signs in to the desk and accepts the chat of the customer `name`, already waiting in
 * the queue from the widget on `customer`; resolves with the engagement's id once the customer's
 * widget names the agent.
 */
export async function acceptWidgetChat(agent: Page, customer: Page, baseUrl: string, name: string): Promise<string> {
  await loginToDesk(agent, baseUrl, DEMO_AGENT);
  await waitForText(agent, 'queue-item', name);
  await agent.locator(`${tid('queue-item')} ${tid('accept')}`).click();
  await waitForWidgetText(customer, 'status', DEMO_AGENT.name);
  const engagementId = await agent.$$eval(tid('engagement-item'), (items, n) => items.find((e) => (e.textContent ?? '').includes(n))?.getAttribute('data-engagement-id') ?? '', name);
  if (engagementId === '') throw new Error(`the desk lists no engagement of ${name}`);
  return engagementId;
}

/**
 * A supervisor's socket watching the engagement's co-browse: returns the list of events the backend
 * relays (what went over the wire), which grows as they arrive. The socket joins `sockets`, for the
 * spec to close.
 */
export async function tapCobrowse(baseUrl: string, engagementId: string, sockets: EngageSocket[]): Promise<RecordedEvent[]> {
  const { token } = await loginAgent(baseUrl, DEMO_SUPERVISOR);
  const tap = EngageSocket.connect({ url: baseUrl, token, websocketOnly: true });
  sockets.push(tap);
  await connected(tap);
  await tap.request(EV.engagementJoin, { engagementId });
  const wire: RecordedEvent[] = [];
  tap.on(EV.cobrowseEvents, (m) => m.engagementId === engagementId && wire.push(...m.events));
  await tap.request(EV.cobrowseWatch, { engagementId });
  return wire;
}

/**
 * A scripted "customer": a bare socket holding a real customer token of an engagement opened as
 * `name` from the demo site. The agent (in a browser of its own) accepts the chat and asks to
 * co-browse; the script consents. From then on the script may send any recording, forged or not.
 * The socket joins `sockets`, for the spec to close.
 */
export async function scriptedCustomerSharing(
  platform: { url: string; demoUrl: string },
  browser: Browser,
  name: string,
  sockets: EngageSocket[],
): Promise<{ session: CustomerSession; agent: { context: BrowserContext; page: Page }; customer: EngageSocket }> {
  const session = await openAsCustomer(platform.url, platform.demoUrl, name);
  const agent = await openParty(browser);
  await loginToDesk(agent.page, platform.url, DEMO_AGENT);
  await waitForText(agent.page, 'queue-item', name);
  await agent.page.locator(`${tid('queue-item')} ${tid('accept')}`).click();
  const customer = EngageSocket.connect({ url: platform.url, token: session.customerToken, websocketOnly: true });
  sockets.push(customer);
  await connected(customer);
  const states: CobrowseView[] = [];
  customer.on(EV.cobrowseState, (v) => states.push(v));
  await agent.page.locator(tid('mode-tab-direct')).click();
  const start = Date.now();
  while (!states.some((v) => v.status === 'requesting')) {
    if (Date.now() - start > 10_000) throw new Error('no consent request reached the customer');
    await new Promise((r) => setTimeout(r, 50));
  }
  await customer.request(EV.cobrowseRespond, { engagementId: session.engagement.id, accept: true });
  return { session, agent, customer };
}

/** The canary values a forged recording's script left in any frame of `page` (none, if nothing ran). */
export async function canaries(page: Page): Promise<unknown[]> {
  const found: unknown[] = [];
  for (const frame of page.frames()) found.push(await frame.evaluate(() => (window as unknown as { __canary?: string }).__canary ?? null).catch(() => null));
  return found.filter((c) => c !== null);
}

/**
 * A list for the sockets a spec opens, closed after all its tests. Call it before useStack():
 * after-all hooks run in the order they are declared, so the sockets close before the stack stops.
 */
export function socketsClosedAfterAll(): EngageSocket[] {
  const sockets: EngageSocket[] = [];
  afterAll(() => {
    for (const s of sockets) s.close();
  });
  return sockets;
}
