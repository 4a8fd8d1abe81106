import type { EngageSocket } from '@engage/chat-client';
import { EV, type RecordedEvent } from '@engage/protocol';
import type { Page } from 'puppeteer-core';
import { openParty, screenshot } from './support/browser';
import { acceptWidgetChat, canaries, replayFrame, scriptedCustomerSharing, socketsClosedAfterAll, tapCobrowse, untilReplay, waitInReplay } from './support/cobrowse';
import { tid, waitForText } from './support/desk';
import { useStack } from './support/stack';
import { openWidgetChat, w } from './support/widget';

const GIFT_CODE = 'GIFT-7781-QZX';
const HEIGHT = 'tall-6612-secret';
const PAYMENT_TEXT = 'Mastercard ending 5454';

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Evaluates `fn(arg)` in the replayed page until `ok` accepts its result. */
const untilReplayed = <A, T>(agent: Page, what: string, fn: (arg: A) => T, arg: A, ok: (v: T) => boolean): Promise<T> =>
  untilReplay(agent, what, async (frame) => (await frame.evaluate(fn as never, arg as never)) as T, ok, { failShot: 'failed-cobrowse-dynamic' });

/** The replay's text of an element equals the customer's. */
async function replayMatches(customer: Page, agent: Page, selector: string): Promise<string> {
  const want = squash(await customer.$eval(selector, (e) => e.textContent ?? ''));
  await untilReplayed(agent, `the customer's ${selector} text "${want.slice(0, 80)}"`, (s: string) => document.querySelector(s)?.textContent ?? '', selector, (t) => squash(t) === want);
  return want;
}

/** The RGBA of one pixel of a canvas of the replayed page. */
const replayPixel = ([index, x, y]: [number, number, number]) => {
  const c = document.querySelectorAll('canvas')[index] as HTMLCanvasElement | undefined;
  const ctx = c?.getContext('2d');
  return ctx ? Array.from(ctx.getImageData(x, y, 1, 1).data) : null;
};

const near = (rgba: number[] | null, rgb: [number, number, number], tolerance = 16) =>
  !!rgba && rgba[3] > 240 && rgb.every((v, i) => Math.abs(rgba[i] - v) <= tolerance);

/** Customer (on `path` of the demo site) chats, the agent accepts and asks to co-browse, the customer allows. */
async function shareDemoPage(
  stack: ReturnType<typeof useStack>,
  path: string,
  name: string,
  sockets: EngageSocket[],
): Promise<{ customer: Page; agent: Page; engagementId: string; wire: RecordedEvent[] }> {
  const { platform, browser } = stack;
  const customer = (await openParty(browser)).page;
  const agent = (await openParty(browser)).page;
  await customer.goto(`${platform.demoUrl}${path}`, { waitUntil: 'load' });
  await openWidgetChat(customer, name);
  const engagementId = await acceptWidgetChat(agent, customer, platform.url, name);
  const wire = await tapCobrowse(platform.url, engagementId, sockets);
  await agent.locator(tid('mode-tab-direct')).click();
  await customer.locator(w('cobrowse-allow')).click();
  await customer.waitForSelector(`${w('cobrowse-banner')}:not([hidden])`);
  return { customer, agent, engagementId, wire };
}

describe('direct co-browse of dynamic pages: SPA routes, shadow DOM, iframes, canvas, animations', () => {
  const sockets = socketsClosedAfterAll(); // before the stack stops
  const stack = useStack();

  it('follows history.pushState routes of a single-page app, and pauses on a protected route', async () => {
    const { customer, agent, wire } = await shareDemoPage(stack, '/orders', 'Sam', sockets);
    await waitInReplay(agent, 'Your orders');
    const list = await replayMatches(customer, agent, '#orders-app');
    expect(list).toContain('NW-10499'); // all 500 rows

    // A route change replaces the content without a page load: the replay follows.
    await customer.click('a[href="/orders/NW-10042"]');
    expect(customer.url()).toMatch(/\/orders\/NW-10042$/);
    expect(await replayMatches(customer, agent, '#orders-app')).toContain('Order NW-10042');
    await customer.click(tid('orders-link'));
    expect(await replayMatches(customer, agent, '#orders-app')).toContain('NW-10499');
    // The browser's Back button (popstate) too.
    await customer.goBack();
    expect(await replayMatches(customer, agent, '#orders-app')).toContain('Order NW-10042');
    await customer.click(tid('orders-link'));
    await replayMatches(customer, agent, '#orders-app');

    // The payment route matches the site's protected pattern (/orders/payment*): sharing pauses on
    // the route change itself, and nothing of that route is sent.
    await customer.click(tid('payment-link'));
    await waitForText(agent, 'cobrowse-status', 'Paused');
    await agent.waitForFunction((sel: string) => !document.querySelector(sel), {}, `${tid('cobrowse-view')} iframe`);
    expect(await customer.$eval(tid('payment-card'), (e) => e.textContent)).toContain(PAYMENT_TEXT);
    const pausedAt = wire.length;
    await customer.mouse.move(100, 100);
    await customer.mouse.move(400, 300, { steps: 4 });
    await new Promise((r) => setTimeout(r, 800));
    expect(wire.length).toBe(pausedAt);
    expect(JSON.stringify(wire).includes(PAYMENT_TEXT)).toBe(false);

    // Back on an ordinary route the customer shares again, and the view shows the route they are on.
    await customer.goBack();
    await customer.locator(w('cobrowse-resume')).click();
    await waitForText(agent, 'cobrowse-status', 'page live');
    expect(await replayMatches(customer, agent, '#orders-app')).toContain('NW-10499');
    expect(JSON.stringify(wire).includes(PAYMENT_TEXT)).toBe(false);
    await screenshot(agent, 'cobrowse-spa-orders');
  });

  it('mirrors shadow DOM, a same-origin iframe, sampled canvas frames and CSS animations, with the privacy rules reaching inside', async () => {
    const { customer, agent, wire } = await shareDemoPage(stack, '/lab', 'Lee', sockets);
    await waitInReplay(agent, 'Live lab');

    // Shadow DOM: the web component's text is in the replay and follows changes.
    const shadowText = () => document.querySelector('nw-stock')?.shadowRoot?.textContent ?? '';
    await untilReplayed(agent, 'the web component text', shadowText, undefined, (t) => t.includes('In stock: 12 left'));
    await customer.locator('nw-stock >>> [data-testid="reserve"]').click();
    await untilReplayed(agent, 'the updated web component text', shadowText, undefined, (t) => t.includes('In stock: 11 left'));

    // Same-origin iframe: its document is in the replay and follows changes.
    const frameText = () => document.querySelector('iframe')?.contentDocument?.body?.textContent ?? '';
    await untilReplayed(agent, 'the iframe text', frameText, undefined, (t) => squash(t).includes('Selected size: M'));
    const sizeFrame = customer.frames().find((f) => f.url().endsWith('/lab/frame'));
    expect(sizeFrame).toBeDefined();
    await sizeFrame!.click('button[data-size="L"]');
    await untilReplayed(agent, 'the updated iframe text', frameText, undefined, (t) => squash(t).includes('Selected size: L'));

    // Fields inside the shadow root and the iframe are masked like any other: the replay shows
    // asterisks and the value never reaches the backend.
    await customer.locator('nw-stock >>> [data-testid="gift-code"]').fill(GIFT_CODE);
    await sizeFrame!.locator(tid('frame-height')).fill(HEIGHT);
    await untilReplayed(
      agent,
      'masked values in the shadow root and the iframe',
      () => [
        (document.querySelector('nw-stock')?.shadowRoot?.querySelector('input') as HTMLInputElement | null)?.value ?? '',
        (document.querySelector('iframe')?.contentDocument?.querySelector('input') as HTMLInputElement | null)?.value ?? '',
      ],
      undefined,
      ([gift, height]) => gift === '*'.repeat(GIFT_CODE.length) && height === '*'.repeat(HEIGHT.length),
    );

    // Canvas: the colour drawn before sharing arrives with the page, a repaint arrives as a sampled frame.
    await untilReplayed(agent, 'the red swatch', replayPixel, [0, 80, 40] as [number, number, number], (p) => near(p, [0xd2, 0x2f, 0x27]));
    await customer.click(tid('paint-blue'));
    await untilReplayed(agent, 'the blue swatch', replayPixel, [0, 80, 40] as [number, number, number], (p) => near(p, [0x1f, 0x5f, 0xd6]));
    // The private signature canvas (data-cobrowse="private") is an empty box: never sampled, never snapshotted.
    expect(await customer.$eval(tid('signature'), (c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(80, 40, 1, 1).data))).toEqual([0x1f, 0x5f, 0xd6, 255]);
    const signature = await (await replayFrame(agent)).evaluate(replayPixel, [1, 80, 40] as [number, number, number]);
    expect(signature === null || signature[3] === 0).toBe(true);

    // CSS animations play in the replay (the stylesheet is mirrored).
    await untilReplayed(agent, 'the animated badge', () => {
      const el = document.querySelector('.pulse');
      return el ? getComputedStyle(el).animationName : '';
    }, undefined, (name) => name === 'nw-pulse');
    await screenshot(agent, 'cobrowse-lab');

    const onWire = JSON.stringify(wire);
    expect(onWire).toContain('In stock');
    expect(onWire).toContain('Selected size');
    for (const secret of [GIFT_CODE, HEIGHT]) expect(onWire).not.toContain(secret);
    const canvasIds = new Set(wire.filter((e) => e.type === 3 && (e.data as { source?: number }).source === 9).map((e) => (e.data as { id: number }).id));
    expect(canvasIds.size).toBe(1); // the swatch; the signature was repainted too, and never sent
    expect((onWire.match(/rr_dataURL/g) ?? []).length).toBeGreaterThanOrEqual(1);
    const snapshots = wire.filter((e) => e.type === 2).length;
    expect((onWire.match(/rr_dataURL/g) ?? []).length).toBe(snapshots); // one per snapshot: the swatch alone
  });

  it('a forged canvas event draws at most an image and runs nothing on the desk', async () => {
    const { platform, browser } = stack;
    const {
      session,
      agent: { page: agent },
      customer,
    } = await scriptedCustomerSharing(platform, browser, 'Mallory', sockets);

    // A real green PNG frame, and frames that try to carry script.
    const greenPng = await agent.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 40;
      c.height = 40;
      const x = c.getContext('2d')!;
      x.fillStyle = '#00c000';
      x.fillRect(0, 0, 40, 40);
      return c.toDataURL('image/png').split(',')[1];
    });
    const canary = (how: string) => `window.top.__canary="${how}";window.__canary="${how}"`;
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload='${canary('svg-frame')}'><script>${canary('svg-frame-script')}</script><rect width="40" height="40" fill="red"/></svg>`).toString('base64');
    const frame = (id: number, type: string, base64: string, property = 'drawImage') => ({
      source: 9,
      id,
      type: 0,
      commands: [
        { property: 'clearRect', args: [0, 0, 40, 40] },
        { property, args: [{ rr_type: 'ImageBitmap', args: [{ rr_type: 'Blob', data: [{ rr_type: 'ArrayBuffer', base64 }], type }] }, 0, 0] },
      ],
    });
    const now = Date.now();
    const page = (): RecordedEvent[] => [
      { type: 4, timestamp: now, data: { href: 'http://evil.example/', width: 800, height: 600 } },
      {
        type: 2,
        timestamp: now + 1,
        data: {
          initialOffset: { top: 0, left: 0 },
          node: {
            type: 0, id: 1, childNodes: [
              { type: 2, id: 2, tagName: 'html', attributes: {}, childNodes: [
                { type: 2, id: 3, tagName: 'head', attributes: {}, childNodes: [] },
                { type: 2, id: 4, tagName: 'body', attributes: {}, childNodes: [
                  { type: 3, id: 5, textContent: 'Forged canvas' },
                  { type: 2, id: 6, tagName: 'canvas', attributes: { width: '40', height: '40' }, childNodes: [] },
                  { type: 2, id: 7, tagName: 'canvas', attributes: { width: '40', height: '40', rr_dataURL: `data:image/svg+xml;base64,${svg}` }, childNodes: [] },
                ] },
              ] },
            ],
          },
        },
      },
    ];
    // Canvas 6 gets a genuine frame; canvas 7 an SVG snapshot image and frames that try other things.
    const events: RecordedEvent[] = [
      ...page(),
      { type: 3, timestamp: now + 2, data: frame(7, 'image/svg+xml', svg) },
      { type: 3, timestamp: now + 3, data: frame(7, 'image/png', greenPng, 'constructor') },
      { type: 3, timestamp: now + 4, data: frame(6, 'image/png', greenPng) },
    ];
    await customer.request(EV.cobrowseRecord, { engagementId: session.engagement.id, events });
    await waitInReplay(agent, 'Forged canvas');
    // The genuine image frame is painted: the painter works from the desk, with no script in the replay.
    await untilReplayed(agent, 'the green forged frame', replayPixel, [0, 20, 20] as [number, number, number], (p) => near(p, [0, 0xc0, 0], 4));
    await new Promise((r) => setTimeout(r, 800));
    expect(await canaries(agent)).toEqual([]);
    // The odd command's PNG never reached the second canvas (an SVG image drawn there runs no script).
    const second = await (await replayFrame(agent)).evaluate(replayPixel, [1, 20, 20] as [number, number, number]);
    expect(near(second, [0, 0xc0, 0], 40)).toBe(false);
    expect(await agent.$eval(`${tid('cobrowse-view')} iframe`, (f) => f.getAttribute('sandbox'))).toBe('allow-same-origin');
  });
});
