import type { ControlInput } from '@engage/protocol';
import { REFUSED, controlRefusal, describeTarget } from '../cobrowse/control-rules';

/** rrweb's id → node map of the current recording (record.mirror). */
export interface NodeLookup {
  getNode(id: number): Node | null;
}

/**
 * Carries out one of the agent's inputs on the customer's real page, after the refusal rules.
 * Returns null when done, or the sentence saying why it was refused.
 */
export function applyControlInput(input: ControlInput, mirror: NodeLookup, hiddenSelector: string): string | null {
  if (input.type === 'scroll' && input.nodeId === null) {
    window.scrollTo({ left: input.x, top: input.y, behavior: 'auto' });
    return null;
  }
  const node = input.nodeId === null ? null : mirror.getNode(input.nodeId);
  const el = node instanceof Element ? node : (node?.parentElement ?? null);
  if (!el || !el.isConnected) return REFUSED.missing;
  const why = controlRefusal(describeTarget(el, hiddenSelector), input.type);
  if (why) return why;
  switch (input.type) {
    case 'click':
      if (el instanceof HTMLElement) {
        el.focus({ preventScroll: true });
        el.click();
      }
      return null;
    case 'text':
      setValue(el, input.value);
      return null;
    case 'select':
      if (!(el instanceof HTMLSelectElement) || !Array.from(el.options).some((o) => o.value === input.value)) return REFUSED.kind;
      setValue(el, input.value);
      return null;
    case 'key':
      press(el, input.key);
      return null;
    case 'scroll':
      el.scrollTo({ left: input.x, top: input.y, behavior: 'auto' });
      return null;
  }
}

/** Sets a value the way a person's typing would: through the native setter (so frameworks notice), then input + change. */
function setValue(el: Element, value: string): void {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (!setter) return;
  setter.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

function press(el: Element, key: 'Enter' | 'Escape' | 'Tab'): void {
  if (!(el instanceof HTMLElement)) return;
  const init = { key, bubbles: true, cancelable: true };
  const proceed = el.dispatchEvent(new KeyboardEvent('keydown', init));
  el.dispatchEvent(new KeyboardEvent('keyup', init));
  if (!proceed) return;
  if (key === 'Escape') return el.blur();
  if (key !== 'Enter') return;
  if (el instanceof HTMLInputElement && el.form) el.form.requestSubmit();
  else if (el instanceof HTMLButtonElement || el instanceof HTMLAnchorElement) el.click();
}
