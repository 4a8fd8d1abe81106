import { computed, effect, type Signal, signal, untracked } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import { DOC_EV, EV, PROXY_EV, type CobrowseMode, type EngagementView, type ShownMode, type TimelineEntry } from '@engage/protocol';
import { describeError } from '../../core/errors';

/** Which modes run right now. */
export type LiveModes = Record<ShownMode, boolean>;

export interface ModeSwitchOptions {
  /** The engagement (null until known). */
  engagement: Signal<EngagementView | null>;
  socket: Signal<EngageSocket | null>;
  /** Direct co-browse runs (the desk learns it from its co-browse panel; the join page has none). */
  directLive: Signal<boolean>;
  /** The modes this page offers (the join page has no direct co-browse). */
  available: readonly ShownMode[];
  /** The customer follows what the agent shows; the agent follows only what starts. */
  followAgent: boolean;
  /** After a switch was recorded (the desk's timeline fetches again). */
  recorded?: (entry: TimelineEntry) => void;
}

/**
 * What one participant shows (the chat alone or one co-browse mode beside it), shared by the desk
 * pane and the join page. Every mode's component stays alive while another is shown; this only
 * decides which is in front, follows a mode that starts (engagements.mode moves to it), and records
 * a switch to a mode that already runs (`engagement/show-mode` → `mode.shown`). A switch to a mode
 * that does not run yet records nothing: starting it writes its own row (proxy.started,
 * cobrowse.requested…; the agent's first look at the documents opens the room: doc.opened).
 * The document room has no session to stop, so the agent's switches in and out of it are always
 * recorded: they move engagements.mode (document ⇄ none). Switching between the two modes that have
 * a session is one step for the agent: the backend stops the running one first (browse together
 * stops the customer's page, asking for the page stops the shared browser), each with its row.
 * Call in an injection context.
 */
export function useModeSwitch(o: ModeSwitchOptions) {
  const id = computed(() => o.engagement()?.id ?? null);
  const shown = signal<ShownMode>('chat');
  const error = signal('');
  const proxyLive = signal(false);
  const docsPresent = signal(false);
  /** The documents were shown once (the desk opens the room then, and keeps it). */
  const documentsOpened = signal(false);
  const isAgent = !o.followAgent;

  const live = computed<LiveModes>(() => ({
    chat: true,
    direct: o.directLive(),
    proxy: proxyLive(),
    document: docsPresent() || o.engagement()?.mode === 'document',
  }));

  // Another engagement: start from the chat, nothing known to run.
  let lastId: string | null = null;
  let lastMode: CobrowseMode = 'none';
  effect(() => {
    const e = o.engagement();
    untracked(() => {
      if (!e) return;
      if (e.id !== lastId) {
        lastId = e.id;
        lastMode = 'none';
        shown.set('chat');
        error.set('');
        proxyLive.set(false);
        docsPresent.set(false);
        documentsOpened.set(false);
      }
      // A mode that starts comes to the front (for the agent who started it, and the customer).
      if (e.mode !== lastMode && e.mode !== 'none' && o.available.includes(e.mode)) shown.set(e.mode);
      lastMode = e.mode;
    });
  });
  effect(() => {
    if (shown() === 'document') untracked(() => documentsOpened.set(true));
  });

  effect((onCleanup) => {
    const socket = o.socket();
    const engagementId = id();
    if (!socket || !engagementId) return;
    const offs = [
      socket.on(PROXY_EV.state, (v) => v.engagementId === engagementId && proxyLive.set(v.status !== 'off')),
      socket.on(DOC_EV.room, (r) => r.engagementId === engagementId && docsPresent.set(r.documents.length > 0)),
    ];
    if (o.followAgent) {
      offs.push(
        socket.on(EV.engagementModeShown, (m) => {
          if (m.engagementId !== engagementId || m.by !== 'agent') return;
          // The customer follows into what runs for them.
          if (o.available.includes(m.mode) && (m.mode === 'chat' || live()[m.mode])) shown.set(m.mode);
        }),
      );
    }
    onCleanup(() => offs.forEach((off) => off()));
  });

  /** Puts `mode` in front; records it when it runs already (or is the chat, leaving a mode that ran). */
  function select(mode: ShownMode): void {
    const before = shown();
    if (mode === before) return;
    const firstLookAtDocuments = mode === 'document' && !documentsOpened();
    shown.set(mode);
    const running = live();
    const docsInFront = isAgent && o.engagement()?.mode === 'document';
    const record =
      mode === 'document' && isAgent
        ? !(firstLookAtDocuments && o.engagement()?.mode === 'none')
        : mode === 'chat'
          ? running[before] || docsInFront
          : running[mode] || docsInFront;
    const socket = o.socket();
    const engagementId = id();
    if (!record || !socket || !engagementId || o.engagement()?.state !== 'active') return;
    error.set('');
    socket
      .request(EV.engagementShowMode, { engagementId, mode })
      .then(({ entry }) => o.recorded?.(entry))
      .catch((err: unknown) => error.set(`The switch could not be recorded: ${describeError(err)}`));
  }

  return { shown: shown.asReadonly(), live, documentsOpened: documentsOpened.asReadonly(), error: error.asReadonly(), select };
}
