/**
 * engagement/show-mode through the real app: socket.io, validation, permissions, the audit row,
 * the relay to the other side, and the document room's mode (embedded PostgreSQL).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EV, type Ack, type EngagementView, type ServerPayloads, type TimelineEntry } from '@engage/protocol';
import { io, type Socket } from 'socket.io-client';
import { AppModule } from '../app.module';
import { TokensService } from '../auth/tokens.service';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.schema';
import { startTestDatabase } from '../database/test-database';
import { EngageIoAdapter } from '../realtime/socket-io.adapter';
import { EngagementsService } from './engagements.service';

configureLogging('silent');
jest.setTimeout(120_000);

type Staff = { role: 'agent' | 'supervisor'; userId: string; name: string };

describe('engagement/show-mode over sockets and real PostgreSQL', () => {
  let env: Awaited<ReturnType<typeof startTestDatabase>>;
  let app: NestExpressApplication;
  let base: string;
  let dataDir: string;
  let engagements: EngagementsService;
  let tokens: TokensService;
  const staff: Record<'agent' | 'other' | 'supervisor', Staff> = {} as never;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await startTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'engage-modes-'));
    const config = new AppConfig(
      loadConfig(
        { PUBLIC_URL: 'http://127.0.0.1:3999', DATA_DIR: dataDir, DEMO_SITE_PORT: '0', SEED_DEMO: 'false', JWT_SECRET: 's'.repeat(40) },
        { cwd: dataDir, repoRoot: dataDir },
      ),
    );
    app = await NestFactory.create<NestExpressApplication>(AppModule.create(config, env.db), { logger: false });
    app.useWebSocketAdapter(new EngageIoAdapter(app));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    engagements = app.get(EngagementsService);
    tokens = app.get(TokensService);
    for (const [key, role, name] of [
      ['agent', 'agent', 'Alex Agent'],
      ['other', 'agent', 'Bo Agent'],
      ['supervisor', 'supervisor', 'Sam Supervisor'],
    ] as const) {
      const [u] = await env.db.dataSource.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, $3, 'x') RETURNING id`, [`${key}@x.test`, name, role]);
      staff[key] = { role, userId: u.id as string, name };
    }
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app?.close();
    await env?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function connect(token: string): Promise<Socket> {
    const s = io(base, { auth: { token }, transports: ['websocket'], forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  }

  function send<T>(s: Socket, event: string, payload: unknown): Promise<Ack<T>> {
    return s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;
  }

  async function ok<T>(s: Socket, event: string, payload: unknown): Promise<T> {
    const r = await send<T>(s, event, payload);
    if (!r.ok) throw new Error(`${event} refused: ${r.error.code} ${r.error.message}`);
    return r.data;
  }

  /** The next `event` this socket receives (or a timeout). */
  function next<E extends keyof ServerPayloads>(s: Socket, event: E, ms = 5000): Promise<ServerPayloads[E]> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
      s.once(event as string, (p: ServerPayloads[E]) => {
        clearTimeout(t);
        resolve(p);
      });
    });
  }

  async function joined(): Promise<{ id: string; agent: Socket; customer: Socket }> {
    const inv = await engagements.invite(staff.agent as never, { customerName: 'Carla' });
    const session = await engagements.join({ code: inv.code, customerName: 'Carla' });
    const id = inv.engagement.id;
    const agent = await connect(tokens.signStaff(staff.agent));
    const customer = await connect(session.customerToken);
    await ok(agent, EV.engagementJoin, { engagementId: id });
    await ok(customer, EV.engagementJoin, { engagementId: id });
    return { id, agent, customer };
  }

  it('records the switch, answers the row, and tells the other side (who follows)', async () => {
    const { id, agent, customer } = await joined();
    const told = next(customer, EV.engagementModeShown);
    const { entry } = await ok<{ entry: TimelineEntry }>(agent, EV.engagementShowMode, { engagementId: id, mode: 'proxy' });
    expect(entry).toMatchObject({ engagementId: id, type: 'mode.shown', actor: 'agent', detail: { mode: 'proxy' } });
    expect(await told).toEqual({ engagementId: id, mode: 'proxy', by: 'agent', entry });

    // The customer's own switch is theirs, and the agent hears of it.
    const agentTold = next(agent, EV.engagementModeShown);
    await ok(customer, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect(await agentTold).toMatchObject({ engagementId: id, mode: 'chat', by: 'customer', entry: { actor: 'customer' } });

    const rows = await env.db.dataSource.query(`SELECT type, actor, detail FROM engagement_events WHERE engagement_id = $1 AND type = 'mode.shown' ORDER BY id`, [id]);
    expect(rows).toEqual([
      { type: 'mode.shown', actor: 'agent', detail: { mode: 'proxy' } },
      { type: 'mode.shown', actor: 'customer', detail: { mode: 'chat' } },
    ]);
  });

  it('moves the engagement in and out of document mode for the agent only, announcing it', async () => {
    const { id, agent, customer } = await joined();
    const updated = next(customer, EV.engagementUpdated);
    await ok(agent, EV.engagementShowMode, { engagementId: id, mode: 'document' });
    expect(((await updated) as EngagementView).mode).toBe('document');
    await ok(customer, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect((await engagements.view(id)).mode).toBe('document');
    const back = next(customer, EV.engagementUpdated);
    await ok(agent, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect(((await back) as EngagementView).mode).toBe('none');
  });

  it('refuses bad input, outsiders, a supervisor and an ended engagement with a code and a sentence, writing nothing', async () => {
    const { id, agent } = await joined();
    const bad = await send(agent, EV.engagementShowMode, { engagementId: id, mode: 'everything' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(bad.ok === false && bad.error.message.length).toBeGreaterThan(5);
    expect(await send(agent, EV.engagementShowMode, { engagementId: 'not-a-uuid', mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    const other = await connect(tokens.signStaff(staff.other));
    expect(await send(other, EV.engagementShowMode, { engagementId: id, mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const supervisor = await connect(tokens.signStaff(staff.supervisor));
    const watching = await send(supervisor, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect(watching).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Supervisors watch engagements read-only.' } });
    const stranger = await engagements.open({ customerName: 'Mallory' });
    const mallory = await connect(stranger.customerToken);
    expect(await send(mallory, EV.engagementShowMode, { engagementId: id, mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await ok(agent, EV.engagementEnd, { engagementId: id });
    expect(await send(agent, EV.engagementShowMode, { engagementId: id, mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'invalid_state', message: 'This engagement has ended.' } });
    const rows = await env.db.dataSource.query(`SELECT 1 FROM engagement_events WHERE engagement_id = $1 AND type = 'mode.shown'`, [id]);
    expect(rows).toHaveLength(0);
  });
});
