import { seriousA11yViolations } from './support/axe';
import { openParty, PHONE, screenshot } from './support/browser';
import { DEMO_SUPERVISOR, loginToDesk, sendDeskMessage, tid, waitForText } from './support/desk';
import { useStack } from './support/stack';

describe('a caller joins by link or code; a supervisor watches live', () => {
  const stack = useStack();

  it('agent creates an engagement for a caller; the caller types the code on a phone, keyboard only', async () => {
    const { platform, browser } = stack;
    const agent = await openParty(browser);
    const caller = await openParty(browser, PHONE);
    const supervisor = await openParty(browser);

    await loginToDesk(agent.page, platform.url);
    await agent.page.locator(tid('invite')).click();
    await agent.page.waitForSelector(tid('invite-code'));
    const code = (await agent.page.$eval(tid('invite-code'), (e) => e.textContent ?? '')).replace(/\D/g, '');
    const link = await agent.page.$eval(tid('invite-link'), (e) => (e.textContent ?? '').trim());
    expect(code).toMatch(/^\d{6}$/);
    expect(link).toContain(`/join/${code}`);

    // The caller types the code with the keyboard alone.
    await caller.page.goto(`${platform.url}/join`, { waitUntil: 'load' });
    expect(await seriousA11yViolations(caller.page)).toEqual([]);
    await caller.page.locator(tid('join-code')).click();
    await caller.page.keyboard.type(code);
    await caller.page.keyboard.press('Enter');
    await caller.page.waitForSelector(tid('chat-input'));
    await screenshot(caller.page, 'join-phone-chat');

    // The invitation is one of the agent's engagements; the agent opens its chat.
    await waitForText(agent.page, 'engagement-item', 'Active');
    await agent.page.locator(tid('engagement-item')).click();
    await caller.page.locator(tid('chat-input')).click();
    await caller.page.keyboard.type('Hi, I was told to open this page.');
    await caller.page.keyboard.press('Enter');
    await waitForText(agent.page, 'chat-message', 'I was told to open this page');

    // A supervisor opens the same engagement read-only and sees it live.
    await loginToDesk(supervisor.page, platform.url, DEMO_SUPERVISOR);
    await supervisor.page.goto(`${platform.url}/desk/supervise`, { waitUntil: 'load' });
    await supervisor.page.locator(tid('live-item')).click();
    await waitForText(supervisor.page, 'chat-message', 'I was told to open this page');
    expect(await supervisor.page.$(tid('chat-input'))).toBeNull();
    await sendDeskMessage(agent.page, 'Welcome! A supervisor may listen in.');
    await waitForText(supervisor.page, 'chat-message', 'A supervisor may listen in');
    await waitForText(caller.page, 'chat-message', 'A supervisor may listen in');
    await screenshot(supervisor.page, 'desk-supervise');

    // The code is single use.
    const again = await fetch(`${platform.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(await again.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('desk pages have no serious accessibility violations, on desktop and on a phone', async () => {
    const { platform, browser } = stack;
    const agent = await openParty(browser, PHONE);
    await agent.page.goto(`${platform.url}/login`, { waitUntil: 'load' });
    expect(await seriousA11yViolations(agent.page)).toEqual([]);
    await loginToDesk(agent.page, platform.url);
    await agent.page.waitForSelector(tid('invite'));
    expect(await seriousA11yViolations(agent.page)).toEqual([]);
    await screenshot(agent.page, 'desk-phone');
  });
});
