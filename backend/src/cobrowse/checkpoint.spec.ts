import { Checkpoint, RRWEB_FULL_SNAPSHOT, RRWEB_META } from './checkpoint';
import { CHECKPOINT_HARD_EVENTS, CHECKPOINT_SOFT_BYTES, CHECKPOINT_SOFT_EVENTS } from './cobrowse-limits';

const ev = (type: number, n = 0) => ({ type, timestamp: n, data: { n } });

describe('Checkpoint', () => {
  it('a Meta starts over, a FullSnapshot after it makes [meta, full], others append', () => {
    const c = new Checkpoint();
    c.add(ev(3, 1), 10);
    c.add(ev(RRWEB_META, 2), 10);
    expect(c.snapshot()).toEqual([ev(RRWEB_META, 2)]);
    expect(c.hasFullSnapshot).toBe(false);
    c.add(ev(3, 3), 10);
    c.add(ev(RRWEB_FULL_SNAPSHOT, 4), 100);
    expect(c.snapshot()).toEqual([ev(RRWEB_META, 2), ev(RRWEB_FULL_SNAPSHOT, 4)]);
    expect(c.hasFullSnapshot).toBe(true);
    c.add(ev(3, 5), 10);
    c.add(ev(3, 6), 10);
    expect(c.snapshot().map((e) => e.timestamp)).toEqual([2, 4, 5, 6]);
    expect(c.size).toEqual({ events: 4, bytes: 130 });
    // A new full snapshot (rrweb sends meta + full) resets to the pair.
    c.add(ev(RRWEB_META, 7), 10);
    c.add(ev(RRWEB_FULL_SNAPSHOT, 8), 100);
    expect(c.snapshot().map((e) => e.timestamp)).toEqual([7, 8]);
    // A lone full snapshot keeps the last meta in front.
    c.add(ev(3, 9), 10);
    c.add(ev(RRWEB_FULL_SNAPSHOT, 10), 100);
    expect(c.snapshot().map((e) => e.timestamp)).toEqual([7, 10]);
  });

  it('hands out copies', () => {
    const c = new Checkpoint();
    c.add(ev(RRWEB_META), 1);
    const copy = c.snapshot();
    c.add(ev(3), 1);
    expect(copy).toHaveLength(1);
  });

  it('is overgrown past the event count or the byte size, and drops itself past the hard cap', () => {
    const c = new Checkpoint();
    c.add(ev(RRWEB_META), 10);
    c.add(ev(RRWEB_FULL_SNAPSHOT), 10);
    for (let i = 0; i < CHECKPOINT_SOFT_EVENTS - 2; i++) c.add(ev(3, i), 10);
    expect(c.overgrown).toBe(false);
    c.add(ev(3), 10);
    expect(c.overgrown).toBe(true);
    c.add(ev(RRWEB_META), 10);
    c.add(ev(RRWEB_FULL_SNAPSHOT), 10);
    expect(c.overgrown).toBe(false);
    c.add(ev(3), CHECKPOINT_SOFT_BYTES);
    expect(c.overgrown).toBe(true);
    const d = new Checkpoint();
    for (let i = 0; i <= CHECKPOINT_HARD_EVENTS; i++) d.add(ev(3, i), 1);
    expect(d.size.events).toBe(0);
    expect(d.hasFullSnapshot).toBe(false);
  });

  it('clear() forgets everything', () => {
    const c = new Checkpoint();
    c.add(ev(RRWEB_META), 1);
    c.add(ev(RRWEB_FULL_SNAPSHOT), 1);
    c.clear();
    expect(c.snapshot()).toEqual([]);
    expect(c.hasFullSnapshot).toBe(false);
    c.add(ev(RRWEB_FULL_SNAPSHOT), 1);
    expect(c.snapshot()).toHaveLength(1);
  });
});
