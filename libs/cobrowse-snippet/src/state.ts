import type { EndReason, EngagementView } from '@engage/protocol';

/**
 * What the widget shows, apart from the chat itself (which the ChatSession owns).
 *   idle → starting → connecting → waiting → active → ended
 *   any → unavailable (backend unreachable) → idle (retry)
 */
export type Phase = 'idle' | 'starting' | 'connecting' | 'waiting' | 'active' | 'ended' | 'unavailable';

export interface WidgetState {
  open: boolean;
  phase: Phase;
  /** The live connection dropped and the client is trying again. */
  reconnecting: boolean;
  agentName: string | null;
  endReason: EndReason | null;
  /** A sentence for the customer when something went wrong. */
  error: string | null;
}

export type WidgetAction =
  | { type: 'open' }
  | { type: 'close' }
  | { type: 'startRequested' }
  | { type: 'sessionReady' }
  | { type: 'engagement'; engagement: EngagementView }
  | { type: 'connection'; online: boolean }
  | { type: 'unavailable'; message?: string }
  | { type: 'reset' };

export const UNAVAILABLE = 'Chat is unavailable right now.';

export function initialState(open = false): WidgetState {
  return { open, phase: 'idle', reconnecting: false, agentName: null, endReason: null, error: null };
}

export function reduce(state: WidgetState, action: WidgetAction): WidgetState {
  switch (action.type) {
    case 'open':
      return state.open ? state : { ...state, open: true };
    case 'close':
      return state.open ? { ...state, open: false } : state;
    case 'startRequested':
      return { ...initialState(state.open), phase: 'starting' };
    case 'sessionReady':
      return state.phase === 'idle' || state.phase === 'starting' || state.phase === 'unavailable'
        ? { ...state, phase: 'connecting', error: null }
        : state;
    case 'engagement': {
      const e = action.engagement;
      // An ended engagement never comes back; a late update must not revive it.
      if (state.phase === 'ended' && e.state !== 'ended') return state;
      const phase: Phase = e.state === 'requested' ? 'waiting' : e.state === 'active' ? 'active' : 'ended';
      return { ...state, phase, agentName: e.agent?.displayName ?? null, endReason: e.endReason, error: null };
    }
    case 'connection':
      return state.reconnecting === !action.online ? state : { ...state, reconnecting: !action.online };
    case 'unavailable':
      return { ...state, phase: 'unavailable', reconnecting: false, error: action.message ?? UNAVAILABLE };
    case 'reset':
      return initialState(state.open);
  }
}

/** The one status line under the panel title. */
export function statusText(s: WidgetState): string {
  switch (s.phase) {
    case 'idle':
      return 'We usually answer within a few minutes.';
    case 'starting':
      return 'Starting chat…';
    case 'connecting':
      return 'Connecting…';
    case 'waiting':
      return s.reconnecting ? 'Reconnecting…' : 'Waiting for an agent…';
    case 'active':
      if (s.reconnecting) return 'Reconnecting…';
      return s.agentName ? `You are chatting with ${s.agentName}` : 'An agent has joined';
    case 'ended':
      return endedText(s.endReason);
    case 'unavailable':
      return UNAVAILABLE;
  }
}

export function endedText(reason: EndReason | null): string {
  switch (reason) {
    case 'agent':
      return 'Chat ended by the agent.';
    case 'customer':
      return 'You ended the chat.';
    case 'timeout':
      return 'Chat ended after a period of inactivity.';
    case 'error':
      return 'Chat ended because of a problem on our side.';
    default:
      return 'Chat ended.';
  }
}

/** Whether the composer accepts messages (the server accepts them while waiting too). */
export function canWrite(s: WidgetState): boolean {
  return s.phase === 'waiting' || s.phase === 'active';
}
