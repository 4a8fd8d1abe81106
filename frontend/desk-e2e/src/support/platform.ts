import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';
import { readState } from './state';

const ROOT = path.resolve(__dirname, '../../../..');
const MAIN = path.join(ROOT, 'dist/node/backend/src/main.js');
const SFU_MAIN = path.join(ROOT, 'dist/node/sfu/src/main.js');
const PROXY_MAIN = path.join(ROOT, 'dist/node/proxy-worker/src/main.js');

export interface PlatformOptions {
  /** Start an SFU process beside the backend (calls); off by default, as most tests chat only. */
  sfu?: boolean;
  /** Start a proxy worker (browse together) beside the backend; off by default. */
  proxy?: boolean;
  /** PROXY_ALLOW of that worker: loopback host:port pairs of test fixtures it may open. */
  proxyAllow?: string;
}

/** A running backend (with its demo site) on its own database, as a separate process. */
export interface Platform {
  url: string;
  demoUrl: string;
  databaseUrl: string;
  /** The proxy worker's HTTP base (/health, /metrics), when one runs. */
  proxyUrl?: string;
  /** The SFU's control API base (/health tells its worker pids), when one runs. */
  sfuUrl?: string;
  /** The bearer secret of that control API (GET /rooms/:engagementId in tests). */
  sfuSecret?: string;
  /** Everything the process printed (and the SFU's, when there is one), for failure messages. */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the backend again on the same ports and database. */
  restart(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** Starts the SFU (control API on a free port, one worker) and answers its URL once READY. */
async function startSfu(secret: string): Promise<{ url: string; proc: ChildProcess; output: () => string }> {
  let out = '';
  const rtcMin = 40000 + Math.floor(Math.random() * 200) * 100;
  const proc = spawn(process.execPath, ['--enable-source-maps', SFU_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      SFU_PORT: '0',
      SFU_HOST: '127.0.0.1',
      SFU_SECRET: secret,
      WORKERS: '1',
      RTC_MIN_PORT: String(rtcMin),
      RTC_MAX_PORT: String(rtcMin + 99),
      LOG_LEVEL: 'warn',
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SFU did not become ready in 20 s:\n${out.slice(-4000)}`)), 20_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^READY (.*)$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line[1]) as { port: number }).port);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the SFU exited with ${code} before it was ready:\n${out.slice(-4000)}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, proc, output: () => out };
}

/** Starts a proxy worker (control channel on a free port) and answers its addresses once READY. */
async function startProxyWorker(secret: string, allow: string): Promise<{ url: string; control: string; proc: ChildProcess; output: () => string }> {
  let out = '';
  const proc = spawn(process.execPath, ['--enable-source-maps', PROXY_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      PROXY_PORT: '0',
      PROXY_HOST: '127.0.0.1',
      PROXY_SECRET: secret,
      PROXY_ALLOW: allow,
      MAX_SESSIONS: '2',
      WARM_POOL: '1',
      LOG_LEVEL: 'warn',
      ...(process.env.CHROMIUM_PATH ? { CHROMIUM_PATH: process.env.CHROMIUM_PATH } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = await new Promise<{ host: string; port: number; control: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy worker did not become ready in 30 s:\n${out.slice(-4000)}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^READY (.*)$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]) as { host: string; port: number; control: string });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy worker exited with ${code} before it was ready:\n${out.slice(-4000)}`));
    });
  });
  return { url: `http://${ready.host}:${ready.port}`, control: ready.control, proc, output: () => out };
}

async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
}

export async function startPlatform(extraEnv: Record<string, string> = {}, options: PlatformOptions = {}): Promise<Platform> {
  const sfuSecret = randomBytes(24).toString('hex');
  const sfu = options.sfu ? await startSfu(sfuSecret) : undefined;
  const proxySecret = randomBytes(24).toString('hex');
  const proxy = options.proxy ? await startProxyWorker(proxySecret, options.proxyAllow ?? '').catch(async (err: unknown) => {
    await stopProcess(sfu?.proc);
    throw err;
  }) : undefined;
  const { pgUrl } = readState();
  const dbName = `e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: `${pgUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const databaseUrl = `${pgUrl}/${dbName}`;
  const port = await freePort();
  const demoPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const demoUrl = `http://127.0.0.1:${demoPort}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'engage-e2e-data-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    DEMO_SITE_PORT: String(demoPort),
    ALLOWED_ORIGINS: [url, demoUrl, `http://localhost:${port}`, `http://localhost:${demoPort}`].join(','),
    JWT_SECRET: randomBytes(24).toString('hex'),
    SEED_DEMO: 'true',
    LOG_LEVEL: 'warn',
    ...(sfu ? { SFU_URL: sfu.url, SFU_SECRET: sfuSecret } : {}),
    ...(proxy ? { PROXY_WORKERS: proxy.control, PROXY_SECRET: proxySecret } : {}),
    ...extraEnv,
  };
  let log = '';
  let proc: ChildProcess | null = null;
  const pool = new Client({ connectionString: databaseUrl });
  let poolConnected = false;

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--enable-source-maps', MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc = child;
      const timer = setTimeout(() => reject(new Error(`backend did not become ready in 30 s:\n${log.slice(-4000)}`)), 30_000);
      child.stdout?.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('READY ')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`backend exited with ${code} before it was ready:\n${log.slice(-4000)}`));
      });
    });

  const kill = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<number | null>((resolve) => {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return resolve(p?.exitCode ?? null);
      p.once('exit', (code) => resolve(code));
      p.kill(signal);
    });

  try {
    await launch();
  } catch (err) {
    sfu?.proc.kill('SIGTERM');
    proxy?.proc.kill('SIGTERM');
    throw err;
  }
  return {
    url,
    demoUrl,
    databaseUrl,
    proxyUrl: proxy?.url,
    sfuUrl: sfu?.url,
    sfuSecret: sfu ? sfuSecret : undefined,
    output: () => `${log}${sfu ? `\n[sfu]\n${sfu.output()}` : ''}${proxy ? `\n[proxy-worker]\n${proxy.output()}` : ''}`,
    kill,
    restart: async () => {
      log = '';
      await launch();
    },
    async query<T>(sql: string, params: unknown[] = []) {
      if (!poolConnected) {
        await pool.connect();
        poolConnected = true;
      }
      return (await pool.query(sql, params)).rows as T[];
    },
    async stop() {
      await kill('SIGTERM');
      // Reverse order: the backend first, then the SFU it ordered.
      if (sfu && sfu.proc.exitCode === null && sfu.proc.signalCode === null) {
        const exited = new Promise((resolve) => sfu.proc.once('exit', resolve));
        sfu.proc.kill('SIGTERM');
        await exited;
      }
      await stopProcess(proxy?.proc);
      if (poolConnected) await pool.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
