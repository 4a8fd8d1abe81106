import { consentPrompt, sharingBanner, type ConsentState } from './consent';

export interface CobrowseViewHandlers {
  allow(): void;
  decline(): void;
  stop(): void;
  resume(): void;
}

type Listen = (el: EventTarget, type: string, fn: (e: Event) => void) => void;

export interface CobrowseParts {
  /** Sits at the top of the chat panel. */
  prompt: HTMLElement;
  /** Fixed slim bar at the top of the page. */
  banner: HTMLElement;
  render(s: ConsentState): void;
  focusPrompt(): void;
}

const SHARED =
  'They will see this browser tab on this site. Form fields, passwords and card numbers stay hidden, and they cannot click or type. You can stop at any time.';

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

  const dot = el('span', { class: 'cb-dot', 'aria-hidden': 'true' });
  const text = el('span', { class: 'cb-text', 'data-testid': 'cobrowse-banner-text' });
  const note = el('span', { class: 'cb-note' });
  const bannerError = el('span', { class: 'cb-note', role: 'alert' });
  const stop = el('button', { type: 'button', class: 'cb-btn', 'data-testid': 'cobrowse-stop' }, 'Stop sharing');
  const resume = el('button', { type: 'button', class: 'cb-btn', 'data-testid': 'cobrowse-resume' }, 'Share this page');
  const banner = el(
    'div',
    { class: 'cb-banner', 'data-testid': 'cobrowse-banner', role: 'region', 'aria-label': 'Screen sharing', hidden: '' },
    el('div', { class: 'cb-pill' }, dot, el('span', { class: 'cb-words', role: 'status' }, text, note, bannerError), resume, stop),
  );

  listen(allow, 'click', () => handlers.allow());
  listen(decline, 'click', () => handlers.decline());
  listen(stop, 'click', () => handlers.stop());
  listen(resume, 'click', () => handlers.resume());

  const setText = (node: HTMLElement, value: string) => {
    if (node.textContent !== value) node.textContent = value;
  };

  return {
    prompt,
    banner,
    render(s) {
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
        (resume as HTMLButtonElement).disabled = b.busy;
        setText(stop, b.kind === 'paused' ? 'Stop' : 'Stop sharing');
      }
    },
    focusPrompt() {
      if (!prompt.hidden) prompt.focus();
    },
  };
}
