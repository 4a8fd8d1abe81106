import type { HealthResponse } from '@engage/protocol';
import type { Page } from 'puppeteer-core';
import { callInfo, framesDecoded, openCall, pollUntil } from './support/call';
import { sendDeskMessage, tid, waitForText } from './support/desk';
import type { Platform } from './support/platform';
import { useStack } from './support/stack';

declare global {
  interface Window {
    /** Transport and connection states the page's call went through, recorded by the test. */
    __callLog?: string[];
    /** When (epoch ms) the page first decoded a frame of a consumer made after the rejoin. */
    __framesBackAt?: number;
  }
}

/** The SFU runs one worker in these tests (WORKERS=1): it carries every room. */
async function workerPid(platform: Platform): Promise<number> {
  const health = (await (await fetch(`${platform.sfuUrl}/health`)).json()) as HealthResponse;
  expect(health.workerPids).toHaveLength(1);
  return health.workerPids[0];
}

/** Records the call's transport and connection states (and errors) in window.__callLog from now on, as `state@epochMs`. */
async function recordStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: string[] = (window.__callLog = []);
    const s = window.__engageCall!;
    // Stamped with the wall clock: the test compares them with the moment it sent SIGCONT.
    s.on('transportState', ({ direction, state }) => log.push(`${direction}:${state}@${Date.now()}`));
    s.on('connection', (c) => log.push(`${c}@${Date.now()}`));
    s.on('error', (e) => log.push(`error:${e.message}@${Date.now()}`));
  });
}

const callLog = (page: Page) => page.evaluate(() => window.__callLog ?? []);

describe('a call heals itself', () => {
  const stack = useStack({ platform: { sfu: true }, chromium: { fakeMedia: true } });

  it('the SFU worker freezes (SIGSTOP) until ICE is lost: the same transports restart ICE, frames flow again without a rejoin', async () => {
    const { platform, browser } = stack;
    const { agent, customer } = await openCall(platform, browser);
    await Promise.all([recordStates(agent), recordStates(customer)]);
    const pid = await workerPid(platform);

    // Chrome calls ICE 'disconnected' only after ~5 s without an answer (consent freshness), and
    // the session waits out a grace of 1.5 s before it restarts: the worker stays frozen until both
    // pages saw the disconnection and the grace is over (about 7–8 s), so that the restart really
    // happens while the SFU is unreachable and is answered once it is back.
    const frozenAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    let disconnectedAfter = 0;
    let thawedAt = 0;
    try {
      await waitForText(agent, 'call-status', 'Reconnecting…', 12_000);
      for (const page of [agent, customer]) {
        await pollUntil(page, 'ICE disconnected', () => callLog(page), (log) => log.some((l) => /:disconnected@/.test(l)), 12_000, 100);
      }
      disconnectedAfter = Date.now() - frozenAt;
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      process.kill(pid, 'SIGCONT');
      thawedAt = Date.now();
    }
    console.log(`[call-recovery] worker frozen ${thawedAt - frozenAt} ms; both pages saw ICE disconnected ${disconnectedAfter} ms in`);

    for (const [who, page] of [['agent', agent], ['customer', customer]] as const) {
      const info = await pollUntil(page, `${who} back after an ICE restart`, () => callInfo(page), (i) => i?.connection === 'connected' && i.iceRestarts >= 1, 20_000);
      expect(info?.rejoins).toBe(0);
      const log = await callLog(page);
      expect(log.some((l) => /^(send|recv):disconnected@/.test(l))).toBe(true);
      expect(log.some((l) => l.startsWith('reconnecting@'))).toBe(true);
      expect(log.filter((l) => !/^(send|recv):/.test(l)).at(-1)).toMatch(/^connected@/);
      expect(log.filter((l) => l.startsWith('error:'))).toEqual([]);
      // The same session decodes new frames.
      const frames = await framesDecoded(page);
      await pollUntil(page, `${who} decodes again`, () => framesDecoded(page), (n) => n > frames + 10, 10_000);
      const at = (l: string) => Number(l.split('@')[1]);
      const connectedAt = at(log.filter((l) => l.startsWith('connected@')).at(-1)!);
      const states = log.map((l) => `${l.split('@')[0]}@${at(l) - frozenAt}`).join(' → ');
      console.log(`[call-recovery] ${who}: ${info?.iceRestarts} ICE restart(s), connected again ${connectedAt - thawedAt} ms after SIGCONT; states (ms after SIGSTOP) ${states}`);
    }
    await waitForText(agent, 'call-status', 'In a video call');
    await waitForText(customer, 'call-status', 'In a video call');
  });

  it('the SFU worker dies (kill -9): both sides rejoin with the same tracks and decode new frames within 5 s; chat goes on meanwhile', async () => {
    const { platform, browser } = stack;
    const { agent, customer } = await openCall(platform, browser);
    const pid = await workerPid(platform);
    const before = { agent: (await callInfo(agent))!, customer: (await callInfo(customer))! };
    const localTracks = (page: Page) => page.evaluate(() => window.__engageCall?.localStream.getTracks().map((t) => `${t.id}:${t.readyState}`) ?? []);
    const tracksBefore = { agent: await localTracks(agent), customer: await localTracks(customer) };

    await Promise.all([recordStates(agent), recordStates(customer)]);
    // The page itself notes when a new consumer (another producer id) decodes its first frames after
    // the rejoin: the figure does not depend on how fast this test can ask (the machine may be busy).
    const watchFrames = (page: Page, oldRemote: string[]) =>
      page.evaluate((old: string[]) => {
        const timer = setInterval(async () => {
          const s = window.__engageCall;
          if (!s || s.rejoins < 1 || s.connection !== 'connected' || s.producerIds.remote.some((id) => old.includes(id))) return;
          if (((await s.stats()).inbound.video?.framesDecoded ?? 0) > 0) {
            window.__framesBackAt ??= Date.now();
            clearInterval(timer);
          }
        }, 20);
      }, oldRemote);
    await Promise.all([watchFrames(agent, before.agent.remote), watchFrames(customer, before.customer.remote)]);
    const back = async (page: Page, who: 'agent' | 'customer') => {
      const backAt = await pollUntil(page, `${who} decodes after the rejoin`, () => page.evaluate(() => window.__framesBackAt ?? 0), (t) => t > 0, 15_000);
      const log = await callLog(page);
      const at = (prefix: string) => Number(log.find((l) => l.startsWith(prefix))?.split('@')[1] ?? NaN) - killedAt;
      const ms = backAt - killedAt;
      console.log(`[call-recovery] worker killed: ${who} reconnecting after ${at('reconnecting@')} ms, connected after ${at('connected@')} ms, decodes new frames after ${ms} ms`);
      return ms;
    };

    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const recovered = Promise.all([back(agent, 'agent'), back(customer, 'customer')]);
    // Chat does not depend on the media: both ways while the call rejoins.
    await sendDeskMessage(agent, 'Still there after the glitch?');
    await customer.locator(tid('chat-input')).fill('Yes, I can read you.');
    await customer.locator(tid('chat-send')).click();
    const [agentMs, customerMs] = await recovered;
    await waitForText(customer, 'chat-message', 'Still there after the glitch?');
    await waitForText(agent, 'chat-message', 'Yes, I can read you.');
    expect(Math.max(agentMs, customerMs)).toBeLessThan(5000);

    // The same local tracks, still live; one rejoin each, the call itself never ended.
    expect(await localTracks(agent)).toEqual(tracksBefore.agent);
    expect(await localTracks(customer)).toEqual(tracksBefore.customer);
    expect((await callInfo(agent))?.rejoins).toBe(1);
    expect((await callInfo(customer))?.rejoins).toBe(1);
    await waitForText(agent, 'call-status', 'In a video call');
    const rows = await platform.query<{ type: string }>(`SELECT type FROM engagement_events WHERE type LIKE 'call.%' ORDER BY id`);
    expect(rows.map((r) => r.type).filter((t) => t === 'call.ended')).toEqual([]);
    // A new worker took over.
    expect(await workerPid(platform)).not.toBe(pid);
  });
});
