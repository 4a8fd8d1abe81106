import type { CallRole, EngagementView } from '@engage/protocol';
import { isStaff, type Principal } from '../auth/principal';
import { ForbiddenError, InvalidStateError } from '../common/errors';

/** Room membership and permissions, decided by the server only. */

export function assertMayView(p: Principal, v: EngagementView): void {
  if (!isStaff(p)) {
    if (p.engagementId !== v.id) throw new ForbiddenError('This engagement is not yours.');
    return;
  }
  if (p.role === 'agent' && v.agent?.id !== p.userId) throw new ForbiddenError('Accept this engagement before joining it.');
  // Supervisors and admins may look at any engagement, read-only.
}

/** Who may write (chat, typing, read receipts): the customer and the assigned agent. */
export function participantRole(p: Principal, v: EngagementView): 'customer' | 'agent' {
  if (!isStaff(p)) {
    if (p.engagementId !== v.id) throw new ForbiddenError('This engagement is not yours.');
    return 'customer';
  }
  if (p.role === 'agent' && v.agent?.id === p.userId) return 'agent';
  throw new ForbiddenError(p.role === 'agent' ? 'This engagement is assigned to another agent.' : 'Supervisors watch engagements read-only.');
}

/**
 * Who someone is in the engagement's call: its customer, its agent, or a supervisor (or admin)
 * who is not its agent, listening in. Everyone else (another customer, another agent) is refused.
 */
export function callRole(p: Principal, v: EngagementView): CallRole {
  if (isStaff(p) && (p.role === 'supervisor' || p.role === 'admin') && v.agent?.id !== p.userId) return 'supervisor';
  return participantRole(p, v);
}

/** The customer may chat while waiting; the agent once active. */
export function assertMayChat(p: Principal, v: EngagementView): 'customer' | 'agent' {
  const role = participantRole(p, v);
  if (v.state === 'ended') throw new InvalidStateError('This engagement has ended.');
  if (role === 'agent' && v.state !== 'active') throw new InvalidStateError('Accept this engagement first.');
  return role;
}

export function assertMayAccept(p: Principal): void {
  if (!isStaff(p) || (p.role !== 'agent' && p.role !== 'admin')) throw new ForbiddenError('Only agents accept engagements.');
}

/** The end reason of whoever ends it, or Forbidden. */
export function endReasonFor(p: Principal, v: EngagementView): 'customer' | 'agent' {
  if (!isStaff(p)) {
    if (p.engagementId !== v.id) throw new ForbiddenError('This engagement is not yours.');
    return 'customer';
  }
  if (p.role === 'admin' || (p.role === 'agent' && v.agent?.id === p.userId)) return 'agent';
  throw new ForbiddenError('Only the assigned agent ends this engagement.');
}
