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
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

export interface Batcher {
  push(event: RecordedEvent): void;
  stop(): void;
  readonly stopped: boolean;
}

/**
 * Orders rrweb events into acknowledged batches: one request in flight at a time, at most
 * `maxBatch` events each, ordinary events after `intervalMs`, a full snapshot at once (viewers
 * wait for it). Events keep the order they were recorded in across batches.
 */
export function createBatcher(o: BatcherOptions): Batcher {
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((id) => clearTimeout(id as ReturnType<typeof setTimeout>));
  let queue: RecordedEvent[] = [];
  let timer: unknown = null;
  let inFlight = false;
  let urgent = false;
  let stopped = false;

  function fail(error: unknown): void {
    if (stopped) return;
    stop();
    o.onFailure(error);
  }

  function flush(): void {
    if (stopped || inFlight || queue.length === 0) return;
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    const batch = queue.splice(0, o.maxBatch);
    if (!queue.some((e) => e.type === EVENT_FULL_SNAPSHOT)) urgent = false;
    inFlight = true;
    let sent: Promise<unknown>;
    try {
      sent = o.send(batch);
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent.then(
      () => {
        inFlight = false;
        if (stopped || queue.length === 0) return;
        // What arrived meanwhile has waited at least as long as a batch would; a full
        // snapshot or a backlog larger than one batch goes on at once too.
        if (urgent || timer === null || queue.length >= o.maxBatch) flush();
      },
      (e: unknown) => {
        inFlight = false;
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
