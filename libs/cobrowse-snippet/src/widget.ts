import { ChatSession, EngageSocket, type ConnectionStatus, type KeyValueStore, type RequestError } from '@engage/chat-client';
import { DOC_EV, EV, MEDIA_EV, PROXY_EV, type EngagementView } from '@engage/protocol';
import { ApiError, cancelShareCode, openEngagement, requestShareCode } from './api';
import { consoleReporter, createSafe, type Safe } from './safe';
import { clearSession, loadSession, safeStorage, saveSession, type StoredSession } from './storage';
import { initialState, reduce, type WidgetAction, type WidgetState } from './state';
import { EMPTY_CHAT, createView, type ChatView, type View } from './view';
import { createCobrowseController } from './cobrowse/controller';
import type { CobrowseSiteOptions } from './cobrowse/privacy';
import { SHARE_IDLE, isExpired, type ShareCodeState } from './cobrowse/share-code';
import { INITIAL_LIFT, fullViewUrl, invitation, updateLift, type LiftKind, type LiftState } from './lift/lift';

export interface WidgetOptions {
  /** Platform origin (and path prefix), without a trailing slash. */
  platformUrl: string;
  /** Defaults to the page's localStorage, wrapped so it never throws. */
  storage?: KeyValueStore;
  /** Where the widget mounts; defaults to document.body once it exists. */
  parent?: HTMLElement;
  safe?: Safe;
  /** Co-browse privacy rules of the site (script tag data-cobrowse-* attributes or options). */
  cobrowse?: CobrowseSiteOptions;
  /** Where recorder.js is loaded from once the customer accepts; defaults to beside widget.js. */
  recorderUrl?: string;
}

export interface WidgetHandle {
  open(): void;
  close(): void;
  stop(): void;
}

/** Consecutive failed connection attempts before the widget stops trying and says so. */
const GIVE_UP_BEFORE_CONNECTED = 3;
const GIVE_UP_AFTER_CONNECTED = 15;
const PAGE_URL_MAX = 2000;

/** Starts the widget on this page; returns the function that removes it again. */
export function start(options: WidgetOptions): () => void {
  return mountWidget(options).stop;
}

export function mountWidget(options: WidgetOptions): WidgetHandle {
  const safe = options.safe ?? createSafe(consoleReporter((m) => console.warn(m)));
  const platform = options.platformUrl;
  const store = options.storage ?? safeStorage(() => window.localStorage);

  let session: StoredSession | null = loadSession(store, platform);
  let state: WidgetState = initialState(session?.open ?? false);
  let view: View | null = null;
  let socket: EngageSocket | null = null;
  let chat: ChatSession | null = null;
  let unbind: Array<() => void> = [];
  let failures = 0;
  let everConnected = false;
  let seenSeq = 0;
  let renderQueued = false;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let share: ShareCodeState = SHARE_IDLE;
  let shareTicker: ReturnType<typeof setInterval> | undefined;
  let lift: LiftState = INITIAL_LIFT;
  const cleanups: Array<() => void> = [];
  const cobrowse = createCobrowseController({
    safe,
    recorderUrl: options.recorderUrl ?? `${platform}/recorder.js`,
    site: options.cobrowse ?? {},
    onChange: (newRequest) => {
      // The agent used the code: sharing is on, the code has done its job.
      if (share.phase === 'shown' && cobrowse.state().status !== 'off') setShare(SHARE_IDLE);
      if (!newRequest) return scheduleRender();
      // A request opens the widget, even minimized, and puts focus on the prompt.
      dispatch({ type: 'open' });
      render();
      view?.focusPrompt();
    },
    onPointer: (at) => view?.showPointer(at),
  });

  function dispatch(action: WidgetAction): void {
    const next = reduce(state, action);
    if (next === state) return;
    const openChanged = next.open !== state.open;
    state = next;
    if (openChanged && session) {
      session = { ...session, open: state.open };
      saveSession(store, session);
    }
    scheduleRender();
  }

  function scheduleRender(): void {
    if (renderQueued || stopped) return;
    renderQueued = true;
    Promise.resolve().then(
      safe('render', () => {
        renderQueued = false;
        render();
      }),
    );
  }

  function chatView(): ChatView {
    if (!chat) return EMPTY_CHAT;
    const messages = chat.messages();
    const last = chat.lastSeq();
    const visible = state.open && document.visibilityState !== 'hidden';
    if (visible) {
      seenSeq = Math.max(seenSeq, last);
      if (state.phase === 'waiting' || state.phase === 'active') chat.markRead(last);
    }
    const read = Math.max(seenSeq, chat.engagement()?.readSeq.customer ?? 0);
    const typing = chat.peerTyping();
    clearTimeout(typingTimer);
    // The typing hint expires on its own; look again when it would.
    if (typing) typingTimer = setTimeout(safe('typing-expiry', scheduleRender), 6500);
    return {
      messages,
      pending: chat.pending(),
      typing,
      peerReadSeq: chat.peerReadSeq(),
      unread: messages.filter((m) => m.sender.role === 'agent' && m.seq > read).length,
    };
  }

  function render(): void {
    if (!view || stopped) return;
    view.render(state, chatView(), cobrowse.state(), share, { invite: invitation(lift, state.agentName), available: !!session && state.phase === 'active' });
  }

  /** A call, browse-together or the document room changed: a new invitation opens the panel. */
  function setLift(patch: Partial<LiftState>, again?: LiftKind): void {
    const before = invitation(lift, state.agentName);
    lift = updateLift(lift, patch, again);
    const after = invitation(lift, state.agentName);
    if (after && after.title !== before?.title && state.phase === 'active') {
      const wasOpen = state.open;
      dispatch({ type: 'open' });
      render();
      // Only a closed panel gives up focus to the invitation: a customer typing keeps the composer.
      if (!wasOpen) view?.focusLift();
      return;
    }
    scheduleRender();
  }

  /**
   * The full engagement room (join page) in a new tab, on this engagement and session. The token
   * goes only to the platform's own origin, in the fragment; the new tab gets no handle on this page.
   */
  function openFullView(kind: LiftKind | null): void {
    const s = session;
    if (!s || state.phase !== 'active') return;
    const url = fullViewUrl(platform, s.customerToken);
    if (!url) return;
    window.open(url, '_blank', 'noopener,noreferrer');
    if (kind) answer(kind);
  }

  function answer(kind: LiftKind): void {
    setLift({ answered: [...lift.answered, kind] });
  }

  function setShare(next: ShareCodeState): void {
    share = next;
    clearInterval(shareTicker);
    shareTicker = undefined;
    // The countdown moves once a second while the code is shown, and the code goes when it expires.
    if (next.phase === 'shown')
      shareTicker = setInterval(
        safe('share:tick', () => {
          if (isExpired(share, Date.now())) setShare({ phase: 'expired' });
          else scheduleRender();
        }),
        1000,
      );
    scheduleRender();
  }

  /** "Share this page with an agent": opens an engagement when there is none, then asks for a code. */
  async function shareThisPage(name: string): Promise<void> {
    if (share.phase === 'creating' || share.phase === 'shown') return;
    setShare({ phase: 'creating' });
    try {
      if (!session && !(await openSession(name))) return setShare(SHARE_IDLE);
      const s = session;
      if (!s || stopped) return setShare(SHARE_IDLE);
      const issued = await requestShareCode(platform, s.customerToken);
      if (stopped) return;
      setShare({ phase: 'shown', code: issued.code, expiresAt: Date.now() + Math.max(0, Date.parse(issued.expiresAt) - Date.now()) });
      render();
      view?.focusShareCode();
    } catch (e) {
      setShare({ phase: 'failed', message: e instanceof ApiError ? e.sentence : 'Sharing is unavailable right now.' });
      throw e;
    }
  }

  function cancelShare(): void {
    const s = session;
    setShare(SHARE_IDLE);
    if (s) cancelShareCode(platform, s.customerToken).catch((e: unknown) => safe.report(e, 'share:cancel'));
  }

  function connect(s: StoredSession): void {
    disconnect();
    failures = 0;
    everConnected = false;
    const sock = EngageSocket.connect({ url: platform, token: s.customerToken });
    const c = ChatSession.create({ socket: sock, engagementId: s.engagementId, role: 'customer', storage: store, selfName: s.customerName ?? '' });
    socket = sock;
    chat = c;
    const mine = (engagementId: string) => engagementId === s.engagementId;
    unbind = [
      c.onChange(safe('chat:change', onChatChange)),
      sock.onStatus(safe('socket:status', onStatus)),
      sock.on(
        MEDIA_EV.state,
        safe('lift:call', (v) => mine(v.engagementId) && setLift({ offer: v.status === 'offered' ? { video: v.kind !== 'audio', by: v.offeredBy } : null })),
      ),
      sock.on(PROXY_EV.state, safe('lift:proxy', (v) => mine(v.engagementId) && setLift({ proxyOn: v.status !== 'off' }))),
      sock.on(DOC_EV.room, safe('lift:documents', (r) => mine(r.engagementId) && setLift({ docs: r.documents.length }, r.documents.length > lift.docs ? 'document' : undefined))),
      sock.on(
        EV.engagementModeShown,
        safe('lift:mode-shown', (m) => {
          const kind = m.mode === 'proxy' || m.mode === 'document' ? m.mode : null;
          if (mine(m.engagementId) && m.by === 'agent' && kind) setLift({ first: kind }, kind);
        }),
      ),
    ];
    cobrowse.attach(sock, s.engagementId);
    dispatch({ type: 'sessionReady' });
  }

  function disconnect(): void {
    cobrowse.detach();
    for (const u of unbind) u();
    unbind = [];
    chat?.close();
    socket?.close();
    socket = null;
  }

  function onChatChange(): void {
    const c = chat;
    if (!c) return;
    const e = c.engagement();
    if (e) applyEngagement(e);
    const err = c.lastError();
    if (state.phase === 'connecting' && err && isDeadSession(err)) forget('Your previous chat could not be resumed.');
    scheduleRender();
  }

  function onStatus(status: ConnectionStatus, error?: RequestError): void {
    if (status === 'connected') {
      failures = 0;
      everConnected = true;
      dispatch({ type: 'connection', online: true });
    } else if (status === 'reconnecting') {
      failures++;
      dispatch({ type: 'connection', online: false });
      if (failures >= (everConnected ? GIVE_UP_AFTER_CONNECTED : GIVE_UP_BEFORE_CONNECTED)) {
        disconnect();
        dispatch({ type: 'unavailable' });
      }
    } else if (status === 'refused') {
      if (error && isDeadSession(error)) forget('Your previous chat could not be resumed.');
      else {
        disconnect();
        dispatch({ type: 'unavailable' });
      }
    }
  }

  function applyEngagement(e: EngagementView): void {
    dispatch({ type: 'engagement', engagement: e });
    if (e.state === 'ended') lift = INITIAL_LIFT;
    else setLift({ mode: e.mode });
    if (e.state === 'ended' && share.phase !== 'idle') setShare(SHARE_IDLE);
    if (e.state === 'ended' && session) {
      // Nothing to resume on the next page; the ended chat stays visible on this one.
      clearSession(store, session.engagementId);
      session = null;
      socket?.close();
    }
  }

  /** The stored session no longer works (expired token, engagement gone): start over. */
  function forget(message: string): void {
    lift = INITIAL_LIFT;
    if (session) clearSession(store, session.engagementId);
    session = null;
    disconnect();
    chat = null;
    dispatch({ type: 'unavailable', message });
  }

  const handlers = {
    cobrowse: {
      allow: () => cobrowse.allow(),
      decline: () => cobrowse.decline(),
      stop: () => cobrowse.stopSharing(),
      resume: () => cobrowse.resume(),
      allowControl: () => cobrowse.allowControl(),
      declineControl: () => cobrowse.declineControl(),
      takeBackControl: () => cobrowse.takeBackControl(),
    },
    share: {
      share: (name: string) => {
        shareThisPage(name).catch((e: unknown) => safe.report(e, 'share'));
      },
      cancel: () => cancelShare(),
    },
    lift: {
      openFullView: (kind: LiftKind | null) => openFullView(kind),
      dismiss: (kind: LiftKind) => answer(kind),
    },
    toggle: () => (state.open ? handlers.close() : open(true)),
    close: () => close(true),
    start: (name: string) => {
      startChat(name).catch((e: unknown) => safe.report(e, 'start'));
    },
    send: (body: string) => {
      chat?.send(body);
      scheduleRender();
    },
    typing: (active: boolean) => chat?.setTyping(active),
    end: () => {
      const sock = socket;
      const id = session?.engagementId ?? chat?.engagementId;
      if (!sock || !id) return;
      sock.request(EV.engagementEnd, { engagementId: id }).then(
        safe('end', (r) => applyEngagement(r.engagement)),
        // Closing the socket on "ended" can beat the acknowledgement; only a real failure counts.
        (e: unknown) => state.phase !== 'ended' && safe.report(e, 'end'),
      );
    },
    discard: (clientId: string) => chat?.discard(clientId),
    retry: () => {
      if (session) connect(session);
      else dispatch({ type: 'reset' });
    },
    newChat: () => {
      if (session) clearSession(store, session.engagementId);
      session = null;
      disconnect();
      chat = null;
      seenSeq = 0;
      lift = INITIAL_LIFT;
      setShare(SHARE_IDLE);
      dispatch({ type: 'reset' });
      render();
      view?.focusInside();
    },
  };

  async function startChat(name: string): Promise<void> {
    if (state.phase !== 'idle' && state.phase !== 'unavailable') return;
    if (!(await openSession(name))) return;
    render();
    view?.focusInside();
  }

  /** Opens an engagement for this visitor and connects to it; false when the widget stopped meanwhile. */
  async function openSession(name: string): Promise<boolean> {
    dispatch({ type: 'startRequested' });
    const pageUrl = location.href.length <= PAGE_URL_MAX && /^https?:/.test(location.href) ? location.href : undefined;
    let opened;
    try {
      opened = await openEngagement(platform, { customerName: name || undefined, pageUrl });
    } catch (e) {
      dispatch({ type: 'unavailable', message: e instanceof ApiError ? e.sentence : undefined });
      throw e;
    }
    if (stopped) return false;
    session = { platform, engagementId: opened.engagement.id, customerToken: opened.customerToken, customerName: name || null, open: state.open };
    saveSession(store, session);
    connect(session);
    applyEngagement(opened.engagement);
    return true;
  }

  function open(focus: boolean): void {
    if (stopped) return;
    dispatch({ type: 'open' });
    render();
    if (focus) view?.focusInside();
  }

  function close(focus: boolean): void {
    if (stopped) return;
    dispatch({ type: 'close' });
    render();
    if (focus) view?.focusLauncher();
  }

  function mount(): void {
    if (stopped || view) return;
    const parent = options.parent ?? document.body;
    view = createView(parent, handlers, safe);
    render();
  }

  const onVisibility = safe('visibility', scheduleRender);
  document.addEventListener('visibilitychange', onVisibility);
  cleanups.push(() => document.removeEventListener('visibilitychange', onVisibility));
  if (options.parent || document.body) mount();
  else {
    const onReady = safe('mount', mount);
    document.addEventListener('DOMContentLoaded', onReady, { once: true });
    cleanups.push(() => document.removeEventListener('DOMContentLoaded', onReady));
  }
  if (session) connect(session);

  return {
    open: safe('api:open', () => open(true)),
    close: safe('api:close', () => close(false)),
    stop: safe('api:stop', () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(typingTimer);
      clearInterval(shareTicker);
      disconnect();
      chat = null;
      for (const c of cleanups) c();
      view?.destroy();
      view = null;
    }),
  };
}

function isDeadSession(err: { code: string }): boolean {
  return err.code === 'unauthorized' || err.code === 'forbidden' || err.code === 'not_found';
}
