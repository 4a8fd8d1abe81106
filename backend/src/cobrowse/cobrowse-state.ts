import { assertUnreachable, type CobrowseMode, type CobrowseStatus } from '@engage/protocol';
import { InvalidStateError } from '../common/errors';

/** What can happen to an engagement's direct co-browse. */
export type CobrowseAction =
  | { type: 'request' }
  | { type: 'accept' }
  /** An agent redeemed the customer's share code: the customer consented when they asked for it. */
  | { type: 'grant' }
  | { type: 'decline' }
  | { type: 'expire' }
  /** The customer reached a page the site marks protected. */
  | { type: 'protect' }
  | { type: 'stop'; by: 'customer' | 'agent' | 'system' };

/** Rows of the audit log (engagement_events.type), one per transition. */
export type CobrowseAuditType =
  | 'cobrowse.requested'
  | 'cobrowse.accepted'
  | 'cobrowse.declined'
  | 'cobrowse.expired'
  | 'cobrowse.paused'
  | 'cobrowse.resumed'
  | 'cobrowse.stopped';

export interface CobrowseTransition {
  next: CobrowseStatus;
  audit: CobrowseAuditType;
  /** The sentence shown to people (CobrowseView.reason). */
  reason: string | null;
}

export const REASONS = {
  declined: 'The customer declined.',
  expired: 'No answer from the customer.',
  protected: 'The customer is on a private page; sharing resumes when they allow it again.',
  customer: 'Stopped by the customer.',
  agent: 'Stopped by the agent.',
  system: 'The engagement ended.',
} as const;

/** engagements.mode while in each status. */
export function modeOf(status: CobrowseStatus): CobrowseMode {
  return status === 'active' || status === 'paused' ? 'direct' : 'none';
}

/**
 * The co-browse consent machine: off → requesting → active ⇄ paused → off. Returns the transition,
 * `null` when the action changes nothing (a repeat), or throws InvalidStateError when it makes no sense now.
 */
export function transition(status: CobrowseStatus, action: CobrowseAction): CobrowseTransition | null {
  switch (action.type) {
    case 'request':
      if (status === 'off') return { next: 'requesting', audit: 'cobrowse.requested', reason: null };
      if (status === 'requesting') return null;
      throw new InvalidStateError('Co-browse is already on for this engagement.');
    case 'accept':
      if (status === 'requesting') return { next: 'active', audit: 'cobrowse.accepted', reason: null };
      if (status === 'paused') return { next: 'active', audit: 'cobrowse.resumed', reason: null };
      if (status === 'active') return null;
      throw new InvalidStateError('There is no co-browse request to answer; the agent has to ask again.');
    case 'grant':
      if (status === 'off' || status === 'requesting') return { next: 'active', audit: 'cobrowse.accepted', reason: null };
      return null;
    case 'decline':
      if (status === 'requesting') return { next: 'off', audit: 'cobrowse.declined', reason: REASONS.declined };
      if (status === 'active' || status === 'paused') return { next: 'off', audit: 'cobrowse.stopped', reason: REASONS.customer };
      throw new InvalidStateError('There is no co-browse request to answer; the agent has to ask again.');
    case 'expire':
      return status === 'requesting' ? { next: 'off', audit: 'cobrowse.expired', reason: REASONS.expired } : null;
    case 'protect':
      return status === 'active' ? { next: 'paused', audit: 'cobrowse.paused', reason: REASONS.protected } : null;
    case 'stop':
      return status === 'off' ? null : { next: 'off', audit: 'cobrowse.stopped', reason: REASONS[action.by] };
    default:
      return assertUnreachable(action);
  }
}
