// Contexts created ahead of demand, so a new session skips context, proxy and page creation.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { IsolatedContext } from './isolated-context';

/** Longest the pool waits, after a take, for the taker to say its start is over before it fills up again. */
export const REFILL_DEFER_MAX_MS = 2_000;

interface WarmPoolEvents {
  /** The pool is closed and its idle contexts are closed too. */
  closed: [];
}

export class WarmPool extends EventEmitter<WarmPoolEvents> {
  readonly #idle: IsolatedContext[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #filling = 0;
  #closed = false;

  private constructor(
    private readonly size: number,
    private readonly make: () => Promise<IsolatedContext>,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Resolves once the pool holds `size` contexts (or at once when size is 0). */
  static async create(opts: { size: number; make: () => Promise<IsolatedContext>; log: Logger }): Promise<WarmPool> {
    const pool = new WarmPool(opts.size, opts.make, opts.log);
    await pool.#refill();
    return pool;
  }

  get idle(): number {
    return this.#idle.length;
  }

  /**
   * A ready context: a warm one if there is one, else a fresh one. The pool fills up again once
   * `refillAfter` settles, at the latest REFILL_DEFER_MAX_MS after the take: making a context (egress
   * proxy, browser context, page, renderer) keeps Chromium and a core busy, and done at once it slows
   * the start of the very session that took one (measured: its first page frame ~175 ms later at p50).
   */
  async take(opts: { refillAfter?: Promise<unknown> } = {}): Promise<IsolatedContext> {
    if (this.#closed) throw new Error('pool is closed');
    const warm = this.#idle.shift();
    this.#refillAfter(opts.refillAfter);
    return warm ?? this.make();
  }

  #refillAfter(signal: Promise<unknown> | undefined): void {
    if (!signal) {
      void this.#refill();
      return;
    }
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.#timers.delete(timer);
      if (!this.#closed) void this.#refill();
    };
    const timer = setTimeout(go, REFILL_DEFER_MAX_MS);
    timer.unref?.();
    this.#timers.add(timer);
    signal.then(go, go);
  }

  async #refill(): Promise<void> {
    const wanted = this.size - this.#idle.length - this.#filling;
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < wanted; i++) {
      this.#filling++;
      jobs.push(
        this.make()
          .then(async (ic) => {
            if (this.#closed) await ic.close();
            else this.#idle.push(ic);
          })
          .catch((err: Error) => this.log.error({ event: 'pool/refill', err: err.message }, 'could not pre-create a context'))
          .finally(() => this.#filling--),
      );
    }
    await Promise.all(jobs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.forEach((t) => clearTimeout(t));
    this.#timers.clear();
    await Promise.all(this.#idle.splice(0).map((ic) => ic.close()));
    this.emit('closed');
  }
}
