import { EV, LIMITS } from '@engage/protocol';
import type { Principal } from '../auth/principal';
import { ForbiddenError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';
import { Dispatcher, validate } from './dispatcher';
import type { ChatHandler } from './handlers/chat.handler';
import type { EngagementHandler } from './handlers/engagement.handler';
import type { CobrowseHandler } from './handlers/cobrowse.handler';
import type { QueueHandler } from './handlers/queue.handler';
import type { MediaHandler } from './handlers/media.handler';
import type { ProxyHandler } from './handlers/proxy.handler';
import type { DocumentsHandler } from './handlers/documents.handler';
import { dispatchForAck, fakeSocketContext } from '../testing/socket-context';

const eid = '3f1c2a8e-7d4b-4c1a-9e2f-0a1b2c3d4e5f';

function setup(opts: { burst?: number; recordBurst?: number } = {}) {
  const chat = { handle: jest.fn(async () => ({ seq: 1, sentAt: 'now', duplicate: false })) };
  const engagement = { handle: jest.fn(async () => ({})) };
  const queue = { handle: jest.fn(async () => ({ queue: [], live: [] })) };
  const cobrowse = { handle: jest.fn(async () => ({ accepted: 1 })) };
  const media = { handle: jest.fn(async () => ({})) };
  const dispatcher = new Dispatcher(
    chat as unknown as ChatHandler,
    engagement as unknown as EngagementHandler,
    queue as unknown as QueueHandler,
    cobrowse as unknown as CobrowseHandler,
    new MetricsService(),
    media as unknown as MediaHandler,
    { handle: jest.fn(async () => ({})) } as unknown as ProxyHandler,
    { handle: jest.fn(async () => ({})) } as unknown as DocumentsHandler,
  );
  const principal: Principal = { role: 'customer', engagementId: eid, name: 'C' };
  const ctx = fakeSocketContext(principal, { engagementId: eid, burst: opts.burst, recordBurst: opts.recordBurst });
  const send = (event: unknown, payload?: unknown) => dispatchForAck(dispatcher, ctx, event, payload);
  return { chat, engagement, queue, cobrowse, media, ctx, send };
}

describe('Dispatcher', () => {
  it('routes each valid event to the handler of its domain', async () => {
    const t = setup();
    expect(await t.send(EV.chatSend, { engagementId: eid, clientId: 'c1', body: 'hi' })).toEqual({ ok: true, data: { seq: 1, sentAt: 'now', duplicate: false } });
    expect(t.chat.handle).toHaveBeenCalledWith(t.ctx, { event: EV.chatSend, payload: { engagementId: eid, clientId: 'c1', body: 'hi' } });
    await t.send(EV.engagementAccept, { engagementId: eid });
    expect(t.engagement.handle).toHaveBeenCalledTimes(1);
    await t.send(EV.queueSubscribe, {});
    await t.send(EV.queueSubscribe);
    expect(t.queue.handle).toHaveBeenCalledTimes(2);
  });

  it.each([
    [EV.chatSend, { engagementId: 'not-a-uuid', clientId: 'c', body: 'x' }],
    [EV.chatSend, { engagementId: eid, clientId: '', body: 'x' }],
    [EV.chatSend, { engagementId: eid, clientId: 'c', body: '' }],
    [EV.chatHistory, { engagementId: eid, afterSeq: -1 }],
    [EV.chatTyping, { engagementId: eid, typing: 'yes' }],
    [EV.engagementJoin, 'a string'],
    [EV.chatRead, null],
  ])('refuses an invalid %s payload without calling a handler', async (event, payload) => {
    const t = setup();
    const reply = await t.send(event, payload);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(t.chat.handle).not.toHaveBeenCalled();
    expect(t.engagement.handle).not.toHaveBeenCalled();
  });

  it('answers payload_too_large for an over-long body', async () => {
    const t = setup();
    const reply = await t.send(EV.chatSend, { engagementId: eid, clientId: 'c', body: 'x'.repeat(LIMITS.chatBodyMaxChars + 1) });
    expect(reply).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });

  it('answers unknown_event by ack and session/error', async () => {
    const t = setup();
    const reply = await t.send('chat/explode', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    expect(t.ctx.emit).toHaveBeenCalledWith(EV.sessionError, expect.objectContaining({ code: 'unknown_event' }));
  });

  it('passes a handler refusal through as the ack error', async () => {
    const t = setup();
    t.chat.handle.mockRejectedValueOnce(new ForbiddenError('Supervisors watch engagements read-only.'));
    expect(await t.send(EV.chatSend, { engagementId: eid, clientId: 'c', body: 'x' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'Supervisors watch engagements read-only.' },
    });
  });

  it('hides unexpected failures behind `internal`', async () => {
    const t = setup();
    t.chat.handle.mockRejectedValueOnce(new Error('connection reset: secret detail'));
    expect(await t.send(EV.chatSend, { engagementId: eid, clientId: 'c', body: 'x' })).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong on our side.' } });
  });

  it('rate-limits past the burst with retryAfter, and cuts off a flood', async () => {
    const t = setup({ burst: 3 });
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await t.send(EV.chatTyping, { engagementId: eid, typing: true }));
    expect(replies.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(replies[3]).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfter: 1 } });
    for (let i = 0; i < 600 && !t.ctx.disconnect.mock.calls.length; i++) await t.send(EV.chatTyping, { engagementId: eid, typing: true });
    expect(t.ctx.disconnect).toHaveBeenCalled();
  });

  it('routes co-browse events to their handler; cobrowse/record spends its own bucket, not the chat one', async () => {
    const t = setup({ burst: 2, recordBurst: 3 });
    const batch = { engagementId: eid, events: [{ type: 3, timestamp: 1, data: {} }] };
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await t.send(EV.cobrowseRecord, batch));
    expect(replies.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(replies[3]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // The chat bucket is untouched by the recorder.
    expect(await t.send(EV.chatTyping, { engagementId: eid, typing: true })).toMatchObject({ ok: true });
    expect(await t.send(EV.cobrowseWatch, { engagementId: eid })).toMatchObject({ ok: true });
    expect(t.cobrowse.handle).toHaveBeenCalledTimes(4);
    expect(await setup().send(EV.cobrowseRecord, { engagementId: eid, events: [] })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  it('never throws on junk: non-string event names, missing ack', async () => {
    const t = setup();
    await expect(t.ctx && new Dispatcher(t.chat as never, t.engagement as never, t.queue as never, t.cobrowse as never, new MetricsService(), t.media as never, { handle: jest.fn() } as never, { handle: jest.fn() } as never).dispatch(t.ctx, 42, [])).resolves.toBeUndefined();
  });
});

describe('validate', () => {
  it('returns the parsed payload, typed by event', () => {
    expect(validate(EV.chatHistory, { engagementId: eid, afterSeq: 3 })).toEqual({ event: EV.chatHistory, payload: { engagementId: eid, afterSeq: 3 } });
  });
});
