import type { Page } from 'puppeteer-core';
import { seriousA11yViolations } from './support/axe';
import { PHONE, screenshot } from './support/browser';
import { AUDIBLE_ENERGY, callStats, framesDecoded, openCall, pollUntil } from './support/call';
import { tid, waitForText } from './support/desk';
import { useStack } from './support/stack';

/** The options of a <select> in the page, and which one is chosen. */
function options(page: Page, testId: string): Promise<Array<{ value: string; label: string; selected: boolean }>> {
  return page.$$eval(`${tid(testId)} option`, (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: (o.textContent ?? '').trim(), selected: (o as HTMLOptionElement).selected })));
}

/** The track the page's call sends for a source (label and device), as the producer holds it. */
function sent(page: Page, source: 'mic' | 'camera'): Promise<{ id: string; label: string; deviceId: string; state: string } | null> {
  return page.evaluate((src: string) => {
    const t = window.__engageCall?.sending.find((x) => x.source === src)?.track;
    return t ? { id: t.id, label: t.label, deviceId: t.getSettings().deviceId ?? '', state: t.readyState } : null;
  }, source);
}

/** Whether the tile is outlined as speaking, and what it says to a screen reader. */
function tile(page: Page, testId: string): Promise<{ speaking: boolean; label: string }> {
  return page.$eval(tid(testId), (e) => ({ speaking: e.classList.contains('speaking'), label: e.getAttribute('aria-label') ?? '' }));
}

async function waitSpeaking(page: Page, who: string, testId: string): Promise<void> {
  await pollUntil(page, `${who}: ${testId} speaks`, () => tile(page, testId), (t) => t.speaking && t.label.endsWith(', speaking'), 20_000, 150);
}

describe('a video call people can use: connection quality, device choice, who speaks', () => {
  const stack = useStack({ platform: { sfu: true }, chromium: { fakeMedia: true } });

  it('shows a good connection on loopback, switches camera and microphone in place, and outlines whoever speaks', async () => {
    const { platform, browser } = stack;
    const { agent, customer } = await openCall(platform, browser, 'video');
    await waitForText(agent, 'call-status', 'In a video call');

    // Quality: good on loopback, the figures in the badge's sentence.
    for (const page of [agent, customer]) {
      const badge = await pollUntil(
        page,
        'a good connection',
        () => page.$eval(tid('call-quality'), (e) => ({ level: e.getAttribute('data-level'), title: e.getAttribute('title') ?? '' })),
        // The first reading may come before any packet: wait for one with every figure.
        (b) => b.level === 'good' && b.title.includes('jitter'),
      );
      expect(badge.title).toMatch(/^Good connection: \d+ ms round trip, 0 % loss, \d+ ms jitter\.$/);
    }

    // Devices: both lists behind the toggle; the camera in use is chosen.
    expect(await agent.$(tid('call-devices-panel'))).toBeNull();
    await agent.locator(tid('call-devices')).click();
    await agent.waitForSelector(tid('call-camera-select'));
    expect(await agent.$eval(tid('call-devices'), (e) => e.getAttribute('aria-expanded'))).toBe('true');
    const cameras = await pollUntil(agent, 'the cameras listed', () => options(agent, 'call-camera-select'), (o) => o.length === 3);
    const mics = await options(agent, 'call-mic-select');
    expect(cameras.map((c) => c.label)).toEqual(['fake_device_0', 'fake_device_1', 'fake_device_2']);
    expect(cameras.find((c) => c.selected)?.label).toBe('fake_device_0');
    expect(mics.map((m) => m.label)).toEqual(expect.arrayContaining(['Fake Audio Input 1', 'Fake Audio Input 2']));
    await screenshot(agent, 'call-devices-desk');
    expect(await seriousA11yViolations(agent)).toEqual([]);

    // A camera whose frames no encoder takes (fake_device_1 gives Y16 depth frames): after a few
    // seconds without an encoded frame it is given up, the old camera is sent again, a sentence says so.
    const before = await sent(agent, 'camera');
    expect(before?.label).toBe('fake_device_0');
    await agent.select(tid('call-camera-select'), cameras[1].value);
    await agent.waitForFunction((sel: string) => /fake_device_1\) sends no picture the call can use; still sending fake_device_0/.test(document.querySelector(sel)?.textContent ?? ''), { timeout: 10_000 }, '[role="alert"]');
    expect((await sent(agent, 'camera'))?.id).toBe(before?.id);
    expect((await options(agent, 'call-camera-select')).find((c) => c.selected)?.label).toBe('fake_device_0');
    const framesBefore = await framesDecoded(customer);
    await pollUntil(customer, 'frames of the kept camera', () => framesDecoded(customer), (n) => n > framesBefore + 15);
    await screenshot(agent, 'call-devices-depth-camera');

    // Another camera: the producer sends the new track, the old one is stopped, the customer keeps decoding.
    await agent.select(tid('call-camera-select'), cameras[2].value);
    const camera = await pollUntil(agent, 'the other camera sent', () => sent(agent, 'camera'), (t) => t?.label === 'fake_device_2');
    // A new choice clears the sentence about the last one.
    expect(await agent.$$eval('[role="alert"]', (es) => es.map((e) => e.textContent ?? '').join(''))).not.toMatch(/sends no picture/);
    expect(camera?.deviceId).toBe(cameras[2].value);
    expect(camera?.deviceId).not.toBe(before?.deviceId);
    // The old track goes once the new camera has shown encoded frames.
    await pollUntil(agent, 'the old camera track gone', () => agent.evaluate((id: string) => window.__engageCall?.localStream.getTracks().some((t) => t.id === id) ?? true, before!.id), (has) => !has);
    expect((await options(agent, 'call-camera-select')).find((c) => c.selected)?.label).toBe('fake_device_2');
    const frames = await framesDecoded(customer);
    await pollUntil(customer, 'frames of the other camera', () => framesDecoded(customer), (n) => n > frames + 15);
    // The agent's own preview shows the new camera.
    await agent.waitForFunction((sel: string) => ((document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, {}, tid('call-local-video'));

    // Another microphone: the customer keeps hearing beeps.
    const mic2 = mics.find((m) => m.label === 'Fake Audio Input 2')!;
    await agent.select(tid('call-mic-select'), mic2.value);
    await pollUntil(agent, 'the second microphone sent', () => sent(agent, 'mic'), (t) => t?.label === 'Fake Audio Input 2');
    const energy = (await callStats(customer))?.inbound.audio?.totalAudioEnergy ?? 0;
    await pollUntil(customer, 'beeps of the second microphone', async () => (await callStats(customer))?.inbound.audio?.totalAudioEnergy ?? 0, (e) => e > energy + AUDIBLE_ENERGY);
    await agent.locator(tid('call-devices')).click();
    await agent.waitForFunction((sel: string) => !document.querySelector(sel), {}, tid('call-devices-panel'));

    // Who speaks: with the agent muted only the customer's beeps reach the SFU, and the other way round.
    await agent.locator(tid('call-mute')).click();
    await waitForText(agent, 'call-mute', 'Unmute');
    await waitSpeaking(agent, 'agent', 'call-remote-tile');
    await waitSpeaking(customer, 'customer', 'call-local-tile');
    expect((await tile(agent, 'call-local-tile')).speaking).toBe(false);
    await screenshot(agent, 'call-speaker-desk');

    await customer.locator(tid('call-mute')).click();
    await waitForText(customer, 'call-mute', 'Unmute');
    await agent.locator(tid('call-mute')).click();
    await waitForText(agent, 'call-mute', 'Mute');
    await waitSpeaking(agent, 'agent', 'call-local-tile');
    await waitSpeaking(customer, 'customer', 'call-remote-tile');
    expect(await tile(customer, 'call-remote-tile')).toEqual({ speaking: true, label: 'Alex Agent, speaking' });
    expect((await tile(customer, 'call-local-tile')).speaking).toBe(false);
    await screenshot(customer, 'call-speaker-join');
    expect(await seriousA11yViolations(customer)).toEqual([]);

    // On a phone the bar wraps; nothing runs off the screen.
    await customer.setViewport(PHONE);
    await customer.locator(tid('call-devices')).click();
    await customer.waitForSelector(tid('call-camera-select'));
    await screenshot(customer, 'call-join-phone');
    const overflow = await customer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
