/**
 * /health and /metrics tell the state of the SFU event stream, through the real app (embedded
 * PostgreSQL) following a stand-in SFU's GET /events that can drop, fail and refuse the secret.
 */
import { API } from '@engage/protocol';
import { configureLogging } from '../common/logger';
import { fakeSfuEvents } from '../media/sfu-events.testing';
import { startTestApp, type TestApp } from '../testing/test-app';
import type { SfuLinkView } from './sfu-link';

configureLogging('silent');
jest.setTimeout(60_000);

const secret = 'health-integration-secret-0123456789abcdef';

interface Health {
  status: string;
  db: string;
  sfu: SfuLinkView;
}

describe('/health and /metrics: the SFU event stream', () => {
  let sfu: Awaited<ReturnType<typeof fakeSfuEvents>>;
  let t: TestApp;

  beforeAll(async () => {
    sfu = await fakeSfuEvents(secret);
    t = await startTestApp({ dataDirPrefix: 'engage-health-', settings: { SFU_URL: sfu.url, SFU_SECRET: secret } });
  });
  afterAll(async () => {
    await t?.close();
    await sfu?.close();
  });

  async function health(): Promise<{ code: number; body: Health }> {
    const res = await fetch(`${t.base}${API.health}`);
    return { code: res.status, body: (await res.json()) as Health };
  }

  /** Polls /health until the link is in `state` (the stream retries on its own schedule). */
  async function healthWhen(state: SfuLinkView['events']): Promise<Health> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { code, body } = await health();
      // Whatever the SFU link does, the backend itself is healthy: same status and code as before.
      expect(code).toBe(200);
      expect(body).toMatchObject({ status: 'ok', db: 'up' });
      if (body.sfu.events === state) return body;
      if (Date.now() > deadline) throw new Error(`/health never said sfu.events=${state}; last: ${JSON.stringify(body.sfu)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function gauge(): Promise<Record<string, number>> {
    const text = await (await fetch(`${t.base}${API.metrics}`)).text();
    const series: Record<string, number> = {};
    for (const m of text.matchAll(/^engage_sfu_events_state\{state="(\w+)"\} (\d+)$/gm)) series[m[1]] = Number(m[2]);
    return series;
  }

  it('connected, connecting after a drop (since the drop), unauthorized on a refused secret, connected again', async () => {
    const connected = await healthWhen('connected');
    expect(new Date(connected.sfu.since).toISOString()).toBe(connected.sfu.since);
    expect(await gauge()).toEqual({ connected: 1, connecting: 0, unauthorized: 0, off: 0 });

    sfu.refuse = true;
    const dropped = Date.now();
    sfu.dropAll();
    const connecting = await healthWhen('connecting');
    expect(Date.parse(connecting.sfu.since)).toBeGreaterThanOrEqual(Date.parse(connected.sfu.since));
    expect(Date.parse(connecting.sfu.since)).toBeGreaterThanOrEqual(dropped - 5);
    expect(await gauge()).toEqual({ connected: 0, connecting: 1, unauthorized: 0, off: 0 });
    // A retry that fails the same way does not move `since`.
    const requests = sfu.requests;
    while (sfu.requests < requests + 1) await new Promise((r) => setTimeout(r, 50));
    expect((await healthWhen('connecting')).sfu.since).toBe(connecting.sfu.since);

    sfu.refuse = false;
    sfu.refuseSecret = true;
    await healthWhen('unauthorized');
    expect(await gauge()).toEqual({ connected: 0, connecting: 0, unauthorized: 1, off: 0 });

    sfu.refuseSecret = false;
    const again = await healthWhen('connected');
    expect(Date.parse(again.sfu.since)).toBeGreaterThan(Date.parse(connected.sfu.since));
    expect(await gauge()).toEqual({ connected: 1, connecting: 0, unauthorized: 0, off: 0 });
  });
});
