import { expiryText, formatShareCode, type ShareCodeState } from './share-code';

export interface ShareViewHandlers {
  /** "Share this page with an agent": `name` is what the customer typed in the chat intro, if anything. */
  share(name: string): void;
  cancel(): void;
}

type Listen = (el: EventTarget, type: string, fn: (e: Event) => void) => void;
type El = (tag: string, attrs?: Record<string, string>, ...kids: Array<Node | string>) => HTMLElement;

export interface ShareParts {
  /** Sits at the top of the panel, under the co-browse prompts. */
  section: HTMLElement;
  /** `offer`: whether the Share button makes sense now (no sharing on, chat not ended). */
  render(s: ShareCodeState, offer: boolean, now: number): void;
  focusCode(): void;
}

const WHAT =
  'The agent will see this browser tab on this site while you allow it. Passwords, card numbers and form fields stay hidden. You can stop at any time.';

/** The Share button and the code the customer reads to the agent, built once and updated in place. */
export function createShareParts(handlers: ShareViewHandlers, listen: Listen, el: El, nameOf: () => string): ShareParts {
  const shareBtn = el('button', { type: 'button', class: 'secondary share-btn', 'data-testid': 'share-page' }, 'Share this page with an agent');
  const offerNote = el('p', { class: 'share-note' }, 'On the phone with us? Share this page and read the code to the agent.');
  const error = el('p', { class: 'cb-error', role: 'alert', 'data-testid': 'share-error' });
  const offer = el('div', { class: 'share-offer' }, offerNote, shareBtn, error);

  const code = el('p', { class: 'share-code', 'data-testid': 'share-code', tabindex: '-1' });
  const expiry = el('p', { class: 'share-note', 'data-testid': 'share-code-expiry' });
  const cancel = el('button', { type: 'button', class: 'secondary', 'data-testid': 'share-code-cancel' }, 'Cancel');
  const shown = el(
    'div',
    { class: 'share-shown', role: 'status' },
    el('h3', { class: 'cb-title' }, 'Read this code to the agent'),
    code,
    expiry,
    el('p', { class: 'cb-desc' }, WHAT),
    el('div', { class: 'cb-actions' }, cancel),
  );
  const section = el('section', { class: 'share', 'data-testid': 'share', 'aria-label': 'Share this page', hidden: '' }, offer, shown);

  listen(shareBtn, 'click', () => handlers.share(nameOf()));
  listen(cancel, 'click', () => handlers.cancel());

  const setText = (node: HTMLElement, value: string) => {
    if (node.textContent !== value) node.textContent = value;
  };

  return {
    section,
    render(s, canOffer, now) {
      const showing = s.phase === 'shown';
      section.hidden = !showing && !canOffer;
      shown.hidden = !showing;
      offer.hidden = showing;
      (shareBtn as HTMLButtonElement).disabled = s.phase === 'creating';
      setText(shareBtn, s.phase === 'creating' ? 'Getting a code…' : 'Share this page with an agent');
      const err = s.phase === 'failed' ? s.message : s.phase === 'expired' ? 'Your code expired. Press Share again for a new one.' : '';
      setText(error, err);
      error.hidden = !err;
      if (showing) {
        setText(code, formatShareCode(s.code));
        code.setAttribute('aria-label', `Your code: ${s.code.split('').join(' ')}`);
        setText(expiry, `${expiryText(s.expiresAt, now)} · It works once.`);
      }
    },
    focusCode() {
      code.focus();
    },
  };
}
