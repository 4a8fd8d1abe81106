import type { ConnectionStatus, EngageSocket } from '@engage/chat-client';
import { EV, LIMITS, type CobrowseView, type ControlInput, type ServerPayloads } from '@engage/protocol';
import type { RecorderHandle } from '../recorder/contract';
import type { Safe } from '../safe';
import { initialConsent, mayBeControlled, reduceConsent, shouldRecord, type ConsentAction, type ConsentState } from './consent';
import { loadRecorder } from './loader';
import { MASK_SELECTOR, PRIVATE_SELECTOR, isProtectedPage, isValidSelector, selectorList, type CobrowseSiteOptions } from './privacy';
import { watchRoutes } from './route-watch';

export interface CobrowseControllerOptions {
  safe: Safe;
  /** Where recorder.js lives (beside widget.js). */
  recorderUrl: string;
  site: CobrowseSiteOptions;
  /** Something the customer sees changed; `newRequest` asks the widget to open and focus the prompt. */
  onChange(newRequest: boolean): void;
  /** The agent's laser pointer moved (or should hide). */
  onPointer?(at: ServerPayloads['cobrowse/remote-pointer']): void;
}

export interface CobrowseController {
  /** Follows co-browse on this socket (one engagement). */
  attach(socket: EngageSocket, engagementId: string): void;
  /** Stops recording and forgets the socket (chat closed, widget stopped). */
  detach(): void;
  state(): ConsentState;
  allow(): void;
  decline(): void;
  /** The customer's Stop: recording ends here before the request leaves. */
  stopSharing(): void;
  /** "Share this page" while paused. */
  resume(): void;
  /** The second prompt: let the agent control the page, or not. */
  allowControl(): void;
  declineControl(): void;
  /** "Take back control": the agent's input stops reaching the page at once, before the request leaves. */
  takeBackControl(): void;
}

const TITLE_MAX = 300;
const URL_MAX = 2000;
const TRANSIENT = new Set(['timeout', 'rate_limited', 'overloaded', 'internal']);
const RETRY_MS = 2000;
const MAX_RETRIES = 3;

export function createCobrowseController(o: CobrowseControllerOptions): CobrowseController {
  const { safe } = o;
  let state = initialConsent();
  let socket: EngageSocket | null = null;
  let engagementId: string | null = null;
  let unbind: Array<() => void> = [];
  let recorder: RecorderHandle | null = null;
  let generation = 0;
  let loading = false;
  let unwatchRoutes: (() => void) | null = null;
  let observer: MutationObserver | null = null;
  let reported: string | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retries = 0;
  let stopInFlight = false;
  /** Recording was refused; wait for the next cobrowse/state before trying again. */
  let held = false;

  const blockSelector = selectorList(PRIVATE_SELECTOR, o.site.privateSelector, isValidSelector);
  const maskTextSelector = selectorList(MASK_SELECTOR, o.site.maskSelector, isValidSelector);

  function dispatch(action: ConsentAction): void {
    const prev = state;
    state = reduceConsent(state, action);
    sync();
    // The pointer goes with the sharing.
    if (shouldRecord(prev) && !shouldRecord(state)) o.onPointer?.({ engagementId: engagementId ?? '', x: 0, y: 0, visible: false, agentName: '' });
    if (state !== prev) o.onChange(state.promptSeq !== prev.promptSeq || state.controlPromptSeq !== prev.controlPromptSeq);
  }

  const live = () => state.status === 'active' || state.status === 'paused';
  const pageProtected = () => isProtectedPage(document, location.href, o.site.protectedPages);

  /** Brings recording, route watching and page reports in line with the state, synchronously. */
  function sync(): void {
    if (!(shouldRecord(state) && socket?.connected)) stopRecorder();
    else if (!recorder && !loading && !held) startRecorder().catch((e: unknown) => safe.report(e, 'cobrowse:start'));

    if (live() && socket) {
      if (!unwatchRoutes) unwatchRoutes = watchRoutes(window, safe('cobrowse:route', onPageMaybeChanged));
      if (!observer && typeof MutationObserver === 'function') {
        // Registered before rrweb's own observer, so a protected marker appearing stops the
        // recorder before rrweb sees the mutation.
        observer = new MutationObserver(safe('cobrowse:marker', onPageMaybeChanged));
        observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-cobrowse'] });
      }
      reportPage();
    } else {
      unwatchRoutes?.();
      unwatchRoutes = null;
      observer?.disconnect();
      observer = null;
      reported = null;
    }
  }

  function onPageMaybeChanged(): void {
    const prot = pageProtected();
    if (prot) stopRecorder(); // before anything else: not one more event from this page
    if (prot !== state.pageProtected) dispatch({ type: 'page', protected: prot });
    else sync();
  }

  function reportPage(): void {
    const sock = socket;
    const id = engagementId;
    if (!sock?.connected || !id) return;
    const url = location.href;
    const key = `${url}|${state.pageProtected}`;
    if (reported === key || url.length > URL_MAX || !/^https?:/.test(url)) return;
    reported = key;
    sock
      .request(EV.cobrowsePage, { engagementId: id, url, title: (document.title || '').slice(0, TITLE_MAX), protected: state.pageProtected })
      .then(
        safe('cobrowse:page', (r) => onServerView(r.cobrowse)),
        (e: unknown) => {
          if (reported === key) reported = null;
          safe.report(e, 'cobrowse:page');
        },
      );
  }

  async function startRecorder(): Promise<void> {
    const gen = ++generation;
    loading = true;
    let api;
    try {
      api = await loadRecorder(o.recorderUrl);
    } finally {
      if (gen === generation) loading = false;
    }
    const sock = socket;
    const id = engagementId;
    if (gen !== generation || !sock?.connected || !id || !shouldRecord(state) || pageProtected()) return;
    recorder = api.start({
      blockSelector,
      maskTextSelector,
      send: (events) => sock.request(EV.cobrowseRecord, { engagementId: id, events }),
      onFailure: safe('cobrowse:record', (e: unknown) => onRecordFailure(gen, e)),
      onError: (e) => safe.report(e, 'cobrowse:rrweb'),
    });
  }

  function stopRecorder(): void {
    generation++;
    loading = false;
    const r = recorder;
    recorder = null;
    r?.stop();
  }

  function onRecordFailure(gen: number, e: unknown): void {
    if (gen !== generation) return;
    recorder = null;
    const code = (e as { code?: string } | null)?.code ?? '';
    // invalid_state, offline: the next cobrowse/state (or reconnect) decides. Transient: try again.
    if (TRANSIENT.has(code) && retries < MAX_RETRIES) {
      retries++;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(safe('cobrowse:retry', sync), RETRY_MS);
    } else {
      safe.report(e, 'cobrowse:record');
      held = true;
    }
  }

  function onServerView(view: CobrowseView): void {
    if (!engagementId || view.engagementId !== engagementId) return;
    if ((view.status === 'active' || view.status === 'paused') && state.stoppedSince !== null && view.since === state.stoppedSince) {
      sendStop(); // the server has not seen our stop yet (it was sent while offline)
      return;
    }
    held = false;
    if (view.status !== 'active') retries = 0;
    dispatch({ type: 'server', view });
  }

  function onStatus(status: ConnectionStatus): void {
    if (status === 'connected') {
      reported = null; // the server hears about the page again after a reconnect
      return;
    }
    stopRecorder();
    if (status === 'closed' || status === 'refused') dispatch({ type: 'reset' });
    else sync();
  }

  function respond(accept: boolean): void {
    const sock = socket;
    const id = engagementId;
    if (!sock || !id || state.busy) return;
    dispatch({ type: 'busy' });
    sock.request(EV.cobrowseRespond, { engagementId: id, accept }).then(
      safe('cobrowse:respond', (r) => onServerView(r.cobrowse)),
      safe('cobrowse:respond', (e: unknown) => {
        safe.report(e, 'cobrowse:respond');
        dispatch({ type: 'failed', message: 'Your answer did not reach us. Please try again.' });
      }),
    );
  }

  function respondControl(accept: boolean): void {
    const sock = socket;
    const id = engagementId;
    if (!sock || !id || state.busy) return;
    dispatch({ type: 'busy' });
    sock.request(EV.cobrowseControlRespond, { engagementId: id, accept }).then(
      safe('cobrowse:control-respond', (r) => onServerView(r.cobrowse)),
      safe('cobrowse:control-respond', (e: unknown) => {
        safe.report(e, 'cobrowse:control-respond');
        dispatch({ type: 'failed', message: 'Your answer did not reach us. Please try again.' });
      }),
    );
  }

  function takeBackControl(): void {
    dispatch({ type: 'controlRevoked' });
    const sock = socket;
    const id = engagementId;
    if (!sock?.connected || !id) return;
    sock.request(EV.cobrowseControlRevoke, { engagementId: id }).then(
      safe('cobrowse:control-revoke', (r) => {
        onServerView(r.cobrowse);
        dispatch({ type: 'controlRevokeDone' });
      }),
      (e: unknown) => {
        safe.report(e, 'cobrowse:control-revoke');
        dispatch({ type: 'controlRevokeDone' });
      },
    );
  }

  /** One input of the agent: carried out only while control is granted here, and never on a private field. */
  function onRemoteInput(m: ServerPayloads['cobrowse/remote-input']): void {
    if (m.engagementId !== engagementId) return;
    if (!mayBeControlled(state)) return; // taken back, paused or stopped: dropped silently
    const refused = recorder ? recorder.control(m.input as ControlInput) : 'Sharing is starting; try again in a moment.';
    if (refused) noteRefusal(refused);
    else if (state.controlNote) dispatch({ type: 'controlNote', message: null });
  }

  function noteRefusal(message: string): void {
    dispatch({ type: 'controlNote', message: `Not done: ${message}` });
    const sock = socket;
    const id = engagementId;
    if (!sock?.connected || !id) return;
    sock.request(EV.cobrowseControlNote, { engagementId: id, message: message.slice(0, LIMITS.controlNoteMaxChars) }).catch((e: unknown) => safe.report(e, 'cobrowse:control-note'));
  }

  function sendStop(): void {
    const sock = socket;
    const id = engagementId;
    if (!sock?.connected || !id || stopInFlight) return;
    stopInFlight = true;
    sock.request(EV.cobrowseStop, { engagementId: id }).then(
      safe('cobrowse:stop', (r) => {
        stopInFlight = false;
        onServerView(r.cobrowse);
      }),
      (e: unknown) => {
        stopInFlight = false;
        safe.report(e, 'cobrowse:stop');
      },
    );
  }

  return {
    attach(sock, id) {
      this.detach();
      socket = sock;
      engagementId = id;
      state = reduceConsent(state, { type: 'page', protected: pageProtected() });
      unbind = [
        sock.on(EV.cobrowseState, safe('cobrowse:state', onServerView)),
        sock.on(
          EV.cobrowseSnapshotNeeded,
          safe('cobrowse:snapshot-needed', (p) => {
            if (p.engagementId === engagementId) recorder?.takeFullSnapshot();
          }),
        ),
        sock.on(EV.cobrowseRemoteInput, safe('cobrowse:remote-input', onRemoteInput)),
        sock.on(
          EV.cobrowseImagesWanted,
          safe('cobrowse:images-wanted', (p) => {
            if (p.engagementId === engagementId && shouldRecord(state)) recorder?.inlineImages(p.images);
          }),
        ),
        sock.on(
          EV.cobrowseRemotePointer,
          safe('cobrowse:remote-pointer', (p) => {
            if (p.engagementId === engagementId && shouldRecord(state)) o.onPointer?.(p);
          }),
        ),
        sock.onStatus(safe('cobrowse:status', onStatus)),
      ];
    },
    detach() {
      clearTimeout(retryTimer);
      stopRecorder();
      for (const u of unbind) u();
      unbind = [];
      socket = null;
      engagementId = null;
      held = false;
      retries = 0;
      dispatch({ type: 'reset' });
    },
    state: () => state,
    allow: () => respond(true),
    decline: () => respond(false),
    resume: () => respond(true),
    allowControl: () => respondControl(true),
    declineControl: () => respondControl(false),
    takeBackControl,
    stopSharing() {
      stopRecorder();
      dispatch({ type: 'stopped' });
      sendStop();
    },
  };
}
