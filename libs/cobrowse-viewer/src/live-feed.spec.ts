import type { RecordedEvent } from '@engage/protocol';
import { catchUp, LiveFeed, RRWEB_FULL_SNAPSHOT, RRWEB_META } from './live-feed';

const ev = (type: number, timestamp: number): RecordedEvent => ({ type, timestamp, data: {} });
const META = (t: number) => ev(RRWEB_META, t);
const FULL = (t: number) => ev(RRWEB_FULL_SNAPSHOT, t);
const INC = (t: number) => ev(3, t);
const never = () => {
  throw new Error('the clock is not read before the replay starts');
};

describe('LiveFeed (when events play)', () => {
  it('starts at the checkpoint’s last event, so the whole checkpoint applies at once', () => {
    const feed = new LiveFeed();
    const step = feed.checkpoint([META(1000), FULL(1001), INC(1500), INC(4000)], never);
    expect(step.startAt).toBe(4000);
    expect(step.advanceBy).toBe(0);
    expect(step.events.map((e) => e.timestamp)).toEqual([1000, 1001, 1500, 4000]);
    expect(feed.startedAt).toBe(4000);
  });

  it('without a checkpoint, starts at the first live event (no buffer)', () => {
    const feed = new LiveFeed();
    expect(feed.checkpoint([], never)).toEqual({ startAt: null, advanceBy: 0, events: [] });
    const step = feed.live([META(2000), FULL(2001), INC(2050)], never);
    expect(step.startAt).toBe(2000);
    expect(step.events).toHaveLength(3);
  });

  it('ignores changes that come before any page', () => {
    const feed = new LiveFeed();
    expect(feed.live([INC(10), INC(20)], never).events).toEqual([]);
    expect(feed.startedAt).toBeNull();
    const step = feed.live([INC(30), META(40), FULL(41)], never);
    expect(step.startAt).toBe(40);
    expect(step.events.map((e) => e.type)).toEqual([RRWEB_META, RRWEB_FULL_SNAPSHOT]);
  });

  it('pulls a clock that fell behind forward to the newest event of an arrival', () => {
    const feed = new LiveFeed();
    feed.checkpoint([META(1000), FULL(1000)], never);
    // The page sat idle for a minute after the checkpoint was taken: the clock (started at 1000,
    // 50 ms of wall time ago) is far behind the customer's clock.
    const step = feed.live([INC(61_000), INC(61_400)], () => 1050);
    expect(step.startAt).toBeNull();
    expect(step.advanceBy).toBe(61_400 - 1050);
  });

  it('makes a whole batch due at once: no event waits out the time the recorder gathered it', () => {
    const feed = new LiveFeed();
    feed.live([META(5000), FULL(5001)], never);
    // A batch of 16 ms of changes arrives while the clock is at 5100: all of it is due now.
    const step = feed.live([INC(5110), INC(5118), INC(5126)], () => 5100);
    expect(5100 + step.advanceBy).toBeGreaterThanOrEqual(Math.max(...step.events.map((e) => e.timestamp)));
  });

  it('never moves the clock back: late events just apply at once', () => {
    const feed = new LiveFeed();
    feed.live([META(5000), FULL(5001)], never);
    expect(feed.live([INC(5100)], () => 5300).advanceBy).toBe(0);
  });

  it('a re-watch (after a reconnect) catches up to the new checkpoint’s end', () => {
    const feed = new LiveFeed();
    feed.checkpoint([META(1000), FULL(1000)], never);
    const step = feed.checkpoint([META(9000), FULL(9000), INC(9500)], () => 2000);
    expect(step.startAt).toBeNull();
    expect(step.advanceBy).toBe(7500);
  });

  it('starts over after reset (the replay was thrown away)', () => {
    const feed = new LiveFeed();
    feed.live([META(1), FULL(2)], never);
    feed.reset();
    expect(feed.startedAt).toBeNull();
    expect(feed.live([META(100), FULL(101)], never).startAt).toBe(100);
  });
});

describe('catchUp', () => {
  it('is how far the clock trails the event, never negative', () => {
    expect(catchUp(100, 250)).toBe(150);
    expect(catchUp(300, 250)).toBe(0);
    expect(catchUp(-Infinity, 250)).toBe(0);
  });
});
