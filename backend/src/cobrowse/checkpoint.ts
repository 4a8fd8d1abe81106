import type { RecordedEvent } from '@engage/protocol';
import { CHECKPOINT_HARD_BYTES, CHECKPOINT_HARD_EVENTS, CHECKPOINT_SOFT_BYTES, CHECKPOINT_SOFT_EVENTS } from './cobrowse-limits';

/** rrweb's EventType values the checkpoint cares about. */
export const RRWEB_META = 4;
export const RRWEB_FULL_SNAPSHOT = 2;

/**
 * The events a late viewer needs to rebuild the page as it is now: the last Meta, the last
 * FullSnapshot after it, and every event since. A Meta starts over; a FullSnapshot resets to
 * [meta, full]; anything else appends.
 */
export class Checkpoint {
  #events: RecordedEvent[] = [];
  #bytes = 0;
  #meta: { event: RecordedEvent; bytes: number } | null = null;
  #hasFull = false;

  /** Adds one event whose JSON size is `bytes`. */
  add(event: RecordedEvent, bytes: number): void {
    if (event.type === RRWEB_META) {
      this.#meta = { event, bytes };
      this.#events = [event];
      this.#bytes = bytes;
      this.#hasFull = false;
      return;
    }
    if (event.type === RRWEB_FULL_SNAPSHOT) {
      this.#events = this.#meta ? [this.#meta.event, event] : [event];
      this.#bytes = (this.#meta?.bytes ?? 0) + bytes;
      this.#hasFull = true;
      return;
    }
    this.#events.push(event);
    this.#bytes += bytes;
    if (this.#events.length > CHECKPOINT_HARD_EVENTS || this.#bytes > CHECKPOINT_HARD_BYTES) this.clear();
  }

  /** True when it is time for a fresh full snapshot (the checkpoint got long). */
  get overgrown(): boolean {
    return this.#events.length > CHECKPOINT_SOFT_EVENTS || this.#bytes > CHECKPOINT_SOFT_BYTES;
  }

  /** True when a viewer can rebuild the page from it. */
  get hasFullSnapshot(): boolean {
    return this.#hasFull;
  }

  get size(): { events: number; bytes: number } {
    return { events: this.#events.length, bytes: this.#bytes };
  }

  /** A copy, safe to hand out while recording continues. */
  snapshot(): RecordedEvent[] {
    return this.#events.slice();
  }

  clear(): void {
    this.#events = [];
    this.#bytes = 0;
    this.#meta = null;
    this.#hasFull = false;
  }
}
