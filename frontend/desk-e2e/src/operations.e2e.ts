import { EngageSocket } from '@engage/chat-client';
import { API, EV, type EngagementView } from '@engage/protocol';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loginAgent, openAsCustomer } from './support/api';
import { startPlatform, type Platform } from './support/platform';

async function until<T>(what: string, get: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('operating the backend', () => {
  let platform: Platform;
  const sockets: EngageSocket[] = [];
  beforeAll(async () => {
    platform = await startPlatform({ INACTIVITY_TIMEOUT_S: '2' });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await platform?.stop();
  });

  it('answers health, Prometheus metrics and OpenAPI docs', async () => {
    const health = await fetch(`${platform.url}${API.health}`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', db: 'up' });
    const metrics = await (await fetch(`${platform.url}${API.metrics}`)).text();
    for (const name of ['engage_live_engagements', 'engage_chat_messages_total', 'engage_sockets', 'engage_chat_persist_seconds']) {
      expect(metrics).toContain(name);
    }
    const docs = await fetch(`${platform.url}${API.docs}`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  it('persists every state change before it is broadcast; the customer can end; idle engagements time out', async () => {
    const { token } = await loginAgent(platform.url);
    const agent = EngageSocket.connect({ url: platform.url, token, websocketOnly: true });
    sockets.push(agent);
    await until('agent connection', () => (agent.connected ? true : undefined));
    const seen: Array<{ view: EngagementView; stored: Promise<Array<{ state: string; end_reason: string | null }>> }> = [];
    agent.on(EV.engagementUpdated, (view) => {
      // Read the row the moment the event arrives: it must already say what the event says.
      seen.push({ view, stored: platform.query('SELECT state, end_reason FROM engagements WHERE id = $1', [view.id]) });
    });
    await agent.request(EV.queueSubscribe, {});

    const a = await openAsCustomer(platform.url, platform.demoUrl, 'Ends Herself');
    await agent.request(EV.engagementAccept, { engagementId: a.engagement.id });
    await agent.request(EV.engagementJoin, { engagementId: a.engagement.id });
    const customer = EngageSocket.connect({ url: platform.url, token: a.customerToken, websocketOnly: true });
    sockets.push(customer);
    await until('customer connection', () => (customer.connected ? true : undefined));
    await customer.request(EV.engagementEnd, { engagementId: a.engagement.id });
    const ended = await until('ended event', () => seen.find((s) => s.view.id === a.engagement.id && s.view.state === 'ended'));
    expect(ended.view.endReason).toBe('customer');
    expect(await ended.stored).toEqual([{ state: 'ended', end_reason: 'customer' }]);

    // Nobody writes in this one: the 2 s inactivity timeout ends it, and the queue drops it.
    const b = await openAsCustomer(platform.url, platform.demoUrl, 'Goes Quiet');
    let queue: EngagementView[] = [];
    agent.on(EV.queueUpdated, (q) => (queue = q.queue));
    await until('queued', () => (queue.some((e) => e.id === b.engagement.id) ? true : undefined));
    const row = await until('timeout', async () => {
      const [r] = await platform.query<{ state: string; end_reason: string | null }>('SELECT state, end_reason FROM engagements WHERE id = $1', [b.engagement.id]);
      return r.state === 'ended' ? r : undefined;
    }, 20_000);
    expect(row).toEqual({ state: 'ended', end_reason: 'timeout' });
    await until('dropped from the queue', () => (queue.some((e) => e.id === b.engagement.id) ? undefined : true));
    const timeline = await platform.query<{ type: string }>('SELECT type FROM engagement_events WHERE engagement_id = $1 ORDER BY id', [b.engagement.id]);
    expect(timeline.length).toBeGreaterThanOrEqual(2);

  });

  it('stops cleanly on SIGTERM and starts again with its data', async () => {
    expect(await platform.kill('SIGTERM')).toBe(0);
    await platform.restart();
    const health = await fetch(`${platform.url}${API.health}`);
    expect(health.status).toBe(200);
    const rows = await platform.query<{ n: string }>("SELECT count(*) AS n FROM engagements WHERE state = 'ended'");
    expect(Number(rows[0].n)).toBeGreaterThanOrEqual(2);
  });

  it('refuses to boot with a bad setting and says which one', () => {
    const main = path.resolve(__dirname, '../../../dist/node/backend/src/main.js');
    const r = spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', PORT: 'not-a-port', DATA_DIR: '/tmp/engage-never' }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/PORT must be/);
  });
});
