import { EngageSocket } from '@engage/chat-client';
import { EV } from '@engage/protocol';
import type { Page } from 'puppeteer-core';
import { loginAgent } from './support/api';
import { openParty, screenshot } from './support/browser';
import { replayFrame, waitInReplay } from './support/cobrowse';
import { DEMO_AGENT, loginToDesk, tid, waitForText } from './support/desk';
import { useStack } from './support/stack';
import { openWidgetChat, w, waitForWidgetText } from './support/widget';

const NOTE = 'Leave it with the neighbour';
const NOTE_FIELD = 'textarea[name="note"]';
const CARD_FIELD = 'input[name="cardNumber"]';
const NAME_FIELD = 'input[name="fullName"]';

/** The agent's page coordinates of the centre of an element of the replayed page (through the viewer's scale). */
async function pointInReplay(agent: Page, selector: string): Promise<{ x: number; y: number }> {
  const frame = await replayFrame(agent);
  const inner = await frame.$eval(selector, (el) => {
    const b = el.getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
  });
  const outer = await agent.$eval(`${tid('cobrowse-view')} iframe`, (el) => {
    const b = el.getBoundingClientRect();
    return { left: b.left, top: b.top, scale: b.width / (el as HTMLElement).offsetWidth };
  });
  return { x: outer.left + inner.x * outer.scale, y: outer.top + inner.y * outer.scale };
}

async function clickInReplay(agent: Page, selector: string): Promise<void> {
  const p = await pointInReplay(agent, selector);
  await agent.mouse.click(p.x, p.y);
}

const fieldValue = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLInputElement).value);

async function waitForValue(page: Page, selector: string, value: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction((s: string, v: string) => (document.querySelector(s) as HTMLInputElement | null)?.value === v, { timeout }, selector, value).catch(async (e: unknown) => {
    throw new Error(`${selector} never had ${JSON.stringify(value)}; it has ${JSON.stringify(await fieldValue(page, selector))} (${String(e)})`);
  });
}

const visibleInWidget = (page: Page, id: string) => page.waitForSelector(`${w(id)}:not([hidden])`);

describe('direct co-browse: laser pointer and remote control with its own consent', () => {
  let side: EngageSocket | undefined;
  afterAll(() => side?.close()); // before the stack stops (hooks run in order)
  const stack = useStack();

  it('points, asks for control, types into the opened fields only, and stops the moment the customer takes control back', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser);
    const agent = await openParty(browser);

    await customer.page.goto(`${platform.demoUrl}/checkout`, { waitUntil: 'load' });
    await openWidgetChat(customer.page, 'Dana');
    // Set in the page, not typed: the widget may take the focus while it opens, and typed keys would
    // land in its composer (seen under load: the name field stayed empty).
    await customer.page.$eval(NAME_FIELD, (el, v) => {
      const input = el as HTMLInputElement;
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, 'Dana Customer');
    expect(await fieldValue(customer.page, NAME_FIELD)).toBe('Dana Customer');

    await loginToDesk(agent.page, platform.url, DEMO_AGENT);
    await waitForText(agent.page, 'queue-item', 'Dana');
    await agent.page.locator(`${tid('queue-item')} ${tid('accept')}`).click();
    await waitForWidgetText(customer.page, 'status', DEMO_AGENT.name);
    const engagementId = await agent.page.$eval(`${tid('engagement-item')}`, (e) => e.getAttribute('data-engagement-id') ?? '');

    // Sharing first (the existing consent), then the view shows the checkout.
    // Going to the customer's page asks the customer to share it.
    await agent.page.locator(tid('mode-tab-direct')).click();
    await customer.page.locator(w('cobrowse-allow')).click();
    await waitInReplay(agent.page, 'Card number');
    // Remote control is not on yet: nothing to click into.
    expect(await agent.page.$(tid('cobrowse-control-release'))).toBeNull();

    // Laser pointer: the agent's mouse over the view shows as a red dot with their name on the customer's page.
    await agent.page.locator(tid('cobrowse-pointer')).click();
    const over = await pointInReplay(agent.page, NOTE_FIELD);
    await agent.page.mouse.move(over.x - 40, over.y - 10);
    await agent.page.mouse.move(over.x, over.y, { steps: 5 });
    await visibleInWidget(customer.page, 'cobrowse-pointer');
    await waitForWidgetText(customer.page, 'cobrowse-pointer', DEMO_AGENT.name);
    const realNote = await customer.page.$eval(NOTE_FIELD, (el) => {
      const b = el.getBoundingClientRect();
      return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
    });
    // The dot lands where the agent points, in the customer's own page coordinates.
    await customer.page.waitForFunction(
      (x: number, y: number) => {
        const host = document.querySelector('engage-widget');
        const dot = host?.shadowRoot?.querySelector<HTMLElement>('[data-testid="cobrowse-pointer"]');
        const m = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(dot?.style.transform ?? '');
        return !!dot && !dot.hidden && !!m && Math.abs(Number(m[1]) - x) < 6 && Math.abs(Number(m[2]) - y) < 6;
      },
      { timeout: 1500 },
      realNote.x,
      realNote.y,
    );
    expect(await customer.page.$eval(w('cobrowse-pointer'), (el) => getComputedStyle(el).pointerEvents)).toBe('none');
    await screenshot(customer.page, 'cobrowse-control-pointer-customer');
    await screenshot(agent.page, 'cobrowse-control-pointer-agent');
    // Idle for 2 s: the dot hides by itself.
    await customer.page.waitForSelector(`${w('cobrowse-pointer')}[hidden]`, { timeout: 5000 });
    await agent.page.locator(tid('cobrowse-pointer')).click();

    // The second consent: remote control.
    await agent.page.locator(tid('cobrowse-control-request')).click();
    await waitForText(agent.page, 'cobrowse-status', 'allow control');
    await visibleInWidget(customer.page, 'cobrowse-control-prompt');
    await waitForWidgetText(customer.page, 'cobrowse-control-prompt', `${DEMO_AGENT.name} asks to control this page`);
    await waitForWidgetText(customer.page, 'cobrowse-control-prompt', 'take control back at any time');
    await screenshot(customer.page, 'cobrowse-control-prompt');
    await customer.page.locator(w('cobrowse-control-allow')).click();
    await waitForText(agent.page, 'cobrowse-status', 'You control');
    await visibleInWidget(customer.page, 'cobrowse-control-revoke');
    await waitForWidgetText(customer.page, 'cobrowse-banner-text', 'can see and control this page');

    // A card field is never filled in remotely: refused on the customer's side, with a note to both.
    await clickInReplay(agent.page, CARD_FIELD);
    await agent.page.keyboard.type('4242');
    await waitForText(agent.page, 'cobrowse-control-notice', 'never filled in remotely');
    await waitForWidgetText(customer.page, 'cobrowse-banner', 'never filled in remotely');
    expect(await fieldValue(customer.page, CARD_FIELD)).toBe('');

    // The delivery note is open to the agent (data-cobrowse="allow"): the customer's real field gets it.
    await clickInReplay(agent.page, NOTE_FIELD);
    await agent.page.keyboard.type(NOTE, { delay: 15 });
    await waitForValue(customer.page, NOTE_FIELD, NOTE);
    await screenshot(agent.page, 'cobrowse-control-agent-typing');
    expect(await fieldValue(customer.page, CARD_FIELD)).toBe('');

    // The customer takes back control: the agent's input no longer reaches the page.
    await customer.page.locator(w('cobrowse-control-revoke')).click();
    await waitForText(agent.page, 'cobrowse-status', 'Seeing');
    await clickInReplay(agent.page, NAME_FIELD);
    await agent.page.keyboard.type('XYZ');
    await clickInReplay(agent.page, 'button[data-testid="place-order"]');
    // Even sent straight to the server (a second session of the same agent), input is refused.
    const { token } = await loginAgent(platform.url, DEMO_AGENT);
    side = EngageSocket.connect({ url: platform.url, token, websocketOnly: true });
    await new Promise<void>((resolve) => side!.onStatus((s) => s === 'connected' && resolve()));
    await expect(side.request(EV.cobrowseControlInput, { engagementId, input: { type: 'text', nodeId: 1, value: 'sneaky' } })).rejects.toMatchObject({ code: 'invalid_state' });
    await new Promise((r) => setTimeout(r, 800));
    expect(await fieldValue(customer.page, NAME_FIELD)).toBe('Dana Customer');
    expect(await customer.page.$eval(tid('order-confirmation'), (el) => (el as HTMLElement).hidden)).toBe(true);

    // Asked and allowed again: "Place order" clicked in the replay places the customer's real order.
    await agent.page.locator(tid('cobrowse-control-request')).click();
    await customer.page.locator(w('cobrowse-control-allow')).click();
    await waitForText(agent.page, 'cobrowse-status', 'You control');
    await clickInReplay(agent.page, 'button[data-testid="place-order"]');
    await customer.page.waitForSelector(`${tid('order-confirmation')}:not([hidden])`);
    expect(await fieldValue(customer.page, NOTE_FIELD)).toBe(NOTE);
    await waitInReplay(agent.page, 'is confirmed');

    // Stopping the co-browse takes control away too; every step is in the audit log, in order.
    await agent.page.locator(tid('cobrowse-stop')).click();
    await waitForText(agent.page, 'cobrowse-status', 'Stopped by the agent');
    const audit = await platform.query<{ type: string; actor: string }>(
      "SELECT type, actor FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id",
      [engagementId],
    );
    expect(audit.map((a) => `${a.type}:${a.actor}`)).toEqual([
      'cobrowse.requested:agent',
      'cobrowse.accepted:customer',
      'cobrowse.control_requested:agent',
      'cobrowse.control_granted:customer',
      'cobrowse.control_revoked:customer',
      'cobrowse.control_requested:agent',
      'cobrowse.control_granted:customer',
      'cobrowse.control_revoked:agent',
      'cobrowse.stopped:agent',
    ]);
    const stored = JSON.stringify(await platform.query('SELECT * FROM engagement_events WHERE engagement_id = $1', [engagementId]));
    expect(stored).not.toContain(NOTE);
  });
});
