import { EV, PROXY_EV, type EngagementView, type ProxyDialog, type ProxyPeerPointer } from '@engage/protocol';
import { EventEmitter } from 'node:events';
import type { Principal } from '../../auth/principal';
import type { CobrowseService } from '../../cobrowse/cobrowse.service';
import { configureLogging } from '../../common/logger';
import type { EngagementBus } from '../../engagements/engagement-bus';
import type { EngagementsService } from '../../engagements/engagements.service';
import { MetricsService } from '../../metrics/metrics.service';
import { ProxyBus } from '../../proxy/proxy-bus';
import type { ProxyPool } from '../../proxy/proxy-pool';
import type { RemoteSession } from '../../proxy/remote-session';
import { ProxyService } from '../../proxy/proxy.service';
import { Dispatcher } from '../dispatcher';
import type { SocketContext } from '../socket-context';
import { ProxyHandler } from './proxy.handler';
import { engagementView } from '../../testing/engagement-view';
import { dispatchForAck, fakeSocketContext } from '../../testing/socket-context';

configureLogging('silent');

const eid = '3f1c2a8e-7d4b-4c1a-9e2f-0a1b2c3d4e5f';

const engagement: EngagementView = engagementView({ id: eid, agent: { id: 'a1', displayName: 'Alex' } });

class FakeSession extends EventEmitter {
  readonly close = jest.fn();
  readonly navigate = jest.fn(async () => ({ ok: true as const, url: 'https://example.com/' }));
  readonly answerDialog = jest.fn(async () => undefined);
}

/** The real handler and service behind the real dispatcher; only the worker and the database are stand-ins. */
function setup(opts: { recordBurst?: number } = {}) {
  const session = new FakeSession();
  const bus = new ProxyBus();
  const engagements = { view: jest.fn(async () => engagement), recordModeChange: jest.fn(async () => undefined) };
  const cobrowse = { view: () => ({ status: 'off' }), beforeRequest: () => () => undefined };
  const proxy = new ProxyService(
    { open: async () => session as unknown as RemoteSession } as unknown as ProxyPool,
    engagements as unknown as EngagementsService,
    new EventEmitter() as unknown as EngagementBus,
    bus,
    cobrowse as unknown as CobrowseService,
  );
  const handler = new ProxyHandler(proxy, engagements as unknown as EngagementsService);
  const stub = { handle: jest.fn(async () => ({})) };
  const dispatcher = new Dispatcher(stub as never, stub as never, stub as never, stub as never, new MetricsService(), stub as never, handler, stub as never);
  const ctxFor = (principal: Principal): SocketContext => fakeSocketContext(principal, { engagementId: eid, recordBurst: opts.recordBurst });
  const customer = ctxFor({ role: 'customer', engagementId: eid, name: 'Carla' });
  const agent = ctxFor({ role: 'agent', userId: 'a1', name: 'Alex' });
  const send = (ctx: SocketContext, event: string, payload: unknown) => dispatchForAck(dispatcher, ctx, event, payload);
  const dialogs: Array<{ dialog: ProxyDialog; to: string }> = [];
  bus.on('dialog', (dialog, to) => dialogs.push({ dialog, to }));
  const pointers: Array<{ pointer: ProxyPeerPointer; to: string }> = [];
  bus.on('pointer', (pointer, to) => pointers.push({ pointer, to }));
  return { proxy, session, customer, agent, send, dialogs, pointers };
}

describe('proxy/dialog-answer over the dispatcher', () => {
  it('validates the answer, takes it only from the driver (forbidden with a sentence otherwise) and relays it', async () => {
    const t = setup();
    await t.proxy.start(engagement, 'agent', 'https://example.com/');
    t.session.emit('dialog', { type: 'prompt', message: 'Your name?', defaultValue: 'anon' });
    const dialogId = t.dialogs[0].dialog.id;

    expect(await t.send(t.agent, PROXY_EV.dialogAnswer, { engagementId: eid, dialogId, text: 'Ada' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await t.send(t.agent, PROXY_EV.dialogAnswer, { engagementId: eid, dialogId: 'one', accept: true })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await t.send(t.customer, PROXY_EV.dialogAnswer, { engagementId: eid, dialogId, accept: true, text: 'Mallory' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'forbidden', message: 'Only the participant in control answers the page’s dialog; take control first.' }),
    });
    expect(t.session.answerDialog).not.toHaveBeenCalled();

    const reply = await t.send(t.agent, PROXY_EV.dialogAnswer, { engagementId: eid, dialogId, accept: true, text: 'Ada' });
    expect(reply).toMatchObject({ ok: true, data: { proxy: { dialog: null } } });
    expect(t.session.answerDialog).toHaveBeenCalledWith(true, 'Ada');
  });
});

describe('proxy/pointer over the dispatcher', () => {
  it('refuses coordinates outside 0..1, relays a valid pointer to the other side, and spends the streaming bucket', async () => {
    const t = setup({ recordBurst: 3 });
    await t.proxy.start(engagement, 'agent', 'https://example.com/');
    expect(await t.send(t.customer, PROXY_EV.pointer, { engagementId: eid, x: 1.5, y: 0.5, visible: true })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await t.send(t.customer, PROXY_EV.pointer, { engagementId: eid, x: 0.5, y: 0.5 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(t.pointers).toEqual([]);

    const u = setup({ recordBurst: 3 });
    await u.proxy.start(engagement, 'agent', 'https://example.com/');
    expect(await u.send(u.customer, PROXY_EV.pointer, { engagementId: eid, x: 0.3, y: 0.6, visible: true })).toMatchObject({ ok: true });
    expect(u.pointers).toEqual([{ to: 'agent', pointer: { engagementId: eid, from: 'customer', name: 'Carla', x: 0.3, y: 0.6, visible: true } }]);
    await u.send(u.customer, PROXY_EV.pointer, { engagementId: eid, x: 0.3, y: 0.6, visible: true });
    await u.send(u.customer, PROXY_EV.pointer, { engagementId: eid, x: 0.3, y: 0.6, visible: true });
    expect(await u.send(u.customer, PROXY_EV.pointer, { engagementId: eid, x: 0.3, y: 0.6, visible: true })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // The chat bucket is untouched by pointers.
    expect(await u.send(u.customer, EV.chatTyping, { engagementId: eid, typing: true })).toMatchObject({ ok: true });
  });
});
