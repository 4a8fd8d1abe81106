import { openParty, screenshot } from './support/browser';
import { DEMO_AGENT, loginToDesk, tid, waitForText } from './support/desk';
import { waitInReplay } from './support/cobrowse';
import { useStack } from './support/stack';
import { w, waitForWidgetText } from './support/widget';

describe('co-browse by code, without a chat', () => {
  const stack = useStack();

  it('the customer shares the page with a code read on the phone; the agent joins with it once', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser);
    const agent = await openParty(browser);

    // The customer is signed in on the shop and has not started any chat.
    await customer.page.goto(`${platform.demoUrl}/login`, { waitUntil: 'load' });
    await customer.page.locator('input[name="name"]').fill('Robin');
    await customer.page.locator('input[name="password"]').fill('demo');
    await Promise.all([customer.page.waitForNavigation(), customer.page.click('form button[type="submit"]')]);
    await customer.page.goto(`${platform.demoUrl}/products`, { waitUntil: 'load' });

    await customer.page.locator(w('launcher')).click();
    await customer.page.waitForSelector(w('share-page'));
    await screenshot(customer.page, 'cobrowse-code-widget-offer');
    await customer.page.locator(w('share-page')).click();
    await waitForWidgetText(customer.page, 'share-code-expiry', 'Expires in 19:');
    const shown = await customer.page.$eval(w('share-code'), (el) => el.textContent ?? '');
    const code = shown.replace(/\s+/g, '');
    expect(code).toMatch(/^\d{6}$/);
    await screenshot(customer.page, 'cobrowse-code-widget');
    const [row] = await platform.query<{ id: string }>('SELECT id FROM engagements WHERE share_code = $1', [code]);
    expect(row).toBeDefined();

    // The agent hears the code on the phone and types it in the desk: a wrong one first.
    await loginToDesk(agent.page, platform.url, DEMO_AGENT);
    const wrong = code === '000000' ? '111111' : '000000';
    await agent.page.locator(tid('share-code-input')).fill(wrong);
    await agent.page.locator(tid('share-code-submit')).click();
    await waitForText(agent.page, 'share-code-error', 'No customer has this code');
    await screenshot(agent.page, 'cobrowse-code-desk-wrong');

    await agent.page.locator(tid('share-code-input')).fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await agent.page.locator(tid('share-code-submit')).click();
    await agent.page.waitForFunction((id: string) => location.pathname === `/desk/e/${id}`, {}, row.id);
    await waitInReplay(agent.page, 'Signed in as Robin');
    await screenshot(agent.page, 'cobrowse-code-desk-live');

    // The customer's widget: the code is gone, the banner says who sees the page and offers Stop.
    await customer.page.waitForSelector(`${w('cobrowse-banner')}:not([hidden])`);
    await waitForWidgetText(customer.page, 'cobrowse-banner-text', `${DEMO_AGENT.name} can see this page`);
    expect(await customer.page.$eval(w('share'), (el) => (el as HTMLElement).hidden)).toBe(true);
    await screenshot(customer.page, 'cobrowse-code-customer-banner');

    const audit = await platform.query<{ type: string; detail: Record<string, unknown> }>(
      "SELECT type, detail FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id",
      [row.id],
    );
    expect(audit.map((a) => a.type)).toEqual(['cobrowse.code_created', 'cobrowse.code_redeemed', 'cobrowse.accepted']);
    expect(audit[2].detail).toMatchObject({ via: 'code' });

    // The same code again is refused with a sentence: each code works once.
    await agent.page.locator(tid('share-code-input')).fill(code);
    await agent.page.locator(tid('share-code-submit')).click();
    await waitForText(agent.page, 'share-code-error', 'already been used');
    await screenshot(agent.page, 'cobrowse-code-desk-used');

    // The customer stops: sharing ends for both.
    await waitForText(agent.page, 'cobrowse-status', 'page live');
    await customer.page.locator(w('cobrowse-stop')).click();
    await waitForText(agent.page, 'cobrowse-status', 'Stopped by the customer');
    expect(await customer.page.$eval(w('cobrowse-banner'), (el) => (el as HTMLElement).hidden)).toBe(true);
    const after = await platform.query<{ type: string }>("SELECT type FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id", [row.id]);
    expect(after.map((a) => a.type).at(-1)).toBe('cobrowse.stopped');
  });
});
