import type { ProxyDriver } from '@engage/protocol';
import { isStaff, type Principal } from '../auth/principal';

/**
 * Whether `principal` is the `party` side of browsing together (the one that drives and answers
 * the page's dialogs, or the one a pointer goes to): the engagement's customer, or the agent
 * assigned to it (`agentId`). Supervisors and other staff watching the room never are; nobody is
 * the side of a `null` driver (browsing together is off).
 */
export function isProxyParty(principal: Principal, party: ProxyDriver | null, agentId: string | null): boolean {
  if (party === null) return false;
  return party === 'customer' ? principal.role === 'customer' : isStaff(principal) && principal.userId === agentId;
}

/** Whether `principal` is either side of browsing together (who live frames go to): the customer or the assigned agent. */
export function isProxyParticipant(principal: Principal, agentId: string | null): boolean {
  return isProxyParty(principal, 'customer', agentId) || isProxyParty(principal, 'agent', agentId);
}
