import type { CallView } from '@engage/protocol';
import { ForbiddenError, InvalidStateError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import type { Config } from '../config/config.schema';
import { EngagementBus } from '../engagements/engagement-bus';
import type { EngagementsService } from '../engagements/engagements.service';
import { CallsService, type CallParticipant } from './calls.service';
import { callTransition, NO_CALL } from './call-state';
import { MediaBus } from './media-bus';
import type { SfuClient } from './sfu-client';

configureLogging('silent');

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const agent: CallParticipant = { role: 'agent', peerId: 'agent-u1', name: 'Alex' };
const customer: CallParticipant = { role: 'customer', peerId: 'customer', name: 'Casey' };

function setup() {
  const audit: Array<{ id: string; type: string; call: string }> = [];
  const engagements = {
    recordCallChange: jest.fn(async (id: string, change: { type: string; call: string }) => {
      audit.push({ id, type: change.type, call: change.call });
      return {};
    }),
  };
  let n = 0;
  const sfu = {
    join: jest.fn(async () => ({ routerRtpCapabilities: { codecs: [] }, producers: [] })),
    closePeer: jest.fn(async () => undefined),
    closeRoom: jest.fn(async () => undefined),
    createTransport: jest.fn(async () => ({ id: `t${++n}`, iceParameters: {}, iceCandidates: [], dtlsParameters: {} })),
    produce: jest.fn(async () => ({ producerId: `p${++n}` })),
    consume: jest.fn(async (_e: string, _p: string, req: { producerId: string }) => ({ id: `c${++n}`, producerId: req.producerId, kind: 'audio', rtpParameters: {}, producerPaused: false })),
    setProducerPaused: jest.fn(async () => ({})),
  };
  const bus = new MediaBus();
  const states: CallView[] = [];
  bus.on('state', (v) => states.push(v));
  const engagementBus = new EngagementBus();
  const config = new AppConfig({ iceServers: [{ urls: 'stun:stun.example.org' }] } as unknown as Config);
  const calls = new CallsService(engagements as unknown as EngagementsService, engagementBus, bus, config, sfu as unknown as SfuClient);
  calls.onModuleInit();
  return { calls, sfu, audit, states, engagementBus };
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

  it('hands out ICE servers and the other participants’ producers at join', async () => {
    const t = setup();
    const producer = await activeCall(t, A);
    const joined = await t.calls.join(A, customer);
    expect(joined.iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
    expect(joined.producers.map((p) => p.id)).toEqual([producer.id]);
    expect((await t.calls.join(A, agent)).producers).toEqual([]);
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
});
