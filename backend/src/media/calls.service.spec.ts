import { createHmac } from 'node:crypto';
import type { CallView } from '@engage/protocol';
import { ForbiddenError, InvalidPayloadError, InvalidStateError, NotFoundError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import type { Config } from '../config/config.schema';
import { EngagementBus } from '../engagements/engagement-bus';
import type { EngagementsService } from '../engagements/engagements.service';
import { CallsService, type CallParticipant } from './calls.service';
import { callTransition, NO_CALL } from './call-state';
import { MediaBus, type MediaNotice } from './media-bus';
import { SfuRequestError } from './sfu-client';
import { fakeSfu } from '../testing/fake-sfu';

configureLogging('silent');

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const agent: CallParticipant = { role: 'agent', peerId: 'agent-u1', name: 'Alex' };
const customer: CallParticipant = { role: 'customer', peerId: 'customer', name: 'Casey' };
const supervisor: CallParticipant = { role: 'supervisor', peerId: 'supervisor-u9', name: 'Sam' };

function setup(extraConfig: Record<string, unknown> = {}) {
  const audit: Array<{ id: string; type: string; call: string }> = [];
  const engagements = {
    recordCallChange: jest.fn(async (id: string, change: { type: string; call: string }) => {
      audit.push({ id, type: change.type, call: change.call });
      return {};
    }),
  };
  const { sfu, events, client } = fakeSfu();
  const notices: MediaNotice[] = [];
  const bus = new MediaBus();
  const states: CallView[] = [];
  bus.on('state', (v) => states.push(v));
  bus.on('notice', (n) => notices.push(n));
  const engagementBus = new EngagementBus();
  const config = new AppConfig({ iceServers: [{ urls: 'stun:stun.example.org' }], ...extraConfig } as unknown as Config);
  const calls = new CallsService(engagements as unknown as EngagementsService, engagementBus, bus, config, client);
  calls.onModuleInit();
  return { calls, sfu, audit, states, engagementBus, events, notices, engagements };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function activeCall(t: ReturnType<typeof setup>, id: string) {
  await t.calls.offer(id, agent, 'video');
  await t.calls.respond(id, customer, true);
  await t.calls.join(id, agent);
  return t.calls.produce(id, agent, { transportId: 't', kind: 'audio', rtpParameters: {} });
}

describe('call state machine', () => {
  it('goes off → offered → active → off, and refuses what does not fit', () => {
    const offered = callTransition(NO_CALL, { type: 'offer', kind: 'audio', by: 'Alex' });
    expect(offered).toMatchObject({ audit: 'call.offered', column: 'off', next: { status: 'offered', kind: 'audio' } });
    expect(() => callTransition(offered.next, { type: 'offer', kind: 'video', by: 'Alex' })).toThrow(InvalidStateError);
    const active = callTransition(offered.next, { type: 'accept' });
    expect(active).toMatchObject({ audit: 'call.accepted', column: 'audio', next: { status: 'active' } });
    expect(callTransition(active.next, { type: 'end', by: 'customer' })).toMatchObject({ audit: 'call.ended', column: 'off', next: NO_CALL });
    expect(callTransition(offered.next, { type: 'decline' })).toMatchObject({ audit: 'call.declined', next: NO_CALL });
    expect(() => callTransition(NO_CALL, { type: 'end', by: 'agent' })).toThrow(InvalidStateError);
    expect(() => callTransition(NO_CALL, { type: 'accept' })).toThrow(InvalidStateError);
  });
});

describe('CallsService', () => {
  it('persists every transition before broadcasting it, in order', async () => {
    const t = setup();
    await t.calls.offer(A, agent, 'video');
    expect(t.states.at(-1)).toMatchObject({ status: 'offered', kind: 'video', offeredBy: 'Alex' });
    await t.calls.respond(A, customer, true);
    expect(t.states.at(-1)).toMatchObject({ status: 'active' });
    await t.calls.end(A, customer);
    expect(t.states.at(-1)).toMatchObject({ status: 'off', reason: 'The customer ended the call.' });
    expect(t.audit).toEqual([
      { id: A, type: 'call.offered', call: 'off' },
      { id: A, type: 'call.accepted', call: 'video' },
      { id: A, type: 'call.ended', call: 'off' },
    ]);
    expect(t.sfu.closeRoom).toHaveBeenCalledWith(A);
  });

  it('only the agent offers and only the customer answers', async () => {
    const t = setup();
    await expect(t.calls.offer(A, customer, 'audio')).rejects.toThrow(ForbiddenError);
    await t.calls.offer(A, agent, 'audio');
    await expect(t.calls.respond(A, agent, true)).rejects.toThrow(ForbiddenError);
    await t.calls.respond(A, customer, false);
    expect(t.audit.map((a) => a.type)).toEqual(['call.offered', 'call.declined']);
  });

  it('refuses media signalling before the call is accepted', async () => {
    const t = setup();
    await t.calls.offer(A, agent, 'audio');
    await expect(t.calls.join(A, customer)).rejects.toThrow(InvalidStateError);
    await expect(t.calls.createTransport(A, customer, 'recv')).rejects.toThrow(InvalidStateError);
  });

  it('with TURN configured, each join gets its own time-limited TURN credential (peer@engagement)', async () => {
    const t = setup({ turn: { urls: ['turn:127.0.0.1:3478'], secret: 's3cret', ttlS: 600 } });
    await activeCall(t, A);
    const before = Math.floor(Date.now() / 1000);
    const { joined } = await t.calls.join(A, customer);
    expect(joined.iceServers[0]).toEqual({ urls: 'stun:stun.example.org' });
    const turn = joined.iceServers[1];
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478']);
    const [expiry, identity] = String(turn?.username).split(':');
    expect(identity).toBe(`customer@${A}`);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(turn?.credential).toBe(createHmac('sha1', 's3cret').update(String(turn?.username)).digest('base64'));
  });

  it('hands out ICE servers and the other participants’ producers at join', async () => {
    const t = setup();
    const producer = await activeCall(t, A);
    const { joined } = await t.calls.join(A, customer);
    expect(joined.iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
    expect(joined.producers).toEqual([{ id: producer.id, peerId: agent.peerId, kind: 'audio', paused: false, source: 'mic' }]);
    expect(joined.peerId).toBe('customer');
    // The agent joining again (a reload): its former producers end, for the others to drop.
    const again = await t.calls.join(A, agent);
    expect(again.joined.producers).toEqual([]);
    expect(again.closed.map((p) => p.id)).toEqual([producer.id]);
    expect(t.sfu.closePeer).toHaveBeenCalledWith(A, agent.peerId);
  });

  it('refuses consuming a producer of another engagement, or one’s own', async () => {
    const t = setup();
    const producerOfA = await activeCall(t, A);
    await activeCall(t, B);
    await expect(t.calls.consume(B, customer, { transportId: 't', producerId: producerOfA.id, rtpCapabilities: {} })).rejects.toThrow(ForbiddenError);
    await expect(t.calls.consume(A, agent, { transportId: 't', producerId: producerOfA.id, rtpCapabilities: {} })).rejects.toThrow(ForbiddenError);
    expect(t.sfu.consume).not.toHaveBeenCalled();
    await expect(t.calls.consume(A, customer, { transportId: 't', producerId: producerOfA.id, rtpCapabilities: {} })).resolves.toMatchObject({ producerId: producerOfA.id });
  });

  it('pauses only the caller’s own producer', async () => {
    const t = setup();
    const p = await activeCall(t, A);
    await expect(t.calls.setPaused(A, customer, p.id, true)).rejects.toThrow(ForbiddenError);
    await t.calls.setPaused(A, agent, p.id, true);
    expect(t.sfu.setProducerPaused).toHaveBeenCalledWith(A, agent.peerId, p.id, true);
  });

  it('ends the call when the engagement ends, and closes once', async () => {
    const t = setup();
    await activeCall(t, A);
    t.engagementBus.emit('changed', { id: A, state: 'ended' } as never);
    await new Promise((r) => setTimeout(r, 10));
    expect(t.states.at(-1)).toMatchObject({ status: 'off' });
    expect(t.audit.at(-1)).toEqual({ id: A, type: 'call.ended', call: 'off' });
    t.calls.onModuleDestroy();
    expect(t.sfu.closeRoom).toHaveBeenCalledTimes(1);
  });

  it('takes the source of a producer: screen sharing in audio and video calls, one at a time, no camera in an audio call', async () => {
    const t = setup();
    await t.calls.offer(A, agent, 'audio');
    await t.calls.respond(A, customer, true);
    const mic = await t.calls.produce(A, customer, { transportId: 't', kind: 'audio', rtpParameters: {} });
    expect(mic.source).toBe('mic');
    await expect(t.calls.produce(A, customer, { transportId: 't', kind: 'video', rtpParameters: {} })).rejects.toThrow(new ForbiddenError('This is an audio call: no camera (sharing your screen is allowed).'));
    await expect(t.calls.produce(A, customer, { transportId: 't', kind: 'video', rtpParameters: {}, source: 'camera' })).rejects.toThrow(ForbiddenError);
    await expect(t.calls.produce(A, customer, { transportId: 't', kind: 'video', rtpParameters: {}, source: 'mic' })).rejects.toThrow(InvalidPayloadError);
    await expect(t.calls.produce(A, customer, { transportId: 't', kind: 'audio', rtpParameters: {}, source: 'screen' })).rejects.toThrow(InvalidPayloadError);
    const screen = await t.calls.produce(A, customer, { transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' });
    expect(screen).toMatchObject({ kind: 'video', source: 'screen', peerId: 'customer' });
    expect(t.sfu.produce).toHaveBeenLastCalledWith(A, 'customer', { transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' });
    await expect(t.calls.produce(A, customer, { transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' })).rejects.toThrow(new InvalidStateError('You are already sharing your screen.'));
    // The agent shares too: one screen per participant, not per call.
    await expect(t.calls.produce(A, agent, { transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' })).resolves.toMatchObject({ source: 'screen' });
    // Stopped, it can start again.
    await t.calls.closeProducer(A, customer, screen.id);
    await expect(t.calls.produce(A, customer, { transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' })).resolves.toMatchObject({ source: 'screen' });
  });

  it('refuses a second screen share that races the first', async () => {
    const t = setup();
    await t.calls.offer(A, agent, 'video');
    await t.calls.respond(A, customer, true);
    const req = { transportId: 't', kind: 'video' as const, rtpParameters: {}, source: 'screen' as const };
    const results = await Promise.allSettled([t.calls.produce(A, customer, req), t.calls.produce(A, customer, req)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(t.sfu.produce).toHaveBeenCalledTimes(1);
    // A failed share frees the slot.
    t.sfu.produce.mockRejectedValueOnce(new SfuRequestError(400, 'bad-request', 'bad rtpParameters'));
    const own = await t.calls.produce(A, agent, req).catch((e: unknown) => e);
    expect(own).toBeInstanceOf(SfuRequestError);
    await expect(t.calls.produce(A, agent, req)).resolves.toMatchObject({ source: 'screen' });
  });

  it('closes only the caller’s own producer, on the SFU, and forgets it', async () => {
    const t = setup();
    const p = await activeCall(t, A);
    await expect(t.calls.closeProducer(A, customer, p.id)).rejects.toThrow(new ForbiddenError('Only your own producer can be closed.'));
    await expect(t.calls.closeProducer(A, agent, 'nope')).rejects.toThrow(ForbiddenError);
    expect(t.sfu.closeProducer).not.toHaveBeenCalled();
    // The SFU fails: the producer is still known.
    t.sfu.closeProducer.mockRejectedValueOnce(new SfuRequestError(503, 'unreachable', 'down'));
    await expect(t.calls.closeProducer(A, agent, p.id)).rejects.toThrow(SfuRequestError);
    await expect(t.calls.closeProducer(A, agent, p.id)).resolves.toEqual(p);
    expect(t.sfu.closeProducer).toHaveBeenLastCalledWith(A, agent.peerId, p.id);
    await expect(t.calls.consume(A, customer, { transportId: 't', producerId: p.id, rtpCapabilities: {} })).rejects.toThrow(ForbiddenError);
    // The SFU's own producer/closed notification of it announces nothing more.
    t.events.emit('notification', { type: 'producer/closed', engagementId: A, peerId: agent.peerId, producerId: p.id });
    expect(t.notices).toEqual([]);
  });

  it('announces a producer the SFU closed by itself, once', async () => {
    const t = setup();
    const p = await activeCall(t, A);
    t.events.emit('notification', { type: 'producer/closed', engagementId: A, peerId: agent.peerId, producerId: p.id });
    t.events.emit('notification', { type: 'producer/closed', engagementId: A, peerId: agent.peerId, producerId: p.id });
    expect(t.notices).toEqual([{ event: 'media/producer-closed', payload: { engagementId: A, producerId: p.id, peerId: agent.peerId } }]);
  });

  it('restarts ICE on the caller’s own transport only', async () => {
    const t = setup();
    await activeCall(t, A);
    await expect(t.calls.restartIce(A, customer, 't7')).resolves.toEqual({ iceParameters: { usernameFragment: 'new', password: 'pw' }, iceServers: [{ urls: 'stun:stun.example.org' }] });
    expect(t.sfu.restartIce).toHaveBeenCalledWith(A, 'customer', 't7');
    // The SFU knows each peer's transports: another peer's is not found for this one.
    t.sfu.restartIce.mockRejectedValueOnce(new SfuRequestError(404, 'not-found', 'peer customer has no transport t1'));
    await expect(t.calls.restartIce(A, customer, 't1')).rejects.toThrow(new NotFoundError('This transport is not one of yours in this call; join the call again.'));
    await expect(t.calls.restartIce(B, customer, 't7')).rejects.toThrow(InvalidStateError);
  });

  it('when the SFU worker of a call dies: forgets its producers and asks the participants to join again, once per loss; the call goes on', async () => {
    const t = setup();
    const p = await activeCall(t, A);
    await t.calls.offer(B, agent, 'audio');
    const statesBefore = t.states.length;
    // The SFU reports the loss twice (the room closed, the worker died): one reconnect.
    t.events.emit('notification', { type: 'room/closed', engagementId: A, reason: 'worker-died' });
    t.events.emit('notification', { type: 'worker/died', pid: 4242, engagementIds: [A, B, 'not-a-call'] });
    expect(t.notices).toEqual([{ event: 'media/reconnect', payload: { engagementId: A, reason: 'worker-died' } }]);
    expect(t.states.length).toBe(statesBefore);
    expect(t.calls.view(A).status).toBe('active');
    await expect(t.calls.consume(A, customer, { transportId: 't', producerId: p.id, rtpCapabilities: {} })).rejects.toThrow(ForbiddenError);
    // A room closed on order is no loss.
    t.events.emit('notification', { type: 'room/closed', engagementId: A, reason: 'closed' });
    expect(t.notices).toHaveLength(1);
    // They join again; a later death asks again.
    await t.calls.join(A, agent);
    t.events.emit('notification', { type: 'worker/died', pid: 4343, engagementIds: [A] });
    expect(t.notices).toHaveLength(2);
  });

  it('after the SFU event stream reconnects, asks to join again the calls whose room the SFU lost meanwhile', async () => {
    const t = setup();
    await activeCall(t, A); // joined: its room should exist
    await t.calls.offer(B, agent, 'audio');
    await t.calls.respond(B, customer, true); // nobody joined yet: no room expected
    t.sfu.room.mockImplementation(async () => {
      throw new SfuRequestError(404, 'not-found', 'no room');
    });
    t.events.emit('connected');
    await new Promise((r) => setImmediate(r));
    expect(t.sfu.room.mock.calls.map((c: unknown[]) => c[0])).toEqual([A]);
    expect(t.notices).toEqual([{ event: 'media/reconnect', payload: { engagementId: A, reason: 'room-lost' } }]);
    // A room that is there, or an SFU that does not answer, changes nothing.
    await t.calls.join(A, agent);
    t.sfu.room.mockImplementationOnce(async (engagementId: string) => ({ engagementId, workerPid: 1, peers: [] }));
    t.events.emit('connected');
    t.sfu.room.mockRejectedValueOnce(new SfuRequestError(503, 'unreachable', 'down'));
    t.events.emit('connected');
    await new Promise((r) => setImmediate(r));
    expect(t.notices).toHaveLength(1);
  });

  it('relays the room’s speaker while the call runs', async () => {
    const t = setup();
    await activeCall(t, A);
    t.events.emit('notification', { type: 'room/speaker', engagementId: A, peerId: 'customer' });
    t.events.emit('notification', { type: 'room/speaker', engagementId: A, peerId: null });
    t.events.emit('notification', { type: 'room/speaker', engagementId: B, peerId: 'customer' });
    expect(t.notices).toEqual([
      { event: 'media/speaker', payload: { engagementId: A, peerId: 'customer' } },
      { event: 'media/speaker', payload: { engagementId: A, peerId: null } },
    ]);
  });

  it('opens the SFU event stream at start and closes it at the end', () => {
    const t = setup();
    expect(t.sfu.openEvents).toHaveBeenCalledTimes(1);
    t.calls.onModuleDestroy();
    expect(t.events.close).toHaveBeenCalled();
  });

  it('lets a supervisor listen: recorded once per listen, audio only, a receiving transport only, nothing else', async () => {
    const t = setup();
    const mic = await activeCall(t, A);
    const camera = await t.calls.produce(A, agent, { transportId: 't', kind: 'video', rtpParameters: {} });
    const statesBefore = t.states.length;
    const { joined } = await t.calls.join(A, supervisor);
    expect(joined.producers.map((p) => p.id)).toEqual([mic.id]);
    expect(joined.peerId).toBe('supervisor-u9');
    expect(t.audit.at(-1)).toEqual({ id: A, type: 'call.listen', call: 'video' });
    expect(t.states.length).toBe(statesBefore + 1); // a hint for open timelines, the call unchanged
    expect(t.states.at(-1)).toMatchObject({ status: 'active', kind: 'video' });
    await t.calls.join(A, supervisor);
    expect(t.audit.filter((a) => a.type === 'call.listen')).toHaveLength(1);

    await expect(t.calls.createTransport(A, supervisor, 'recv')).resolves.toMatchObject({ id: expect.any(String) });
    await expect(t.calls.createTransport(A, supervisor, 'send')).rejects.toThrow(ForbiddenError);
    await expect(t.calls.consume(A, supervisor, { transportId: 't', producerId: mic.id, rtpCapabilities: {} })).resolves.toMatchObject({ producerId: mic.id });
    await expect(t.calls.consume(A, supervisor, { transportId: 't', producerId: camera.id, rtpCapabilities: {} })).rejects.toThrow(new ForbiddenError('A supervisor listens in: audio only.'));
    await expect(t.calls.produce(A, supervisor, { transportId: 't', kind: 'audio', rtpParameters: {} })).rejects.toThrow(ForbiddenError);
    await expect(t.calls.setPaused(A, supervisor, mic.id, true)).rejects.toThrow(ForbiddenError);
    await expect(t.calls.closeProducer(A, supervisor, mic.id)).rejects.toThrow(ForbiddenError);
    await expect(t.calls.end(A, supervisor)).rejects.toThrow(ForbiddenError);
    await expect(t.calls.offer(B, supervisor, 'audio')).rejects.toThrow(ForbiddenError);
    expect(t.sfu.produce).toHaveBeenCalledTimes(2);
    expect(t.sfu.setProducerPaused).not.toHaveBeenCalled();
    expect(t.calls.view(A).status).toBe('active');

    // The supervisor's socket goes: its SFU peer closes; listening again is a new row.
    t.sfu.closePeer.mockClear();
    await t.calls.leave(A, supervisor);
    expect(t.sfu.closePeer).toHaveBeenCalledWith(A, 'supervisor-u9');
    await t.calls.leave(A, supervisor);
    expect(t.sfu.closePeer).toHaveBeenCalledTimes(1);
    await t.calls.join(A, supervisor);
    expect(t.audit.filter((a) => a.type === 'call.listen')).toHaveLength(2);
  });

  it('hands out a fresh TURN credential with an ICE restart: the one of the join may have expired', async () => {
    const t0 = Date.parse('2026-01-01T10:00:00Z');
    // Only the clock is faked: the mocks' promises and timers run as usual.
    jest.useFakeTimers({ now: t0, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask'] });
    try {
      const t = setup({ turn: { urls: ['turn:127.0.0.1:3478'], secret: 's3cret', ttlS: 600 } });
      await activeCall(t, A);
      const { joined } = await t.calls.join(A, customer);
      expect(joined.iceServers[1]?.username).toBe(`${t0 / 1000 + 600}:customer@${A}`);
      // Two hours later the join's credential is long expired: the restart brings one valid from now.
      jest.setSystemTime(t0 + 2 * 3600_000);
      const restarted = await t.calls.restartIce(A, customer, 't7');
      expect(restarted.iceParameters).toEqual({ usernameFragment: 'new', password: 'pw' });
      expect(restarted.iceServers[0]).toEqual({ urls: 'stun:stun.example.org' });
      const turn = restarted.iceServers[1];
      expect(turn?.urls).toEqual(['turn:127.0.0.1:3478']);
      expect(turn?.username).toBe(`${t0 / 1000 + 2 * 3600 + 600}:customer@${A}`);
      expect(turn?.credential).toBe(createHmac('sha1', 's3cret').update(String(turn?.username)).digest('base64'));
    } finally {
      jest.useRealTimers();
    }
  });

  it('a listen whose SFU join fails leaves no timeline row and no listening peer: the next listen is recorded', async () => {
    const t = setup();
    await activeCall(t, A);
    t.sfu.join.mockRejectedValueOnce(new SfuRequestError(503, 'overloaded', 'full'));
    await expect(t.calls.join(A, supervisor)).rejects.toThrow(SfuRequestError);
    expect(t.audit.filter((a) => a.type === 'call.listen')).toHaveLength(0);
    await t.calls.join(A, supervisor);
    expect(t.audit.filter((a) => a.type === 'call.listen')).toHaveLength(1);
    // Listening, it leaves: its peer closes; the leave of a peer not listening does nothing.
    t.sfu.closePeer.mockClear();
    await expect(t.calls.leave(A, supervisor)).resolves.toEqual([]);
    await t.calls.leave(A, supervisor);
    expect(t.sfu.closePeer.mock.calls).toEqual([[A, supervisor.peerId]]);
  });

  it('a listen whose timeline row cannot be written closes the SFU peer it made', async () => {
    const t = setup();
    await activeCall(t, A);
    const record = t.engagements.recordCallChange;
    record.mockRejectedValueOnce(new InvalidStateError('This engagement has ended.'));
    t.sfu.closePeer.mockClear();
    await expect(t.calls.join(A, supervisor)).rejects.toThrow(InvalidStateError);
    // Closed before the join (a fresh peer) and after the failed row.
    expect(t.sfu.closePeer.mock.calls).toEqual([[A, supervisor.peerId], [A, supervisor.peerId]]);
    await t.calls.join(A, supervisor);
    expect(t.audit.filter((a) => a.type === 'call.listen')).toHaveLength(1);
  });

  it('a leave that arrives while the same peer’s join runs closes the peer that join made', async () => {
    const t = setup();
    await activeCall(t, A);
    const sfuJoin = deferred<{ routerRtpCapabilities: { codecs: never[] }; producers: never[] }>();
    t.sfu.join.mockImplementationOnce(() => sfuJoin.promise);
    const joining = t.calls.join(A, supervisor);
    await new Promise((r) => setImmediate(r));
    t.sfu.closePeer.mockClear();
    const leaving = t.calls.leave(A, supervisor);
    await new Promise((r) => setImmediate(r));
    expect(t.sfu.closePeer).not.toHaveBeenCalled();
    sfuJoin.resolve({ routerRtpCapabilities: { codecs: [] }, producers: [] });
    await joining;
    await leaving;
    expect(t.sfu.closePeer.mock.calls).toEqual([[A, supervisor.peerId]]);
    // Not listening any more: the next listen is a new row.
    await t.calls.join(A, supervisor);
    expect(t.audit.filter((a) => a.type === 'call.listen')).toHaveLength(2);
  });

  it('a join that the call’s end overtakes closes the room it made again and is refused', async () => {
    const t = setup();
    await activeCall(t, A);
    const sfuJoin = deferred<{ routerRtpCapabilities: { codecs: never[] }; producers: never[] }>();
    t.sfu.join.mockImplementationOnce(() => sfuJoin.promise);
    const joining = t.calls.join(A, customer);
    await new Promise((r) => setImmediate(r));
    await t.calls.end(A, agent);
    t.sfu.closeRoom.mockClear();
    sfuJoin.resolve({ routerRtpCapabilities: { codecs: [] }, producers: [] });
    await expect(joining).rejects.toThrow(new InvalidStateError('The call ended while you were joining it.'));
    expect(t.sfu.closeRoom).toHaveBeenCalledWith(A);
  });

  it('a check of the rooms during the first join does not take the room still being made for a lost one', async () => {
    const t = setup();
    await t.calls.offer(A, agent, 'audio');
    await t.calls.respond(A, customer, true);
    const sfuJoin = deferred<{ routerRtpCapabilities: { codecs: never[] }; producers: never[] }>();
    t.sfu.join.mockImplementationOnce(() => sfuJoin.promise);
    t.sfu.room.mockImplementation(async () => {
      throw new SfuRequestError(404, 'not-found', 'no room');
    });
    const joining = t.calls.join(A, customer);
    await new Promise((r) => setImmediate(r));
    t.events.emit('connected');
    await new Promise((r) => setImmediate(r));
    sfuJoin.resolve({ routerRtpCapabilities: { codecs: [] }, producers: [] });
    await joining;
    expect(t.notices).toEqual([]);
    // Once joined, a room gone is lost.
    t.events.emit('connected');
    await new Promise((r) => setImmediate(r));
    expect(t.notices).toEqual([{ event: 'media/reconnect', payload: { engagementId: A, reason: 'room-lost' } }]);
  });

  it('the customer or agent leaving the media closes their SFU peer and returns their producers; the call goes on', async () => {
    const t = setup();
    const mic = await activeCall(t, A);
    t.sfu.closePeer.mockClear();
    await expect(t.calls.leave(A, agent)).resolves.toEqual([mic]);
    expect(t.sfu.closePeer).toHaveBeenCalledWith(A, agent.peerId);
    expect(t.calls.view(A).status).toBe('active');
    await expect(t.calls.consume(A, customer, { transportId: 't', producerId: mic.id, rtpCapabilities: {} })).rejects.toThrow(ForbiddenError);
    // No call: nothing to leave.
    await expect(t.calls.leave(B, agent)).resolves.toEqual([]);
  });

  it('does not let a supervisor join a call that is not running', async () => {
    const t = setup();
    await t.calls.offer(A, agent, 'audio');
    await expect(t.calls.join(A, supervisor)).rejects.toThrow(InvalidStateError);
    expect(t.audit.map((a) => a.type)).toEqual(['call.offered']);
  });
});
