import type { ServerPayloads } from '@engage/protocol';
import { consentPrompt, controlPrompt, sharingBanner, type ConsentState } from './consent';

export interface CobrowseViewHandlers {
  allow(): void;
  decline(): void;
  stop(): void;
  resume(): void;
  allowControl(): void;
  declineControl(): void;
  takeBackControl(): void;
}

type Listen = (el: EventTarget, type: string, fn: (e: Event) => void) => void;

export interface CobrowseParts {
  /** Sits at the top of the chat panel. */
  prompt: HTMLElement;
  /** Fixed slim bar at the top of the page. */
  banner: HTMLElement;
  /** The second prompt (remote control), above the first one's place. */
  controlPrompt: HTMLElement;
  /** The agent's laser pointer, fixed over the page, never catching a click. */
  pointer: HTMLElement;
  render(s: ConsentState): void;
  focusPrompt(): void;
  showPointer(at: ServerPayloads['cobrowse/remote-pointer']): void;
}

const SHARED =
  'They will see this browser tab on this site. Passwords, card numbers and form fields stay hidden (except a few this site chooses to show), and they cannot click or type unless you allow it. You can stop at any time.';

const CONTROL =
  'They will be able to click, type and scroll here. They can never see or type into hidden fields (passwords, card numbers and the fields this site keeps private). You can take control back at any time.';
/** The pointer hides after this long without a move. */
const POINTER_IDLE_MS = 2000;

/** The consent prompt and the sharing banner, built once and updated in place. */
export function createCobrowseParts(handlers: CobrowseViewHandlers, listen: Listen, el: (tag: string, attrs?: Record<string, string>, ...kids: Array<Node | string>) => HTMLElement): CobrowseParts {
  const title = el('h3', { id: 'engage-cb-title', class: 'cb-title' });
  const desc = el('p', { id: 'engage-cb-desc', class: 'cb-desc' }, SHARED);
  const promptError = el('p', { class: 'cb-error', role: 'alert' });
  const allow = el('button', { type: 'button', class: 'primary', 'data-testid': 'cobrowse-allow' }, 'Allow');
  const decline = el('button', { type: 'button', class: 'secondary', 'data-testid': 'cobrowse-decline' }, 'Decline');
  const prompt = el(
    'section',
    { class: 'cb-prompt', 'data-testid': 'cobrowse-prompt', role: 'region', 'aria-labelledby': 'engage-cb-title', 'aria-describedby': 'engage-cb-desc', tabindex: '-1', hidden: '' },
    title,
    desc,
    promptError,
    el('div', { class: 'cb-actions' }, allow, decline),
  );

  const controlTitle = el('h3', { id: 'engage-cbc-title', class: 'cb-title' });
  const controlAllow = el('button', { type: 'button', class: 'primary', 'data-testid': 'cobrowse-control-allow' }, 'Allow');
  const controlDecline = el('button', { type: 'button', class: 'secondary', 'data-testid': 'cobrowse-control-decline' }, 'Decline');
  const controlPromptEl = el(
    'section',
    { class: 'cb-prompt', 'data-testid': 'cobrowse-control-prompt', role: 'region', 'aria-labelledby': 'engage-cbc-title', 'aria-describedby': 'engage-cbc-desc', tabindex: '-1', hidden: '' },
    controlTitle,
    el('p', { id: 'engage-cbc-desc', class: 'cb-desc' }, CONTROL),
    el('div', { class: 'cb-actions' }, controlAllow, controlDecline),
  );

  const pointerName = el('span', { class: 'cb-pointer-name' });
  const pointer = el('div', { class: 'cb-pointer', 'data-testid': 'cobrowse-pointer', 'aria-hidden': 'true', hidden: '' }, el('span', { class: 'cb-pointer-dot' }), pointerName);
  let pointerTimer: ReturnType<typeof setTimeout> | undefined;

  const dot = el('span', { class: 'cb-dot', 'aria-hidden': 'true' });
  const text = el('span', { class: 'cb-text', 'data-testid': 'cobrowse-banner-text' });
  const note = el('span', { class: 'cb-note' });
  const bannerError = el('span', { class: 'cb-note', role: 'alert' });
  const stop = el('button', { type: 'button', class: 'cb-btn', 'data-testid': 'cobrowse-stop' }, 'Stop sharing');
  const resume = el('button', { type: 'button', class: 'cb-btn', 'data-testid': 'cobrowse-resume' }, 'Share this page');
  const revoke = el('button', { type: 'button', class: 'cb-btn', 'data-testid': 'cobrowse-control-revoke', hidden: '' }, 'Take back control');
  const banner = el(
    'div',
    { class: 'cb-banner', 'data-testid': 'cobrowse-banner', role: 'region', 'aria-label': 'Screen sharing', hidden: '' },
    el('div', { class: 'cb-pill' }, dot, el('span', { class: 'cb-words', role: 'status' }, text, note, bannerError), revoke, resume, stop),
  );

  listen(allow, 'click', () => handlers.allow());
  listen(decline, 'click', () => handlers.decline());
  listen(stop, 'click', () => handlers.stop());
  listen(resume, 'click', () => handlers.resume());
  listen(revoke, 'click', () => handlers.takeBackControl());
  listen(controlAllow, 'click', () => handlers.allowControl());
  listen(controlDecline, 'click', () => handlers.declineControl());

  const setText = (node: HTMLElement, value: string) => {
    if (node.textContent !== value) node.textContent = value;
  };

  return {
    prompt,
    banner,
    controlPrompt: controlPromptEl,
    pointer,
    render(s) {
      const c = controlPrompt(s);
      controlPromptEl.hidden = !c;
      if (c) {
        setText(controlTitle, c.title);
        (controlAllow as HTMLButtonElement).disabled = c.busy;
        (controlDecline as HTMLButtonElement).disabled = c.busy;
      }
      const p = consentPrompt(s);
      prompt.hidden = !p;
      if (p) {
        setText(title, p.title);
        setText(promptError, p.error ?? '');
        promptError.hidden = !p.error;
        (allow as HTMLButtonElement).disabled = p.busy;
        (decline as HTMLButtonElement).disabled = p.busy;
      }
      const b = sharingBanner(s);
      banner.hidden = !b;
      if (b) {
        banner.setAttribute('data-kind', b.kind);
        setText(text, b.text);
        setText(note, b.note ?? '');
        note.hidden = !b.note;
        setText(bannerError, b.error ?? '');
        bannerError.hidden = !b.error;
        resume.hidden = b.kind !== 'paused';
        revoke.hidden = !b.controlled;
        (resume as HTMLButtonElement).disabled = b.busy;
        setText(stop, b.kind === 'paused' ? 'Stop' : 'Stop sharing');
      }
    },
    focusPrompt() {
      if (!controlPromptEl.hidden) controlPromptEl.focus();
      else if (!prompt.hidden) prompt.focus();
    },
    showPointer(at) {
      clearTimeout(pointerTimer);
      pointer.hidden = !at.visible;
      if (!at.visible) return;
      pointer.style.transform = `translate(${Math.round(at.x)}px, ${Math.round(at.y)}px)`;
      setText(pointerName, at.agentName);
      pointerTimer = setTimeout(() => (pointer.hidden = true), POINTER_IDLE_MS);
    },
  };
}
