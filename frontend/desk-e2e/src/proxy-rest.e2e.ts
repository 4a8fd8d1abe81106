// Issue #4: a shared page at rest paints once. Chromium's screencast sends a frame when the page
// changes, so a desk that reloads while nothing moves gets its picture only from the backend, which
// hands the newest frame to whoever joins the engagement (ProxyService.latestFrame).
import type { CDPSession, Page } from 'puppeteer-core';
import { openParty, screenshot } from './support/browser';
import { tid, waitForText } from './support/desk';
import { connectByInvitation } from './support/flows';
import { serveHtml, useStack } from './support/stack';

type RGB = [number, number, number];
/** The fixture page's two blocks: the top half and the bottom half of the viewport. */
const TOP: RGB = [21, 101, 192];
const BOTTOM: RGB = [230, 81, 0];

/** Nothing moves: no animation, no caret, no timer; two solid blocks. */
function fixturePage(): string {
  const head = '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">';
  return `<!doctype html><html><head>${head}<title>At rest</title>
<style>html,body{margin:0;height:100%;overflow:hidden} div{height:50vh}</style></head>
<body><div style="background:rgb(${TOP.join(',')})"></div><div style="background:rgb(${BOTTOM.join(',')})"></div></body></html>`;
}

const startFixture = () => serveHtml(() => fixturePage());

/**
 * Whether the desk's canvas shows the fixture: the top block's colour at a quarter of its height,
 * the bottom block's at three quarters (JPEG rounding allowed). Read in the page, where it is painted.
 */
function showsFixture(page: Page): Promise<boolean> {
  return page.$eval(
    tid('proxy-view'),
    (c, top: RGB, bottom: RGB) => {
      const canvas = c as HTMLCanvasElement;
      if (canvas.width < 10 || canvas.height < 10) return false;
      const ctx = canvas.getContext('2d');
      if (!ctx) return false;
      const at = (ny: number) => [...ctx.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height * ny), 1, 1).data];
      const near = (p: number[], rgb: RGB) => p[3] === 255 && Math.abs(p[0] - rgb[0]) + Math.abs(p[1] - rgb[1]) + Math.abs(p[2] - rgb[2]) < 30;
      return near(at(0.25), top) && near(at(0.75), bottom);
    },
    TOP,
    BOTTOM,
  );
}

async function waitFor(check: () => Promise<boolean>, what: string, timeout: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - start;
    if (Date.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Counts the proxy/frame events a page's socket receives (the JSON head of each socket.io binary event). */
async function countFrames(page: Page): Promise<{ count: () => number; lastAt: () => number; detach: () => Promise<void> }> {
  const cdp: CDPSession = await page.createCDPSession();
  let count = 0;
  let lastAt = Date.now();
  cdp.on('Network.webSocketFrameReceived', (e) => {
    if (e.response.payloadData.includes('"proxy/frame"')) {
      count++;
      lastAt = Date.now();
    }
  });
  await cdp.send('Network.enable');
  return { count: () => count, lastAt: () => lastAt, detach: () => cdp.detach() };
}

describe('browse together: a page at rest', () => {
  const stack = useStack({ fixture: startFixture, platform: { proxy: true } });

  it('a reloaded desk paints the shared page again at once, although the page sends no new frame', async () => {
    const { platform, browser, fixture } = stack;
    const agent = await openParty(browser);
    const customer = await openParty(browser, { width: 1000, height: 700 });
    agent.page.on('pageerror', (e) => console.error('[agent page]', String(e)));
    customer.page.on('pageerror', (e) => console.error('[customer page]', String(e)));
    await connectByInvitation(platform, agent.page, customer.page);

    await agent.page.locator(tid('mode-tab-proxy')).click();
    await agent.page.locator(tid('proxy-url')).fill(`${fixture.origin}/`);
    await agent.page.locator(tid('proxy-start')).click();
    await waitForText(agent.page, 'proxy-status', 'At rest', 30_000);
    await waitForText(customer.page, 'proxy-status', 'At rest');
    await waitFor(() => showsFixture(agent.page), 'the desk to paint the page', 15_000);

    // The page has painted and is at rest: the customer's socket, which stays connected throughout,
    // tells whether the shared browser sends anything. Wait until it has been quiet for a second.
    const customerFrames = await countFrames(customer.page);
    await waitFor(async () => Date.now() - customerFrames.lastAt() > 1_000, 'the shared page to come to rest', 15_000);
    const framesAtRest = customerFrames.count();

    await agent.page.reload({ waitUntil: 'load' });
    const repaintMs = await waitFor(() => showsFixture(agent.page), 'the reloaded desk to paint the page at rest', 5_000);
    console.log(`page at rest: the reloaded desk painted it ${repaintMs} ms after its load event`);
    await screenshot(agent.page, 'proxy-desk-at-rest-reloaded');

    // The picture came from the backend's newest frame: the shared browser sent nothing new meanwhile.
    expect(customerFrames.count()).toBe(framesAtRest);
    expect(await showsFixture(customer.page)).toBe(true);
    await customerFrames.detach();
  });
});
