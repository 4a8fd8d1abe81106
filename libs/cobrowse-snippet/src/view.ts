import type { PendingMessage } from '@engage/chat-client';
import type { ChatMessage, ServerPayloads } from '@engage/protocol';
import { HOST_STYLE, WIDGET_CSS } from './styles';
import { UNAVAILABLE, canWrite, statusText, type WidgetState } from './state';
import { createCobrowseParts, type CobrowseViewHandlers } from './cobrowse/cobrowse-view';
import type { ConsentState } from './cobrowse/consent';
import type { ShareCodeState } from './cobrowse/share-code';
import { createShareParts, type ShareViewHandlers } from './cobrowse/share-view';
import type { Invitation } from './lift/lift';
import { createLiftParts, type LiftViewHandlers } from './lift/lift-view';

/** What the chat part of the panel shows; read from the ChatSession on each change. */
export interface ChatView {
  messages: readonly ChatMessage[];
  pending: readonly PendingMessage[];
  typing: { name: string } | null;
  peerReadSeq: number;
  unread: number;
}

export const EMPTY_CHAT: ChatView = { messages: [], pending: [], typing: null, peerReadSeq: 0, unread: 0 };

/** What the customer does; the controller decides what it means. */
export interface ViewHandlers {
  cobrowse: CobrowseViewHandlers;
  share: ShareViewHandlers;
  lift: LiftViewHandlers;
  toggle(): void;
  close(): void;
  start(name: string): void;
  send(body: string): void;
  typing(active: boolean): void;
  end(): void;
  discard(clientId: string): void;
  retry(): void;
  newChat(): void;
}

/** The invitation to the full view, and whether the full view can be opened now. */
export interface LiftView {
  invite: Invitation | null;
  available: boolean;
}

export interface View {
  render(state: WidgetState, chat: ChatView, cobrowse: ConsentState, share: ShareCodeState, lift: LiftView): void;
  /** Moves focus to a new invitation to the full view. */
  focusLift(): void;
  /** Moves focus to the share code once it is shown. */
  focusShareCode(): void;
  focusInside(): void;
  /** Moves focus to the co-browse consent prompt when it is shown. */
  focusPrompt(): void;
  /** The agent's laser pointer over the page. */
  showPointer(at: ServerPayloads['cobrowse/remote-pointer']): void;
  focusLauncher(): void;
  destroy(): void;
}

type Wrap = <A extends unknown[]>(where: string, fn: (...args: A) => void) => (...args: A) => void;

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 21l1.9-5.4A8 8 0 1 1 21 12z"/></svg>';
const CLOSE_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';
const SEND_ICON =
  '<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z"/></svg>';

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function timeOf(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Builds the launcher and panel inside a shadow root on `parent`; `wrap` guards every listener. */
export function createView(parent: HTMLElement, handlers: ViewHandlers, wrap: Wrap): View {
  const host = document.createElement('engage-widget');
  host.setAttribute('style', HOST_STYLE);
  // Open so end-to-end tests can pierce it; isolation comes from the shadow boundary itself.
  const shadow = host.attachShadow({ mode: 'open' });
  const style = h('style');
  style.textContent = WIDGET_CSS;

  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  const launcher = h('button', { type: 'button', class: 'launcher', 'data-testid': 'launcher', 'aria-controls': 'engage-panel', 'aria-expanded': 'false' });
  const launcherIcon = h('span');
  launcher.append(launcherIcon, badge);

  const status = h('p', { class: 'status', 'data-testid': 'status', role: 'status', 'aria-live': 'polite' });
  const endBtn = h('button', { type: 'button', class: 'end', 'data-testid': 'end-chat' }, 'End chat');
  const closeBtn = h('button', { type: 'button', class: 'close', 'aria-label': 'Minimize chat', title: 'Minimize' });
  closeBtn.innerHTML = CLOSE_ICON;
  const head = h('div', { class: 'head' }, h('div', { class: 'titles' }, h('h2', { id: 'engage-title' }, 'Chat with us'), status), endBtn, closeBtn);

  const nameInput = h('input', { 'data-testid': 'name-input', name: 'name', autocomplete: 'name', maxlength: '80', placeholder: 'e.g. Alex' });
  const startBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'start-chat' }, 'Start chat');
  const intro = h(
    'form',
    { class: 'intro' },
    h('p', {}, 'Hi! Questions about an order, sizing or delivery? Start a chat and one of our team will be with you shortly.'),
    h('label', {}, 'Your name (optional)', nameInput),
    startBtn,
  );

  const notice = h('div', { class: 'notice', role: 'alert' });
  const retryBtn = h('button', { type: 'button', class: 'secondary' }, 'Try again');
  const unavailable = h('div', { class: 'notice' }, notice, retryBtn);

  const banner = h('p', { class: 'banner', role: 'status' }, 'Connection lost. Reconnecting…');
  const log = h('ol', { class: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const typing = h('p', { class: 'typing', 'data-testid': 'typing', 'aria-live': 'polite' });
  const receipt = h('span', { class: 'receipt', 'data-testid': 'receipt' }, 'Read');
  const newChatBtn = h('button', { type: 'button', class: 'primary' }, 'Start a new chat');
  const again = h('div', { class: 'again' }, newChatBtn);

  const input = h('textarea', { 'data-testid': 'chat-input', 'aria-label': 'Message', rows: '1', placeholder: 'Write a message…', maxlength: '4000' });
  const sendBtn = h('button', { type: 'submit', class: 'primary send', 'data-testid': 'chat-send', 'aria-label': 'Send message' });
  sendBtn.innerHTML = SEND_ICON;
  const composer = h('form', { class: 'composer' }, input, sendBtn);

  const listen = <E extends Event>(el: EventTarget, type: string, fn: (e: E) => void) => el.addEventListener(type, wrap(`view:${type}`, fn as (e: Event) => void));
  const cobrowse = createCobrowseParts(handlers.cobrowse, listen, h as (tag: string, attrs?: Record<string, string>, ...kids: Array<Node | string>) => HTMLElement);

  const share = createShareParts(handlers.share, listen, h as (tag: string, attrs?: Record<string, string>, ...kids: Array<Node | string>) => HTMLElement, () => nameInput.value.trim());

  const lift = createLiftParts(handlers.lift, listen, h as (tag: string, attrs?: Record<string, string>, ...kids: Array<Node | string>) => HTMLElement);

  const body = h('div', { class: 'body' }, intro, unavailable, banner, log, typing, again);
  const panel = h('section', { class: 'panel', id: 'engage-panel', role: 'dialog', 'aria-labelledby': 'engage-title', hidden: '' }, head, lift.link, cobrowse.controlPrompt, cobrowse.prompt, lift.section, share.section, body, composer);
  const root = h('div', { class: 'root' }, cobrowse.banner, launcher, panel, cobrowse.pointer);
  shadow.append(style, root);
  parent.append(host);
  listen(launcher, 'click', () => handlers.toggle());
  listen(closeBtn, 'click', () => handlers.close());
  listen(endBtn, 'click', () => handlers.end());
  listen(retryBtn, 'click', () => handlers.retry());
  listen(newChatBtn, 'click', () => handlers.newChat());
  listen(intro, 'submit', (e) => {
    e.preventDefault();
    handlers.start(nameInput.value.trim());
  });
  const submit = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    autosize();
    handlers.send(text);
  };
  listen(composer, 'submit', (e) => {
    e.preventDefault();
    submit();
  });
  listen<KeyboardEvent>(input, 'keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  const autosize = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, 120)}px`;
  };
  listen(input, 'input', () => {
    autosize();
    handlers.typing(input.value.trim().length > 0);
  });
  listen<KeyboardEvent>(panel, 'keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      handlers.close();
    }
  });
  // Keystrokes typed in the widget are the widget's: the host page's shortcuts must not see them.
  listen<KeyboardEvent>(root, 'keydown', (e) => e.stopPropagation());
  listen(log, 'click', (e) => {
    const target = e.target as HTMLElement | null;
    const id = target?.getAttribute('data-discard');
    if (id) handlers.discard(id);
  });

  const items = new Map<string, HTMLLIElement>();
  let lastOpen: boolean | null = null;
  let lastIcon = '';

  function messageItem(key: string): HTMLLIElement {
    let li = items.get(key);
    if (!li) {
      li = h('li', { 'data-testid': 'chat-message' }, h('div', { class: 'bubble' }), h('div', { class: 'meta' }));
      items.set(key, li);
    }
    return li;
  }

  function fill(li: HTMLLIElement, cls: string, text: string, meta: Array<Node | string>): void {
    if (li.className !== cls) li.className = cls;
    const [bubble, metaEl] = [li.firstChild as HTMLElement, li.lastChild as HTMLElement];
    if (bubble.textContent !== text) bubble.textContent = text;
    metaEl.replaceChildren(...meta);
  }

  function renderLog(state: WidgetState, chat: ChatView): void {
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const wanted: HTMLLIElement[] = [];
    let lastReadOwn: HTMLLIElement | null = null;
    for (const m of chat.messages) {
      const li = messageItem(`m${m.seq}`);
      const own = m.sender.role === 'customer';
      const cls = m.sender.role === 'system' ? 'msg system' : own ? 'msg own' : 'msg peer';
      const meta: Array<Node | string> = [own ? 'You' : m.sender.name || 'Agent', ' · ', timeOf(m.sentAt)];
      fill(li, cls, m.body, m.sender.role === 'system' ? [] : meta);
      li.setAttribute('data-role', m.sender.role);
      li.removeAttribute('data-pending');
      if (own && m.seq <= chat.peerReadSeq) lastReadOwn = li;
      wanted.push(li);
    }
    for (const p of chat.pending) {
      const li = messageItem(`p${p.clientId}`);
      li.setAttribute('data-pending', p.status);
      if (p.status === 'failed') {
        const discard = h('button', { type: 'button', class: 'link', 'data-discard': p.clientId }, 'Remove');
        fill(li, 'msg own failed', p.body, [`Not sent: ${p.error?.message ?? 'refused'}`, discard]);
      } else {
        const note = state.reconnecting ? 'Waiting for connection…' : p.attempts > 1 ? 'Retrying…' : 'Sending…';
        fill(li, 'msg own pending', p.body, [note]);
      }
      wanted.push(li);
    }
    if (lastReadOwn) (lastReadOwn.lastChild as HTMLElement).append(' · ', receipt);
    // Reuse nodes by key so scroll position and selection survive updates.
    const keep = new Set(wanted);
    for (const [key, li] of items) {
      if (!keep.has(li)) {
        li.remove();
        items.delete(key);
      }
    }
    wanted.forEach((li, i) => {
      if (log.children[i] !== li) log.insertBefore(li, log.children[i] ?? null);
    });
    if (nearBottom) log.scrollTop = log.scrollHeight;
  }

  return {
    render(state, chat, consent, shareState, liftView) {
      cobrowse.render(consent);
      lift.render(liftView.invite, liftView.available && state.phase === 'active');
      // Share is offered before a chat, or while waiting for one; an agent in the chat asks from the desk.
      const offerShare = shareState.phase === 'creating' || (consent.status === 'off' && (state.phase === 'idle' || state.phase === 'unavailable' || state.phase === 'waiting'));
      share.render(shareState, offerShare, Date.now());
      // The sharing bar sits above the panel: the panel keeps clear of it (full screen on phones).
      root.classList.toggle('sharing', !cobrowse.banner.hidden);
      root.classList.toggle('paused', !cobrowse.banner.hidden && cobrowse.banner.getAttribute('data-kind') === 'paused');
      const { open, phase } = state;
      panel.hidden = !open;
      root.classList.toggle('open', open);
      launcher.setAttribute('aria-expanded', String(open));
      launcher.setAttribute('aria-label', open ? 'Close chat' : chat.unread ? `Open chat, ${chat.unread} unread` : 'Open chat');
      const icon = open ? CLOSE_ICON : CHAT_ICON;
      if (icon !== lastIcon) {
        launcherIcon.innerHTML = icon;
        lastIcon = icon;
      }
      badge.hidden = open || chat.unread === 0;
      badge.textContent = chat.unread > 9 ? '9+' : String(chat.unread);

      const text = statusText(state);
      if (status.textContent !== text) status.textContent = text;
      status.setAttribute('data-phase', phase);

      const inChat = phase === 'waiting' || phase === 'active' || phase === 'ended' || phase === 'connecting';
      intro.hidden = phase !== 'idle' && phase !== 'starting';
      startBtn.disabled = phase === 'starting';
      startBtn.textContent = phase === 'starting' ? 'Starting…' : 'Start chat';
      unavailable.hidden = phase !== 'unavailable';
      notice.textContent = state.error && state.error !== UNAVAILABLE ? state.error : 'We could not reach our team. Please try again in a moment.';
      banner.hidden = !(state.reconnecting && inChat && phase !== 'ended');
      log.hidden = !inChat;
      endBtn.hidden = !canWrite(state);
      again.hidden = phase !== 'ended';
      composer.hidden = !inChat || phase === 'ended';
      input.disabled = !canWrite(state);
      sendBtn.disabled = !canWrite(state);

      const typingText = chat.typing && phase === 'active' ? `${chat.typing.name || 'Agent'} is typing…` : '';
      typing.hidden = !typingText;
      if (typing.textContent !== typingText) typing.textContent = typingText;

      if (inChat) renderLog(state, chat);
      if (lastOpen === false && open) log.scrollTop = log.scrollHeight;
      lastOpen = open;
    },
    focusInside() {
      const target = !intro.hidden ? nameInput : !composer.hidden && !input.disabled ? input : !again.hidden ? newChatBtn : closeBtn;
      target.focus();
    },
    focusLift() {
      lift.focusInvite();
    },
    focusShareCode() {
      share.focusCode();
    },
    focusPrompt() {
      cobrowse.focusPrompt();
    },
    showPointer(at) {
      cobrowse.showPointer(at);
    },
    focusLauncher() {
      launcher.focus();
    },
    destroy() {
      host.remove();
    },
  };
}
