/**
 * Calls that survive, through the real app (socket.io, validation, permissions, embedded
 * PostgreSQL) and the real SFU process (mediasoup workers): screen-share rules, close-producer,
 * ICE restart, a supervisor listening in, and a killed SFU worker turned into media/reconnect.
 * No browser: producers are created with plain opus/VP8 parameters (no DTLS needed for that).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { EV, MEDIA_EV, type ClientResults, type ServerPayloads } from '@engage/protocol';
import type { Socket } from 'socket.io-client';
import { TokensService } from '../auth/tokens.service';
import { configureLogging } from '../common/logger';
import { EngagementsService } from '../engagements/engagements.service';
import { startTestApp, type StaffPrincipal, type TestApp } from '../testing/test-app';
import { CallsService } from './calls.service';

configureLogging('silent');
jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../../..');
const secret = 'calls-integration-secret-0123456789abcdef';
const opus = (ssrc: number) => ({ codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] });
const vp8 = (ssrc: number) => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc }] });

/** The built SFU (dist/node) as its own process, as `npm start` runs it; resolves its URL once READY. */
async function startSfu(port = 0): Promise<{ url: string; proc: ChildProcess }> {
  if (port === 0) execFileSync(process.execPath, ['tools/build-node.mjs', 'sfu/src', 'libs/protocol/src', 'libs/config-env/src'], { cwd: root, stdio: 'pipe' });
  const proc = spawn(process.execPath, [path.join(root, 'dist/node/sfu/src/main.js')], {
    cwd: root,
    env: { ...process.env, SFU_PORT: String(port), SFU_HOST: '127.0.0.1', SFU_SECRET: secret, WORKERS: '2', RTC_MIN_PORT: '47000', RTC_MAX_PORT: '47199', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const ready = await new Promise<{ port: number }>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^READY (.*)$/m.exec(out);
      if (line) resolve(JSON.parse(line[1]));
    });
    proc.once('exit', (code) => reject(new Error(`the SFU exited with ${code} before READY: ${output}`)));
  });
  return { url: `http://127.0.0.1:${ready.port}`, proc };
}

describe('calls that survive: the real app and the real SFU', () => {
  let sfu: Awaited<ReturnType<typeof startSfu>>;
  let t: TestApp;
  let engagements: EngagementsService;
  let tokens: TokensService;
  let staff: Record<'agent' | 'other' | 'supervisor', StaffPrincipal>;

  beforeAll(async () => {
    sfu = await startSfu();
    t = await startTestApp({ dataDirPrefix: 'engage-calls-', settings: { SFU_URL: sfu.url, SFU_SECRET: secret } });
    engagements = t.app.get(EngagementsService);
    tokens = t.app.get(TokensService);
    staff = await t.addStaff([
      ['agent', 'agent', 'Alex Agent'],
      ['other', 'agent', 'Bo Agent'],
      ['supervisor', 'supervisor', 'Sam Supervisor'],
    ] as const);
    const calls = t.app.get(CallsService);
    const deadline = Date.now() + 10_000;
    while (!calls.sfuEventsConnected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(calls.sfuEventsConnected).toBe(true);
  });

  afterAll(async () => {
    await t?.close();
    if (sfu?.proc.exitCode === null) {
      const exited = new Promise((resolve) => sfu.proc.once('exit', resolve));
      sfu.proc.kill('SIGTERM');
      await exited;
    }
  });

  const ok = <T>(s: Socket, event: string, payload: unknown): Promise<T> => t.ok<T>(s, event, payload);
  async function refused(s: Socket, event: string, payload: unknown): Promise<{ code: string; message: string }> {
    const r = await t.send(s, event, payload);
    if (r.ok) throw new Error(`${event} was accepted`);
    return r.error;
  }
  function next<E extends keyof ServerPayloads>(s: Socket, event: E, ms = 5000): Promise<ServerPayloads[E]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
      s.once(event as string, (p: ServerPayloads[E]) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
  }
  const sfuGet = async <T>(p: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${sfu.url}${p}`, { headers: { authorization: `Bearer ${secret}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  /** An audio call accepted between the agent and the customer, each joined to the SFU room. */
  async function audioCall() {
    const inv = await engagements.invite(staff.agent as never, { customerName: 'Carla' });
    const session = await engagements.join({ code: inv.code, customerName: 'Carla' });
    const id = inv.engagement.id;
    const agent = await t.connect(tokens.signStaff(staff.agent));
    const customer = await t.connect(session.customerToken);
    await ok(agent, EV.engagementJoin, { engagementId: id });
    await ok(customer, EV.engagementJoin, { engagementId: id });
    await ok(agent, MEDIA_EV.offer, { engagementId: id, kind: 'audio' });
    await ok(customer, MEDIA_EV.respond, { engagementId: id, accept: true });
    const agentJoin = await ok<ClientResults['media/join']>(agent, MEDIA_EV.join, { engagementId: id });
    await ok(customer, MEDIA_EV.join, { engagementId: id });
    const agentSend = await ok<ClientResults['media/transport']>(agent, MEDIA_EV.transport, { engagementId: id, direction: 'send' });
    const customerSend = await ok<ClientResults['media/transport']>(customer, MEDIA_EV.transport, { engagementId: id, direction: 'send' });
    const customerRecv = await ok<ClientResults['media/transport']>(customer, MEDIA_EV.transport, { engagementId: id, direction: 'recv' });
    const announced = next(customer, MEDIA_EV.newProducer);
    const { producerId: agentMic } = await ok<{ producerId: string }>(agent, MEDIA_EV.produce, { engagementId: id, transportId: agentSend.id, kind: 'audio', rtpParameters: opus(1111) });
    expect((await announced).producer).toEqual({ id: agentMic, peerId: agentJoin.peerId, kind: 'audio', paused: false, source: 'mic' });
    return { id, agent, customer, agentSend, customerSend, customerRecv, agentMic, rtpCapabilities: agentJoin.routerRtpCapabilities };
  }

  it('shares a screen in an audio call (one at a time), tells the agent when it stops, restarts ICE on own transports only', async () => {
    const c = await audioCall();
    const shared = next(c.agent, MEDIA_EV.newProducer);
    const { producerId: screen } = await ok<{ producerId: string }>(c.customer, MEDIA_EV.produce, { engagementId: c.id, transportId: c.customerSend.id, kind: 'video', rtpParameters: vp8(2222), source: 'screen' });
    expect((await shared).producer).toMatchObject({ id: screen, peerId: 'customer', kind: 'video', source: 'screen' });
    expect(await refused(c.customer, MEDIA_EV.produce, { engagementId: c.id, transportId: c.customerSend.id, kind: 'video', rtpParameters: vp8(2223), source: 'screen' })).toEqual({ code: 'invalid_state', message: 'You are already sharing your screen.' });
    expect(await refused(c.customer, MEDIA_EV.produce, { engagementId: c.id, transportId: c.customerSend.id, kind: 'video', rtpParameters: vp8(2224) })).toMatchObject({ code: 'forbidden' });
    expect(await refused(c.customer, MEDIA_EV.produce, { engagementId: c.id, transportId: c.customerSend.id, kind: 'video', rtpParameters: vp8(2225), source: 'window' })).toMatchObject({ code: 'invalid_payload' });
    const room = await sfuGet<{ peers: Array<{ id: string; producers: Array<{ id: string; source: string }> }> }>(`/rooms/${c.id}`);
    expect(room.body.peers.find((p) => p.id === 'customer')?.producers).toEqual([expect.objectContaining({ id: screen, source: 'screen' })]);

    expect(await refused(c.agent, MEDIA_EV.closeProducer, { engagementId: c.id, producerId: screen })).toMatchObject({ code: 'forbidden' });
    const stopped = next(c.agent, MEDIA_EV.producerClosed);
    await ok(c.customer, MEDIA_EV.closeProducer, { engagementId: c.id, producerId: screen });
    expect(await stopped).toEqual({ engagementId: c.id, producerId: screen, peerId: 'customer' });
    expect((await sfuGet<{ peers: Array<{ id: string; producers: unknown[] }> }>(`/rooms/${c.id}`)).body.peers.find((p) => p.id === 'customer')?.producers).toEqual([]);

    const restarted = await ok<ClientResults['media/restart-ice']>(c.customer, MEDIA_EV.restartIce, { engagementId: c.id, transportId: c.customerRecv.id });
    expect(restarted.iceParameters['usernameFragment']).toEqual(expect.any(String));
    expect(restarted.iceParameters['usernameFragment']).not.toBe(c.customerRecv.iceParameters['usernameFragment']);
    expect(restarted.iceServers).toEqual(expect.any(Array));
    expect(await refused(c.customer, MEDIA_EV.restartIce, { engagementId: c.id, transportId: c.agentSend.id })).toMatchObject({ code: 'not_found' });
    expect(await refused(c.customer, MEDIA_EV.restartIce, { engagementId: c.id })).toMatchObject({ code: 'invalid_payload' });
  });

  it('lets a supervisor listen to the audio only, records it for staff, refuses other agents, and closes its peer when its socket goes', async () => {
    const c = await audioCall();
    const other = await t.connect(tokens.signStaff(staff.other));
    expect(await refused(other, MEDIA_EV.join, { engagementId: c.id })).toMatchObject({ code: 'forbidden' });
    const sup = await t.connect(tokens.signStaff(staff.supervisor));
    await ok(sup, EV.engagementJoin, { engagementId: c.id });
    const listen = await ok<ClientResults['media/join']>(sup, MEDIA_EV.join, { engagementId: c.id });
    expect(listen.peerId).toBe(`supervisor-${staff.supervisor.userId}`);
    expect(listen.producers.map((p) => p.id)).toEqual([c.agentMic]);
    expect(await refused(sup, MEDIA_EV.transport, { engagementId: c.id, direction: 'send' })).toMatchObject({ code: 'forbidden' });
    expect(await refused(sup, MEDIA_EV.end, { engagementId: c.id })).toMatchObject({ code: 'forbidden' });
    const recv = await ok<ClientResults['media/transport']>(sup, MEDIA_EV.transport, { engagementId: c.id, direction: 'recv' });
    await expect(ok(sup, MEDIA_EV.consume, { engagementId: c.id, transportId: recv.id, producerId: c.agentMic, rtpCapabilities: c.rtpCapabilities })).resolves.toMatchObject({ producerId: c.agentMic, kind: 'audio' });
    const rows = await t.env.db.dataSource.query(`SELECT type, actor, detail FROM engagement_events WHERE engagement_id = $1 AND type = 'call.listen'`, [c.id]);
    expect(rows).toEqual([{ type: 'call.listen', actor: 'supervisor', detail: expect.objectContaining({ name: 'Sam Supervisor' }) }]);
    const peerIds = async () => (await sfuGet<{ peers: Array<{ id: string }> }>(`/rooms/${c.id}`)).body.peers.map((p) => p.id).sort();
    expect(await peerIds()).toContain(listen.peerId);
    // “Stop listening”: media/leave closes its peer while the socket stays; listening again is a new row.
    await ok(sup, MEDIA_EV.leave, { engagementId: c.id });
    expect(await peerIds()).toEqual(['agent-' + staff.agent.userId, 'customer'].sort());
    await ok(sup, MEDIA_EV.join, { engagementId: c.id });
    expect(await peerIds()).toContain(listen.peerId);
    const again = await t.env.db.dataSource.query(`SELECT type FROM engagement_events WHERE engagement_id = $1 AND type = 'call.listen'`, [c.id]);
    expect(again).toHaveLength(2);
    sup.disconnect();
    const deadline = Date.now() + 5_000;
    while ((await peerIds()).includes(listen.peerId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await peerIds()).toEqual(['agent-' + staff.agent.userId, 'customer'].sort());
  });

  it('turns a killed SFU worker into media/reconnect for the call, and the participants join again on a live worker within 5 s', async () => {
    const c = await audioCall();
    const sup = await t.connect(tokens.signStaff(staff.supervisor));
    await ok(sup, EV.engagementJoin, { engagementId: c.id });
    await ok(sup, MEDIA_EV.join, { engagementId: c.id });
    const { body: room } = await sfuGet<{ workerPid: number }>(`/rooms/${c.id}`);
    const { body: health } = await sfuGet<{ workerPids: number[] }>('/health');
    expect(health.workerPids).toContain(room.workerPid);
    const told = Promise.all([c.agent, c.customer, sup].map((s) => next(s, MEDIA_EV.reconnect)));
    const killedAt = Date.now();
    process.kill(room.workerPid, 'SIGKILL');
    const notices = await told;
    const toldMs = Date.now() - killedAt;
    expect(notices).toEqual([0, 1, 2].map(() => ({ engagementId: c.id, reason: 'worker-died' })));
    // The call goes on; the others' former producers are forgotten.
    const view = await ok<{ engagement: { call: string } }>(c.customer, EV.engagementJoin, { engagementId: c.id });
    expect(view.engagement.call).toBe('audio');
    const again = await ok<ClientResults['media/join']>(c.customer, MEDIA_EV.join, { engagementId: c.id });
    expect(again.producers).toEqual([]);
    await ok(c.agent, MEDIA_EV.join, { engagementId: c.id });
    const send = await ok<ClientResults['media/transport']>(c.agent, MEDIA_EV.transport, { engagementId: c.id, direction: 'send' });
    const announced = next(c.customer, MEDIA_EV.newProducer);
    await ok(c.agent, MEDIA_EV.produce, { engagementId: c.id, transportId: send.id, kind: 'audio', rtpParameters: opus(3333) });
    await announced;
    const rejoinedMs = Date.now() - killedAt;
    const { body: after } = await sfuGet<{ workerPid: number }>(`/rooms/${c.id}`);
    expect(after.workerPid).not.toBe(room.workerPid);
    expect(rejoinedMs).toBeLessThan(5_000);
    console.log(`worker killed → media/reconnect after ${toldMs} ms; both joined again and the agent produces after ${rejoinedMs} ms`);
    // One reconnect per loss, not one per SFU notification.
    await new Promise((r) => setTimeout(r, 200));
    const extra = jest.fn();
    c.customer.on(MEDIA_EV.reconnect, extra);
    await new Promise((r) => setTimeout(r, 200));
    expect(extra).not.toHaveBeenCalled();
  });

  it('after an SFU restart, the backend listens again and asks the calls that lost their room to join again', async () => {
    const c = await audioCall();
    const calls = t.app.get(CallsService);
    const port = Number(new URL(sfu.url).port);
    const told = next(c.customer, MEDIA_EV.reconnect, 20_000);
    const stoppedAt = Date.now();
    const exited = new Promise((resolve) => sfu.proc.once('exit', resolve));
    sfu.proc.kill('SIGKILL');
    await exited;
    sfu = await startSfu(port);
    // Found missing when the stream came back: the room was lost, no worker death was seen.
    expect(await told).toEqual({ engagementId: c.id, reason: 'room-lost' });
    expect(calls.sfuEventsConnected).toBe(true);
    const again = await ok<ClientResults['media/join']>(c.customer, MEDIA_EV.join, { engagementId: c.id });
    expect(again.producers).toEqual([]);
    console.log(`SFU killed and restarted → media/reconnect after ${Date.now() - stoppedAt} ms`);
  });
});
