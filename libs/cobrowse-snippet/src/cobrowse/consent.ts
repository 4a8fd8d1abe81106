import type { CobrowseStatus, CobrowseView } from '@engage/protocol';

/**
 * Co-browse consent as the customer's widget sees it. The server decides the status
 * (off → requesting → active ⇄ paused → off); the widget adds what only it knows: whether a
 * request of its own is in flight, whether this page is protected, and that the customer
 * pressed Stop (which takes effect here at once, before the server has answered).
 */
export interface ConsentState {
  status: CobrowseStatus;
  agentName: string | null;
  /** A respond/stop request is in flight: the buttons wait for it. */
  busy: boolean;
  /** This page matches the site's protected rules. */
  pageProtected: boolean;
  /** A sentence for the customer when their answer did not go through. */
  error: string | null;
  /** Increases with every new request, so the view moves focus to the prompt once per request. */
  promptSeq: number;
  /** When the current session started (from the server), to recognise it after a stop. */
  since: string | null;
  /**
   * `since` of the session the customer stopped here: a late `active` of that same session
   * (sent before the server saw the stop) must not start recording again.
   */
  stoppedSince: string | null;
}

export type ConsentAction =
  | { type: 'server'; view: CobrowseView }
  | { type: 'busy' }
  | { type: 'failed'; message: string }
  | { type: 'stopped' }
  | { type: 'page'; protected: boolean }
  | { type: 'reset' };

export function initialConsent(): ConsentState {
  return { status: 'off', agentName: null, busy: false, pageProtected: false, error: null, promptSeq: 0, since: null, stoppedSince: null };
}

export function reduceConsent(s: ConsentState, a: ConsentAction): ConsentState {
  switch (a.type) {
    case 'server': {
      const v = a.view;
      const live = v.status === 'active' || v.status === 'paused';
      if (live && s.stoppedSince !== null && v.since === s.stoppedSince) return s;
      const promptSeq = v.status === 'requesting' && s.status !== 'requesting' ? s.promptSeq + 1 : s.promptSeq;
      return {
        ...s,
        status: v.status,
        agentName: v.agentName ?? s.agentName,
        busy: false,
        error: null,
        promptSeq,
        since: v.since,
        stoppedSince: live ? null : s.stoppedSince,
      };
    }
    case 'busy':
      return { ...s, busy: true, error: null };
    case 'failed':
      return { ...s, busy: false, error: a.message };
    case 'stopped':
      return { ...s, status: 'off', busy: false, error: null, stoppedSince: s.since ?? s.stoppedSince };
    case 'page':
      return s.pageProtected === a.protected ? s : { ...s, pageProtected: a.protected };
    case 'reset':
      return { ...initialConsent(), promptSeq: s.promptSeq, pageProtected: s.pageProtected };
  }
}

/** Record only while sharing is on and this page may be shared. */
export function shouldRecord(s: ConsentState): boolean {
  return s.status === 'active' && !s.pageProtected;
}

export interface ConsentPrompt {
  title: string;
  busy: boolean;
  error: string | null;
}

export interface SharingBanner {
  kind: 'active' | 'paused';
  text: string;
  /** Extra line under the paused text (on a protected page, what sharing it would mean). */
  note: string | null;
  busy: boolean;
  error: string | null;
}

export function agentLabel(s: ConsentState): string {
  return s.agentName?.trim() || 'An agent';
}

export function consentPrompt(s: ConsentState): ConsentPrompt | null {
  if (s.status !== 'requesting') return null;
  return { title: `${agentLabel(s)} would like to see this page`, busy: s.busy, error: s.error };
}

export function sharingBanner(s: ConsentState): SharingBanner | null {
  if (s.status === 'active' && !s.pageProtected) {
    return { kind: 'active', text: `${agentLabel(s)} can see this page`, note: null, busy: s.busy, error: s.error };
  }
  if (s.status === 'active' || s.status === 'paused') {
    return {
      kind: 'paused',
      text: 'Sharing is paused on this page',
      note: s.pageProtected ? `This page is private. Sharing it will show it to ${agentLabel(s)}.` : null,
      busy: s.busy,
      error: s.error,
    };
  }
  return null;
}
