import { seriousA11yViolations } from './support/axe';
import { openParty, PHONE, screenshot, texts } from './support/browser';
import { DEMO_AGENT, loginToDesk, sendDeskMessage, tid, waitForText } from './support/desk';
import { useStack } from './support/stack';
import { openWidgetChat, sendWidgetMessage, w, waitForWidgetText, widgetTexts } from './support/widget';

describe('chat between a customer on the demo site and an agent on the desk', () => {
  const stack = useStack();

  it('goes from the widget to the queue, is accepted, survives navigation, ends and keeps its transcript', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser);
    const agent = await openParty(browser);

    await customer.page.goto(`${platform.demoUrl}/products`, { waitUntil: 'load' });
    await openWidgetChat(customer.page, 'Dana Customer');
    await waitForWidgetText(customer.page, 'status', 'Waiting');

    await loginToDesk(agent.page, platform.url, DEMO_AGENT);
    await waitForText(agent.page, 'queue-item', 'Dana Customer');
    await screenshot(agent.page, 'desk-queue');
    await agent.page.locator(`${tid('queue-item')} ${tid('accept')}`).click();
    await waitForWidgetText(customer.page, 'status', DEMO_AGENT.name);

    // Typing shows on the other side (once the agent's chat has joined: wait for the agent's
    // greeting to arrive), and stops when the message is sent.
    await sendDeskMessage(agent.page, 'Hi Dana, Alex here.');
    await waitForWidgetText(customer.page, 'chat-message', 'Alex here');
    await customer.page.locator(w('chat-input')).fill('Hello, I cannot');
    await waitForText(agent.page, 'typing', 'Dana Customer is typing');
    await sendWidgetMessage(customer.page, 'Hello, I cannot find the blue jacket.');
    await waitForText(agent.page, 'chat-message', 'I cannot find the blue jacket');
    await agent.page.waitForFunction((sel: string) => !document.querySelector(sel), {}, tid('typing'));
    // The agent has the message on screen: the customer sees it was read.
    await waitForWidgetText(customer.page, 'receipt', 'Read');
    await sendDeskMessage(agent.page, 'Happy to help — it is on the products page.');
    await waitForWidgetText(customer.page, 'chat-message', 'it is on the products page');
    await agent.page.waitForSelector(`${tid('receipt')}[aria-label="Read"]`);
    await screenshot(agent.page, 'desk-chat');
    await screenshot(customer.page, 'demo-widget-chat');

    // A new page of the same site: the widget reconnects with its history.
    await customer.page.goto(`${platform.demoUrl}/cart`, { waitUntil: 'load' });
    await waitForWidgetText(customer.page, 'chat-message', 'I cannot find the blue jacket');
    await waitForWidgetText(customer.page, 'chat-message', 'it is on the products page');
    await sendWidgetMessage(customer.page, 'Now I am on the cart page.');
    await waitForText(agent.page, 'chat-message', 'Now I am on the cart page.');

    const deskOrder = await texts(agent.page, 'chat-message');
    const widgetOrder = await widgetTexts(customer.page, 'chat-message');
    const strip = (all: string[]) => all.map((t) => ['Alex here', 'blue jacket', 'products page', 'cart page'].find((k) => t.includes(k))).filter(Boolean);
    expect(strip(deskOrder)).toEqual(['Alex here', 'blue jacket', 'products page', 'cart page']);
    expect(strip(widgetOrder)).toEqual(strip(deskOrder));

    await agent.page.locator(tid('end-engagement')).click();
    await waitForWidgetText(customer.page, 'status', 'ended');

    const rows = await platform.query<{ state: string; end_reason: string; n: string }>(
      `SELECT e.state, e.end_reason, (SELECT count(*) FROM chat_messages m WHERE m.engagement_id = e.id) AS n
         FROM engagements e WHERE e.customer_name = $1`,
      ['Dana Customer'],
    );
    expect(rows).toEqual([{ state: 'ended', end_reason: 'agent', n: '4' }]);

    // The transcript stays visible to the agent afterwards.
    await agent.page.goto(`${platform.url}/desk/history`, { waitUntil: 'load' });
    await waitForText(agent.page, 'history-item', 'Dana Customer');
    await agent.page.locator(tid('history-item')).click();
    await waitForText(agent.page, 'transcript-message', 'Now I am on the cart page.');
    await screenshot(agent.page, 'desk-history');
  });

  it('works on a phone with touch and with the keyboard alone, with no serious accessibility violations', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser, PHONE);
    await customer.page.goto(`${platform.demoUrl}/`, { waitUntil: 'load' });
    await customer.page.tap(w('launcher'));
    await customer.page.waitForSelector(w('name-input'));
    expect(await seriousA11yViolations(customer.page)).toEqual([]);
    await customer.page.locator(w('name-input')).fill('Phone Customer');
    await customer.page.keyboard.press('Enter');
    await customer.page.waitForSelector(w('chat-input'));
    await customer.page.locator(w('chat-input')).click();
    await customer.page.keyboard.type('Typed and sent with Enter');
    await customer.page.keyboard.press('Enter');
    await waitForWidgetText(customer.page, 'chat-message', 'Typed and sent with Enter');
    expect(await seriousA11yViolations(customer.page)).toEqual([]);
    await screenshot(customer.page, 'demo-widget-phone');
    const stored = await platform.query("SELECT 1 FROM chat_messages m JOIN engagements e ON e.id = m.engagement_id WHERE e.customer_name = 'Phone Customer'");
    expect(stored).toHaveLength(1);
  });
});
