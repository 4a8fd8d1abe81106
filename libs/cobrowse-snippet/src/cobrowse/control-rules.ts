import type { ControlInput } from '@engage/protocol';

/**
 * Which of the agent's remote inputs the customer's page accepts. Decided on the customer's side,
 * where the real element is known; the backend only checks who sends. Every form field is closed
 * to the agent unless the site opened it with `data-cobrowse="allow"`, and some never open at all.
 */

/** What the rules need to know about a target element (built from the DOM by describeTarget). */
export interface TargetInfo {
  /** Lower-case tag name. */
  tag: string;
  /** Lower-case `type` attribute of an input ('' otherwise). */
  type: string;
  autocomplete: string;
  name: string;
  id: string;
  /** Inside a private, protected or masked area (built-in markers or the site's selectors). */
  hidden: boolean;
  /** Inside the widget itself. */
  inWidget: boolean;
  /** The nearest `data-cobrowse` marker on the element or above says `allow`. */
  opened: boolean;
  /** Disabled or read-only field. */
  locked: boolean;
}

/** The site's explicit opening of a field for the agent. */
export const ALLOW_SELECTOR = '[data-cobrowse="allow"]';

const FIELD_TAGS = new Set(['input', 'textarea', 'select']);
/** Payment, identity secrets and one-time codes: never typed by an agent, whatever the markup says. */
const SECRET_NAME = /(card|cc-?(num|number|csc|exp|name)|cvc|cvv|csc|iban|pin\b|ssn|password|passcode|otp|secret)/i;
const TEXT_TYPES = new Set(['', 'text', 'search', 'tel', 'url', 'email', 'number', 'date', 'time', 'datetime-local', 'month', 'week']);

export const REFUSED = {
  widget: 'The chat widget is not controlled remotely.',
  hidden: 'That part of the page is private; the agent cannot act on it.',
  secret: 'Passwords and payment fields are never filled in remotely.',
  closed: 'That field is not open to the agent; only the customer can fill it in.',
  locked: 'That field cannot be changed.',
  kind: 'That input does not fit this element.',
  missing: 'That element is no longer on the page.',
} as const;

export function isField(t: Pick<TargetInfo, 'tag'>): boolean {
  return FIELD_TAGS.has(t.tag);
}

/** A sensitive field stays closed even with `data-cobrowse="allow"`. */
export function isSecretField(t: TargetInfo): boolean {
  if (!isField(t)) return false;
  if (t.type === 'password' || t.type === 'hidden') return true;
  if (/^cc-/.test(t.autocomplete) || /(one-time-code|current-password|new-password)/.test(t.autocomplete)) return true;
  return SECRET_NAME.test(t.name) || SECRET_NAME.test(t.id);
}

/** Whether the agent may type into / pick a value of this field (also decides unmasking in the recording). */
export function isOpenField(t: TargetInfo): boolean {
  return isField(t) && t.opened && !t.hidden && !t.inWidget && !isSecretField(t);
}

/** Why the page refuses this input on this target, or null when it may act. */
export function controlRefusal(t: TargetInfo | null, input: ControlInput['type']): string | null {
  if (!t) return REFUSED.missing;
  if (t.inWidget) return REFUSED.widget;
  if (t.hidden) return REFUSED.hidden;
  if (input === 'scroll') return null;
  if (isField(t)) {
    if (isSecretField(t)) return REFUSED.secret;
    if (!t.opened) return REFUSED.closed;
    if (t.locked && input !== 'click') return REFUSED.locked;
  }
  switch (input) {
    case 'click':
      return null;
    case 'text':
      return t.tag === 'textarea' || (t.tag === 'input' && TEXT_TYPES.has(t.type)) ? null : REFUSED.kind;
    case 'select':
      return t.tag === 'select' ? null : REFUSED.kind;
    case 'key':
      // Enter on a button or link presses it; on a field it submits the form.
      return null;
  }
}

/** Reads what the rules need from a real element. `hiddenSelector` lists the private and masked areas. */
export function describeTarget(el: Element, hiddenSelector: string): TargetInfo {
  const attr = (n: string) => (el.getAttribute(n) ?? '').trim().toLowerCase();
  const marker = el.closest('[data-cobrowse]');
  let hidden = false;
  try {
    hidden = el.closest(hiddenSelector) !== null;
  } catch {
    hidden = true; // a selector the browser cannot read: be safe
  }
  const tag = el.tagName.toLowerCase();
  return {
    tag,
    type: tag === 'input' ? attr('type') : '',
    autocomplete: attr('autocomplete'),
    name: attr('name'),
    id: attr('id'),
    hidden,
    inWidget: el.closest('engage-widget') !== null,
    opened: marker?.getAttribute('data-cobrowse') === 'allow',
    locked: el.hasAttribute('disabled') || el.hasAttribute('readonly'),
  };
}
