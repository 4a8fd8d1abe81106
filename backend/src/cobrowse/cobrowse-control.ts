import { assertUnreachable, type CobrowseStatus, type ControlStatus } from '@engage/protocol';
import { InvalidStateError } from '../common/errors';

/** What can happen to remote control (it lives inside an active direct co-browse). */
export type ControlAction =
  | { type: 'request' }
  | { type: 'allow' }
  | { type: 'decline' }
  | { type: 'expire' }
  /** Customer takes back control, agent releases it, or sharing left `active` (stop, pause, end). */
  | { type: 'revoke'; by: 'customer' | 'agent' | 'system' };

/** Audit rows (engagement_events.type) of remote control, one per transition. */
export type ControlAuditType =
  | 'cobrowse.control_requested'
  | 'cobrowse.control_granted'
  | 'cobrowse.control_declined'
  | 'cobrowse.control_expired'
  | 'cobrowse.control_revoked';

export interface ControlTransition {
  next: ControlStatus;
  audit: ControlAuditType;
}

/**
 * The remote-control consent machine: none → requesting → granted → none. Needs sharing to be
 * `active`. Returns `null` for a repeat that changes nothing; throws InvalidStateError when the
 * action makes no sense now.
 */
export function controlTransition(status: CobrowseStatus, control: ControlStatus, action: ControlAction): ControlTransition | null {
  switch (action.type) {
    case 'request':
      if (status !== 'active') throw new InvalidStateError('Remote control needs an active co-browse.');
      if (control === 'none') return { next: 'requesting', audit: 'cobrowse.control_requested' };
      if (control === 'requesting') return null;
      throw new InvalidStateError('You already have control of this page.');
    case 'allow':
      if (control === 'requesting' && status === 'active') return { next: 'granted', audit: 'cobrowse.control_granted' };
      if (control === 'granted') return null;
      throw new InvalidStateError('There is no request for control to answer.');
    case 'decline':
      if (control === 'requesting') return { next: 'none', audit: 'cobrowse.control_declined' };
      throw new InvalidStateError('There is no request for control to answer.');
    case 'expire':
      return control === 'requesting' ? { next: 'none', audit: 'cobrowse.control_expired' } : null;
    case 'revoke':
      return control === 'none' ? null : { next: 'none', audit: 'cobrowse.control_revoked' };
    default:
      return assertUnreachable(action);
  }
}

export const CONTROL_REASONS = {
  declined: 'The customer declined remote control.',
  expired: 'No answer to the request for control.',
  customer: 'The customer took back control.',
  agent: 'Control released.',
  system: 'Remote control ended with the sharing.',
} as const;
