import type { EndReason, EngagementState } from '@engage/protocol';
import { InvalidStateError } from '../common/errors';

/** What the state machine looks at and changes. */
export interface StateSnapshot {
  state: EngagementState;
  agentId: string | null;
}

export type StateAction = { type: 'accept'; agentId: string } | { type: 'end'; reason: EndReason };

/** requested → active → ended; ended is final. Accept only from requested; end from either live state. */
export function transition(current: StateSnapshot, action: StateAction): StateSnapshot {
  switch (action.type) {
    case 'accept':
      if (current.state !== 'requested') throw new InvalidStateError(current.state === 'active' ? 'Another agent has already accepted this engagement.' : 'This engagement has ended.');
      return { state: 'active', agentId: action.agentId };
    case 'end':
      if (current.state === 'ended') throw new InvalidStateError('This engagement has already ended.');
      return { state: 'ended', agentId: current.agentId };
  }
}

export function isLive(state: EngagementState): boolean {
  return state !== 'ended';
}
