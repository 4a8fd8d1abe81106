import type { RecordedEvent } from '@engage/protocol';
import { coalescePointer } from './coalesce';

const move = (t: number, x: number, source = 1): RecordedEvent => ({ type: 3, timestamp: t, data: { source, positions: [{ x, y: 5, id: 9, timeOffset: 0 }] } });
const text = (t: number): RecordedEvent => ({ type: 3, timestamp: t, data: { source: 0, texts: [{ id: 1, value: `v${t}` }], attributes: [], removes: [], adds: [] } });

/** Absolute time of every position, the way rrweb's Replayer schedules it (timestamp + timeOffset). */
const times = (events: RecordedEvent[]) =>
  events.flatMap((e) => ((e.data as { positions?: Array<{ x: number; timeOffset: number }> }).positions ?? []).map((p) => [p.x, e.timestamp + p.timeOffset]));

describe('coalescePointer', () => {
  it('joins adjacent pointer moves into one event; every position keeps its own time', () => {
    const events = [move(1000, 1), move(1012, 2), { ...move(1030, 3), data: { source: 1, positions: [{ x: 3, y: 5, id: 9, timeOffset: -4 }, { x: 4, y: 5, id: 9, timeOffset: 0 }] } }];
    const out = coalescePointer(events);
    expect(out).toHaveLength(1);
    expect(out[0].timestamp).toBe(1030);
    expect(times(out)).toEqual(times(events));
    expect(times(out)).toEqual([
      [1, 1000],
      [2, 1012],
      [3, 1026],
      [4, 1030],
    ]);
  });

  it('keeps the order around other events and never joins across them or across sources', () => {
    const events = [move(1, 1), move(2, 2), text(3), move(4, 4), move(5, 5, 6), move(6, 6, 6)];
    const out = coalescePointer(events);
    expect(out.map((e) => [(e.data as { source: number }).source, e.timestamp])).toEqual([
      [1, 2],
      [0, 3],
      [1, 4],
      [6, 6],
    ]);
    expect(times(out)).toEqual(times(events));
  });

  it('leaves the input untouched', () => {
    const events = [move(1, 1), move(2, 2)];
    const copy = JSON.parse(JSON.stringify(events));
    coalescePointer(events);
    expect(events).toEqual(copy);
  });
});
