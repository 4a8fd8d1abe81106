import type { CallSession } from '@engage/media-client';
import type { Page } from 'puppeteer-core';
import { seriousA11yViolations } from './support/axe';
import { openParty, screenshot, texts } from './support/browser';
import { waitInReplay } from './support/cobrowse';
import { DEMO_AGENT, DEMO_SUPERVISOR, loginToDesk, sendDeskMessage, tid, waitForText } from './support/desk';
import { formPdf, uploadFile, waitForDocument } from './support/documents';
import { connectByInvitation } from './support/flows';
import type { Platform } from './support/platform';
import { serveHtml, useStack } from './support/stack';
import { openWidgetChat, w, waitForWidgetText } from './support/widget';

declare global {
  interface Window {
    /** The call panel exposes its running CallSession here. */
    __engageCall?: CallSession | null;
  }
}

/** Two pages for the shared browser: the title tells where it is. */
const startFixture = () =>
  serveHtml((path) => {
    const form = path === '/form';
    return (
      `<!doctype html><html><head><meta charset="utf-8"><title>${form ? 'Order form' : 'Shop home'}</title></head>` +
      `<body style="font:24px sans-serif;background:${form ? '#ffd' : '#9cf'}"><h1>${form ? 'Order form' : 'Shop home'}</h1></body></html>`
    );
  });

/** Video frames this page's call has decoded from the other side so far (0 without a call). */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => (await window.__engageCall?.stats())?.inbound.video?.framesDecoded ?? 0);
}

/** The call keeps running: both sides decode more frames than at `before`. */
async function expectCallFlowing(agent: Page, customer: Page, before: { agent: number; customer: number }, where: string): Promise<{ agent: number; customer: number }> {
  const deadline = Date.now() + 10_000;
  let now = before;
  while (Date.now() < deadline) {
    now = { agent: await framesDecoded(agent), customer: await framesDecoded(customer) };
    if (now.agent > before.agent && now.customer > before.customer) return now;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${where}: the call stopped decoding frames (before ${JSON.stringify(before)}, now ${JSON.stringify(now)})`);
}

/** Whether the element is rendered (not inside anything hidden). */
function visible(page: Page, testId: string): Promise<boolean> {
  return page.$eval(tid(testId), (e) => (e as HTMLElement).checkVisibility()).catch(() => false);
}

async function waitVisible(page: Page, testId: string, want = true): Promise<void> {
  await page.waitForFunction((sel: string, w: boolean) => (document.querySelector(sel) as HTMLElement | null)?.checkVisibility() === w, {}, tid(testId), want);
}

/** Waits until the tab is the selected one (the page renders after the event). */
async function waitSelected(page: Page, testId: string): Promise<void> {
  await page.waitForFunction((sel: string) => document.querySelector(sel)?.getAttribute('aria-selected') === 'true', {}, tid(testId));
}

/** The shared browser's canvas shows a frame (some pixel is neither white nor transparent). */
function painted(page: Page): Promise<boolean> {
  return page.$eval(tid('proxy-view'), (c) => {
    const canvas = c as HTMLCanvasElement;
    if (canvas.width < 10) return false;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < d.length; i += 16) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) return true;
    return false;
  });
}

async function timelineTypes(platform: Platform, engagementId: string): Promise<string[]> {
  const rows = await platform.query<{ type: string; actor: string; mode: string | null }>(
    `SELECT type, actor, detail->>'mode' AS mode FROM engagement_events WHERE engagement_id = $1 ORDER BY id`,
    [engagementId],
  );
  return rows.map((r) => `${r.type}:${r.actor}${r.mode ? `:${r.mode}` : ''}`);
}

describe('one session, every mode: chat → call → browse together → documents → browse together → chat → documents', () => {
  const stack = useStack({ fixture: startFixture, platform: { sfu: true, proxy: true }, chromium: { fakeMedia: true } });

  it('escalates in place with the call running throughout, keeps each mode’s state (page, document), the customer follows and leaves, the timeline lists the switches', async () => {
    const { platform, browser, fixture } = stack;
    const agent = await openParty(browser);
    const customer = await openParty(browser);
    agent.page.on('pageerror', (e) => console.error('[agent page]', String(e)));
    customer.page.on('pageerror', (e) => console.error('[customer page]', String(e)));
    const { engagementId } = await connectByInvitation(platform, agent.page, customer.page);

    // Chat first: the desk shows the chat alone, the mode bar is a keyboard tablist.
    await agent.page.waitForSelector(tid('mode-tab-chat'));
    await waitSelected(agent.page, 'mode-tab-chat');
    expect(await texts(agent.page, 'mode-tab-chat')).toEqual(['Chat only']);
    await agent.page.focus(tid('mode-tab-chat'));
    await agent.page.keyboard.press('ArrowRight');
    await waitSelected(agent.page, 'mode-tab-direct');
    expect(await agent.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('mode-tab-direct');
    // A caller on the join page has no website page to share: the desk says so instead of asking.
    await waitForText(agent.page, 'direct-unavailable', 'joined with a code');
    await screenshot(agent.page, 'escalation-desk-direct-hint');
    await agent.page.keyboard.press('ArrowLeft');
    await waitSelected(agent.page, 'mode-tab-chat');
    expect(await visible(agent.page, 'mode-panel-direct')).toBe(false);
    await sendDeskMessage(agent.page, 'Let me call you.');
    await waitForText(customer.page, 'chat-message', 'Let me call you.');

    // → call: a bar above the modes, with its own start and end.
    await agent.page.locator(tid('call-offer-video')).click();
    await waitForText(customer.page, 'call-status', 'invites you to a video call');
    await customer.page.locator(tid('call-accept')).click();
    await waitForText(agent.page, 'call-status', 'In a video call', 25_000);
    await agent.page.waitForFunction(() => !!window.__engageCall);
    await customer.page.waitForFunction(() => !!window.__engageCall);
    let frames = await expectCallFlowing(agent.page, customer.page, { agent: 0, customer: 0 }, 'call start');

    // → browse together: the agent opens a page; the customer is brought to it.
    await agent.page.locator(tid('mode-tab-proxy')).click();
    expect(await visible(agent.page, 'chat-input')).toBe(true);
    await agent.page.locator(tid('proxy-url')).fill(`${fixture.origin}/`);
    await agent.page.locator(tid('proxy-start')).click();
    await waitForText(agent.page, 'proxy-status', 'Shop home', 30_000);
    await waitVisible(customer.page, 'mode-panel-proxy');
    await waitForText(customer.page, 'proxy-status', 'Shop home');
    await waitSelected(customer.page, 'mode-tab-proxy');
    // The agent goes on to the next page: the state to keep.
    await agent.page.locator(tid('proxy-address')).fill(`${fixture.origin}/form`);
    await agent.page.keyboard.press('Enter');
    await waitForText(agent.page, 'proxy-status', 'Order form');
    await waitForText(customer.page, 'proxy-status', 'Order form');
    await agent.page.waitForFunction((sel: string) => !!document.querySelector(sel), {}, tid('proxy-view'));
    await waitFor(() => painted(agent.page), 'a painted frame on the desk');
    frames = await expectCallFlowing(agent.page, customer.page, frames, 'browse together');
    await screenshot(agent.page, 'escalation-desk-proxy');
    await screenshot(customer.page, 'escalation-join-proxy');
    expect(await seriousA11yViolations(agent.page)).toEqual([]);
    expect(await seriousA11yViolations(customer.page)).toEqual([]);

    // → documents: the room opens; the shared browser stays alive behind it. The agent shares a form.
    await agent.page.locator(tid('mode-tab-documents')).click();
    await waitVisible(agent.page, 'mode-panel-documents');
    await waitVisible(agent.page, 'doc-room');
    expect(await visible(agent.page, 'mode-panel-proxy')).toBe(false);
    expect(await visible(agent.page, 'chat-input')).toBe(true);
    await uploadFile(agent.page, 'form.pdf', await formPdf());
    await waitForDocument(agent.page, 'form.pdf');
    await waitForText(agent.page, 'doc-open-name', 'form.pdf');
    await screenshot(agent.page, 'escalation-desk-documents');
    frames = await expectCallFlowing(agent.page, customer.page, frames, 'documents');

    // The customer leaves browse together for the chat (the call goes on, the chat stays).
    await customer.page.locator(tid('back-to-chat')).click();
    await waitVisible(customer.page, 'mode-panel-proxy', false);
    await waitSelected(customer.page, 'mode-tab-chat');
    expect(await visible(customer.page, 'chat-input')).toBe(true);
    await screenshot(customer.page, 'escalation-join-chat');

    // → browse together again: the same page, not restarted; the customer follows the agent back.
    await agent.page.locator(tid('mode-tab-proxy')).click();
    await waitVisible(agent.page, 'mode-panel-proxy');
    expect(await agent.page.$eval(tid('proxy-address'), (e) => (e as HTMLInputElement).value)).toBe(`${fixture.origin}/form`);
    await waitForText(agent.page, 'proxy-status', 'Order form');
    expect(await painted(agent.page)).toBe(true);
    await waitVisible(customer.page, 'mode-panel-proxy');
    await waitForText(customer.page, 'proxy-status', 'Order form');
    // The document room, hidden, still has the form open.
    expect(await agent.page.$eval(tid('doc-open-name'), (e) => e.textContent ?? '')).toContain('form.pdf');
    frames = await expectCallFlowing(agent.page, customer.page, frames, 'back to browse together');

    // → back to chat: the customer follows; the shared browser still runs (a dot on its tab).
    await agent.page.locator(tid('mode-tab-chat')).click();
    await waitVisible(agent.page, 'mode-panel-proxy', false);
    await waitVisible(customer.page, 'mode-panel-proxy', false);
    await waitSelected(customer.page, 'mode-tab-chat');
    await waitForText(agent.page, 'mode-tab-proxy', 'running');
    frames = await expectCallFlowing(agent.page, customer.page, frames, 'back to chat');

    // → documents once more: the same form is still open, nothing uploaded again; the customer follows.
    await agent.page.locator(tid('mode-tab-documents')).click();
    await waitVisible(agent.page, 'doc-room');
    await waitForText(agent.page, 'doc-open-name', 'form.pdf');
    expect(await agent.page.$$eval(tid('doc-list-item'), (els) => els.length)).toBe(1);
    await waitVisible(customer.page, 'mode-panel-documents');
    await waitForText(customer.page, 'doc-open-name', 'form.pdf');
    await screenshot(customer.page, 'escalation-join-documents');
    await expectCallFlowing(agent.page, customer.page, frames, 'documents again');

    // The timeline, on the desk, lists the escalation and every switch in order.
    await agent.page.locator(tid('timeline-toggle')).click();
    const expected = [
      'engagement.invited:agent',
      'engagement.joined:customer',
      'call.offered:agent',
      'call.accepted:customer',
      'proxy.started:agent',
      // The room opened while the shared browser ran: the documents service wrote no doc.opened.
      'mode.shown:agent:document',
      'mode.shown:customer:chat',
      'mode.shown:agent:proxy',
      'mode.shown:agent:chat',
      'mode.shown:agent:document',
    ];
    expect((await timelineTypes(platform, engagementId)).filter((t) => !t.startsWith('doc.'))).toEqual(expected);
    await agent.page.waitForFunction(
      (sel: string, n: number) => document.querySelectorAll(sel).length >= n,
      {},
      tid('timeline-entry'),
      expected.length,
    );
    const shown = await agent.page.$$eval(tid('timeline-entry'), (els) => els.map((e) => `${e.getAttribute('data-type')}|${(e.textContent ?? '').replace(/\s+/g, ' ').trim()}`));
    expect(shown.filter((s) => !s.startsWith('doc.')).map((s) => s.split('|')[0])).toEqual(expected.map((t) => t.split(':')[0]));
    const words = shown.map((s) => s.split('|')[1]).join('\n');
    expect(words).toContain('Alex Agent offered a video call');
    expect(words).toContain('started browsing together');
    expect(words).toMatch(/showed the documents[\s\S]*went back to the chat[\s\S]*showed the shared browser[\s\S]*Alex Agent went back to the chat[\s\S]*showed the documents/);
    await screenshot(agent.page, 'escalation-desk-timeline');
    expect(await seriousA11yViolations(agent.page)).toEqual([]);
    // Only one shared browser was ever started.
    expect((await timelineTypes(platform, engagementId)).filter((t) => t.startsWith('proxy.started'))).toHaveLength(1);

    // The customer leaves the call: the chat stays, and so does the engagement.
    await customer.page.locator(tid('call-end')).click();
    await waitForText(agent.page, 'call-status', 'ended the call');
    await customer.page.waitForFunction(() => !window.__engageCall);
    await sendDeskMessage(agent.page, 'Still here in the chat.');
    await waitForText(customer.page, 'chat-message', 'Still here in the chat.');
    await waitForText(customer.page, 'engagement-state', 'Active');
    await waitForText(agent.page, 'timeline-entry', 'ended the call');
  });
});

describe('one session on the website: chat → the customer’s page (consent) → chat → the page again → documents → the page → browse together → the page', () => {
  const stack = useStack({ fixture: startFixture, platform: { proxy: true } });

  it('going to the customer’s page asks for consent once; switching away (chat, documents) and back keeps the live replay; browse together stops the page first and the page stops the shared browser first, asking again', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser);
    const agent = await openParty(browser);
    await customer.page.goto(`${platform.demoUrl}/products`, { waitUntil: 'load' });
    await openWidgetChat(customer.page, 'Wanda');
    await loginToDesk(agent.page, platform.url, DEMO_AGENT);
    await waitForText(agent.page, 'queue-item', 'Wanda');
    await agent.page.locator(`${tid('queue-item')} ${tid('accept')}`).click();
    await waitForWidgetText(customer.page, 'status', DEMO_AGENT.name);
    const engagementId = await agent.page.$eval(tid('engagement-item'), (e) => e.getAttribute('data-engagement-id') ?? '');

    // The customer's page tab asks for consent by itself; nothing is shown before it is given.
    await agent.page.locator(tid('mode-tab-direct')).click();
    await waitForText(agent.page, 'cobrowse-status', 'Waiting');
    await customer.page.locator(w('cobrowse-allow')).click();
    await waitInReplay(agent.page, 'Cart');
    await screenshot(agent.page, 'escalation-desk-direct');

    // Back to the chat: the replay is hidden, not closed; then the page again, live at once.
    await agent.page.locator(tid('mode-tab-chat')).click();
    await waitVisible(agent.page, 'cobrowse-view', false);
    await waitForText(agent.page, 'mode-tab-direct', 'running');
    const frameBefore = await agent.page.$eval(`${tid('cobrowse-view')} iframe`, (f) => (f as HTMLIFrameElement).contentDocument?.body?.textContent?.length ?? 0);
    expect(frameBefore).toBeGreaterThan(0);
    await customer.page.goto(`${platform.demoUrl}/checkout`, { waitUntil: 'load' });
    await agent.page.locator(tid('mode-tab-direct')).click();
    await waitVisible(agent.page, 'cobrowse-view');
    await waitInReplay(agent.page, 'Card number');
    await waitForText(agent.page, 'cobrowse-status', 'page live');

    const rows = await timelineTypes(platform, engagementId);
    expect(rows.filter((r) => r.startsWith('cobrowse.requested'))).toHaveLength(1);
    expect(rows.filter((r) => r.startsWith('cobrowse.') || r.startsWith('mode.'))).toEqual([
      'cobrowse.requested:agent',
      'cobrowse.accepted:customer',
      'mode.shown:agent:chat',
      'mode.shown:agent:direct',
    ]);
    await agent.page.locator(tid('timeline-toggle')).click();
    await waitForText(agent.page, 'timeline-entry', 'Alex Agent showed the customer’s page');
    await waitForText(agent.page, 'timeline-entry', 'Wanda shared their page');

    // A supervisor who opens the engagement late sees the same timeline, and it stays live.
    const supervisor = await openParty(browser);
    await loginToDesk(supervisor.page, platform.url, DEMO_SUPERVISOR);
    await supervisor.page.goto(`${platform.url}/desk/supervise`, { waitUntil: 'load' });
    await supervisor.page.locator(tid('live-item')).click();
    await supervisor.page.locator(tid('timeline-toggle')).click();
    await waitForText(supervisor.page, 'timeline-entry', 'Alex Agent showed the customer’s page');
    await agent.page.locator(tid('mode-tab-chat')).click();
    await waitForText(supervisor.page, 'timeline-entry', 'Alex Agent went back to the chat');
    await screenshot(supervisor.page, 'escalation-supervisor-timeline');

    // → documents while the page is shared: the room opens beside it, the page keeps running.
    await agent.page.locator(tid('mode-tab-documents')).click();
    await waitVisible(agent.page, 'mode-panel-documents');
    await waitForText(agent.page, 'mode-tab-direct', 'running');
    // → the page again: still live, no new consent.
    await agent.page.locator(tid('mode-tab-direct')).click();
    await waitVisible(agent.page, 'cobrowse-view');
    await waitForText(agent.page, 'cobrowse-status', 'page live');

    // → browse together while the page is shared: one step, direct stops first (server side).
    await agent.page.locator(tid('mode-tab-proxy')).click();
    await agent.page.locator(tid('proxy-url')).fill(`${stack.fixture.origin}/`);
    await agent.page.locator(tid('proxy-start')).click();
    await waitForText(agent.page, 'proxy-status', 'Shop home', 30_000);
    await waitSelected(agent.page, 'mode-tab-proxy');
    await waitFor(async () => !(await agent.page.$eval(tid('mode-tab-direct'), (e) => e.textContent ?? '')).includes('running'), 'the customer’s page to stop');

    // → the customer's page again: the shared browser stops first; the customer is asked again.
    await agent.page.locator(tid('mode-tab-direct')).click();
    await waitForText(agent.page, 'cobrowse-status', 'Waiting');
    await waitFor(async () => !(await agent.page.$eval(tid('mode-tab-proxy'), (e) => e.textContent ?? '')).includes('running'), 'the shared browser to stop');
    await customer.page.locator(w('cobrowse-allow')).click();
    await waitInReplay(agent.page, 'Card number');

    const switched = (await timelineTypes(platform, engagementId)).filter((r) => r.startsWith('cobrowse.') || r.startsWith('mode.') || r.startsWith('proxy.'));
    expect(switched).toEqual([
      'cobrowse.requested:agent',
      'cobrowse.accepted:customer',
      'mode.shown:agent:chat',
      'mode.shown:agent:direct',
      'mode.shown:agent:chat',
      'mode.shown:agent:document',
      'mode.shown:agent:direct',
      'cobrowse.stopped:agent',
      'proxy.started:agent',
      'proxy.stopped:agent',
      'cobrowse.requested:agent',
      'cobrowse.accepted:customer',
    ]);
    await waitForText(agent.page, 'timeline-entry', 'Page sharing stopped by Alex Agent to browse together');
    await waitForText(agent.page, 'timeline-entry', 'Browsing together stopped by Alex Agent to see the customer’s page');
    await screenshot(agent.page, 'escalation-desk-switches');
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
