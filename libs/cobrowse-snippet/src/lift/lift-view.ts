import type { Invitation, LiftKind } from './lift';

export interface LiftViewHandlers {
  /** Opens the full view in a new tab; `kind` is the invitation it answers, if any. */
  openFullView(kind: LiftKind | null): void;
  /** "Not now": the invitation goes until the agent asks again. */
  dismiss(kind: LiftKind): void;
}

type Listen = (el: EventTarget, type: string, fn: (e: Event) => void) => void;
type El = (tag: string, attrs?: Record<string, string>, ...kids: Array<Node | string>) => HTMLElement;

export interface LiftParts {
  /** The invitation, at the top of the panel under the co-browse prompts. */
  section: HTMLElement;
  /** The small "Open full view" link, always there while the engagement runs. */
  link: HTMLElement;
  /** `available`: the engagement is active and the full view can be opened. */
  render(invite: Invitation | null, available: boolean): void;
  focusInvite(): void;
}

/** The invitation to the full view and the link to it, built once and updated in place. */
export function createLiftParts(handlers: LiftViewHandlers, listen: Listen, el: El): LiftParts {
  const title = el('h3', { class: 'cb-title', 'data-testid': 'lift-title', tabindex: '-1' });
  const open = el('button', { type: 'button', class: 'primary', 'data-testid': 'lift-open' });
  const later = el('button', { type: 'button', class: 'secondary', 'data-testid': 'lift-dismiss' }, 'Not now');
  const section = el(
    'section',
    { class: 'cb-prompt lift', 'data-testid': 'lift-invite', role: 'status', 'aria-live': 'polite', hidden: '' },
    title,
    el('p', { class: 'cb-desc' }, 'It opens in a new tab; this chat stays here too.'),
    el('div', { class: 'cb-actions' }, open, later),
  );
  const fullView = el('button', { type: 'button', class: 'link lift-link', 'data-testid': 'open-full-view' }, 'Open full view');
  const link = el('div', { class: 'lift-bar', hidden: '' }, fullView);

  let shown: Invitation | null = null;
  listen(open, 'click', () => handlers.openFullView(shown?.kind ?? null));
  listen(later, 'click', () => shown && handlers.dismiss(shown.kind));
  listen(fullView, 'click', () => handlers.openFullView(null));

  const setText = (node: HTMLElement, value: string) => {
    if (node.textContent !== value) node.textContent = value;
  };

  return {
    section,
    link,
    render(invite, available) {
      shown = available ? invite : null;
      section.hidden = !shown;
      link.hidden = !available;
      if (shown) {
        setText(title, shown.title);
        setText(open, shown.button);
        section.setAttribute('data-kind', shown.kind);
      }
    },
    focusInvite() {
      title.focus();
    },
  };
}
