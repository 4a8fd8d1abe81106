import type { ControlInput } from '@engage/protocol';

/**
 * What the agent types into the field they last clicked, kept here per field (by rrweb node id):
 * each key changes the draft and the whole new value travels as one `text` input, so a lost or
 * reordered key never leaves the customer's field half-typed.
 */
export class FieldDrafts {
  readonly #drafts = new Map<number, string>();
  #focused: { nodeId: number; multiline: boolean } | null = null;

  /** The agent clicked a field: its draft starts from what the replay shows (masked values start empty). */
  focus(nodeId: number, current: string, multiline: boolean): void {
    if (!this.#drafts.has(nodeId)) this.#drafts.set(nodeId, /^\*+$/.test(current) ? '' : current);
    this.#focused = { nodeId, multiline };
  }

  blur(): void {
    this.#focused = null;
  }

  get focused(): number | null {
    return this.#focused?.nodeId ?? null;
  }

  /** One key of the agent; returns the input to send, or null when the key means nothing here. */
  key(key: string, mods: { ctrl: boolean; meta: boolean; alt: boolean }): ControlInput | null {
    const f = this.#focused;
    if (!f || mods.ctrl || mods.meta) return null;
    if (key === 'Escape' || key === 'Tab') return { type: 'key', nodeId: f.nodeId, key };
    if (key === 'Enter' && !f.multiline) return { type: 'key', nodeId: f.nodeId, key: 'Enter' };
    const before = this.#drafts.get(f.nodeId) ?? '';
    let after = before;
    if (key === 'Enter') after = `${before}\n`;
    else if (key === 'Backspace') after = before.slice(0, -1);
    else if ([...key].length === 1) after = before + key;
    else return null;
    if (after === before) return null;
    this.#drafts.set(f.nodeId, after);
    return { type: 'text', nodeId: f.nodeId, value: after };
  }

  clear(): void {
    this.#drafts.clear();
    this.#focused = null;
  }
}
