/**
 * Calls in end-to-end tests: start one from the desk, read the page's CallSession
 * (window.__engageCall, set by the call panel) and wait for what a person would notice.
 */
import type { CallSession } from '@engage/media-client';
import type { Browser, Page } from 'puppeteer-core';
import { connectByInvitation } from './flows';
import type { Platform } from './platform';
import { openParty, screenshot } from './browser';
import { tid, waitForText } from './desk';

declare global {
  interface Window {
    /** The call panel exposes its running CallSession here. */
    __engageCall?: CallSession | null;
  }
}

export type CallStats = Awaited<ReturnType<CallSession['stats']>>;

/** totalAudioEnergy of silence stays around 1e-10; one beep of the fake microphone adds far more. */
export const AUDIBLE_ENERGY = 1e-4;

export function callStats(page: Page): Promise<CallStats | null> {
  return page.evaluate(() => window.__engageCall?.stats() ?? null);
}

/** The session's state as tests read it. */
export function callInfo(page: Page): Promise<{ connection: string; iceRestarts: number; rejoins: number; remote: string[]; local: string[]; peerId: string } | null> {
  return page.evaluate(() => {
    const s = window.__engageCall;
    return s ? { connection: s.connection, iceRestarts: s.iceRestarts, rejoins: s.rejoins, remote: s.producerIds.remote, local: s.producerIds.local, peerId: s.peerId } : null;
  });
}

/** Polls read() until ok() holds; on timeout, a screenshot and the last value in the message. */
export async function pollUntil<T>(page: Page, what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  await screenshot(page, `failed-${what.replace(/\W+/g, '-')}`).catch(() => undefined);
  throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** The agent offers a call, the customer accepts; both pages have a session. */
export async function startCall(agent: Page, customer: Page, kind: 'audio' | 'video'): Promise<void> {
  await agent.locator(tid(kind === 'audio' ? 'call-offer-audio' : 'call-offer-video')).click();
  await waitForText(customer, 'call-status', `invites you to a ${kind === 'audio' ? 'voice' : 'video'} call`);
  await customer.locator(tid('call-accept')).click();
  await agent.waitForFunction(() => !!window.__engageCall, { timeout: 20_000 });
  await customer.waitForFunction(() => !!window.__engageCall, { timeout: 20_000 });
}

/** Waits until the page hears the other side's beeps (and, in a video call, decodes its frames). */
export function waitForMedia(page: Page, who: string, video: boolean): Promise<CallStats | null> {
  return pollUntil(
    page,
    `${who} receives the other side`,
    () => callStats(page),
    (s) => (s?.inbound.audio?.totalAudioEnergy ?? 0) > AUDIBLE_ENERGY && (!video || (s?.inbound.video?.framesDecoded ?? 0) > 0),
    25_000,
    250,
  );
}

/** Video frames the page has decoded from the other side's camera (0 without a call). */
export async function framesDecoded(page: Page): Promise<number> {
  return (await callStats(page))?.inbound.video?.framesDecoded ?? 0;
}

/**
 * An agent and a customer (two Chromium contexts) in a call started from the chat: both decode the
 * other's media and both panels say so. Page errors are printed.
 */
export async function openCall(platform: Platform, browser: Browser, kind: 'audio' | 'video' = 'video'): Promise<{ agent: Page; customer: Page }> {
  const agent = await openParty(browser);
  const customer = await openParty(browser);
  agent.page.on('pageerror', (e) => console.error('[agent page]', String(e)));
  customer.page.on('pageerror', (e) => console.error('[customer page]', String(e)));
  await connectByInvitation(platform, agent.page, customer.page);
  await startCall(agent.page, customer.page, kind);
  const video = kind === 'video';
  await Promise.all([waitForMedia(agent.page, 'agent', video), waitForMedia(customer.page, 'customer', video)]);
  const words = video ? 'In a video call' : 'In a voice call';
  await waitForText(agent.page, 'call-status', words);
  await waitForText(customer.page, 'call-status', words);
  return { agent: agent.page, customer: customer.page };
}
