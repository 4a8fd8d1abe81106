import { EventEmitter } from 'node:events';
import { InvalidStateError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { SfuNotification } from '@engage/protocol';
import { Room, type TransportSettings } from './room';
import type { WorkerPool } from './worker-pool';

export interface RoomRegistryEvents {
  /** Everything the backend should hear about (GET /events). */
  notification: [SfuNotification];
}

/** The rooms of the SFU, one per engagement, placed on the least-loaded worker. */
export class RoomRegistry extends EventEmitter<RoomRegistryEvents> {
  readonly #rooms = new Map<string, Room>();
  readonly #pending = new Map<string, Promise<Room>>();
  readonly #log: Logger;
  #closed = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly transport: TransportSettings,
    logger: Logger,
  ) {
    super();
    this.#log = logger.child({ component: 'rooms' });
    pool.on('workerDied', this.#onWorkerDied);
  }

  /** Rooms that closed because their worker died, by worker pid, until the pool reports the death. */
  readonly #lostByPid = new Map<number, string[]>();

  readonly #onWorkerDied = ({ pid }: { pid: number }): void => {
    // mediasoup closes the worker's routers before it reports the death; collect both ways.
    const lost = this.#lostByPid.get(pid) ?? [];
    this.#lostByPid.delete(pid);
    const live = this.rooms()
      .filter((r) => r.workerPid === pid)
      .map((r) => r.engagementId);
    this.emit('notification', { type: 'worker/died', pid, engagementIds: [...new Set([...lost, ...live])] });
  };

  get size(): number {
    return this.#rooms.size;
  }

  rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  get(engagementId: string): Room | undefined {
    return this.#rooms.get(engagementId);
  }

  assert(engagementId: string): Room {
    const room = this.#rooms.get(engagementId);
    if (!room) throw new NotFoundError(`no room for engagement ${engagementId}`);
    return room;
  }

  /** Get-or-create, serialized per engagement id so two concurrent joins never make two rooms. */
  async getOrCreate(engagementId: string): Promise<Room> {
    if (this.#closed) throw new InvalidStateError('the SFU is shutting down');
    const existing = this.#rooms.get(engagementId);
    if (existing) return existing;
    const pending = this.#pending.get(engagementId);
    if (pending) return pending;
    const creating = (async () => {
      try {
        const room = await this.#createRoom(engagementId);
        if (this.#closed) {
          room.close('shutdown');
          throw new InvalidStateError('the SFU is shutting down');
        }
        this.#rooms.set(engagementId, room);
        room.on('notification', (n) => this.emit('notification', n));
        room.once('closed', (reason) => {
          if (this.#rooms.get(engagementId) === room) this.#rooms.delete(engagementId);
          if (reason === 'worker-died') this.#lostByPid.set(room.workerPid, [...(this.#lostByPid.get(room.workerPid) ?? []), engagementId]);
          this.emit('notification', { type: 'room/closed', engagementId, reason });
        });
        return room;
      } finally {
        this.#pending.delete(engagementId);
      }
    })();
    this.#pending.set(engagementId, creating);
    return creating;
  }

  /**
   * A room on a live worker. A worker can die between pick() and createRouter() (its death is
   * only noticed when its process exits): then the room goes to the next live worker, or to the
   * replacement, which pickLive() waits for.
   */
  async #createRoom(engagementId: string): Promise<Room> {
    for (let attempt = 1; ; attempt++) {
      const worker = await this.pool.pickLive();
      try {
        return await Room.create({ engagementId, worker, transport: this.transport, logger: this.#log, admit: (kind) => this.pool.admitConsumer(worker, kind) });
      } catch (err) {
        if (!worker.closed || attempt >= 3) throw err;
        this.#log.warn({ engagementId, pid: worker.pid, err }, 'the worker died while the room was created; trying another');
      }
    }
  }

  /** Closes every room (reason 'shutdown'); later getOrCreate() calls fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pool.off('workerDied', this.#onWorkerDied);
    for (const room of this.#rooms.values()) room.close('shutdown');
    this.#rooms.clear();
  }

  /** Totals for health and metrics. */
  counts(): { rooms: number; peers: number; transports: number; producers: number; consumers: number } {
    let peers = 0;
    let transports = 0;
    let producers = 0;
    let consumers = 0;
    for (const room of this.#rooms.values()) {
      for (const peer of room.peers()) {
        peers++;
        transports += peer.transportCount;
        producers += peer.producerCount;
        consumers += peer.consumerCount;
      }
    }
    return { rooms: this.#rooms.size, peers, transports, producers, consumers };
  }
}
