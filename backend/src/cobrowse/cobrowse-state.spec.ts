import { InvalidStateError } from '../common/errors';
import { REASONS, modeOf, transition } from './cobrowse-state';

describe('co-browse state machine', () => {
  it('off → requesting → active, or off when declined / unanswered', () => {
    expect(transition('off', { type: 'request' })).toEqual({ next: 'requesting', audit: 'cobrowse.requested', reason: null });
    expect(transition('requesting', { type: 'accept' })).toEqual({ next: 'active', audit: 'cobrowse.accepted', reason: null });
    expect(transition('requesting', { type: 'decline' })).toEqual({ next: 'off', audit: 'cobrowse.declined', reason: 'The customer declined.' });
    expect(transition('requesting', { type: 'expire' })).toEqual({ next: 'off', audit: 'cobrowse.expired', reason: 'No answer from the customer.' });
  });

  it('pauses on a protected page and resumes only on an explicit accept', () => {
    expect(transition('active', { type: 'protect' })).toEqual({ next: 'paused', audit: 'cobrowse.paused', reason: REASONS.protected });
    expect(transition('paused', { type: 'protect' })).toBeNull();
    expect(transition('paused', { type: 'accept' })).toEqual({ next: 'active', audit: 'cobrowse.resumed', reason: null });
    expect(transition('paused', { type: 'decline' })).toEqual({ next: 'off', audit: 'cobrowse.stopped', reason: 'Stopped by the customer.' });
    expect(transition('requesting', { type: 'protect' })).toBeNull();
  });

  it('stops from any status with the sentence of who stopped', () => {
    for (const status of ['requesting', 'active', 'paused'] as const) {
      expect(transition(status, { type: 'stop', by: 'customer' })).toMatchObject({ next: 'off', audit: 'cobrowse.stopped', reason: 'Stopped by the customer.' });
      expect(transition(status, { type: 'stop', by: 'agent' })).toMatchObject({ reason: 'Stopped by the agent.' });
      expect(transition(status, { type: 'stop', by: 'system' })).toMatchObject({ reason: 'The engagement ended.' });
    }
    expect(transition('off', { type: 'stop', by: 'agent' })).toBeNull();
  });

  it('treats repeats as no-ops and nonsense as invalid_state', () => {
    expect(transition('requesting', { type: 'request' })).toBeNull();
    expect(transition('active', { type: 'accept' })).toBeNull();
    expect(transition('active', { type: 'expire' })).toBeNull();
    expect(() => transition('active', { type: 'request' })).toThrow(InvalidStateError);
    expect(() => transition('paused', { type: 'request' })).toThrow(InvalidStateError);
    expect(() => transition('off', { type: 'accept' })).toThrow(InvalidStateError);
    expect(() => transition('off', { type: 'decline' })).toThrow(InvalidStateError);
  });

  it('maps statuses to the engagement mode', () => {
    expect(['off', 'requesting', 'active', 'paused'].map((s) => modeOf(s as never))).toEqual(['none', 'none', 'direct', 'direct']);
  });

  it('a redeemed share code starts sharing at once (the customer consented by asking for the code)', () => {
    expect(transition('off', { type: 'grant' })).toEqual({ next: 'active', audit: 'cobrowse.accepted', reason: null });
    expect(transition('requesting', { type: 'grant' })).toEqual({ next: 'active', audit: 'cobrowse.accepted', reason: null });
    expect(transition('active', { type: 'grant' })).toBeNull();
    expect(transition('paused', { type: 'grant' })).toBeNull();
  });
});
