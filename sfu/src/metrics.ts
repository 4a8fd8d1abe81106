import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RoomRegistry } from './media/room-registry';
import type { WorkerPool } from './media/worker-pool';

/** Prometheus metrics of the SFU, read from the live objects at each scrape. */
export function createMetrics(pool: WorkerPool, rooms: RoomRegistry): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sfu_' });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('sfu_workers', 'mediasoup workers running', () => pool.size);
  gauge('sfu_workers_wanted', 'mediasoup workers the SFU keeps running', () => pool.wanted);
  const deaths = new Counter({ name: 'sfu_worker_deaths_total', help: 'mediasoup workers that died (each is replaced)', registers: [registry] });
  pool.on('workerDied', () => deaths.inc());
  gauge('sfu_rooms', 'rooms (one router per engagement)', () => rooms.counts().rooms);
  gauge('sfu_peers', 'peers in all rooms', () => rooms.counts().peers);
  gauge('sfu_transports', 'WebRTC transports', () => rooms.counts().transports);
  gauge('sfu_producers', 'producers', () => rooms.counts().producers);
  gauge('sfu_consumers', 'consumers', () => rooms.counts().consumers);
  return registry;
}
