import type { CallSession } from '@engage/media-client';
import http from 'node:http';
import type net from 'node:net';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { loginAgent } from './support/api';
import { openParty, screenshot } from './support/browser';
import { DEMO_AGENT, loginToDesk, sendDeskMessage, tid, waitForText } from './support/desk';
import type { Platform } from './support/platform';
import { useStack } from './support/stack';
import { openWidgetChat, sendWidgetMessage, w, waitForWidgetText } from './support/widget';

declare global {
  interface Window {
    /** The call panel exposes its running CallSession here. */
    __engageCall?: CallSession | null;
  }
}

type Stats = Awaited<ReturnType<CallSession['stats']>>;

/** Waits until the page's call decodes video frames from the other side. */
async function waitForVideo(page: Page, who: string): Promise<Stats> {
  await page.waitForFunction(() => !!window.__engageCall, { timeout: 20_000 });
  const deadline = Date.now() + 25_000;
  let stats: Stats | null = null;
  while (Date.now() < deadline) {
    stats = await page.evaluate(() => window.__engageCall?.stats() ?? null);
    if ((stats?.inbound.video?.framesDecoded ?? 0) > 0) return stats!;
    await new Promise((r) => setTimeout(r, 250));
  }
  await screenshot(page, `failed-lift-call-${who}`);
  throw new Error(`${who}: no video frames from the other side: ${JSON.stringify(stats)}`);
}

/** The tab the widget opens: a new page of the customer's browser context on the join page. */
async function nextJoinTab(context: BrowserContext, platform: Platform, open: () => Promise<void>): Promise<Page> {
  const target = context.waitForTarget((t) => t.type() === 'page' && t.url().startsWith(`${platform.url}/join`), { timeout: 15_000 });
  await open();
  const page = await (await target).page();
  if (!page) throw new Error('the full view opened no page');
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.error('[full view]', String(e)));
  return page;
}

/** Opens the join page with a `#session=` fragment in a fresh tab and answers what it says. */
async function refusalFor(context: BrowserContext, platform: Platform, fragment: string): Promise<{ notice: string; url: string; chat: boolean }> {
  const page = await context.newPage();
  try {
    await page.goto(`${platform.url}/join#session=${fragment}`, { waitUntil: 'load' });
    await page.waitForFunction((sel: string) => !!document.querySelector(sel) && !/Opening/.test(document.querySelector(sel)?.textContent ?? ''), { timeout: 15_000 }, tid('join-notice'));
    return {
      notice: await page.$eval(tid('join-notice'), (e) => (e.textContent ?? '').trim()),
      url: page.url(),
      chat: (await page.$(tid('chat-input'))) !== null,
    };
  } finally {
    await page.close();
  }
}

/** A page for the shared browser to open (the proxy worker may reach only this fixture). */
async function startFixture(): Promise<{ origin: string; port: number; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Size guide</title><h1 style="background:#9cf">Size guide</h1>'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The website customer starts a widget chat; the agent accepts it on the desk. */
async function widgetChatAccepted(browser: Browser, platform: Platform, name: string): Promise<{ customer: { context: BrowserContext; page: Page }; agent: Page; engagementId: string }> {
  const customer = await openParty(browser);
  const { page: agent } = await openParty(browser);
  customer.page.on('pageerror', (e) => console.error('[customer site]', String(e)));
  agent.on('pageerror', (e) => console.error('[agent page]', String(e)));
  await customer.page.goto(`${platform.demoUrl}/products`, { waitUntil: 'load' });
  await openWidgetChat(customer.page, name);
  await loginToDesk(agent, platform.url, DEMO_AGENT);
  await waitForText(agent, 'queue-item', name);
  await agent.locator(`${tid('queue-item')} ${tid('accept')}`).click();
  await waitForWidgetText(customer.page, 'status', DEMO_AGENT.name);
  const engagementId = await customer.page.evaluate(() => (JSON.parse(localStorage.getItem('engage:session') ?? '{}') as { engagementId?: string }).engagementId ?? '');
  return { customer, agent, engagementId };
}

const widgetHidden = (page: Page, testId: string) =>
  page.waitForFunction((sel: string) => (document.querySelector('engage-widget')?.shadowRoot?.querySelector(sel) as HTMLElement | null)?.hidden === true, {}, `[data-testid="${testId}"]`);

describe('a website-widget customer lifted into the full engagement room', () => {
  const stack = useStack({ fixture: startFixture, platform: { sfu: true, proxy: true }, chromium: { fakeMedia: true } });

  it('the widget shows the agent’s video call offer, opens the join page on the same engagement, the call runs, the widget chat goes on; forged links are refused', async () => {
    const { platform, browser } = stack;
    // A website visitor chats through the widget; the agent accepts.
    const { customer, agent: agentPage, engagementId } = await widgetChatAccepted(browser, platform, 'Dana');
    const agent = { page: agentPage };
    expect(engagementId).toMatch(/^[0-9a-f-]{36}$/);
    await sendWidgetMessage(customer.page, 'Can you show me how the strap fits?');
    await waitForText(agent.page, 'chat-message', 'how the strap fits');
    // "Open full view" is there while the engagement runs; no invitation yet.
    await customer.page.waitForSelector(`${w('open-full-view')}`, { visible: true });
    expect(await customer.page.$eval(w('lift-invite'), (e) => (e as HTMLElement).hidden)).toBe(true);

    // The agent offers a video call: the widget says so in words, with one button.
    await agent.page.locator(tid('call-offer-video')).click();
    await waitForWidgetText(customer.page, 'lift-title', `${DEMO_AGENT.name} invites you to a video call`);
    await screenshot(customer.page, 'lift-widget-invitation');
    const joinTab = await nextJoinTab(customer.context, platform, () => customer.page.locator(w('lift-open')).click());

    // The full view: same engagement, same session, the token gone from the address bar.
    await waitForText(joinTab, 'call-status', 'invites you to a video call');
    expect(joinTab.url()).toBe(`${platform.url}/join`);
    const stored = await joinTab.evaluate(() => JSON.parse(sessionStorage.getItem('engage.customer.session') ?? 'null') as { engagementId: string } | null);
    expect(stored?.engagementId).toBe(engagementId);
    expect(await platform.query(`SELECT id FROM engagements`)).toEqual([{ id: engagementId }]);
    await waitForText(joinTab, 'chat-message', 'how the strap fits');
    // The invitation is answered in the widget; the link to the full view stays.
    await widgetHidden(customer.page, 'lift-invite');

    // The customer accepts in the full view; both sides decode each other's video.
    await joinTab.locator(tid('call-accept')).click();
    const [agentStats, customerStats] = await Promise.all([waitForVideo(agent.page, 'agent'), waitForVideo(joinTab, 'customer')]);
    expect(agentStats.inbound.video?.framesDecoded).toBeGreaterThan(0);
    expect(customerStats.inbound.video?.framesDecoded).toBeGreaterThan(0);
    await waitForText(agent.page, 'call-status', 'In a video call');
    await screenshot(joinTab, 'lift-full-view-call');

    // The widget's chat keeps working alongside, both ways.
    await sendDeskMessage(agent.page, 'I can see you now.');
    await waitForWidgetText(customer.page, 'chat-message', 'I can see you now.');
    await waitForText(joinTab, 'chat-message', 'I can see you now.');
    // Back on the website's tab (the full view keeps the call), the customer writes in the widget.
    await customer.page.bringToFront();
    await sendWidgetMessage(customer.page, 'Typed in the widget during the call');
    await waitForText(agent.page, 'chat-message', 'Typed in the widget during the call');
    expect(await platform.query(`SELECT count(*)::int AS n FROM engagements`)).toEqual([{ n: 1 }]);

    // A forged token (signature changed), a staff token, or rubbish in the fragment: refused in words.
    const token = await customer.page.evaluate(() => (JSON.parse(localStorage.getItem('engage:session') ?? '{}') as { customerToken?: string }).customerToken ?? '');
    expect(token.split('.')).toHaveLength(3);
    const [head, payload, sig] = token.split('.');
    const forged = `${head}.${payload}.${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const { token: staffToken } = await loginAgent(platform.url, DEMO_AGENT);
    for (const fragment of [forged, staffToken, 'not-a-token']) {
      const refused = await refusalFor(customer.context, platform, fragment);
      expect(refused.notice).toContain('This link does not open a conversation');
      expect(refused.url).toBe(`${platform.url}/join`);
      expect(refused.chat).toBe(false);
    }

    // Once the engagement ended, even the customer's own link says so.
    await customer.page.bringToFront();
    await customer.page.locator(w('end-chat')).click();
    await waitForWidgetText(customer.page, 'status', 'You ended the chat.');
    const ended = await refusalFor(customer.context, platform, token);
    expect(ended.notice).toContain('This conversation has ended.');
    expect(ended.chat).toBe(false);
  });

  it('browse together: the widget invites in words, "Not now" puts it away, "Open full view" opens the shared page on the same engagement', async () => {
    const { platform, browser, fixture } = stack;
    const { customer, agent, engagementId } = await widgetChatAccepted(browser, platform, 'Rui');
    const before = await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM engagements`);

    // The agent opens a page to browse together: the widget says so, and the customer waves it away.
    await agent.locator(tid('mode-tab-proxy')).click();
    await agent.locator(tid('proxy-url')).fill(`${fixture.origin}/`);
    await agent.locator(tid('proxy-start')).click();
    await waitForWidgetText(customer.page, 'lift-title', `${DEMO_AGENT.name} invites you to browse a page together`, 30_000);
    await customer.page.locator(w('lift-dismiss')).click();
    await widgetHidden(customer.page, 'lift-invite');

    // Later, from the small link, the customer opens the full view: the shared page is there.
    const joinTab = await nextJoinTab(customer.context, platform, () => customer.page.locator(w('open-full-view')).click());
    await waitForText(joinTab, 'proxy-status', 'Size guide', 30_000);
    expect(joinTab.url()).toBe(`${platform.url}/join`);
    const stored = await joinTab.evaluate(() => JSON.parse(sessionStorage.getItem('engage.customer.session') ?? 'null') as { engagementId: string } | null);
    expect(stored?.engagementId).toBe(engagementId);
    expect(await platform.query(`SELECT count(*)::int AS n FROM engagements`)).toEqual(before);
    await screenshot(joinTab, 'lift-full-view-proxy');
  });
});
