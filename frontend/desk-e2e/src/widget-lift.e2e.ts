import type { CallSession } from '@engage/media-client';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { loginAgent } from './support/api';
import { openParty, screenshot } from './support/browser';
import { waitInReplay } from './support/cobrowse';
import { DEMO_AGENT, loginToDesk, sendDeskMessage, tid, waitForText } from './support/desk';
import type { Platform } from './support/platform';
import { serveHtml, useStack } from './support/stack';
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
const startFixture = () => serveHtml(() => '<!doctype html><title>Size guide</title><h1 style="background:#9cf">Size guide</h1>');

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

/**
 * Polls both sides' decoded video frames until stopped and keeps the longest time either side went
 * without a new frame: from the poll that last saw the count grow to the poll that sees it grow again
 * (or to the last poll, so a stall still running counts too). Resolution: one poll, about 100–200 ms.
 */
function watchFrames(sides: Record<string, Page>): { stop: () => Promise<{ largestGapMs: number; worst: string; frames: Record<string, number> }> } {
  const last: Record<string, { frames: number; at: number }> = {};
  let largestGapMs = 0;
  let worst = '';
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        Object.entries(sides).map(async ([who, page]) => {
          const frames = await page.evaluate(async () => (await window.__engageCall?.stats())?.inbound.video?.framesDecoded ?? 0).catch(() => 0);
          const now = Date.now();
          const prev = last[who];
          // The time since the previous new frame was seen: at best the polling interval.
          const gap = prev ? now - prev.at : 0;
          if (gap > largestGapMs) {
            largestGapMs = gap;
            worst = who;
          }
          if (!prev || frames > prev.frames) last[who] = { frames, at: now };
        }),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { largestGapMs, worst, frames: Object.fromEntries(Object.entries(last).map(([who, v]) => [who, v.frames])) };
    },
  };
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
  it('the call in the full view keeps running while the agent co-browses the site tab and the customer moves to another page of the site', async () => {
    const { platform, browser } = stack;
    const { customer, agent, engagementId } = await widgetChatAccepted(browser, platform, 'Noor');

    // A video call, accepted in the full view the widget opens.
    await agent.locator(tid('call-offer-video')).click();
    await waitForWidgetText(customer.page, 'lift-title', `${DEMO_AGENT.name} invites you to a video call`);
    const joinTab = await nextJoinTab(customer.context, platform, () => customer.page.locator(w('lift-open')).click());
    await joinTab.locator(tid('call-accept')).click();
    await Promise.all([waitForVideo(agent, 'agent'), waitForVideo(joinTab, 'customer')]);
    const frames = watchFrames({ agent, customer: joinTab });

    // The agent asks to see the customer's page; the customer allows it in the site's tab.
    await agent.locator(tid('mode-tab-direct')).click();
    await waitForText(agent, 'cobrowse-status', 'Waiting');
    await customer.page.bringToFront();
    await customer.page.locator(w('cobrowse-allow')).click();
    await waitInReplay(agent, 'Add to cart');

    // The customer follows a link of the site: a full navigation of the site's tab. The replay follows.
    await Promise.all([customer.page.waitForNavigation({ waitUntil: 'load' }), customer.page.click(tid('cart-link'))]);
    expect(new URL(customer.page.url()).pathname).toBe('/cart');
    await waitInReplay(agent, 'Your cart is empty');
    // And back to the products through the page's own link.
    await Promise.all([customer.page.waitForNavigation({ waitUntil: 'load' }), customer.page.click('main a[href="/products"]')]);
    await waitInReplay(agent, 'Add to cart');
    await screenshot(agent, 'lift-direct-after-navigation');
    // A little longer, so a stall right after the last navigation would show.
    await new Promise((r) => setTimeout(r, 2000));
    const { largestGapMs, worst, frames: decoded } = await frames.stop();
    console.log(`call across site navigation: largest gap without a new video frame ${largestGapMs} ms (${worst}); frames decoded ${JSON.stringify(decoded)}`);
    expect(largestGapMs).toBeLessThan(2000);

    // The call never restarted: the same tab, the same call, no new offer or acceptance.
    expect(joinTab.url()).toBe(`${platform.url}/join`);
    await waitForText(agent, 'call-status', 'In a video call');
    const calls = await platform.query<{ type: string }>(`SELECT type FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'call.%' ORDER BY id`, [engagementId]);
    expect(calls.map((r) => r.type)).toEqual(['call.offered', 'call.accepted']);
    const cobrowse = await platform.query<{ type: string }>(`SELECT type FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id`, [engagementId]);
    expect(cobrowse.map((r) => r.type)).toEqual(['cobrowse.requested', 'cobrowse.accepted']);
  });
});
