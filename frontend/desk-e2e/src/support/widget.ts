import type { Page } from 'puppeteer-core';

/** Selectors inside the widget's (open) shadow root. */
export const w = (id: string) => `>>> [data-testid="${id}"]`;

export async function openWidgetChat(page: Page, customerName: string): Promise<void> {
  await page.locator(w('launcher')).click();
  await page.locator(w('name-input')).fill(customerName);
  await page.locator(w('start-chat')).click();
  await page.waitForSelector(w('chat-input'));
}

export async function sendWidgetMessage(page: Page, text: string): Promise<void> {
  await page.locator(w('chat-input')).fill(text);
  await page.locator(w('chat-send')).click();
}

export function widgetTexts(page: Page, testId: string): Promise<string[]> {
  return page.$$eval(w(testId), (els) => els.map((e) => (e.textContent ?? '').trim()));
}

export async function waitForWidgetText(page: Page, testId: string, text: string, timeout = 15_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const all = await widgetTexts(page, testId).catch(() => [] as string[]);
    if (all.some((t) => t.includes(text))) return;
    if (Date.now() - start > timeout) throw new Error(`widget ${testId} never showed "${text}"; it shows ${JSON.stringify(all)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
