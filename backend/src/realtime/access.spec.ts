import type { EngagementView } from '@engage/protocol';
import { ForbiddenError, InvalidStateError } from '../common/errors';
import { assertMayAccept, assertMayChat, assertMayView, endReasonFor } from './access';
import { engagementView } from '../testing/engagement-view';

const view = (over: Partial<EngagementView> = {}): EngagementView => engagementView({ agent: { id: 'a1', displayName: 'A' }, customerName: 'C', ...over });
const customer = { role: 'customer', engagementId: 'e1', name: 'C' } as const;
const agent = { role: 'agent', userId: 'a1', name: 'A' } as const;
const other = { role: 'agent', userId: 'a2', name: 'B' } as const;
const supervisor = { role: 'supervisor', userId: 's1', name: 'S' } as const;

describe('access rules', () => {
  it('lets the customer and the assigned agent chat, nobody else', () => {
    expect(assertMayChat(customer, view())).toBe('customer');
    expect(assertMayChat(agent, view())).toBe('agent');
    expect(() => assertMayChat(other, view())).toThrow(ForbiddenError);
    expect(() => assertMayChat(supervisor, view())).toThrow(/read-only/);
    expect(() => assertMayChat({ ...customer, engagementId: 'e2' }, view())).toThrow(ForbiddenError);
  });

  it('lets the customer write while waiting, the agent only once active, nobody after the end', () => {
    expect(assertMayChat(customer, view({ state: 'requested', agent: null }))).toBe('customer');
    expect(() => assertMayChat(customer, view({ state: 'ended' }))).toThrow(InvalidStateError);
    expect(() => assertMayChat(agent, view({ state: 'ended' }))).toThrow(InvalidStateError);
  });

  it('lets supervisors view any engagement and agents only theirs', () => {
    expect(() => assertMayView(supervisor, view({ agent: null }))).not.toThrow();
    expect(() => assertMayView(agent, view())).not.toThrow();
    expect(() => assertMayView(other, view())).toThrow(ForbiddenError);
  });

  it('decides who accepts and who ends', () => {
    expect(() => assertMayAccept(agent)).not.toThrow();
    expect(() => assertMayAccept(supervisor)).toThrow(ForbiddenError);
    expect(() => assertMayAccept(customer)).toThrow(ForbiddenError);
    expect(endReasonFor(customer, view())).toBe('customer');
    expect(endReasonFor(agent, view())).toBe('agent');
    expect(() => endReasonFor(other, view())).toThrow(ForbiddenError);
  });
});
