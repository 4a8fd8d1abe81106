import type { SfuConfig } from './config/sfu-config';
import { ControlServer } from './http/control-server';
import type { Logger } from './logger';
import { RoomRegistry } from './media/room-registry';
import { WorkerPool } from './media/worker-pool';
import { createMetrics } from './metrics';

/** The running SFU: workers, rooms and the control API, started in dependency order. */
export class Sfu {
  #stopping: Promise<void> | undefined;

  private constructor(
    readonly pool: WorkerPool,
    readonly rooms: RoomRegistry,
    readonly server: ControlServer,
    private readonly log: Logger,
  ) {}

  static async start(config: SfuConfig, log: Logger): Promise<Sfu> {
    log.info({ workers: config.workers }, 'starting mediasoup workers');
    const pool = await WorkerPool.create({
      count: config.workers,
      rtcMinPort: config.rtcMinPort,
      rtcMaxPort: config.rtcMaxPort,
      maxConsumersPerWorker: config.maxConsumersPerWorker,
      logger: log,
    });
    const rooms = new RoomRegistry(pool, { listenIp: config.rtcListenIp, announcedAddress: config.rtcAnnouncedAddress }, log);
    try {
      log.info({ host: config.host, port: config.port }, 'starting the control API');
      const server = await ControlServer.create({
        host: config.host,
        port: config.port,
        secret: config.secret,
        pool,
        rooms,
        metrics: createMetrics(pool, rooms),
        logger: log,
      });
      return new Sfu(pool, rooms, server, log);
    } catch (err) {
      rooms.close();
      pool.close();
      throw err;
    }
  }

  /** Stops in reverse order: control API (no new orders), rooms, workers. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.log.info('stopping: control API');
      await this.server.close();
      this.log.info({ rooms: this.rooms.size }, 'stopping: rooms');
      this.rooms.close();
      this.log.info('stopping: workers');
      this.pool.close();
      this.log.info('stopped');
    })();
    return this.#stopping;
  }
}
