import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Database } from './database';
import { EmbeddedDatabase } from './embedded-database';

jest.setTimeout(60_000);
const log = pino({ level: 'silent' });
const randomPort = () => 20000 + Math.floor(Math.random() * 20000);

describe('EmbeddedDatabase lifecycle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engage-pg-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises once, keeps data across restarts, closes idempotently and emits closed once', async () => {
    const dataDir = path.join(dir, 'pg');
    const port = randomPort();
    const first = await EmbeddedDatabase.create({ dataDir, port, database: 'engage', log });
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    const { Client } = await import('pg');
    const c = new Client({ connectionString: first.url });
    await c.connect();
    await c.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    await c.end();
    const closed = jest.fn();
    first.on('closed', closed);
    const a = first.close();
    expect(first.close()).toBe(a);
    await a;
    await first.close();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(closed).toHaveBeenCalledWith({ unexpected: false });
    expect(first.closed).toBe(true);

    const second = await EmbeddedDatabase.create({ dataDir, port, database: 'engage', log });
    const c2 = new Client({ connectionString: second.url });
    await c2.connect();
    expect((await c2.query('SELECT v FROM kept')).rows).toEqual([{ v: 42 }]);
    await c2.end();
    await second.close();
  });
});

describe('Database lifecycle', () => {
  it('migrates on create, closes DataSource then server once, emits closed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'engage-db-'));
    try {
      const db = await Database.create({ databaseUrl: undefined, dataDir: dir, pgPort: randomPort(), log });
      const tables: Array<{ table_name: string }> = await db.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['chat_messages', 'engagement_events', 'engagements', 'migrations', 'users']));
      const closed = jest.fn();
      db.on('closed', closed);
      await Promise.all([db.close(), db.close()]);
      await db.close();
      expect(closed).toHaveBeenCalledTimes(1);
      expect(db.dataSource.isInitialized).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
