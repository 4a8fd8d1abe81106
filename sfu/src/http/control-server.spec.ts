import pino from 'pino';
import { workerBinForTests } from '../config/test-worker-bin';
import type { Sfu as SfuT } from '../sfu';
import { bearerMatches } from './auth';

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
    expect(await health.json()).toEqual({ status: 'ok', workers: 1, workersWanted: 1, rooms: 0 });
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
    expect(info).toEqual({ engagementId: 'e1', peers: [{ id: 'p1', transports: 1, producers: [], consumers: 0 }] });
    expect(await (await call('GET', '/metrics', undefined, false)).text()).toMatch(/^sfu_transports 1$/m);
    expect((await call('POST', '/rooms/e1/close')).status).toBe(200);
    expect((await call('GET', '/rooms/e1')).status).toBe(404);
  });
});
