import type { Page } from 'puppeteer-core';
import { screenshot, texts } from './browser';

export const DEMO_AGENT = { email: 'agent@demo.test', password: 'agent-demo-1', name: 'Alex Agent' };
export const DEMO_SUPERVISOR = { email: 'supervisor@demo.test', password: 'supervisor-demo-1', name: 'Pat Supervisor' };

export const tid = (id: string) => `[data-testid="${id}"]`;

export async function loginToDesk(page: Page, baseUrl: string, who = DEMO_AGENT): Promise<void> {
  await page.goto(`${baseUrl}/login`, { waitUntil: 'load' });
  await page.locator(tid('login-email')).fill(who.email);
  await page.locator(tid('login-password')).fill(who.password);
  await page.locator(tid('login-submit')).click();
  await page.waitForFunction(() => !location.pathname.startsWith('/login'));
}

/** Waits until some element with the test id contains the text. */
export async function waitForText(page: Page, testId: string, text: string, timeout = 15_000): Promise<void> {
  try {
    await page.waitForFunction(
      (sel: string, t: string) => [...document.querySelectorAll(sel)].some((e) => (e.textContent ?? '').includes(t)),
      { timeout },
      tid(testId),
      text,
    );
  } catch (e) {
    await screenshot(page, `failed-${testId}`).catch(() => undefined);
    const shown = await texts(page, testId).catch(() => []);
    throw new Error(`${page.url()}: no ${testId} showed "${text}" within ${timeout} ms; shown: ${JSON.stringify(shown)} (${String(e)})`);
  }
}

export async function sendDeskMessage(page: Page, text: string): Promise<void> {
  await page.locator(tid('chat-input')).fill(text);
  await page.locator(tid('chat-send')).click();
}
