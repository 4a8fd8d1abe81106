import type { RecordedEvent } from '@engage/protocol';

/** rrweb: IncrementalSnapshot, and the sources whose data is a list of pointer positions. */
const INCREMENTAL = 3;
const POSITION_SOURCES = new Set([1 /* MouseMove */, 6 /* TouchMove */, 12 /* Drag */]);

interface Positions {
  source: number;
  positions: Array<{ timeOffset: number }>;
}

function positionsOf(e: RecordedEvent): Positions | null {
  const d = e.data as Positions | null;
  return e.type === INCREMENTAL && d && POSITION_SOURCES.has(d.source) && Array.isArray(d.positions) ? d : null;
}

/**
 * Joins runs of adjacent pointer events of one source into one event (stamped with the last one's
 * time; each position keeps its own time through its offset), so a batch carries the event envelope
 * once instead of once per move. Nothing is dropped or reordered.
 */
export function coalescePointer(events: RecordedEvent[]): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  let run: { event: RecordedEvent; data: Positions } | null = null;
  for (const e of events) {
    const d = positionsOf(e);
    if (!d) {
      out.push(e);
      run = null;
      continue;
    }
    if (run && run.data.source === d.source) {
      const shift = run.event.timestamp - e.timestamp; // ≤ 0: the earlier positions move back in time
      const positions = run.data.positions.map((p) => ({ ...p, timeOffset: p.timeOffset + shift })).concat(d.positions);
      run.data = { ...d, positions };
      run.event = { type: e.type, timestamp: e.timestamp, data: run.data };
      out[out.length - 1] = run.event;
    } else {
      run = { event: e, data: d };
      out.push(e);
    }
  }
  return out;
}
