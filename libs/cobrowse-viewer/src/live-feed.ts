import type { RecordedEvent } from '@engage/protocol';

/** rrweb's EventType values this module cares about. */
export const RRWEB_META = 4;
export const RRWEB_FULL_SNAPSHOT = 2;

/** What the viewer does with one arrival of events. */
export interface FeedStep {
  /** Start the replayer's live clock at this customer-clock time (only on the first step that has a page). */
  startAt: number | null;
  /** Move the running live clock forward by this many ms before adding (0 when it is not behind). */
  advanceBy: number;
  /** The events to add, in order. */
  events: RecordedEvent[];
}

const NOTHING: FeedStep = { startAt: null, advanceBy: 0, events: [] };

/**
 * Decides when events play, with no fixed buffer. The replay clock runs on the customer's clock:
 * it starts at the timestamp of the first event the viewer has (the checkpoint's last event, so the
 * whole checkpoint applies at once, or else the first live event), and every later arrival pulls the
 * clock forward to its newest event if the clock is behind. So a whole arrival is due the moment it
 * lands: the agent sees the customer's latest state (and pointer) without waiting out the time the
 * recorder spent gathering the batch. The clock never moves back: late events apply at once.
 *
 * Pure: the caller reads its replayer's clock and passes it in, which keeps this testable without a DOM.
 */
export class LiveFeed {
  #startedAt: number | null = null;

  /** Customer-clock time the replay started at, or null before the first page arrived. */
  get startedAt(): number | null {
    return this.#startedAt;
  }

  /** A watch answered: its checkpoint is the page as it is now. */
  checkpoint(events: RecordedEvent[], clockNow: () => number): FeedStep {
    return this.#accept(events, 'last', clockNow);
  }

  /** Events relayed live. */
  live(events: RecordedEvent[], clockNow: () => number): FeedStep {
    return this.#accept(events, 'first', clockNow);
  }

  /** Back to waiting for a page (after the replayer was thrown away). */
  reset(): void {
    this.#startedAt = null;
  }

  /** `startAnchor`: which event a first page starts the clock at; later arrivals always catch up to their newest. */
  #accept(events: RecordedEvent[], startAnchor: 'first' | 'last', clockNow: () => number): FeedStep {
    if (this.#startedAt === null) {
      // Incremental events mean nothing without the page they change: wait for a Meta (a page).
      const from = events.findIndex((e) => e.type === RRWEB_META);
      if (from < 0) return NOTHING;
      const usable = events.slice(from);
      const startAt = startAnchor === 'last' ? maxTimestamp(usable) : minTimestamp(usable);
      this.#startedAt = startAt;
      return { startAt, advanceBy: 0, events: usable };
    }
    if (events.length === 0) return NOTHING;
    return { startAt: null, advanceBy: catchUp(clockNow(), maxTimestamp(events)), events };
  }
}

/** How far a live clock at `clock` must move forward so an event stamped `timestamp` is due now. */
export function catchUp(clock: number, timestamp: number): number {
  return Number.isFinite(clock) && Number.isFinite(timestamp) && timestamp > clock ? timestamp - clock : 0;
}

function minTimestamp(events: RecordedEvent[]): number {
  let t = Infinity;
  for (const e of events) if (e.timestamp < t) t = e.timestamp;
  return t;
}

function maxTimestamp(events: RecordedEvent[]): number {
  let t = -Infinity;
  for (const e of events) if (e.timestamp > t) t = e.timestamp;
  return t;
}
