import { readFileSync } from 'node:fs';

/** Written by global-setup; its path travels to the test workers in ENGAGE_E2E_STATE. */
export function readState(): { pgUrl: string; dir: string } {
  const file = process.env.ENGAGE_E2E_STATE;
  if (!file) throw new Error('ENGAGE_E2E_STATE is not set: run the end-to-end tests through their jest config.');
  return JSON.parse(readFileSync(file, 'utf8'));
}
