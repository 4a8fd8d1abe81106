import type { CobrowseView, EngagementView } from '@engage/protocol';
import { TokensService } from '../auth/tokens.service';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.schema';
import { startTestDatabase } from '../database/test-database';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService } from '../engagements/engagements.service';
import { LiveEngagements } from '../engagements/live-engagements';
import { CobrowseBus } from './cobrowse-bus';
import { CobrowseService } from './cobrowse.service';

configureLogging('silent');
jest.setTimeout(60_000);

describe('CobrowseService over real PostgreSQL', () => {
  let env: Awaited<ReturnType<typeof startTestDatabase>>;
  let engagements: EngagementsService;
  let cobrowse: CobrowseService;
  let bus: CobrowseBus;
  let engagementBus: EngagementBus;
  let agent: { role: 'agent'; userId: string; name: string };

  beforeAll(async () => {
    env = await startTestDatabase();
    const config = new AppConfig(loadConfig({ PUBLIC_URL: 'http://desk.test' }, { cwd: '/', repoRoot: '/' }));
    engagementBus = new EngagementBus();
    bus = new CobrowseBus();
    engagements = new EngagementsService(env.db.dataSource, new LiveEngagements(), engagementBus, new TokensService('t'.repeat(40)), config);
    cobrowse = new CobrowseService(engagements, bus, engagementBus);
    cobrowse.onModuleInit();
    const [u] = await env.db.dataSource.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('a@x.test', 'Alex', 'agent', 'x') RETURNING id`);
    agent = { role: 'agent', userId: u.id, name: 'Alex' };
  });
  afterAll(async () => {
    cobrowse?.onModuleDestroy();
    await env?.stop();
  });

  const dbState = async (id: string) => {
    const [row] = await env.db.dataSource.query('SELECT mode FROM engagements WHERE id = $1', [id]);
    const events: Array<{ type: string; actor: string; detail: Record<string, unknown> }> = await env.db.dataSource.query(
      `SELECT type, actor, detail FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id`,
      [id],
    );
    return { mode: row.mode as string, events };
  };

  it('writes the audit row and engagements.mode before cobrowse/state and engagement/updated go out', async () => {
    const { engagement, customerToken } = await engagements.open({ customerName: 'Carla' });
    const customer = new TokensService('t'.repeat(40)).verify(customerToken);
    const id = engagement.id;
    await engagements.accept(id, agent);
    const seenAtBroadcast: Array<{ status: string; db: Awaited<ReturnType<typeof dbState>> }> = [];
    const updates: EngagementView[] = [];
    const pending: Promise<void>[] = [];
    const onState = (v: CobrowseView) => pending.push(dbState(id).then((db) => void seenAtBroadcast.push({ status: v.status, db })));
    bus.on('state', onState);
    engagementBus.on('changed', (v) => v.id === id && updates.push(v));
    const step = async (work: () => Promise<unknown>) => {
      await work();
      await Promise.all(pending);
    };
    const view = () => engagements.view(id);

    await step(async () => cobrowse.request(agent, await view()));
    await step(async () => cobrowse.respond(customer, await view(), true));
    await step(async () => cobrowse.page(customer, await view(), { url: 'https://shop.test/pay', title: 'Pay', protected: true }));
    await step(async () => cobrowse.respond(customer, await view(), true));
    await step(async () => cobrowse.stop(customer, await view()));
    bus.off('state', onState);

    expect(seenAtBroadcast.map((s) => [s.status, s.db.mode, s.db.events.at(-1)?.type])).toEqual([
      ['requesting', 'none', 'cobrowse.requested'],
      ['active', 'direct', 'cobrowse.accepted'],
      ['paused', 'direct', 'cobrowse.paused'],
      ['active', 'direct', 'cobrowse.resumed'],
      ['off', 'none', 'cobrowse.stopped'],
    ]);
    const { events } = await dbState(id);
    expect(events.map((e) => e.actor)).toEqual(['agent', 'customer', 'customer', 'customer', 'customer']);
    expect(events[0].detail).toEqual({ agentId: agent.userId });
    expect(events.at(-1)?.detail).toEqual({ reason: 'Stopped by the customer.' });
    // engagement/updated carries the mode whenever it changes.
    expect(updates.map((u) => u.mode)).toEqual(['direct', 'none']);
    expect((await view()).mode).toBe('none');
  });

  it('ending the engagement resets the mode and stops co-browse with an audit row', async () => {
    const { engagement, customerToken } = await engagements.open({});
    const customer = new TokensService('t'.repeat(40)).verify(customerToken);
    const id = engagement.id;
    await engagements.accept(id, agent);
    await cobrowse.request(agent, await engagements.view(id));
    await cobrowse.respond(customer, await engagements.view(id), true);
    expect((await dbState(id)).mode).toBe('direct');
    const off = new Promise<CobrowseView>((resolve) => bus.on('state', (v) => v.engagementId === id && v.status === 'off' && resolve(v)));
    await engagements.end(id, 'agent', 'agent');
    expect(await off).toMatchObject({ reason: 'The engagement ended.' });
    const db = await dbState(id);
    expect(db.mode).toBe('none');
    expect(db.events.at(-1)).toMatchObject({ type: 'cobrowse.stopped', actor: 'system' });
  });

  it('after a restart no live engagement stays in direct mode', async () => {
    const { engagement } = await engagements.open({});
    await engagements.accept(engagement.id, agent);
    await env.db.dataSource.query(`UPDATE engagements SET mode = 'direct' WHERE id = $1`, [engagement.id]);
    await cobrowse.onApplicationBootstrap();
    const db = await dbState(engagement.id);
    expect(db.mode).toBe('none');
    expect(db.events.at(-1)).toMatchObject({ type: 'cobrowse.stopped', actor: 'system' });
  });
});
