import type { EngagementView } from '@engage/protocol';
import { UNAVAILABLE, canWrite, initialState, reduce, statusText, type WidgetAction, type WidgetState } from './state';

const view = (over: Partial<EngagementView>): EngagementView => ({
  id: 'e1',
  state: 'requested',
  channel: 'widget',
  customerName: 'Ada',
  pageUrl: null,
  agent: null,
  createdAt: '2025-01-01T00:00:00Z',
  acceptedAt: null,
  endedAt: null,
  endReason: null,
  call: 'off',
  mode: 'none',
  lastSeq: 0,
  readSeq: { customer: 0, agent: 0 },
  ...over,
});

const run = (...actions: WidgetAction[]): WidgetState => actions.reduce(reduce, initialState());

describe('widget state', () => {
  it('starts closed and idle, or open when restored open', () => {
    expect(initialState()).toMatchObject({ open: false, phase: 'idle' });
    expect(initialState(true).open).toBe(true);
  });

  it('goes idle → starting → connecting → waiting → active → ended', () => {
    let s = run({ type: 'open' }, { type: 'startRequested' });
    expect(s.phase).toBe('starting');
    s = reduce(s, { type: 'sessionReady' });
    expect(s.phase).toBe('connecting');
    s = reduce(s, { type: 'engagement', engagement: view({}) });
    expect(s.phase).toBe('waiting');
    expect(statusText(s)).toBe('Waiting for an agent…');
    expect(canWrite(s)).toBe(true);
    s = reduce(s, { type: 'engagement', engagement: view({ state: 'active', agent: { id: 'a', displayName: 'Grace' } }) });
    expect(s).toMatchObject({ phase: 'active', agentName: 'Grace', open: true });
    expect(statusText(s)).toBe('You are chatting with Grace');
    s = reduce(s, { type: 'engagement', engagement: view({ state: 'ended', endReason: 'agent' }) });
    expect(s.phase).toBe('ended');
    expect(statusText(s)).toBe('Chat ended by the agent.');
    expect(canWrite(s)).toBe(false);
  });

  it('never revives an ended engagement from a late update', () => {
    const ended = run({ type: 'engagement', engagement: view({ state: 'ended', endReason: 'customer' }) });
    const late = reduce(ended, { type: 'engagement', engagement: view({ state: 'active' }) });
    expect(late).toBe(ended);
    expect(statusText(late)).toBe('You ended the chat.');
  });

  it('returns the same object when nothing changes (no needless renders)', () => {
    const s = initialState();
    expect(reduce(s, { type: 'close' })).toBe(s);
    expect(reduce(s, { type: 'connection', online: true })).toBe(s);
  });

  it('shows reconnecting while the connection is down and recovers', () => {
    let s = run({ type: 'engagement', engagement: view({ state: 'active' }) }, { type: 'connection', online: false });
    expect(statusText(s)).toBe('Reconnecting…');
    s = reduce(s, { type: 'connection', online: true });
    expect(statusText(s)).toBe('An agent has joined');
  });

  it('says chat is unavailable, with a custom sentence when given, and resets to idle', () => {
    let s = run({ type: 'open' }, { type: 'startRequested' }, { type: 'unavailable' });
    expect(s).toMatchObject({ phase: 'unavailable', error: UNAVAILABLE, open: true });
    expect(statusText(s)).toBe('Chat is unavailable right now.');
    s = reduce(s, { type: 'unavailable', message: 'All our agents are busy.' });
    expect(s.error).toBe('All our agents are busy.');
    s = reduce(s, { type: 'reset' });
    expect(s).toEqual(initialState(true));
  });

  it('names every end reason', () => {
    for (const endReason of ['agent', 'customer', 'timeout', 'error', null] as const) {
      expect(statusText(run({ type: 'engagement', engagement: view({ state: 'ended', endReason }) }))).toMatch(/ended/i);
    }
  });
});
