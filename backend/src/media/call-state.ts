import type { CallState, CallStatus, MediaKind } from '@engage/protocol';
import { InvalidStateError } from '../common/errors';

/** What the call state machine looks at and changes. */
export interface CallSnapshot {
  status: CallStatus;
  kind: MediaKind | null;
  offeredBy: string | null;
}

export type CallAction =
  | { type: 'offer'; kind: MediaKind; by: string }
  | { type: 'accept' }
  | { type: 'decline' }
  | { type: 'end'; by: 'agent' | 'customer' | 'system' };

export type CallAudit = 'call.offered' | 'call.accepted' | 'call.declined' | 'call.ended';

export interface CallTransition {
  next: CallSnapshot;
  /** The engagement_events row this transition writes. */
  audit: CallAudit;
  /** engagements.call afterwards: the kind while a call runs, else off. */
  column: CallState;
  /** In words for people, shown once the call is off. */
  reason: string | null;
}

export const NO_CALL: CallSnapshot = { status: 'off', kind: null, offeredBy: null };

/** off → offered → active → off; an offer can be declined (→ off) or withdrawn (end → off). */
export function callTransition(current: CallSnapshot, action: CallAction): CallTransition {
  switch (action.type) {
    case 'offer':
      if (current.status !== 'off') throw new InvalidStateError(current.status === 'offered' ? 'A call is already offered.' : 'A call is already running.');
      return { next: { status: 'offered', kind: action.kind, offeredBy: action.by }, audit: 'call.offered', column: 'off', reason: null };
    case 'accept':
      if (current.status !== 'offered' || !current.kind) throw new InvalidStateError(current.status === 'active' ? 'The call is already running.' : 'No call is offered.');
      return { next: { ...current, status: 'active' }, audit: 'call.accepted', column: current.kind, reason: null };
    case 'decline':
      if (current.status !== 'offered') throw new InvalidStateError('No call is offered.');
      return { next: NO_CALL, audit: 'call.declined', column: 'off', reason: 'The call was declined.' };
    case 'end':
      if (current.status === 'off') throw new InvalidStateError('No call is running.');
      return { next: NO_CALL, audit: 'call.ended', column: 'off', reason: endedBy(action.by) };
  }
}

function endedBy(by: 'agent' | 'customer' | 'system'): string {
  if (by === 'agent') return 'The agent ended the call.';
  if (by === 'customer') return 'The customer ended the call.';
  return 'The call ended.';
}
