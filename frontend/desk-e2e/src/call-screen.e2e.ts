import type { Page } from 'puppeteer-core';
import { screenshot } from './support/browser';
import { callInfo, callStats, openCall, pollUntil } from './support/call';
import { tid, waitForText } from './support/desk';
import { useStack } from './support/stack';

/** Frames the page decoded of the other side's shared screen (0 when none is shared). */
async function screenFrames(page: Page): Promise<number> {
  return (await callStats(page))?.inboundScreen?.framesDecoded ?? 0;
}

/** The shared screen's video element has a picture. */
async function waitScreenShown(page: Page): Promise<void> {
  await page.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, { timeout: 15_000 }, tid('call-remote-screen'));
}

describe('screen sharing in a call', () => {
  const stack = useStack({ platform: { sfu: true }, chromium: { fakeMedia: true } });

  it('video call: the customer shares, the agent sees it large (a third consumer) with the camera small; stop takes it away', async () => {
    const { platform, browser } = stack;
    const { agent, customer } = await openCall(platform, browser, 'video');
    expect((await callInfo(agent))?.remote).toHaveLength(2);

    await customer.locator(tid('call-share')).click();
    await waitForText(customer, 'call-share', 'Stop sharing');
    expect(await customer.$eval(tid('call-share'), (e) => e.getAttribute('aria-pressed'))).toBe('true');
    await pollUntil(agent, 'frames of the shared screen', () => screenFrames(agent), (n) => n > 10);
    await waitScreenShown(agent);
    expect((await callInfo(agent))?.remote).toHaveLength(3);
    // The camera goes on beside it, in the small tile.
    const camera = (await callStats(agent))?.inbound.video?.framesDecoded ?? 0;
    await pollUntil(agent, 'camera frames beside the screen', async () => (await callStats(agent))?.inbound.video?.framesDecoded ?? 0, (n) => n > camera);
    const box = await agent.$eval(tid('call-remote-tile'), (e) => e.getBoundingClientRect().toJSON() as DOMRect);
    const screenBox = await agent.$eval(tid('call-remote-screen'), (e) => e.getBoundingClientRect().toJSON() as DOMRect);
    expect(box.width).toBeLessThan(screenBox.width / 3);
    await screenshot(agent, 'call-screen-desk');

    // Stop sharing: the producer closes, the agent's screen view goes.
    await customer.locator(tid('call-share')).click();
    await waitForText(customer, 'call-share', 'Share screen');
    await agent.waitForFunction((sel: string) => !document.querySelector(sel), { timeout: 10_000 }, tid('call-remote-screen'));
    expect((await callInfo(agent))?.remote).toHaveLength(2);
    expect((await callInfo(customer))?.local).toHaveLength(2);
    // The customer's camera is large again.
    const after = await agent.$eval(tid('call-remote-tile'), (e) => e.getBoundingClientRect().width);
    expect(after).toBeGreaterThan(screenBox.width / 2);
  });

  it('voice call: the agent shares a screen, the customer sees it above the two names', async () => {
    const { platform, browser } = stack;
    const { agent, customer } = await openCall(platform, browser, 'audio');
    expect(await customer.$(tid('call-remote-screen'))).toBeNull();

    await agent.locator(tid('call-share')).click();
    await waitForText(agent, 'call-share', 'Stop sharing');
    await pollUntil(customer, 'frames of the agent’s screen', () => screenFrames(customer), (n) => n > 10);
    await waitScreenShown(customer);
    expect((await callInfo(customer))?.remote).toHaveLength(2);
    await screenshot(customer, 'call-screen-voice-join');

    // The browser's own "Stop sharing" ends the track: the same as the button.
    await agent.evaluate(() => {
      const track = window.__engageCall?.sending.find((x) => x.source === 'screen')?.track;
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
    });
    await waitForText(agent, 'call-share', 'Share screen');
    await customer.waitForFunction((sel: string) => !document.querySelector(sel), { timeout: 10_000 }, tid('call-remote-screen'));
    expect((await callInfo(customer))?.remote).toHaveLength(1);
  });
});
