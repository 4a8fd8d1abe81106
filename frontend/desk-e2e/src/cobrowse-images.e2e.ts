import type { RecordedEvent } from '@engage/protocol';
import type { HTTPRequest, Page } from 'puppeteer-core';
import { openParty, screenshot } from './support/browser';
import { acceptWidgetChat, replayFrame, socketsClosedAfterAll, tapCobrowse, untilReplay, waitInReplay } from './support/cobrowse';
import { tid } from './support/desk';
import { useStack } from './support/stack';
import { openWidgetChat, w } from './support/widget';

// The avatar the demo shop draws (backend/src/demo-site/demo-images.ts): a cream disc on orange.
const AVATAR_BACKGROUND = [0xd9, 0x5d, 0x1e];
const AVATAR_DISC = [0xf6, 0xe7, 0xc8];
const PRIVATE_IMAGE = /\/account\/(avatar|id-photo)$/;

type ImageState = { loaded: boolean; width: number; scheme: string; corner: number[] | null; centre: number[] | null };

/** How an <img> of the replayed page looks: loaded or not, where from, and two of its pixels. */
const imageIn = (selector: string): ImageState => {
  const img = document.querySelector(selector) as HTMLImageElement | null;
  if (!img) return { loaded: false, width: 0, scheme: '', corner: null, centre: null };
  const scheme = img.src.slice(0, img.src.indexOf(':') + 1);
  if (!img.complete || img.naturalWidth === 0) return { loaded: false, width: 0, scheme, corner: null, centre: null };
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  const at = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data);
  return { loaded: true, width: img.naturalWidth, scheme, corner: at(4, 4), centre: at(Math.floor(c.width / 2), Math.floor(c.height / 2)) };
};

const near = (rgba: number[] | null, rgb: number[], tolerance = 12) => !!rgba && rgba[3] > 240 && rgb.every((v, i) => Math.abs(rgba[i] - v) <= tolerance);

const untilImage = (agent: Page, what: string, selector: string) =>
  untilReplay(agent, what, (f) => f.evaluate(imageIn, selector), (s) => s.loaded, { failShot: 'failed-cobrowse-images' });

/** The rrweb id of the element whose attribute `name` ends with `suffix`, from the full snapshots on the wire. */
function nodeIdOf(wire: RecordedEvent[], name: string, suffix: string): number | null {
  type SNode = { id: number; attributes?: Record<string, unknown>; childNodes?: SNode[] };
  const walk = (n: SNode): number | null => {
    const v = n.attributes?.[name];
    if (typeof v === 'string' && v.endsWith(suffix)) return n.id;
    for (const c of n.childNodes ?? []) {
      const found = walk(c);
      if (found !== null) return found;
    }
    return null;
  };
  for (const e of wire.filter((x) => x.type === 2).reverse()) {
    const found = walk((e.data as { node: SNode }).node);
    if (found !== null) return found;
  }
  return null;
}

/** The src values the recorder sent as attribute changes of node `id` (inlined images). */
function inlinedSrcs(wire: RecordedEvent[], id: number): string[] {
  const out: string[] = [];
  for (const e of wire) {
    const d = e.data as { source?: number; attributes?: Array<{ id: number; attributes: Record<string, unknown> }> };
    if (e.type !== 3 || d.source !== 0) continue;
    for (const a of d.attributes ?? []) if (a.id === id && typeof a.attributes.src === 'string') out.push(a.attributes.src);
  }
  return out;
}

describe('direct co-browse: images that need the customer’s cookies', () => {
  const sockets = socketsClosedAfterAll(); // before the stack stops
  const stack = useStack();

  it('the agent sees the customer’s private avatar sent from their page, never the masked photo ID, and a reloaded desk gets it from the checkpoint', async () => {
    const { platform, browser } = stack;
    const customer = await openParty(browser);
    const agent = await openParty(browser);
    const customerDebug: string[] = [];
    customer.page.on('console', (m) => customerDebug.push(m.text()));
    // Every answer the agent's own browser got for the private images (the replay tries to load them).
    const agentTries: Array<{ path: string; ok: boolean; error: string | null }> = [];
    // (A 401 for an image is blocked outright by Chromium's opaque-response blocking: a failed request.)
    const track = (r: HTTPRequest) => {
      const path = new URL(r.url()).pathname;
      if (PRIVATE_IMAGE.test(path)) agentTries.push({ path, ok: r.response()?.ok() ?? false, error: r.failure()?.errorText ?? null });
    };
    agent.page.on('requestfinished', track);
    agent.page.on('requestfailed', track);

    // The customer signs in: their avatar and photo ID load with their session cookie.
    await customer.page.goto(`${platform.demoUrl}/login?next=/account`, { waitUntil: 'load' });
    await customer.page.locator('input[name="name"]').fill('Dana');
    await customer.page.locator('input[name="password"]').fill('demo');
    await Promise.all([customer.page.waitForNavigation({ waitUntil: 'load' }), customer.page.click('form button[type="submit"]')]);
    expect(customer.page.url()).toMatch(/\/account$/);
    const own = await customer.page.evaluate(imageIn, tid('account-avatar'));
    expect(own.loaded).toBe(true);
    expect(near(own.corner, AVATAR_BACKGROUND, 0)).toBe(true);
    expect((await customer.page.evaluate(imageIn, tid('id-photo'))).loaded).toBe(true);
    await openWidgetChat(customer.page, 'Dana');

    const engagementId = await acceptWidgetChat(agent.page, customer.page, platform.url, 'Dana');

    // A supervisor's socket watches what the backend relays (and keeps in the checkpoint).
    const wire = await tapCobrowse(platform.url, engagementId, sockets);

    await agent.page.locator(tid('mode-tab-direct')).click();
    await customer.page.locator(w('cobrowse-allow')).click();
    await waitInReplay(agent.page, 'Signed in as Dana');

    // The avatar appears in the agent's replay: the customer's page sent it, drawn from their copy.
    const shown = await untilImage(agent.page, 'the avatar', tid('account-avatar'));
    expect(shown).toMatchObject({ loaded: true, width: 96, scheme: 'data:' });
    expect(near(shown.corner, AVATAR_BACKGROUND)).toBe(true);
    expect(near(shown.centre, AVATAR_DISC)).toBe(true);
    await screenshot(agent.page, 'cobrowse-images-avatar');

    // …while the agent's own browser was refused every private image (it has no session cookie).
    expect((await agent.context.cookies()).map((c) => c.name)).not.toContain('nw_session');
    expect(agentTries.some((t) => t.path === '/account/avatar')).toBe(true);
    expect(agentTries.filter((t) => t.ok)).toEqual([]);

    // On the wire: one WebP data: URL for the avatar's node.
    const avatarId = nodeIdOf(wire, 'src', '/account/avatar');
    const photoId = nodeIdOf(wire, 'src', '/account/id-photo');
    expect(avatarId).not.toBeNull();
    expect(photoId).not.toBeNull();
    const sent = inlinedSrcs(wire, avatarId!);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^data:image\/webp;base64,/);
    expect(sent[0].length).toBeLessThan(64 * 1024);

    // The photo ID sits in a masked panel: the agent's replay asked for it too (it failed there),
    // and the customer's page refused; it stays a broken image for the agent.
    expect(agentTries.some((t) => t.path === '/account/id-photo' && !t.ok)).toBe(true);
    const refusal = `[engage recorder] image ${photoId} not inlined: inside a private or masked area`;
    const start = Date.now();
    // Either answer ends the wait: the refusal in the customer's debug log, or (wrongly) an inlined image.
    while (!customerDebug.includes(refusal) && inlinedSrcs(wire, photoId!).length === 0) {
      if (Date.now() - start > 10_000) throw new Error(`the recorder never answered for the photo ID; it logged ${JSON.stringify(customerDebug)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(inlinedSrcs(wire, photoId!).map((src) => src.slice(0, 30))).toEqual([]);
    expect((await (await replayFrame(agent.page)).evaluate(imageIn, tid('id-photo'))).loaded).toBe(false);

    // A reloaded desk (a late viewer) shows the avatar at once from the backend's checkpoint: the
    // customer's page sends nothing new for it.
    const inlinedBefore = sent.length;
    await agent.page.reload({ waitUntil: 'load' });
    await waitInReplay(agent.page, 'Signed in as Dana');
    const again = await untilImage(agent.page, 'the avatar after a reload', tid('account-avatar'));
    expect(again.scheme).toBe('data:');
    expect(near(again.corner, AVATAR_BACKGROUND)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(inlinedSrcs(wire, avatarId!)).toHaveLength(inlinedBefore);
    expect(agentTries.filter((t) => t.ok)).toEqual([]);
    await screenshot(agent.page, 'cobrowse-images-reloaded');
  });
});
