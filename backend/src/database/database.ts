import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { EmbeddedDatabase } from './embedded-database';

export interface DatabaseEvents {
  /** The DataSource is destroyed and the embedded server (if any) stopped. */
  closed: [];
}

/** The database of the backend: an external URL or an embedded server, plus the migrated DataSource. */
export class Database extends EventEmitter<DatabaseEvents> {
  #closing: Promise<void> | undefined;

  private constructor(
    readonly dataSource: DataSource,
    /** Connection string, for components that keep their own pool (the chat writer). */
    readonly url: string,
    private readonly embedded: EmbeddedDatabase | undefined,
    private readonly log: Logger,
  ) {
    super();
  }

  static async create(opts: { databaseUrl: string | undefined; dataDir: string; pgPort: number; log: Logger }): Promise<Database> {
    const { log } = opts;
    let embedded: EmbeddedDatabase | undefined;
    let url = opts.databaseUrl;
    if (!url) {
      embedded = await EmbeddedDatabase.create({ dataDir: path.join(opts.dataDir, 'pg'), port: opts.pgPort, database: 'engage', log: log.child({ part: 'embedded-pg' }) });
      url = embedded.url;
    }
    const dataSource = createDataSource(url);
    try {
      await dataSource.initialize();
    } catch (err) {
      await embedded?.close();
      throw err;
    }
    log.info({ migrations: dataSource.migrations.map((m) => m.name) }, 'database connected, migrations applied');
    return new Database(dataSource, url, embedded, log);
  }

  /** Destroys the DataSource, then stops the embedded server. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
      this.log.info('database connection closed');
      await this.embedded?.close();
      this.emit('closed');
    })();
    return this.#closing;
  }
}
