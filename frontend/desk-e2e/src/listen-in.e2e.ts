import type { CallSession } from '@engage/media-client';
import type { Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { loginAgent } from './support/api';
import { openParty, screenshot } from './support/browser';
import { DEMO_SUPERVISOR, loginToDesk, tid, waitForText } from './support/desk';
import { connectByInvitation } from './support/flows';
import { useStack } from './support/stack';

declare global {
  interface Window {
    /** The call panel exposes its running CallSession here. */
    __engageCall?: CallSession | null;
    /** The supervisor's listen-in session (supervise/listen-in.component.ts). */
    __engageListen?: CallSession | null;
  }
}

/** totalAudioEnergy of silence stays around 1e-10; one beep of the fake microphone adds far more. */
const AUDIBLE_ENERGY = 1e-4;

type Stats = Awaited<ReturnType<CallSession['stats']>>;

function listenStats(page: Page): Promise<Stats | null> {
  return page.evaluate(() => window.__engageListen?.stats() ?? null);
}

function producerIds(page: Page, which: '__engageCall' | '__engageListen'): Promise<{ local: string[]; remote: string[] } | null> {
  return page.evaluate((w) => window[w]?.producerIds ?? null, which);
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

async function connect(url: string, token: string): Promise<Socket> {
  const socket: Socket = io(url, { transports: ['websocket'], reconnection: false, auth: { token }, extraHeaders: { origin: url } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('a supervisor listens in on a call', () => {
  const stack = useStack({ platform: { sfu: true }, chromium: { fakeMedia: true } });

  it('hears both sides, sends nothing, is consumed by nobody, may not produce, shows in the timeline, and stops with the call', async () => {
    const { platform, browser } = stack;
    const agent = await openParty(browser);
    const customer = await openParty(browser);
    const supervisor = await openParty(browser);
    for (const [who, p] of [['agent', agent], ['customer', customer], ['supervisor', supervisor]] as const) p.page.on('pageerror', (e) => console.error(`[${who} page]`, String(e)));

    const { engagementId } = await connectByInvitation(platform, agent.page, customer.page);
    await agent.page.locator(tid('call-offer-video')).click();
    await waitForText(customer.page, 'call-status', 'invites you to a video call');
    await customer.page.locator(tid('call-accept')).click();
    await waitForText(agent.page, 'call-status', 'In a video call', 25_000);
    await waitForText(customer.page, 'call-status', 'In a video call', 25_000);
    // Both sides send microphone and camera before the supervisor arrives.
    await waitFor(() => producerIds(agent.page, '__engageCall'), (p) => (p?.local.length ?? 0) === 2 && (p?.remote.length ?? 0) === 2, 'the agent to send and receive audio and video');
    await waitFor(() => producerIds(customer.page, '__engageCall'), (p) => (p?.local.length ?? 0) === 2 && (p?.remote.length ?? 0) === 2, 'the customer to send and receive audio and video');

    // What a supervisor's socket may not do in a call: offer, answer, end, send, produce.
    const { token } = await loginAgent(platform.url, DEMO_SUPERVISOR);
    const raw = await connect(platform.url, token);
    let audioProducers: string[] = [];
    try {
      const joined = await raw.timeout(10_000).emitWithAck('media/join', { engagementId });
      expect(joined).toMatchObject({ ok: true, data: { peerId: expect.stringMatching(/^supervisor-/) } });
      // It is offered only the audio producers of the call.
      const offered = (joined as { data: { producers: { id: string; kind: string }[] } }).data.producers;
      expect(offered.map((p) => p.kind)).toEqual(['audio', 'audio']);
      audioProducers = offered.map((p) => p.id).sort();
      for (const [event, payload] of [
        ['media/transport', { engagementId, direction: 'send' }],
        ['media/produce', { engagementId, transportId: 'any', kind: 'audio', rtpParameters: {} }],
        ['media/offer', { engagementId, kind: 'audio' }],
        ['media/respond', { engagementId, accept: true }],
        ['media/pause', { engagementId, producerId: 'any', paused: true }],
        ['media/close-producer', { engagementId, producerId: 'any' }],
      ] as const) {
        const ack = await raw.timeout(10_000).emitWithAck(event, payload);
        expect({ event, ack }).toMatchObject({ event, ack: { ok: false, error: { code: 'forbidden', message: expect.stringMatching(/\w+ .*\./) } } });
      }
    } finally {
      raw.close();
    }

    // The supervisor opens the live engagement and listens in.
    await loginToDesk(supervisor.page, platform.url, DEMO_SUPERVISOR);
    await supervisor.page.goto(`${platform.url}/desk/supervise`, { waitUntil: 'load' });
    await supervisor.page.locator(tid('live-item')).click();
    await supervisor.page.locator(tid('watch-listen')).click();
    await waitForText(supervisor.page, 'watch-listening', 'Listening — the customer and agent do not hear you', 20_000);
    await supervisor.page.waitForFunction(() => !!window.__engageListen);

    // It hears the call: the audio energy it receives grows, the <audio> element carries both voices.
    const first = await waitFor(() => listenStats(supervisor.page), (s) => (s?.inbound.audio?.totalAudioEnergy ?? 0) > AUDIBLE_ENERGY, 'the supervisor to hear the call');
    await waitFor(
      () => listenStats(supervisor.page),
      (s) => (s?.inbound.audio?.totalAudioEnergy ?? 0) > (first?.inbound.audio?.totalAudioEnergy ?? 0) + AUDIBLE_ENERGY,
      'the supervisor’s inbound audio energy to keep growing',
    );
    const audioTracks = await supervisor.page.$eval(tid('watch-listen-audio'), (a) => ((a as HTMLAudioElement).srcObject as MediaStream | null)?.getAudioTracks().filter((t) => t.readyState === 'live').length ?? 0);
    expect(audioTracks).toBe(2);
    // Audio only, and nothing sent: no outbound RTP, no producer of its own.
    const stats = await listenStats(supervisor.page);
    expect(stats?.inbound.video).toBeUndefined();
    expect(stats?.outbound).toEqual({});
    const listened = await producerIds(supervisor.page, '__engageListen');
    expect(listened?.local).toEqual([]);
    expect([...(listened?.remote ?? [])].sort()).toEqual(audioProducers);
    // The agent and the customer consume only each other's producers: nothing of the supervisor.
    const [a, c] = [await producerIds(agent.page, '__engageCall'), await producerIds(customer.page, '__engageCall')];
    expect([...(a?.remote ?? [])].sort()).toEqual([...(c?.local ?? [])].sort());
    expect([...(c?.remote ?? [])].sort()).toEqual([...(a?.local ?? [])].sort());
    await screenshot(supervisor.page, 'listen-in-supervisor');

    // The timeline (staff) records it.
    const rows = await platform.query<{ actor: string }>(`SELECT actor FROM engagement_events WHERE engagement_id = $1 AND type = 'call.listen'`, [engagementId]);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.actor === 'supervisor')).toBe(true);
    await supervisor.page.locator(tid('timeline-toggle')).click();
    await waitForText(supervisor.page, 'timeline-entry', 'listened in on the call');

    // While listening, the SFU room has the supervisor's peer beside the customer's and the agent's.
    const peersInRoom = async () => {
      const res = await fetch(`${platform.sfuUrl}/rooms/${engagementId}`, { headers: { authorization: `Bearer ${platform.sfuSecret}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { peers: { id: string }[] }).peers.map((p) => p.id).sort();
    };
    const supervisorPeers = (ids: string[]) => ids.filter((id) => id.startsWith('supervisor-'));
    expect(supervisorPeers(await peersInRoom())).toHaveLength(1);
    const listensBefore = rows.length;

    // Stop listening closes the session, and on the server its SFU peer (media/leave), the socket still open.
    await supervisor.page.locator(tid('watch-listen-stop')).click();
    await supervisor.page.waitForFunction(() => !window.__engageListen);
    const afterStop = await waitFor(peersInRoom, (ids) => supervisorPeers(ids).length === 0, 'the supervisor’s SFU peer to close after “Stop listening”', 10_000);
    expect(afterStop).toEqual(expect.arrayContaining(['customer']));
    expect(afterStop.filter((id) => id.startsWith('agent-'))).toHaveLength(1);
    // Listening again works, and is a listen of its own in the timeline.
    await supervisor.page.locator(tid('watch-listen')).click();
    await waitForText(supervisor.page, 'watch-listening', 'Listening', 20_000);
    await waitFor(() => listenStats(supervisor.page), (s) => (s?.inbound.audio?.totalAudioEnergy ?? 0) > AUDIBLE_ENERGY, 'the supervisor to hear the call again');
    const listensAfter = await platform.query<{ actor: string }>(`SELECT actor FROM engagement_events WHERE engagement_id = $1 AND type = 'call.listen'`, [engagementId]);
    expect(listensAfter).toHaveLength(listensBefore + 1);
    expect(supervisorPeers(await peersInRoom())).toHaveLength(1);

    // The call ends: listening stops by itself, the button goes.
    await agent.page.locator(tid('call-end')).click();
    await supervisor.page.waitForFunction(() => !window.__engageListen, { timeout: 15_000 });
    await supervisor.page.waitForFunction((sel: string) => !document.querySelector(sel), {}, tid('watch-listen'));
    expect(await supervisor.page.$(tid('watch-listening'))).toBeNull();
  });
});
