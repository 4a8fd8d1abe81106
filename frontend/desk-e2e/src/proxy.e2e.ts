import type { Page } from 'puppeteer-core';
import { openParty, PHONE, screenshot } from './support/browser';
import { tid, waitForText } from './support/desk';
import { freePort } from './support/ports';
import { connectByInvitation } from './support/flows';
import type { Platform } from './support/platform';
import { pollUntil } from './support/call';
import { peerDotAt } from './support/proxy';
import { serveHtml, useStack } from './support/stack';

/** The pages the shared browser opens: the title tells what the worker-side page sees. */
function fixturePage(path: string): string {
  const head = '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">';
  const style = '<style>body{margin:0;font:24px sans-serif} a,input{display:block;box-sizing:border-box;width:100%;height:120px;font-size:32px}</style>';
  if (path === '/form') {
    return `<!doctype html><html><head>${head}${style}<title>Form</title></head><body>
<input id="name" placeholder="type here" style="background:#ffd"><script>document.getElementById('name').addEventListener('input', (e) => { document.title = 'Typed: ' + e.target.value; });</script>
<p>Type into the field.</p></body></html>`;
  }
  return `<!doctype html><html><head>${head}${style}<title>Home</title></head><body>
<a id="next" href="/form" style="background:#9cf">Go to the form</a><h1>Fixture home</h1>
<script>document.title = 'Home w' + innerWidth;</script></body></html>`;
}

const startFixture = () => serveHtml(fixturePage);

/** Client coordinates of a point of the shared page (its CSS pixels) on the viewer canvas. */
async function onCanvas(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.$eval(
    tid('proxy-view'),
    (c, px: number, py: number) => {
      const r = c.getBoundingClientRect();
      const [w, h] = (c as HTMLCanvasElement).style.aspectRatio.split('/').map((n) => Number(n.trim()));
      return { x: r.left + (px / w) * r.width, y: r.top + (py / h) * r.height };
    },
    x,
    y,
  );
}

/** The canvas shows a frame: some pixel is neither white nor transparent. */
function painted(page: Page): Promise<boolean> {
  return page.$eval(tid('proxy-view'), (c) => {
    const canvas = c as HTMLCanvasElement;
    if (canvas.width < 10) return false;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < d.length; i += 16) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) return true;
    return false;
  });
}

async function sessionsOnWorker(platform: Platform): Promise<number> {
  const text = await (await fetch(`${platform.proxyUrl}/metrics`)).text();
  return Number(/^proxy_sessions_active (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('browse together: a shared browser on a proxy worker', () => {
  const stack = useStack({ fixture: startFixture, platform: { proxy: true } });
  let otherPort: number;
  beforeAll(async () => {
    otherPort = await freePort();
  });

  it('agent opens a page, the phone customer sees and drives it, control passes, refusals show, stop and end close the session', async () => {
    const { platform, browser, fixture } = stack;
    const agent = await openParty(browser);
    const customer = await openParty(browser, PHONE);
    agent.page.on('pageerror', (e) => console.error('[agent page]', String(e)));
    customer.page.on('pageerror', (e) => console.error('[customer page]', String(e)));

    const { engagementId } = await connectByInvitation(platform, agent.page, customer.page);
    // The join page reports the phone as its device when its socket connects.
    await new Promise((r) => setTimeout(r, 1000));

    // The agent starts browse-together on the fixture; the customer sees the same page, laid out for a phone.
    await agent.page.locator(tid('mode-tab-proxy')).click();
    await agent.page.locator(tid('proxy-url')).fill(`${fixture.origin}/`);
    await agent.page.locator(tid('proxy-start')).click();
    await waitForText(customer.page, 'proxy-status', 'Home w390', 30_000);
    await waitForText(agent.page, 'proxy-status', 'Home w390');
    await waitFor(() => painted(customer.page), 'a painted frame on the phone');
    await waitFor(() => painted(agent.page), 'a painted frame on the desk');
    expect((await platform.query<{ mode: string }>(`SELECT mode FROM engagements WHERE id = $1`, [engagementId]))[0].mode).toBe('proxy');
    expect(await sessionsOnWorker(platform)).toBe(1);

    // The customer takes control and taps the link: the agent follows to the next page.
    await customer.page.locator(tid('proxy-take-control')).click();
    await customer.page.waitForSelector(tid('proxy-driver'));
    const link = await onCanvas(customer.page, 150, 60);
    await customer.page.touchscreen.tap(link.x, link.y);
    // On the phone the finger is the pointer: the agent sees a dot where it touched.
    const touchedAt = (await pollUntil(agent.page, 'the phone customer\'s touch dot on the desk', () => peerDotAt(agent.page), (d) => d !== null, 5_000, 20))!;
    expect(Math.abs(touchedAt.x - 150 / PHONE.width)).toBeLessThan(0.03);
    expect(Math.abs(touchedAt.y - 60 / PHONE.height)).toBeLessThan(0.03);
    await waitForText(agent.page, 'proxy-status', 'Form');
    await waitForText(agent.page, 'proxy-status', 'the customer drives');
    expect(await agent.page.$eval(tid('proxy-address'), (e) => (e as HTMLInputElement).value)).toBe(`${fixture.origin}/form`);

    // Control passes to the agent with one click; the agent clicks the field and types; both see it.
    await agent.page.locator(tid('proxy-take-control')).click();
    await agent.page.waitForSelector(tid('proxy-driver'));
    const field = await onCanvas(agent.page, 150, 60);
    await agent.page.mouse.click(field.x, field.y);
    await agent.page.keyboard.type('hello');
    await waitForText(agent.page, 'proxy-status', 'Typed: hello');
    await waitForText(customer.page, 'proxy-status', 'Typed: hello');
    await screenshot(agent.page, 'proxy-desk');
    await screenshot(customer.page, 'proxy-join');

    // Addresses the worker must not open are refused, with the reason shown.
    await agent.page.locator(tid('proxy-address')).fill(`http://127.0.0.1:${otherPort}/`);
    await agent.page.keyboard.press('Enter');
    await waitForText(agent.page, 'proxy-status', 'blocked');
    await waitForText(agent.page, 'proxy-status', '127.0.0.1');
    await waitForText(customer.page, 'proxy-status', 'blocked');
    await agent.page.locator(tid('proxy-address')).fill('file:///etc/hostname');
    await agent.page.keyboard.press('Enter');
    await waitForText(agent.page, 'proxy-status', 'file');
    await screenshot(agent.page, 'proxy-desk-blocked');

    // Stop: the session closes on the worker; the customer may continue on the last page in their own browser.
    await agent.page.locator(tid('proxy-stop')).click();
    await waitForText(customer.page, 'proxy-status', 'The agent stopped browsing together.');
    expect(await customer.page.$eval(tid('proxy-continue'), (a) => (a as HTMLAnchorElement).href)).toBe(`${fixture.origin}/form`);
    await waitFor(async () => (await sessionsOnWorker(platform)) === 0, 'no session on the worker after stop');
    expect((await platform.query<{ mode: string }>(`SELECT mode FROM engagements WHERE id = $1`, [engagementId]))[0].mode).toBe('none');

    // Again, then ending the engagement ends the shared browser too.
    await agent.page.locator(tid('proxy-url')).fill(`${fixture.origin}/`);
    await agent.page.locator(tid('proxy-start')).click();
    await waitForText(customer.page, 'proxy-status', 'Home w390', 30_000);
    expect(await sessionsOnWorker(platform)).toBe(1);
    await agent.page.locator(tid('end-engagement')).click();
    await waitForText(customer.page, 'engagement-state', 'Ended');
    await waitFor(async () => (await sessionsOnWorker(platform)) === 0, 'no session on the worker after the engagement ended');
    const rows = await platform.query<{ type: string; actor: string }>(`SELECT type, actor FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'proxy.%' ORDER BY id`, [engagementId]);
    expect(rows.map((r) => `${r.type}:${r.actor}`)).toEqual(['proxy.started:agent', 'proxy.control:customer', 'proxy.control:agent', 'proxy.stopped:agent', 'proxy.started:agent', 'proxy.stopped:system']);
  });
});
