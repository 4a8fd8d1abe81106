import type { Principal } from '../auth/principal';
import { isProxyParticipant, isProxyParty } from './proxy-party';

describe('isProxyParty', () => {
  const customer: Principal = { role: 'customer', engagementId: 'e1', name: 'Carla' };
  const agent: Principal = { role: 'agent', userId: 'a1', name: 'Alex' };
  const otherAgent: Principal = { role: 'agent', userId: 'a2', name: 'Bo' };
  const supervisor: Principal = { role: 'supervisor', userId: 's1', name: 'Sam' };

  it('the customer side is the customer, nobody on the staff', () => {
    expect([customer, agent, otherAgent, supervisor].map((p) => isProxyParty(p, 'customer', 'a1'))).toEqual([true, false, false, false]);
  });

  it('the agent side is the assigned agent only: not another agent, not a supervisor, not the customer', () => {
    expect([customer, agent, otherAgent, supervisor].map((p) => isProxyParty(p, 'agent', 'a1'))).toEqual([false, true, false, false]);
  });

  it('no agent side without an assigned agent, no side at all without a driver', () => {
    expect([customer, agent, supervisor].map((p) => isProxyParty(p, 'agent', null))).toEqual([false, false, false]);
    expect([customer, agent, supervisor].map((p) => isProxyParty(p, null, 'a1'))).toEqual([false, false, false]);
  });
});

describe('isProxyParticipant', () => {
  it('either side: the customer and the assigned agent, never other staff', () => {
    const customer: Principal = { role: 'customer', engagementId: 'e1', name: 'Carla' };
    const agent: Principal = { role: 'agent', userId: 'a1', name: 'Alex' };
    const otherAgent: Principal = { role: 'agent', userId: 'a2', name: 'Bo' };
    const supervisor: Principal = { role: 'supervisor', userId: 's1', name: 'Sam' };
    expect([customer, agent, otherAgent, supervisor].map((p) => isProxyParticipant(p, 'a1'))).toEqual([true, true, false, false]);
    expect([customer, agent, supervisor].map((p) => isProxyParticipant(p, null))).toEqual([true, false, false]);
  });
});
