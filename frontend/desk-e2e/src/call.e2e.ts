import type { CallSession } from '@engage/media-client';
import type { Browser, Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { openAsCustomer } from './support/api';
import { launchChromium, openParty, screenshot } from './support/browser';
import { sendDeskMessage, tid, waitForText } from './support/desk';
import { connectByInvitation } from './support/flows';
import { startPlatform, type Platform } from './support/platform';

declare global {
  interface Window {
    /** The call panel exposes its running CallSession here. */
    __engageCall?: CallSession | null;
  }
}

/** totalAudioEnergy of silence stays around 1e-10; one beep of the fake microphone adds far more. */
const AUDIBLE_ENERGY = 1e-4;

type Stats = Awaited<ReturnType<CallSession['stats']>>;

function callStats(page: Page): Promise<Stats | null> {
  return page.evaluate(() => window.__engageCall?.stats() ?? null);
}

/** Waits until the page's call receives video frames and hears the other side's beeps. */
async function waitForMedia(page: Page, who: string): Promise<Stats> {
  await page.waitForFunction(() => !!window.__engageCall, { timeout: 20_000 });
  const deadline = Date.now() + 25_000;
  let stats: Stats | null = null;
  while (Date.now() < deadline) {
    stats = await callStats(page);
    if ((stats?.inbound.video?.framesDecoded ?? 0) > 0 && (stats?.inbound.audio?.totalAudioEnergy ?? 0) > AUDIBLE_ENERGY) return stats!;
    await new Promise((r) => setTimeout(r, 250));
  }
  await screenshot(page, `failed-call-${who}`);
  throw new Error(`${who}: no video frames or audio energy from the other side: ${JSON.stringify(stats)}`);
}

async function callStatus(page: Page): Promise<string> {
  return page.$eval(tid('call-status'), (e) => (e.textContent ?? '').trim()).catch(() => '');
}

describe('agent and customer call each other through the SFU', () => {
  let platform: Platform;
  let browser: Browser;

  beforeAll(async () => {
    platform = await startPlatform({}, { sfu: true });
    browser = await launchChromium({ fakeMedia: true });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('offers video from the desk, the customer accepts on the join page; both see and hear; mute, refusal of outsiders, end', async () => {
    const agent = await openParty(browser);
    const customer = await openParty(browser);
    agent.page.on('pageerror', (e) => console.error('[agent page]', String(e)));
    customer.page.on('pageerror', (e) => console.error('[customer page]', String(e)));

    const { engagementId } = await connectByInvitation(platform, agent.page, customer.page);

    // The agent offers a video call; the customer accepts with one click.
    await agent.page.locator(tid('call-offer-video')).click();
    await waitForText(customer.page, 'call-status', 'invites you to a video call');
    await customer.page.locator(tid('call-accept')).click();

    const [agentStats, customerStats] = await Promise.all([waitForMedia(agent.page, 'agent'), waitForMedia(customer.page, 'customer')]);
    expect(agentStats.inbound.video?.framesDecoded).toBeGreaterThan(0);
    expect(customerStats.inbound.audio?.totalAudioEnergy).toBeGreaterThan(AUDIBLE_ENERGY);
    await waitForText(agent.page, 'call-status', 'In a video call');
    await waitForText(customer.page, 'call-status', 'In a video call');
    expect((await platform.query<{ call: string }>(`SELECT call FROM engagements WHERE id = $1`, [engagementId]))[0].call).toBe('video');
    // The remote video element is playing frames.
    await customer.page.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, {}, tid('call-remote-video'));
    await screenshot(agent.page, 'call-desk');
    await screenshot(customer.page, 'call-join');

    // The chat goes on during the call.
    await sendDeskMessage(agent.page, 'Can you hear me?');
    await waitForText(customer.page, 'chat-message', 'Can you hear me?');

    // Mute stops the customer's outbound audio.
    await customer.page.locator(tid('call-mute')).click();
    await waitForText(customer.page, 'call-mute', 'Unmute');
    await new Promise((r) => setTimeout(r, 800));
    const before = (await callStats(customer.page))?.outbound.audio?.packetsSent ?? 0;
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await callStats(customer.page))?.outbound.audio?.packetsSent ?? 0;
    expect(before).toBeGreaterThan(0);
    expect(after - before).toBeLessThanOrEqual(2);
    // Camera off pauses the video producer; on again resumes it.
    await agent.page.locator(tid('call-camera')).click();
    await waitForText(agent.page, 'call-camera', 'Camera on');

    // Someone of another engagement cannot consume this call's producers.
    const victimProducer = await agent.page.evaluate(() => window.__engageCall?.producerIds.local[0] ?? '');
    expect(victimProducer).not.toBe('');
    const outsider = await openAsCustomer(platform.url, platform.demoUrl, 'Mallory');
    const raw: Socket = io(platform.url, { transports: ['websocket'], reconnection: false, auth: { token: outsider.customerToken }, extraHeaders: { origin: platform.demoUrl } });
    try {
      await new Promise<void>((resolve, reject) => {
        raw.once('connect', () => resolve());
        raw.once('connect_error', reject);
      });
      const intoTheirs = await raw.timeout(5000).emitWithAck('media/consume', { engagementId, transportId: 'any', producerId: victimProducer, rtpCapabilities: {} });
      expect(intoTheirs).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const throughMine = await raw.timeout(5000).emitWithAck('media/consume', { engagementId: outsider.engagement.id, transportId: 'any', producerId: victimProducer, rtpCapabilities: {} });
      expect(throughMine).toMatchObject({ ok: false });
      const join = await raw.timeout(5000).emitWithAck('media/join', { engagementId });
      expect(join).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      raw.close();
    }

    // End call ends it on both sides; the engagement and its chat go on.
    await agent.page.locator(tid('call-end')).click();
    await waitForText(agent.page, 'call-status', 'The agent ended the call.');
    await waitForText(customer.page, 'call-status', 'The agent ended the call.');
    expect(await customer.page.evaluate(() => window.__engageCall ?? null)).toBeNull();
    expect(await agent.page.$(tid('call-remote-video'))).not.toBeNull();
    await sendDeskMessage(agent.page, 'Back to chat only.');
    await waitForText(customer.page, 'chat-message', 'Back to chat only.');
    const rows = await platform.query<{ type: string; actor: string }>(`SELECT type, actor FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'call.%' ORDER BY id`, [engagementId]);
    expect(rows).toEqual([
      { type: 'call.offered', actor: 'agent' },
      { type: 'call.accepted', actor: 'customer' },
      { type: 'call.ended', actor: 'agent' },
    ]);
    expect((await platform.query<{ call: string }>(`SELECT call FROM engagements WHERE id = $1`, [engagementId]))[0].call).toBe('off');

    // A second call (voice): ending the engagement ends it too.
    await agent.page.locator(tid('call-offer-audio')).click();
    await waitForText(customer.page, 'call-status', 'invites you to a voice call');
    await customer.page.locator(tid('call-accept')).click();
    await waitForText(agent.page, 'call-status', 'In a voice call', 20_000);
    await agent.page.locator(tid('end-engagement')).click();
    await waitForText(customer.page, 'engagement-state', 'Ended');
    await customer.page.waitForFunction(() => !window.__engageCall);
    expect(await callStatus(customer.page)).not.toContain('In a voice call');
    const types = (await platform.query<{ type: string }>(`SELECT type FROM engagement_events WHERE engagement_id = $1 ORDER BY id`, [engagementId])).map((r) => r.type);
    expect(types.slice(-4)).toEqual(['call.offered', 'call.accepted', 'engagement.ended', 'call.ended']);
    expect((await platform.query<{ call: string }>(`SELECT call FROM engagements WHERE id = $1`, [engagementId]))[0].call).toBe('off');
  });
});
