import pino from 'pino';
import { workerBinForTests } from '../config/test-worker-bin';
import type { Sfu as SfuT } from '../sfu';
import { bearerMatches } from './auth';
import { readSfuEvents } from './events.testing';

const secret = 's'.repeat(40);
const workerBin = workerBinForTests();
const describeWithWorkers = workerBin ? describe : describe.skip;

describe('bearerMatches', () => {
  it('accepts only the exact secret', () => {
    expect(bearerMatches(`Bearer ${secret}`, secret)).toBe(true);
    expect(bearerMatches(`bearer ${secret}`, secret)).toBe(true);
    expect(bearerMatches(`Bearer ${secret}x`, secret)).toBe(false);
    expect(bearerMatches(secret, secret)).toBe(false);
    expect(bearerMatches(undefined, secret)).toBe(false);
  });
});

describeWithWorkers('control API (real workers)', () => {
  let sfu: SfuT;
  let base: string;
  const call = (method: string, path: string, body?: unknown, auth = true) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${secret}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    const { Sfu } = await import('../sfu');
    sfu = await Sfu.start(
      { port: 0, host: '127.0.0.1', secret, rtcListenIp: '127.0.0.1', rtcAnnouncedAddress: undefined, rtcMinPort: 44000, rtcMaxPort: 44099, workers: 1, maxConsumersPerWorker: 300, workerBin, logLevel: 'silent' },
      pino({ level: 'silent' }),
    );
    base = `http://127.0.0.1:${sfu.server.port}`;
  });
  afterAll(() => sfu?.stop());

  it('serves health and metrics without the secret', async () => {
    const health = await call('GET', '/health', undefined, false);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', workers: 1, workersWanted: 1, rooms: 0, workerPids: sfu.pool.pids() });
    expect(sfu.pool.pids()).toEqual([expect.any(Number)]);
    const metrics = await (await call('GET', '/metrics', undefined, false)).text();
    expect(metrics).toMatch(/^sfu_workers 1$/m);
    expect(metrics).toMatch(/^sfu_rooms 0$/m);
    expect(metrics).toMatch(/^sfu_consumers 0$/m);
  });

  it('refuses orders without the secret', async () => {
    const res = await call('POST', '/rooms/e1/peers/p1/join', {}, false);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'missing or wrong bearer token' } });
  });

  it('joins, creates transports and reports errors with codes', async () => {
    const join = await call('POST', '/rooms/e1/peers/p1/join', {});
    expect(join.status).toBe(200);
    const joined = (await join.json()) as { routerRtpCapabilities: { codecs: { mimeType: string }[] }; producers: unknown[] };
    expect(joined.routerRtpCapabilities.codecs.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));
    expect(joined.producers).toEqual([]);
    const t = await call('POST', '/rooms/e1/peers/p1/transports', { direction: 'send' });
    expect(t.status).toBe(200);
    expect(await t.json()).toMatchObject({ id: expect.any(String), iceCandidates: expect.any(Array), dtlsParameters: expect.any(Object) });
    expect((await call('POST', '/rooms/e1/peers/p1/transports', { direction: 'sideways' })).status).toBe(400);
    expect((await call('POST', '/rooms/e1/peers/nobody/transports', { direction: 'send' })).status).toBe(404);
    expect((await call('GET', '/rooms/e1/peers/p1/join')).status).toBe(405);
    const info = await (await call('GET', '/rooms/e1')).json();
    expect(info).toEqual({ engagementId: 'e1', workerPid: sfu.pool.pids()[0], peers: [{ id: 'p1', transports: 1, producers: [], consumers: 0 }] });
    const { id: transportId, iceParameters } = (await (await call('POST', '/rooms/e1/peers/p1/transports', { direction: 'recv' })).json()) as { id: string; iceParameters: { usernameFragment: string } };
    const restart = await call('POST', `/rooms/e1/peers/p1/transports/${transportId}/restart-ice`, {});
    expect(restart.status).toBe(200);
    const restarted = (await restart.json()) as { iceParameters: { usernameFragment: string; password: string } };
    expect(restarted.iceParameters.usernameFragment).toEqual(expect.any(String));
    expect(restarted.iceParameters.usernameFragment).not.toBe(iceParameters.usernameFragment);
    expect((await call('POST', '/rooms/e1/peers/p1/transports/nope/restart-ice', {})).status).toBe(404);
    expect(await (await call('GET', '/metrics', undefined, false)).text()).toMatch(/^sfu_transports 2$/m);
    expect((await call('POST', '/rooms/e1/close')).status).toBe(200);
    expect((await call('GET', '/rooms/e1')).status).toBe(404);
  });

  it('keeps event streams alive with a comment line, so a backend can tell a dead connection', async () => {
    const { ControlServer } = await import('./control-server');
    const { Registry } = await import('prom-client');
    const server = await ControlServer.create({ host: '127.0.0.1', port: 0, secret, pool: sfu.pool, rooms: sfu.rooms, metrics: new Registry(), logger: pino({ level: 'silent' }), eventsKeepAliveMs: 50 });
    const abort = new AbortController();
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/events`, { headers: { authorization: `Bearer ${secret}` }, signal: abort.signal });
      let text = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += Buffer.from(chunk).toString();
        if (text.includes(': ping')) break;
      }
      expect(text).toMatch(/^: connected\n\n(: ping\n\n)+$/);
    } finally {
      abort.abort();
      await server.close();
    }
  });

  it('tells GET /events who lost their media when a worker is killed, and takes a join for that engagement again within 5 s', async () => {
    const events = readSfuEvents(base, secret);
    expect(await events.status).toBe(200);
    try {
      expect((await call('POST', '/rooms/e2/peers/customer/join', {})).status).toBe(200);
      const { workerPid } = (await (await call('GET', '/rooms/e2')).json()) as { workerPid: number };
      expect(sfu.pool.pids()).toContain(workerPid);
      const killedAt = Date.now();
      process.kill(workerPid, 'SIGKILL');
      await events.until((n) => n.type === 'worker/died', 10_000);
      await events.until((n) => n.type === 'room/closed', 10_000);
      expect(events.seen).toEqual(
        expect.arrayContaining([
          { type: 'worker/died', pid: workerPid, engagementIds: ['e2'] },
          { type: 'room/closed', engagementId: 'e2', reason: 'worker-died' },
        ]),
      );
      // The only worker is dead: the join waits for its replacement instead of failing.
      const rejoin = await call('POST', '/rooms/e2/peers/customer/join', {});
      const ms = Date.now() - killedAt;
      expect(rejoin.status).toBe(200);
      expect(ms).toBeLessThan(5_000);
      const after = (await (await call('GET', '/rooms/e2')).json()) as { workerPid: number };
      expect(after.workerPid).not.toBe(workerPid);
      expect(((await (await call('GET', '/health', undefined, false)).json()) as { workerPids: number[] }).workerPids).toEqual([after.workerPid]);
      console.log(`worker killed → join on the replacement worker after ${ms} ms`);
    } finally {
      events.close();
    }
  });
});
