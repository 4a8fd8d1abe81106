// Contexts created ahead of demand, so a new session skips context, proxy and page creation.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { IsolatedContext } from './isolated-context';

interface WarmPoolEvents {
  /** The pool is closed and its idle contexts are closed too. */
  closed: [];
}

export class WarmPool extends EventEmitter<WarmPoolEvents> {
  readonly #idle: IsolatedContext[] = [];
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

  /** A ready context: a warm one if there is one (refilling behind it), else a fresh one. */
  async take(): Promise<IsolatedContext> {
    if (this.#closed) throw new Error('pool is closed');
    const warm = this.#idle.shift();
    void this.#refill();
    return warm ?? this.make();
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
    await Promise.all(this.#idle.splice(0).map((ic) => ic.close()));
    this.emit('closed');
  }
}
