import type { CobrowseView, ProxyView } from '@engage/protocol';
import { EventEmitter } from 'node:events';
import type { Principal } from '../auth/principal';
import { TokensService } from '../auth/tokens.service';
import { CobrowseBus } from '../cobrowse/cobrowse-bus';
import { CobrowseService } from '../cobrowse/cobrowse.service';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.schema';
import { startTestDatabase } from '../database/test-database';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService } from '../engagements/engagements.service';
import { LiveEngagements } from '../engagements/live-engagements';
import { ProxyBus } from './proxy-bus';
import type { ProxyPool } from './proxy-pool';
import type { RemoteSession } from './remote-session';
import { ProxyService, SWITCHED_TO_PROXY } from './proxy.service';

configureLogging('silent');
jest.setTimeout(60_000);

/** A placed browser as the pool hands it out (the worker is not part of this test). */
class FakeSession extends EventEmitter {
  readonly close = jest.fn();
  readonly navigate = jest.fn(async () => ({ ok: true as const, url: 'https://example.com/' }));
}

describe('Switching co-browse modes over real PostgreSQL', () => {
  let env: Awaited<ReturnType<typeof startTestDatabase>>;
  let engagements: EngagementsService;
  let cobrowse: CobrowseService;
  let proxy: ProxyService;
  let agent: Principal & { role: 'agent'; userId: string };
  const sessions: FakeSession[] = [];
  const cobrowseStates: CobrowseView[] = [];
  const proxyStates: ProxyView[] = [];

  beforeAll(async () => {
    env = await startTestDatabase();
    const config = new AppConfig(loadConfig({ PUBLIC_URL: 'http://desk.test' }, { cwd: '/', repoRoot: '/' }));
    const engagementBus = new EngagementBus();
    const cobrowseBus = new CobrowseBus();
    cobrowseBus.on('state', (v) => cobrowseStates.push(v));
    const proxyBus = new ProxyBus();
    proxyBus.on('state', (v) => proxyStates.push(v));
    engagements = new EngagementsService(env.db.dataSource, new LiveEngagements(), engagementBus, new TokensService('t'.repeat(40)), config);
    cobrowse = new CobrowseService(engagements, cobrowseBus, engagementBus);
    cobrowse.onModuleInit();
    const pool = {
      open: async () => {
        const s = new FakeSession();
        sessions.push(s);
        return s as unknown as RemoteSession;
      },
    };
    proxy = new ProxyService(pool as unknown as ProxyPool, engagements, engagementBus, proxyBus, cobrowse);
    proxy.onModuleInit();
    const [u] = await env.db.dataSource.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('a@x.test', 'Alex', 'agent', 'x') RETURNING id`);
    agent = { role: 'agent', userId: u.id, name: 'Alex' };
  });
  afterAll(async () => {
    proxy?.onModuleDestroy();
    cobrowse?.onModuleDestroy();
    await env?.stop();
  });

  const opened = async () => {
    const { engagement, customerToken } = await engagements.open({ customerName: 'Carla' });
    const customer = new TokensService('t'.repeat(40)).verify(customerToken);
    await engagements.accept(engagement.id, agent);
    return { id: engagement.id, customer };
  };
  const rows = async (id: string) => {
    const events: Array<{ type: string; actor: string; detail: Record<string, unknown> }> = await env.db.dataSource.query(
      `SELECT type, actor, detail FROM engagement_events WHERE engagement_id = $1 AND (type LIKE 'cobrowse.%' OR type LIKE 'proxy.%') ORDER BY id`,
      [id],
    );
    return events;
  };
  const modeOf = async (id: string) => (await env.db.dataSource.query('SELECT mode FROM engagements WHERE id = $1', [id]))[0].mode as string;

  it('starting browse-together while direct runs stops direct first, then starts the shared browser', async () => {
    const { id, customer } = await opened();
    await cobrowse.request(agent, await engagements.view(id));
    await cobrowse.respond(customer, await engagements.view(id), true);
    expect(await modeOf(id)).toBe('direct');

    const view = await proxy.start(await engagements.view(id), 'agent', 'https://example.com/');
    expect(view.status).toBe('running');
    expect(await modeOf(id)).toBe('proxy');
    expect(cobrowse.view(id)).toMatchObject({ status: 'off', reason: SWITCHED_TO_PROXY });
    const r = await rows(id);
    expect(r.map((e) => e.type)).toEqual(['cobrowse.requested', 'cobrowse.accepted', 'cobrowse.stopped', 'proxy.started']);
    expect(r[2]).toMatchObject({ actor: 'agent', detail: { reason: SWITCHED_TO_PROXY, switchedTo: 'proxy' } });
    expect(r[3].detail).toMatchObject({ url: 'https://example.com/', switchedFrom: 'direct' });
    // The desk heard direct stop before the shared browser was announced.
    expect(cobrowseStates.filter((s) => s.engagementId === id).at(-1)?.status).toBe('off');
    expect(proxyStates.filter((s) => s.engagementId === id).map((s) => s.status)).toEqual(['starting', 'running']);
  });

  it('asking for direct while browse-together runs stops the shared browser first; the customer is still asked', async () => {
    const { id, customer } = await opened();
    await proxy.start(await engagements.view(id), 'agent', 'https://example.com/');
    const session = sessions.at(-1)!;

    const asked = await cobrowse.request(agent, await engagements.view(id));
    expect(asked.status).toBe('requesting');
    expect(session.close).toHaveBeenCalledTimes(1);
    expect(proxy.view(id)).toMatchObject({ status: 'off', reason: 'The agent switched to the customer’s page.' });
    expect(await modeOf(id)).toBe('none');
    // Nothing of the customer's page is shared before they accept.
    expect(() => cobrowse.record(id, [{ type: 2, timestamp: 1, data: {} }], [10])).toThrow('Co-browse is not on for this engagement.');
    await cobrowse.respond(customer, await engagements.view(id), true);
    expect(await modeOf(id)).toBe('direct');
    const r = await rows(id);
    expect(r.map((e) => e.type)).toEqual(['proxy.started', 'proxy.stopped', 'cobrowse.requested', 'cobrowse.accepted']);
    expect(r[1]).toMatchObject({ actor: 'agent', detail: { reason: 'switched-to-direct' } });
  });

  it('browse-together starts from the document room, and the customer still cannot switch modes', async () => {
    const { id } = await opened();
    await engagements.recordModeChange(id, { type: 'doc.opened', actor: 'agent', detail: {}, mode: 'document', requireActive: true });
    await expect(proxy.start(await engagements.view(id), 'customer', 'https://example.com/')).rejects.toThrow('Stop the current co-browse mode first.');
    const view = await proxy.start(await engagements.view(id), 'agent', 'https://example.com/');
    expect(view.status).toBe('running');
    expect(await modeOf(id)).toBe('proxy');
    const r = await rows(id);
    expect(r.map((e) => e.type)).toEqual(['proxy.started']);
    expect(r[0].detail).toMatchObject({ switchedFrom: 'document' });
  });

  it('direct → browse-together → direct → browse-together leaves one row per step, in order', async () => {
    const { id, customer } = await opened();
    const direct = async () => {
      await cobrowse.request(agent, await engagements.view(id));
      await cobrowse.respond(customer, await engagements.view(id), true);
    };
    await direct();
    await proxy.start(await engagements.view(id), 'agent', 'https://example.com/');
    await direct();
    await proxy.start(await engagements.view(id), 'agent', 'https://example.com/b');
    expect(await modeOf(id)).toBe('proxy');
    expect((await rows(id)).map((e) => e.type)).toEqual([
      'cobrowse.requested',
      'cobrowse.accepted',
      'cobrowse.stopped',
      'proxy.started',
      'proxy.stopped',
      'cobrowse.requested',
      'cobrowse.accepted',
      'cobrowse.stopped',
      'proxy.started',
    ]);
  });
});
