import type { CobrowseMode } from '@engage/protocol';

/**
 * The lift: what the agent started that the widget cannot show itself (a call, browse-together, the
 * document room) becomes an invitation in words with one button that opens the full engagement
 * room (the join page) in a new tab, on this same engagement and session.
 */
export type LiftKind = 'call' | 'proxy' | 'document';

export interface LiftState {
  /** The call offer waiting for the customer (media/state `offered`). */
  offer: { video: boolean; by: string | null } | null;
  /** The shared browser starts or runs (proxy/state). */
  proxyOn: boolean;
  /** The engagement's co-browse mode. */
  mode: CobrowseMode;
  /** Documents in the room (doc/room). */
  docs: number;
  /** What the agent last switched to goes first. */
  first: LiftKind | null;
  /** Invitations the customer answered (opened or "Not now"), until the agent asks again. */
  answered: readonly LiftKind[];
}

export interface Invitation {
  kind: LiftKind;
  /** "Alex invites you to a video call". */
  title: string;
  button: string;
}

export const INITIAL_LIFT: LiftState = { offer: null, proxyOn: false, mode: 'none', docs: 0, first: null, answered: [] };

/** Whether that part runs now. */
export function isLive(s: LiftState, kind: LiftKind): boolean {
  return kind === 'call' ? !!s.offer : kind === 'proxy' ? s.proxyOn || s.mode === 'proxy' : s.mode === 'document' || s.docs > 0;
}

/**
 * Applies `patch`. The agent asks again, and an answered invitation comes back, when its part starts
 * (a new offer, the shared browser or the room opening) or when `again` names it (a switch, a new document).
 */
export function updateLift(prev: LiftState, patch: Partial<LiftState>, again?: LiftKind): LiftState {
  const next = { ...prev, ...patch };
  return { ...next, answered: next.answered.filter((k) => k !== again && (isLive(prev, k) || !isLive(next, k))) };
}

/** The one invitation to show now, or null: a call offer first, then what the agent switched to, then the rest. */
export function invitation(s: LiftState, agentName: string | null): Invitation | null {
  const who = agentName || 'The agent';
  for (const kind of ['call', s.first, 'proxy', 'document'] as const) {
    if (!kind || !isLive(s, kind) || s.answered.includes(kind)) continue;
    if (kind === 'call') return { kind, title: `${s.offer?.by || who} invites you to a ${s.offer?.video ? 'video' : 'voice'} call`, button: 'Join the call' };
    if (kind === 'proxy') return { kind, title: `${who} invites you to browse a page together`, button: 'Browse together' };
    return { kind, title: `${who} shared a document with you`, button: 'Open the document' };
  }
  return null;
}

/**
 * The full view of this engagement: the platform's own join page, with the customer's token in the
 * fragment (a fragment never reaches a server, a log or a Referer). Null unless the platform is an
 * http(s) address, so the token goes nowhere else.
 */
export function fullViewUrl(platform: string, customerToken: string): string | null {
  return /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(platform) ? `${platform}/join#session=${encodeURIComponent(customerToken)}` : null;
}
