import type { RecordedEvent } from '@engage/protocol';
import { EVENT_FULL_SNAPSHOT, EVENT_META, createBatcher, endOfTask, type BatcherOptions } from './batcher';

const ev = (n: number, type = 3): RecordedEvent => ({ type, timestamp: n, data: { n } });

function setup(over: Partial<BatcherOptions> = {}) {
  const sent: RecordedEvent[][] = [];
  const acks: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  const failures: unknown[] = [];
  const timers: Array<{ fn: () => void; id: number } | null> = [];
  const batcher = createBatcher({
    send: (events) => {
      sent.push(events);
      return new Promise<void>((resolve, reject) => acks.push({ resolve, reject }));
    },
    onFailure: (e) => failures.push(e),
    maxBatch: 3,
    intervalMs: 16,
    maxQueued: 10,
    setTimer: (fn) => {
      timers.push({ fn, id: timers.length });
      return timers.length - 1;
    },
    clearTimer: (id) => {
      timers[id as number] = null;
    },
    ...over,
  });
  const tick = () => {
    const due = timers.splice(0).filter((t): t is { fn: () => void; id: number } => t !== null);
    // keep indexes stable for clearTimer after the splice
    for (let i = 0; i < due.length; i++) timers.push(null);
    for (const t of due) t.fn();
  };
  const ack = async (i = 0) => {
    acks.splice(i, 1)[0]?.resolve();
    await Promise.resolve();
    await Promise.resolve();
  };
  const nack = async (e: unknown) => {
    acks.shift()?.reject(e);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { batcher, sent, acks, failures, tick, ack, nack };
}

const ns = (batch: RecordedEvent[]) => batch.map((e) => e.timestamp);

describe('record batcher', () => {
  it('waits one interval, then sends what was recorded in order', () => {
    const t = setup();
    t.batcher.push(ev(1));
    t.batcher.push(ev(2));
    expect(t.sent).toHaveLength(0);
    t.tick();
    expect(t.sent.map(ns)).toEqual([[1, 2]]);
  });

  it('sends a full snapshot at once, with the Meta before it', () => {
    const t = setup();
    t.batcher.push(ev(1, EVENT_META));
    t.batcher.push(ev(2, EVENT_FULL_SNAPSHOT));
    expect(t.sent.map(ns)).toEqual([[1, 2]]);
  });

  it('keeps one request in flight and queues the rest, in order', async () => {
    const t = setup();
    t.batcher.push(ev(1));
    t.tick();
    t.batcher.push(ev(2));
    t.batcher.push(ev(3));
    t.tick();
    expect(t.sent).toHaveLength(1);
    await t.ack();
    expect(t.sent.map(ns)).toEqual([[1], [2, 3]]);
  });

  it('never sends more than the batch limit, and drains a backlog batch by batch', async () => {
    const t = setup();
    for (let i = 1; i <= 7; i++) t.batcher.push(ev(i));
    expect(t.sent.map(ns)).toEqual([[1, 2, 3]]);
    await t.ack();
    expect(t.sent.map(ns)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await t.ack();
    t.tick();
    expect(t.sent.map(ns)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(t.sent.every((b) => b.length <= 3)).toBe(true);
  });

  it('sends a full snapshot right after the request in flight, ahead of the timer', async () => {
    const t = setup();
    t.batcher.push(ev(1));
    t.tick();
    t.batcher.push(ev(2));
    t.batcher.push(ev(3, EVENT_FULL_SNAPSHOT));
    expect(t.sent).toHaveLength(1);
    await t.ack();
    expect(t.sent.map(ns)).toEqual([[1], [2, 3]]);
  });

  it('stops itself and reports when the server refuses a batch', async () => {
    const t = setup();
    t.batcher.push(ev(1, EVENT_FULL_SNAPSHOT));
    t.batcher.push(ev(2));
    await t.nack(Object.assign(new Error('not active'), { code: 'invalid_state' }));
    expect(t.failures).toHaveLength(1);
    expect(t.batcher.stopped).toBe(true);
    t.batcher.push(ev(3));
    t.tick();
    expect(t.sent).toHaveLength(1);
  });

  it('stops when the backlog grows past its limit', () => {
    const t = setup({ maxBatch: 100, maxQueued: 4 });
    t.batcher.push(ev(0, EVENT_FULL_SNAPSHOT));
    for (let i = 1; i <= 5; i++) t.batcher.push(ev(i));
    expect(t.failures).toHaveLength(1);
    expect(t.batcher.stopped).toBe(true);
  });

  it('drops what is queued on stop and ignores a late acknowledgement', async () => {
    const t = setup();
    t.batcher.push(ev(1, EVENT_FULL_SNAPSHOT));
    t.batcher.push(ev(2));
    t.batcher.stop();
    await t.ack();
    t.tick();
    expect(t.sent.map(ns)).toEqual([[1]]);
    expect(t.failures).toHaveLength(0);
  });

  it('treats a send that throws like a refusal', async () => {
    const failures: unknown[] = [];
    const b = createBatcher({
      send: () => {
        throw new Error('boom');
      },
      onFailure: (e) => failures.push(e),
      maxBatch: 3,
      intervalMs: 16,
      maxQueued: 10,
    });
    b.push(ev(1, EVENT_FULL_SNAPSHOT));
    await Promise.resolve();
    await Promise.resolve();
    expect(failures).toHaveLength(1);
  });
});

describe('record batcher at the end of each task (how the recorder runs it)', () => {
  function live(maxInFlight?: number) {
    const sent: number[][] = [];
    const acks: Array<() => void> = [];
    const batcher = createBatcher({
      send: (events) => {
        sent.push(events.map((e) => e.timestamp));
        return new Promise<void>((r) => acks.push(r));
      },
      onFailure: () => undefined,
      maxBatch: 100,
      intervalMs: 0,
      setTimer: endOfTask.set,
      clearTimer: endOfTask.clear,
      maxQueued: 1000,
      ...(maxInFlight === undefined ? {} : { maxInFlight }),
    });
    return { batcher, sent, acks };
  }

  it('sends what one task recorded together, as soon as the task ends (no waiting window)', async () => {
    const t = live();
    t.batcher.push(ev(1));
    t.batcher.push(ev(2));
    expect(t.sent).toEqual([]);
    await Promise.resolve();
    expect(t.sent).toEqual([[1, 2]]);
  });

  it('gathers what comes while a batch is in flight and sends it when the ack comes', async () => {
    const t = live();
    t.batcher.push(ev(1));
    await Promise.resolve();
    t.batcher.push(ev(2));
    await Promise.resolve();
    t.batcher.push(ev(3));
    await Promise.resolve();
    expect(t.sent).toEqual([[1]]);
    t.acks.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.sent).toEqual([[1], [2, 3]]);
  });

  it('with maxInFlight, a batch does not wait for the ack of the one before; past the limit it does', async () => {
    const { batcher, sent, acks } = live(2);
    for (const n of [1, 2, 3, 4]) {
      batcher.push(ev(n));
      await Promise.resolve();
    }
    expect(sent).toEqual([[1], [2]]);
    acks.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([[1], [2], [3, 4]]);
  });

  it('stop() cancels a batch waiting for the end of the task', async () => {
    const t = live();
    t.batcher.push(ev(1));
    t.batcher.stop();
    await Promise.resolve();
    expect(t.sent).toEqual([]);
  });
});
