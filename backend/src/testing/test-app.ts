/**
 * For integration specs: the whole backend app on a random port, over a real embedded PostgreSQL,
 * with the socket.io adapter of production, staff users in the database and socket.io clients that
 * are disconnected when the app closes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Ack } from '@engage/protocol';
import { io, type Socket } from 'socket.io-client';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.schema';
import { startTestDatabase } from '../database/test-database';
import { EngageIoAdapter } from '../realtime/socket-io.adapter';

export type StaffPrincipal = { role: 'agent' | 'supervisor'; userId: string; name: string };

export interface TestApp {
  env: Awaited<ReturnType<typeof startTestDatabase>>;
  app: NestExpressApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> */
  base: string;
  dataDir: string;
  /** Inserts users (key → role, display name) and returns their principals by key. */
  addStaff<K extends string>(rows: ReadonlyArray<readonly [K, StaffPrincipal['role'], string]>): Promise<Record<K, StaffPrincipal>>;
  /** A connected socket.io client authenticated with `token`. */
  connect(token: string): Promise<Socket>;
  /** Emits and waits for the ack (within the app's ack timeout). */
  send<T>(s: Socket, event: string, payload: unknown): Promise<Ack<T>>;
  /** Emits, waits for the ack and returns its data; a refusal throws with its code and message. */
  ok<T>(s: Socket, event: string, payload: unknown): Promise<T>;
  /** Disconnects the clients, runs `beforeAppClose` (e.g. wait for background work), closes the app, the database and the data folder. */
  close(beforeAppClose?: () => Promise<unknown>): Promise<void>;
}

export interface TestAppOptions {
  /** Prefix of the temporary data folder. */
  dataDirPrefix: string;
  /** Settings on top of the defaults of a test (public URL, data folder, no demo site, no seed, a JWT secret). */
  settings?: Record<string, string>;
  /** How long send() waits for an ack. */
  ackTimeoutMs?: number;
}

export async function startTestApp(opts: TestAppOptions): Promise<TestApp> {
  const env = await startTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), opts.dataDirPrefix));
  try {
    return await listen(env, dataDir, opts);
  } catch (e) {
    await env.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

async function listen(env: TestApp['env'], dataDir: string, opts: TestAppOptions): Promise<TestApp> {
  const config = new AppConfig(
    loadConfig(
      { PUBLIC_URL: 'http://127.0.0.1:3999', DATA_DIR: dataDir, DEMO_SITE_PORT: '0', SEED_DEMO: 'false', JWT_SECRET: 's'.repeat(40), ...opts.settings },
      { cwd: dataDir, repoRoot: dataDir },
    ),
  );
  const app = await NestFactory.create<NestExpressApplication>(AppModule.create(config, env.db), { logger: false });
  app.useWebSocketAdapter(new EngageIoAdapter(app));
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
  const sockets: Socket[] = [];

  const send = <T>(s: Socket, event: string, payload: unknown) => s.timeout(ackTimeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
  return {
    env,
    app,
    config,
    base,
    dataDir,
    async addStaff(rows) {
      const out = {} as Record<(typeof rows)[number][0], StaffPrincipal>;
      for (const [key, role, name] of rows) {
        const [u] = await env.db.dataSource.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, $3, 'x') RETURNING id`, [`${key}@x.test`, name, role]);
        out[key] = { role, userId: u.id as string, name };
      }
      return out;
    },
    async connect(token) {
      const s = io(base, { auth: { token }, transports: ['websocket'], forceNew: true });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      return s;
    },
    send,
    async ok<T>(s: Socket, event: string, payload: unknown) {
      const r = await send<T>(s, event, payload);
      if (!r.ok) throw new Error(`${event} refused: ${r.error.code} ${r.error.message}`);
      return r.data;
    },
    async close(beforeAppClose) {
      for (const s of sockets) s.disconnect();
      await beforeAppClose?.();
      await app.close();
      await env.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
