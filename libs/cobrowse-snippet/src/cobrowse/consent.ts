import type { CobrowseStatus, CobrowseView, ControlStatus } from '@engage/protocol';

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
  /** Remote control as the server decided it, except that the customer's own revoke counts at once. */
  control: ControlStatus;
  /** Increases with every new request for control (focus moves to that prompt once). */
  controlPromptSeq: number;
  /** The customer took back control and the server has not confirmed yet: a late `granted` is ignored. */
  controlRevoking: boolean;
  /** A short sentence about the last refused remote input. */
  controlNote: string | null;
}

export type ConsentAction =
  | { type: 'server'; view: CobrowseView }
  | { type: 'busy' }
  | { type: 'failed'; message: string }
  | { type: 'stopped' }
  | { type: 'page'; protected: boolean }
  | { type: 'reset' }
  /** The customer pressed "Take back control": effective here before the server answers. */
  | { type: 'controlRevoked' }
  | { type: 'controlRevokeDone' }
  | { type: 'controlNote'; message: string | null };

export function initialConsent(): ConsentState {
  return {
    status: 'off',
    agentName: null,
    busy: false,
    pageProtected: false,
    error: null,
    promptSeq: 0,
    since: null,
    stoppedSince: null,
    control: 'none',
    controlPromptSeq: 0,
    controlRevoking: false,
    controlNote: null,
  };
}

export function reduceConsent(s: ConsentState, a: ConsentAction): ConsentState {
  switch (a.type) {
    case 'server': {
      const v = a.view;
      const live = v.status === 'active' || v.status === 'paused';
      if (live && s.stoppedSince !== null && v.since === s.stoppedSince) return s;
      const promptSeq = v.status === 'requesting' && s.status !== 'requesting' ? s.promptSeq + 1 : s.promptSeq;
      let control: ControlStatus = v.status === 'active' ? (v.control ?? 'none') : 'none';
      if (s.controlRevoking && control !== 'none') control = 'none';
      const controlPromptSeq = control === 'requesting' && s.control !== 'requesting' ? s.controlPromptSeq + 1 : s.controlPromptSeq;
      return {
        ...s,
        status: v.status,
        agentName: v.agentName ?? s.agentName,
        busy: false,
        error: null,
        promptSeq,
        since: v.since,
        stoppedSince: live ? null : s.stoppedSince,
        control,
        controlPromptSeq,
        controlNote: control === 'granted' ? s.controlNote : null,
      };
    }
    case 'busy':
      return { ...s, busy: true, error: null };
    case 'failed':
      return { ...s, busy: false, error: a.message };
    case 'stopped':
      return { ...s, status: 'off', busy: false, error: null, stoppedSince: s.since ?? s.stoppedSince, control: 'none', controlNote: null };
    case 'page':
      return s.pageProtected === a.protected ? s : { ...s, pageProtected: a.protected };
    case 'reset':
      return { ...initialConsent(), promptSeq: s.promptSeq, controlPromptSeq: s.controlPromptSeq, pageProtected: s.pageProtected };
    case 'controlRevoked':
      return { ...s, control: 'none', controlRevoking: true, controlNote: null };
    case 'controlRevokeDone':
      return s.controlRevoking ? { ...s, controlRevoking: false } : s;
    case 'controlNote':
      return s.controlNote === a.message ? s : { ...s, controlNote: a.message };
  }
}

/** Record only while sharing is on and this page may be shared. */
export function shouldRecord(s: ConsentState): boolean {
  return s.status === 'active' && !s.pageProtected;
}

/** The agent's input reaches this page only while the customer has granted control here. */
export function mayBeControlled(s: ConsentState): boolean {
  return s.status === 'active' && !s.pageProtected && s.control === 'granted' && !s.controlRevoking;
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
  /** The agent controls the page: the banner offers "Take back control". */
  controlled: boolean;
}

export function agentLabel(s: ConsentState): string {
  return s.agentName?.trim() || 'An agent';
}

export function consentPrompt(s: ConsentState): ConsentPrompt | null {
  if (s.status !== 'requesting') return null;
  return { title: `${agentLabel(s)} would like to see this page`, busy: s.busy, error: s.error };
}

/** The second prompt: remote control, asked only while sharing is active. */
export function controlPrompt(s: ConsentState): ConsentPrompt | null {
  if (s.status !== 'active' || s.pageProtected || s.control !== 'requesting') return null;
  return { title: `${agentLabel(s)} asks to control this page`, busy: s.busy, error: s.error };
}

export function sharingBanner(s: ConsentState): SharingBanner | null {
  if (s.status === 'active' && !s.pageProtected) {
    const controlled = s.control === 'granted';
    return {
      kind: 'active',
      text: controlled ? `${agentLabel(s)} can see and control this page` : `${agentLabel(s)} can see this page`,
      note: controlled ? s.controlNote : null,
      busy: s.busy,
      error: s.error,
      controlled,
    };
  }
  if (s.status === 'active' || s.status === 'paused') {
    return {
      kind: 'paused',
      text: 'Sharing is paused on this page',
      note: s.pageProtected ? `This page is private. Sharing it will show it to ${agentLabel(s)}.` : null,
      busy: s.busy,
      error: s.error,
      controlled: false,
    };
  }
  return null;
}
