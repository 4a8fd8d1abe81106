import type { Page } from 'puppeteer-core';
import { loginToDesk, tid, waitForText } from './desk';
import type { Platform } from './platform';

/**
 * The caller flow: the agent signs in and creates an invitation, the customer redeems its code on
 * the join page, and the agent opens the engagement. Returns the code and the engagement's id.
 */
export async function connectByInvitation(platform: Platform, agent: Page, customer: Page): Promise<{ code: string; engagementId: string }> {
  await loginToDesk(agent, platform.url);
  await agent.locator(tid('invite')).click();
  await agent.waitForSelector(tid('invite-code'));
  const code = (await agent.$eval(tid('invite-code'), (e) => e.textContent ?? '')).replace(/\D/g, '');
  await customer.goto(`${platform.url}/join`, { waitUntil: 'load' });
  await customer.locator(tid('join-code')).fill(code);
  await customer.locator(tid('join-submit')).click();
  await customer.waitForSelector(tid('chat-input'));
  await waitForText(agent, 'engagement-item', 'Active');
  await agent.locator(tid('engagement-item')).click();
  const [{ id: engagementId }] = await platform.query<{ id: string }>('SELECT id FROM engagements WHERE invite_code = $1', [code]);
  return { code, engagementId };
}
