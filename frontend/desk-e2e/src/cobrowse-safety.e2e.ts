import { EV, type RecordedEvent } from '@engage/protocol';
import { openParty, screenshot } from './support/browser';
import { acceptWidgetChat, canaries, replayFrame, scriptedCustomerSharing, socketsClosedAfterAll, tapCobrowse, waitInReplay } from './support/cobrowse';
import { DEMO_SUPERVISOR, loginToDesk, tid, waitForText } from './support/desk';
import { useStack } from './support/stack';
import { openWidgetChat, w } from './support/widget';

/** A page that would run script in every way rrweb's DOM could carry it, if the replay let it. */
function forgedPage(now: number, origin: string): RecordedEvent[] {
  const canary = (how: string) => `window.top.__canary="${how}";window.__canary="${how}"`;
  return [
    { type: 4, timestamp: now, data: { href: 'http://evil.example/', width: 800, height: 600 } },
    {
      type: 2,
      timestamp: now + 1,
      data: {
        initialOffset: { top: 0, left: 0 },
        node: {
          type: 0, id: 1, childNodes: [
            { type: 2, id: 2, tagName: 'html', attributes: {}, childNodes: [
              { type: 2, id: 3, tagName: 'head', attributes: {}, childNodes: [
                { type: 2, id: 4, tagName: 'script', attributes: {}, childNodes: [{ type: 3, id: 5, textContent: canary('script') }] },
              ] },
              { type: 2, id: 6, tagName: 'body', attributes: { onload: canary('onload') }, childNodes: [
                { type: 3, id: 7, textContent: 'Forged page' },
                { type: 2, id: 8, tagName: 'img', attributes: { src: 'x:nothing', onerror: canary('onerror') }, childNodes: [] },
                { type: 2, id: 9, tagName: 'a', attributes: { id: 'js-link', href: `javascript:${canary('href')}` }, childNodes: [{ type: 3, id: 10, textContent: 'click me' }] },
                { type: 2, id: 11, tagName: 'svg', isSVG: true, attributes: { onload: canary('svg-onload') }, childNodes: [
                  { type: 2, id: 12, tagName: 'script', isSVG: true, attributes: {}, childNodes: [{ type: 3, id: 13, textContent: canary('svg-script') }] },
                ] },
              ] },
            ] },
          ],
        },
      },
    },
    {
      type: 3,
      timestamp: now + 2,
      data: {
        source: 0, texts: [], attributes: [], removes: [],
        adds: [
          { parentId: 6, nextId: null, node: { type: 2, id: 20, tagName: 'script', attributes: { src: `${origin}/widget.js` }, childNodes: [] } },
          { parentId: 6, nextId: null, node: { type: 2, id: 21, tagName: 'iframe', attributes: { srcdoc: `<script>${canary('srcdoc')}</script>` }, childNodes: [] } },
          { parentId: 6, nextId: null, node: { type: 2, id: 22, tagName: 'img', attributes: { src: 'x:again', onerror: canary('mutation-onerror') }, childNodes: [] } },
        ],
      },
    },
  ];
}

describe('direct co-browse is safe for the agent and private for the customer', () => {
  const sockets = socketsClosedAfterAll(); // before the stack stops
  const stack = useStack();

  it('forged recordings run nothing on the desk', async () => {
    const { platform, browser } = stack;
    // The "customer" is a script holding a real customer token: it consents, then sends forged DOM.
    const { session, agent, customer } = await scriptedCustomerSharing(platform, browser, 'Mallory', sockets);
    await customer.request(EV.cobrowseRecord, { engagementId: session.engagement.id, events: forgedPage(Date.now(), platform.url) });

    await waitInReplay(agent.page, 'Forged page');
    const frame = await replayFrame(agent.page);
    await frame.click('#js-link').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await canaries(agent.page)).toEqual([]);
    const sandbox = await agent.page.$eval(`${tid('cobrowse-view')} iframe`, (f) => f.getAttribute('sandbox'));
    expect(sandbox).toBe('allow-same-origin');
    await screenshot(agent.page, 'cobrowse-forged');
    await agent.page.locator(tid('end-engagement')).click();
    await waitForText(agent.page, 'engagement-state', 'Ended');
  });

  it('a protected page pauses sharing, private blocks never leave, a late supervisor sees the page, and a decline is recorded', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser);
    const agent = await openParty(browser);
    const supervisor = await openParty(browser);
    await customer.page.goto(`${platform.demoUrl}/login`, { waitUntil: 'load' });
    await customer.page.locator('input[name="name"]').fill('Priya');
    await customer.page.locator('input[name="password"]').fill('demo');
    await Promise.all([customer.page.waitForNavigation(), customer.page.click('form button[type="submit"]')]);
    await customer.page.goto(`${platform.demoUrl}/account`, { waitUntil: 'load' });
    const privateText = await customer.page.$eval('[data-cobrowse="private"]', (e) => e.textContent ?? '');
    const cardOnFile = (privateText.match(/\d{4}[ \d]{4,}/) ?? [''])[0].trim();
    expect(cardOnFile.length).toBeGreaterThan(3);
    await openWidgetChat(customer.page, 'Priya');

    const engagementId = await acceptWidgetChat(agent.page, customer.page, platform.url, 'Priya');

    // First request (going to the customer's page asks): declined, and the agent is told.
    await agent.page.locator(tid('mode-tab-direct')).click();
    await customer.page.locator(w('cobrowse-decline')).click();
    await waitForText(agent.page, 'cobrowse-status', 'declined');

    const wire = await tapCobrowse(platform.url, engagementId, sockets);

    // Second request: allowed. The private block arrives only as an empty box.
    await agent.page.locator(tid('cobrowse-start')).click();
    await customer.page.locator(w('cobrowse-allow')).click();
    await waitInReplay(agent.page, 'Signed in as Priya');

    // A supervisor who opens the engagement now sees the page at once (the checkpoint).
    await loginToDesk(supervisor.page, platform.url, DEMO_SUPERVISOR);
    await supervisor.page.goto(`${platform.url}/desk/supervise`, { waitUntil: 'load' });
    await supervisor.page.locator(tid('live-item')).click();
    await waitInReplay(supervisor.page, 'Signed in as Priya');
    expect(await supervisor.page.$(tid('cobrowse-stop'))).toBeNull();

    // The customer opens the protected security page: sharing pauses, the agent sees no page.
    await Promise.all([customer.page.waitForNavigation(), customer.page.click('a[href="/account/security"]')]);
    await waitForText(agent.page, 'cobrowse-status', 'Paused');
    await agent.page.waitForFunction((sel: string) => !document.querySelector(sel), {}, `${tid('cobrowse-view')} iframe`);
    await screenshot(agent.page, 'cobrowse-paused');
    const pausedAt = wire.length;
    await customer.page.mouse.move(100, 100);
    await customer.page.mouse.move(400, 300);
    await new Promise((r) => setTimeout(r, 1000));
    expect(wire.length).toBe(pausedAt);

    const onWire = JSON.stringify(wire);
    expect(onWire).toContain('Signed in as');
    expect(onWire).not.toContain(cardOnFile);
    const securityText = await customer.page.evaluate(() => document.querySelector('main')?.textContent ?? '');
    expect(securityText.length).toBeGreaterThan(0);
    const audit = await platform.query<{ type: string }>("SELECT type FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id", [engagementId]);
    expect(audit.map((a) => a.type)).toEqual(['cobrowse.requested', 'cobrowse.declined', 'cobrowse.requested', 'cobrowse.accepted', 'cobrowse.paused']);
  });
});
