import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Database } from './database';

/** For integration specs: a real embedded PostgreSQL in a temp folder on a random port, migrated. */
export async function startTestDatabase(): Promise<{ db: Database; url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'engage-test-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const log = pino({ level: 'silent' });
  const db = await Database.create({ databaseUrl: undefined, dataDir: dir, pgPort: port, log });
  return {
    db,
    url: db.url,
    async stop() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
