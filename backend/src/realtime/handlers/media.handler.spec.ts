import { MEDIA_EV, type ClientEvent, type ClientPayload, type EngagementView } from '@engage/protocol';
import pino from 'pino';
import type { Principal } from '../../auth/principal';
import { ForbiddenError } from '../../common/errors';
import { configureLogging } from '../../common/logger';
import { AppConfig } from '../../config/app-config';
import type { Config } from '../../config/config.schema';
import { EngagementBus } from '../../engagements/engagement-bus';
import type { EngagementsService } from '../../engagements/engagements.service';
import { CallsService } from '../../media/calls.service';
import { MediaBus } from '../../media/media-bus';
import type { Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';
import { MediaHandler, callParticipant } from './media.handler';
import { fakeSfu } from '../../testing/fake-sfu';

configureLogging('silent');

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const view = (id: string, agentId: string) => ({ id, state: 'active', agent: { id: agentId, displayName: 'Alex' } }) as unknown as EngagementView;

const agentA: Principal = { role: 'agent', userId: 'u-agent-a', name: 'Alex' };
const agentB: Principal = { role: 'agent', userId: 'u-agent-b', name: 'Bo' };
const customerA: Principal = { role: 'customer', engagementId: A, name: 'Casey' };
const customerB: Principal = { role: 'customer', engagementId: B, name: 'Dana' };
const supervisor: Principal = { role: 'supervisor', userId: 'u-sup', name: 'Sam' };
const admin: Principal = { role: 'admin', userId: 'u-admin', name: 'Ada' };

/** The real CallsService behind the handler, with the SFU and the database faked. */
function setup() {
  const audit: string[] = [];
  const engagements = {
    view: jest.fn(async (id: string) => view(id, id === A ? 'u-agent-a' : 'u-agent-b')),
    recordCallChange: jest.fn(async (_id: string, change: { type: string }) => {
      audit.push(change.type);
      return {};
    }),
  };
  const { sfu, client } = fakeSfu();
  const calls = new CallsService(engagements as unknown as EngagementsService, new EngagementBus(), new MediaBus(), new AppConfig({ iceServers: [] } as unknown as Config), client);
  calls.onModuleInit();
  const handler = new MediaHandler(calls, engagements as unknown as EngagementsService);
  let sockets = 0;
  const ctxOf = (principal: Principal) =>
    ({ id: `s${++sockets}`, principal, log: pino({ level: 'silent' }), toOthers: jest.fn(), emit: jest.fn(), joinEngagement: jest.fn() }) as unknown as SocketContext & { toOthers: jest.Mock; joinEngagement: jest.Mock };
  const send = <E extends ClientEvent>(ctx: SocketContext, event: E, payload: ClientPayload<E>) => handler.handle(ctx, { event, payload } as unknown as Inbound<never>);
  return { handler, calls, sfu, audit, ctxOf, send };
}

async function runningCall(t: ReturnType<typeof setup>, id = A) {
  const agent = t.ctxOf(id === A ? agentA : agentB);
  const customer = t.ctxOf(id === A ? customerA : customerB);
  await t.send(agent, MEDIA_EV.offer, { engagementId: id, kind: 'video' });
  await t.send(customer, MEDIA_EV.respond, { engagementId: id, accept: true });
  return { agent, customer };
}

describe('callParticipant: who someone is in a call, from the token only', () => {
  it('names the customer, the assigned agent and a listening supervisor (or admin) by their principal', () => {
    expect(callParticipant(customerA, view(A, 'u-agent-a'))).toEqual({ role: 'customer', peerId: 'customer', name: 'Casey' });
    expect(callParticipant(agentA, view(A, 'u-agent-a'))).toEqual({ role: 'agent', peerId: 'agent-u-agent-a', name: 'Alex' });
    expect(callParticipant(supervisor, view(A, 'u-agent-a'))).toEqual({ role: 'supervisor', peerId: 'supervisor-u-sup', name: 'Sam' });
    expect(callParticipant(admin, view(A, 'u-agent-a'))).toMatchObject({ role: 'supervisor', peerId: 'supervisor-u-admin' });
  });

  it('refuses the customer of another engagement and an agent of another engagement', () => {
    expect(() => callParticipant(customerB, view(A, 'u-agent-a'))).toThrow(new ForbiddenError('This engagement is not yours.'));
    expect(() => callParticipant(agentB, view(A, 'u-agent-a'))).toThrow(new ForbiddenError('This engagement is assigned to another agent.'));
  });
});

describe('MediaHandler', () => {
  it('joins each as their own SFU peer: nobody can take the customer’s or the agent’s place', async () => {
    const t = setup();
    const { agent, customer } = await runningCall(t);
    await t.send(customer, MEDIA_EV.join, { engagementId: A });
    await t.send(agent, MEDIA_EV.join, { engagementId: A });
    const sup = t.ctxOf(supervisor);
    await expect(t.send(sup, MEDIA_EV.join, { engagementId: A })).resolves.toMatchObject({ peerId: 'supervisor-u-sup' });
    expect(t.sfu.join.mock.calls.map((c: unknown[]) => c[1])).toEqual(['customer', 'agent-u-agent-a', 'supervisor-u-sup']);
    // The listener hears the call's news (new producers, reconnect) in the engagement's room.
    expect(sup.joinEngagement).toHaveBeenCalledWith(A);
    expect(customer.joinEngagement).not.toHaveBeenCalled();
    // Another engagement's customer or agent is refused before anything reaches the SFU.
    await expect(t.send(t.ctxOf(customerB), MEDIA_EV.join, { engagementId: A })).rejects.toThrow(ForbiddenError);
    await expect(t.send(t.ctxOf(agentB), MEDIA_EV.join, { engagementId: A })).rejects.toThrow(ForbiddenError);
    await expect(t.send(t.ctxOf(agentB), MEDIA_EV.restartIce, { engagementId: A, transportId: 't1' })).rejects.toThrow(ForbiddenError);
    expect(t.sfu.join).toHaveBeenCalledTimes(3);
    expect(t.sfu.restartIce).not.toHaveBeenCalled();
  });

  it('a supervisor cannot offer, answer, end, send, produce, pause or stop a producer', async () => {
    const t = setup();
    const { agent } = await runningCall(t);
    await t.send(agent, MEDIA_EV.join, { engagementId: A });
    const { producerId } = (await t.send(agent, MEDIA_EV.produce, { engagementId: A, transportId: 't', kind: 'audio', rtpParameters: {} })) as { producerId: string };
    const sup = t.ctxOf(supervisor);
    await t.send(sup, MEDIA_EV.join, { engagementId: A });
    for (const [event, payload] of [
      [MEDIA_EV.offer, { engagementId: A, kind: 'audio' }],
      [MEDIA_EV.respond, { engagementId: A, accept: false }],
      [MEDIA_EV.end, { engagementId: A }],
      [MEDIA_EV.transport, { engagementId: A, direction: 'send' }],
      [MEDIA_EV.produce, { engagementId: A, transportId: 't', kind: 'audio', rtpParameters: {} }],
      [MEDIA_EV.pause, { engagementId: A, producerId, paused: true }],
      [MEDIA_EV.closeProducer, { engagementId: A, producerId }],
    ] as const) {
      await expect(t.send(sup, event, payload as never)).rejects.toThrow(ForbiddenError);
    }
    expect(t.calls.view(A).status).toBe('active');
    expect(t.sfu.produce).toHaveBeenCalledTimes(1);
    expect(sup.toOthers).not.toHaveBeenCalled();
    // It may listen: a receiving transport, the agent's audio.
    await expect(t.send(sup, MEDIA_EV.transport, { engagementId: A, direction: 'recv' })).resolves.toMatchObject({ id: expect.any(String) });
    await expect(t.send(sup, MEDIA_EV.consume, { engagementId: A, transportId: 't', producerId, rtpCapabilities: {} })).resolves.toMatchObject({ producerId });
    expect(t.audit).toEqual(['call.offered', 'call.accepted', 'call.listen']);
  });

  it('tells the others when a producer ends: stopped by its owner, or gone with a rejoin', async () => {
    const t = setup();
    const { agent, customer } = await runningCall(t);
    await t.send(customer, MEDIA_EV.join, { engagementId: A });
    const screen = (await t.send(customer, MEDIA_EV.produce, { engagementId: A, transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' })) as { producerId: string };
    expect(customer.toOthers).toHaveBeenLastCalledWith(A, MEDIA_EV.newProducer, { engagementId: A, producer: expect.objectContaining({ id: screen.producerId, source: 'screen' }) });
    await expect(t.send(agent, MEDIA_EV.closeProducer, { engagementId: A, producerId: screen.producerId })).rejects.toThrow(ForbiddenError);
    await expect(t.send(customer, MEDIA_EV.closeProducer, { engagementId: A, producerId: screen.producerId })).resolves.toEqual({});
    expect(customer.toOthers).toHaveBeenLastCalledWith(A, MEDIA_EV.producerClosed, { engagementId: A, producerId: screen.producerId, peerId: 'customer' });
    const mic = (await t.send(customer, MEDIA_EV.produce, { engagementId: A, transportId: 't', kind: 'audio', rtpParameters: {} })) as { producerId: string };
    // The customer reloads and joins again: its microphone producer is gone for the agent.
    const reloaded = t.ctxOf(customerA);
    await t.send(reloaded, MEDIA_EV.join, { engagementId: A });
    expect(reloaded.toOthers).toHaveBeenCalledWith(A, MEDIA_EV.producerClosed, { engagementId: A, producerId: mic.producerId, peerId: 'customer' });
  });

  it('closes a listening supervisor’s SFU peer when its socket goes, and only then', async () => {
    const t = setup();
    const { agent } = await runningCall(t);
    const sup = t.ctxOf(supervisor);
    await t.send(sup, MEDIA_EV.join, { engagementId: A });
    await t.send(agent, MEDIA_EV.join, { engagementId: A });
    t.sfu.closePeer.mockClear();
    await t.handler.socketClosed(agent.id);
    expect(t.sfu.closePeer).not.toHaveBeenCalled();
    await t.handler.socketClosed(sup.id);
    expect(t.sfu.closePeer).toHaveBeenCalledWith(A, 'supervisor-u-sup');
    await t.handler.socketClosed(sup.id);
    expect(t.sfu.closePeer).toHaveBeenCalledTimes(1);
  });

  it('leaves a supervisor’s new listen alone when the socket of its former page disconnects late', async () => {
    const t = setup();
    await runningCall(t);
    const before = t.ctxOf(supervisor);
    await t.send(before, MEDIA_EV.join, { engagementId: A });
    const reloaded = t.ctxOf(supervisor);
    await t.send(reloaded, MEDIA_EV.join, { engagementId: A });
    t.sfu.closePeer.mockClear();
    await t.handler.socketClosed(before.id);
    expect(t.sfu.closePeer).not.toHaveBeenCalled();
    await t.handler.socketClosed(reloaded.id);
    expect(t.sfu.closePeer).toHaveBeenCalledWith(A, 'supervisor-u-sup');
  });

  it('stops a supervisor’s listen on media/leave: its SFU peer closes, listening again is a new row, the socket’s end closes nothing more', async () => {
    const t = setup();
    await runningCall(t);
    const sup = t.ctxOf(supervisor);
    await t.send(sup, MEDIA_EV.join, { engagementId: A });
    t.sfu.closePeer.mockClear();
    await expect(t.send(sup, MEDIA_EV.leave, { engagementId: A })).resolves.toEqual({});
    expect(t.sfu.closePeer.mock.calls).toEqual([[A, 'supervisor-u-sup']]);
    await t.handler.socketClosed(sup.id);
    expect(t.sfu.closePeer).toHaveBeenCalledTimes(1);
    const again = t.ctxOf(supervisor);
    await t.send(again, MEDIA_EV.join, { engagementId: A });
    expect(t.audit).toEqual(['call.offered', 'call.accepted', 'call.listen', 'call.listen']);
    // A stale page's leave does not stop the listen another page of the same supervisor runs now.
    t.sfu.closePeer.mockClear();
    await t.send(sup, MEDIA_EV.leave, { engagementId: A });
    expect(t.sfu.closePeer).not.toHaveBeenCalled();
  });

  it('closes the peer of a supervisor whose socket goes while its join still runs', async () => {
    const t = setup();
    await runningCall(t);
    let release!: () => void;
    t.sfu.join.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve({ routerRtpCapabilities: { codecs: [] }, producers: [] }))));
    const sup = t.ctxOf(supervisor);
    const joining = t.send(sup, MEDIA_EV.join, { engagementId: A });
    await new Promise((r) => setImmediate(r));
    t.sfu.closePeer.mockClear();
    const closing = t.handler.socketClosed(sup.id);
    release();
    await joining;
    await closing;
    expect(t.sfu.closePeer.mock.calls).toEqual([[A, 'supervisor-u-sup']]);
    // Nothing of that listen is left: the next one is recorded.
    await t.send(t.ctxOf(supervisor), MEDIA_EV.join, { engagementId: A });
    expect(t.audit.filter((a) => a === 'call.listen')).toHaveLength(2);
  });

  it('lets the customer leave the call media: its producers end for the others, the call goes on', async () => {
    const t = setup();
    const { customer } = await runningCall(t);
    await t.send(customer, MEDIA_EV.join, { engagementId: A });
    const mic = (await t.send(customer, MEDIA_EV.produce, { engagementId: A, transportId: 't', kind: 'audio', rtpParameters: {} })) as { producerId: string };
    await expect(t.send(customer, MEDIA_EV.leave, { engagementId: A })).resolves.toEqual({});
    expect(t.sfu.closePeer).toHaveBeenLastCalledWith(A, 'customer');
    expect(customer.toOthers).toHaveBeenLastCalledWith(A, MEDIA_EV.producerClosed, { engagementId: A, producerId: mic.producerId, peerId: 'customer' });
    expect(t.calls.view(A).status).toBe('active');
  });

  it('relays ICE restarts for the caller’s own peer', async () => {
    const t = setup();
    const { customer } = await runningCall(t);
    await expect(t.send(customer, MEDIA_EV.restartIce, { engagementId: A, transportId: 't9' })).resolves.toEqual({ iceParameters: { usernameFragment: 'new', password: 'pw' }, iceServers: [] });
    expect(t.sfu.restartIce).toHaveBeenCalledWith(A, 'customer', 't9');
  });
});
