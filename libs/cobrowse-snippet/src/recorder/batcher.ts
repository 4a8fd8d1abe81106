import type { RecordedEvent } from '@engage/protocol';

/** rrweb's EventType numbers the batcher cares about. */
export const EVENT_META = 4;
export const EVENT_FULL_SNAPSHOT = 2;

export interface BatcherOptions {
  send(events: RecordedEvent[]): Promise<unknown>;
  /** A send failed or the backlog overflowed; the batcher has stopped itself. */
  onFailure(error: unknown): void;
  /** Most events per request (LIMITS.cobrowseEventsPerBatch). */
  maxBatch: number;
  /** Quiet time before an ordinary batch goes out, in ms. */
  intervalMs: number;
  /** Queued events at most while the server is slow; beyond that recording stops. */
  maxQueued: number;
  /** Requests awaiting their acknowledgement at once (default 1). The server relays each batch in
   *  the order the socket delivered it, so more than one only saves the wait for an ack. */
  maxInFlight?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

export interface Batcher {
  push(event: RecordedEvent): void;
  stop(): void;
  readonly stopped: boolean;
}

/**
 * Orders rrweb events into acknowledged batches: `maxInFlight` requests in flight at most, at most
 * `maxBatch` events each, ordinary events after `intervalMs`, a full snapshot at once (viewers
 * wait for it). Events keep the order they were recorded in across batches.
 */
export function createBatcher(o: BatcherOptions): Batcher {
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((id) => clearTimeout(id as ReturnType<typeof setTimeout>));
  let queue: RecordedEvent[] = [];
  let timer: unknown = null;
  const maxInFlight = o.maxInFlight ?? 1;
  let inFlight = 0;
  let urgent = false;
  let stopped = false;

  function fail(error: unknown): void {
    if (stopped) return;
    stop();
    o.onFailure(error);
  }

  function flush(): void {
    if (stopped || inFlight >= maxInFlight || queue.length === 0) return;
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    const batch = queue.splice(0, o.maxBatch);
    if (!queue.some((e) => e.type === EVENT_FULL_SNAPSHOT)) urgent = false;
    inFlight++;
    let sent: Promise<unknown>;
    try {
      sent = o.send(batch);
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent.then(
      () => {
        inFlight--;
        if (stopped || queue.length === 0) return;
        // What arrived meanwhile has waited at least as long as a batch would; a full
        // snapshot or a backlog larger than one batch goes on at once too.
        if (urgent || timer === null || queue.length >= o.maxBatch) flush();
      },
      (e: unknown) => {
        inFlight--;
        fail(e);
      },
    );
  }

  function stop(): void {
    stopped = true;
    queue = [];
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  return {
    push(event) {
      if (stopped) return;
      queue.push(event);
      if (queue.length > o.maxQueued) return fail(new Error(`more than ${o.maxQueued} events waiting to be sent`));
      if (event.type === EVENT_FULL_SNAPSHOT) {
        urgent = true;
        return flush();
      }
      if (queue.length >= o.maxBatch) return flush();
      if (timer === null) {
        timer = setTimer(() => {
          timer = null;
          flush();
        }, o.intervalMs);
      }
    },
    stop,
    get stopped() {
      return stopped;
    },
  };
}

/** A batcher timer that fires once the current task's synchronous work is done (a microtask). */
export const endOfTask = {
  set(fn: () => void): unknown {
    const t = { on: true };
    queueMicrotask(() => t.on && fn());
    return t;
  },
  clear(t: unknown): void {
    (t as { on: boolean }).on = false;
  },
};
