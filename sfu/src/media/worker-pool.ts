import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { OverloadedError } from '../errors';
import type { Logger } from '../logger';

/** An audio consumer costs about a quarter of a ~1 Mbps video one (opus-sized packets at 50 pps). */
export const AUDIO_CONSUMER_WEIGHT = 0.25;

export interface WorkerPoolOptions {
  count: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger: Logger;
  /** Delay before a died worker is replaced (ms); doubles on each failed attempt up to 30 s. */
  respawnDelayMs?: number;
  /**
   * Load (video-consumer units) a worker carries before new consumers on it are refused; default
   * unlimited. Past what one core forwards, every call on the worker would degrade at once.
   */
  maxConsumersPerWorker?: number;
}

export interface WorkerPoolEvents {
  /** A worker died; every router on it is gone (its rooms close with reason 'worker-died'). */
  workerDied: [{ slot: number; pid: number; error: Error }];
  /** A replacement worker is running in the slot of one that died. */
  workerReplaced: [{ slot: number; pid: number }];
  /** The pool closed all its workers. */
  closed: [];
}

interface Slot {
  index: number;
  worker: types.Worker | undefined;
  /** Routers (rooms) on the current worker. */
  routers: number;
  /** Consumers on the current worker, weighted (video 1, audio AUDIO_CONSUMER_WEIGHT). */
  load: number;
  portRange: { min: number; max: number };
}

/**
 * One mediasoup worker per core, each with its own slice of the RTC port range. A worker that
 * dies is logged, announced ('workerDied', so rooms on it can be recreated) and replaced.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #slots: Slot[];
  readonly #log: Logger;
  readonly #respawnDelayMs: number;
  readonly #maxLoad: number;
  #closed = false;
  #deaths = 0;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#log = options.logger.child({ component: 'worker-pool' });
    this.#respawnDelayMs = options.respawnDelayMs ?? 500;
    this.#maxLoad = options.maxConsumersPerWorker ?? Number.POSITIVE_INFINITY;
    this.#slots = splitPortRange(options.rtcMinPort, options.rtcMaxPort, options.count).map((portRange, index) => ({
      index,
      worker: undefined,
      routers: 0,
      load: 0,
      portRange,
    }));
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (options.count < 1) throw new Error('a worker pool needs at least one worker');
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.#slots.map((slot) => pool.#spawn(slot)));
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Workers alive now. */
  get size(): number {
    return this.#slots.filter((s) => s.worker && !s.worker.closed).length;
  }

  get wanted(): number {
    return this.#slots.length;
  }

  get deaths(): number {
    return this.#deaths;
  }

  workers(): types.Worker[] {
    return this.#slots.flatMap((s) => (s.worker && !s.worker.closed ? [s.worker] : []));
  }

  /** The live worker with the least media load (then the fewest rooms), for a new room. */
  pick(): types.Worker {
    if (this.#closed) throw new Error('the worker pool is closed');
    const live = this.#slots.filter((s) => s.worker && !s.worker.closed);
    if (live.length === 0) throw new Error('no mediasoup worker is running');
    const slot = live.reduce((best, s) => (s.load < best.load || (s.load === best.load && s.routers < best.routers) ? s : best));
    return slot.worker as types.Worker;
  }

  /**
   * A live worker for a new room: at once when one runs (a died slot is skipped), else the first
   * replacement to start, waiting up to `timeoutMs` (a respawn takes well under a second).
   */
  async pickLive(timeoutMs = 3_000): Promise<types.Worker> {
    if (this.#closed) throw new Error('the worker pool is closed');
    if (this.size > 0) return this.pick();
    this.#log.warn({ timeoutMs }, 'no live mediasoup worker; waiting for a replacement');
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.off('workerReplaced', onReplaced);
        this.off('closed', onClosed);
        if (err) reject(err);
        else resolve();
      };
      const onReplaced = () => done();
      const onClosed = () => done(new Error('the worker pool is closed'));
      // A capacity problem, not a bug: 503 overloaded, which the backend passes on as "try again shortly".
      const timer = setTimeout(() => done(new OverloadedError(`no mediasoup worker is running (none started within ${timeoutMs} ms)`)), timeoutMs);
      this.on('workerReplaced', onReplaced);
      this.on('closed', onClosed);
    });
    return this.pick();
  }

  /** pids of the live workers, in slot order (GET /health: a test or an operator can find a room's worker). */
  pids(): number[] {
    return this.workers().map((w) => w.pid);
  }

  /** Weighted consumers on each live worker, by pid. */
  loads(): Array<{ pid: number; load: number; routers: number }> {
    return this.#slots.flatMap((s) => (s.worker && !s.worker.closed ? [{ pid: s.worker.pid, load: s.load, routers: s.routers }] : []));
  }

  /**
   * Refuses a new consumer of `kind` on `worker` when it would take the worker past its load
   * limit: the calls already on it keep their quality, the new one is told to try again later.
   */
  admitConsumer(worker: types.Worker, kind: types.MediaKind): void {
    const slot = this.#slots.find((s) => s.worker === worker);
    if (!slot) return;
    const weight = kind === 'audio' ? AUDIO_CONSUMER_WEIGHT : 1;
    if (slot.load + weight > this.#maxLoad) {
      this.#log.warn({ pid: worker.pid, load: slot.load, max: this.#maxLoad }, 'consumer refused: worker at capacity');
      throw new OverloadedError(`The media server is at capacity (worker ${worker.pid} carries ${slot.load} of ${this.#maxLoad} streams); try again shortly.`);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.worker?.close();
      slot.worker = undefined;
    }
    this.#log.info('worker pool closed');
    this.emit('closed');
  }

  async #spawn(slot: Slot): Promise<types.Worker> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: slot.portRange.min,
      rtcMaxPort: slot.portRange.max,
      disableLiburing: true,
    });
    if (this.#closed) {
      worker.close();
      throw new Error('the worker pool closed while a worker was starting');
    }
    slot.worker = worker;
    slot.routers = 0;
    slot.load = 0;
    worker.observer.on('newrouter', (router) => {
      slot.routers++;
      router.observer.once('close', () => {
        if (slot.worker === worker) slot.routers--;
      });
      router.observer.on('newtransport', (transport) => {
        transport.observer.on('newconsumer', (consumer) => {
          const weight = consumer.kind === 'audio' ? AUDIO_CONSUMER_WEIGHT : 1;
          slot.load += weight;
          consumer.observer.once('close', () => {
            if (slot.worker === worker) slot.load -= weight;
          });
        });
      });
    });
    worker.once('died', (error) => this.#onDied(slot, worker, error));
    this.#log.info({ slot: slot.index, pid: worker.pid, ports: slot.portRange }, 'mediasoup worker started');
    return worker;
  }

  #onDied(slot: Slot, worker: types.Worker, error: Error): void {
    if (slot.worker !== worker) return;
    this.#deaths++;
    slot.worker = undefined;
    slot.routers = 0;
    slot.load = 0;
    this.#log.error({ slot: slot.index, pid: worker.pid, err: error }, 'mediasoup worker died; replacing it');
    this.emit('workerDied', { slot: slot.index, pid: worker.pid, error });
    void this.#respawn(slot, this.#respawnDelayMs);
  }

  async #respawn(slot: Slot, delayMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    if (this.#closed) return;
    try {
      const worker = await this.#spawn(slot);
      this.emit('workerReplaced', { slot: slot.index, pid: worker.pid });
    } catch (err) {
      if (this.#closed) return;
      this.#log.error({ slot: slot.index, err }, 'could not start a replacement worker; retrying');
      void this.#respawn(slot, Math.min(delayMs * 2, 30_000));
    }
  }
}

/** Splits [min, max] into `count` contiguous slices so workers never compete for a port. */
export function splitPortRange(min: number, max: number, count: number): { min: number; max: number }[] {
  const total = max - min + 1;
  if (total < count) throw new Error(`the RTC port range ${min}-${max} has fewer ports than workers (${count})`);
  const size = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => ({ min: min + i * size, max: i === count - 1 ? max : min + (i + 1) * size - 1 }));
}
