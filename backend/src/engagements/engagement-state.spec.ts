import { InvalidStateError } from '../common/errors';
import { isLive, transition } from './engagement-state';

describe('engagement state machine', () => {
  const requested = { state: 'requested', agentId: null } as const;

  it('accepts a requested engagement and assigns the agent', () => {
    expect(transition(requested, { type: 'accept', agentId: 'a1' })).toEqual({ state: 'active', agentId: 'a1' });
  });

  it('refuses a second accept', () => {
    const active = transition(requested, { type: 'accept', agentId: 'a1' });
    expect(() => transition(active, { type: 'accept', agentId: 'a2' })).toThrow(InvalidStateError);
    expect(() => transition(active, { type: 'accept', agentId: 'a2' })).toThrow(/already accepted/);
  });

  it.each(['agent', 'customer', 'timeout', 'error'] as const)('ends from requested and active with reason %s', (reason) => {
    expect(transition(requested, { type: 'end', reason }).state).toBe('ended');
    expect(transition({ state: 'active', agentId: 'a1' }, { type: 'end', reason })).toEqual({ state: 'ended', agentId: 'a1' });
  });

  it('treats ended as final', () => {
    const ended = { state: 'ended', agentId: null } as const;
    expect(() => transition(ended, { type: 'end', reason: 'agent' })).toThrow(InvalidStateError);
    expect(() => transition(ended, { type: 'accept', agentId: 'a1' })).toThrow(/has ended/);
    expect(isLive('ended')).toBe(false);
    expect(isLive('requested')).toBe(true);
  });
});
