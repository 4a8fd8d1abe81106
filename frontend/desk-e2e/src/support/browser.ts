import { mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';

export const SCREENS_DIR = path.resolve(__dirname, '../../../../tmp/screens');
export const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const DESKTOP = { width: 1280, height: 800 };

/**
 * Chrome's fake cameras (a test pattern) and microphones (a beep a second), granted without asking;
 * getDisplayMedia shares a fake screen. Three cameras so that a call can switch between two that
 * send: fake_device_0 gives I420 and fake_device_2 MJPEG, fake_device_1 is a Y16 (depth) camera that
 * WebRTC's encoder does not take.
 */
const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream=device-count=3', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

export function launchChromium(options: { fakeMedia?: boolean } = {}): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...(options.fakeMedia ? FAKE_MEDIA_ARGS : []),
    ],
  });
}

/** A participant: its own browser context (own cookies and storage), one page. */
export async function openParty(browser: Browser, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(viewport);
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENS_DIR, `${name}.png`) as `${string}.png` });
}

/** Text of every element matching a data-testid, in document order (light DOM). */
export function texts(page: Page, testId: string): Promise<string[]> {
  return page.$$eval(`[data-testid="${testId}"]`, (els) => els.map((e) => (e.textContent ?? '').trim()));
}
