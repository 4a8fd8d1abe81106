import type { SfuNotification } from '@engage/protocol';
import pino from 'pino';
import { configureLogging } from '../common/logger';
import { SFU_EVENTS_RETRY_MS, SfuEventStream } from './sfu-events';
import { fakeSfuEvents } from './sfu-events.testing';

configureLogging('silent');

const secret = 'x'.repeat(40);
const fakeSfu = () => fakeSfuEvents(secret);

function next<K extends 'notification' | 'connected' | 'disconnected'>(stream: SfuEventStream, event: K): Promise<unknown> {
  return new Promise((resolve) => stream.once(event, ((...args: unknown[]) => resolve(args[0])) as never));
}

describe('SfuEventStream (GET /events of the SFU)', () => {
  let sfu: Awaited<ReturnType<typeof fakeSfu>>;
  let stream: SfuEventStream | undefined;
  beforeEach(async () => {
    sfu = await fakeSfu();
  });
  afterEach(async () => {
    stream?.close();
    await sfu.close();
  });

  it('delivers each notification, also when it arrives in pieces', async () => {
    stream = SfuEventStream.open(sfu.url, secret);
    await next(stream, 'connected');
    const got: SfuNotification[] = [];
    stream.on('notification', (n) => got.push(n));
    const two = new Promise<void>((resolve) => stream!.on('notification', () => got.length === 2 && resolve()));
    sfu.send({ type: 'worker/died', pid: 7, engagementIds: ['e1'] });
    sfu.send({ type: 'room/speaker', engagementId: 'e1', peerId: null }, true);
    await two;
    expect(got).toEqual([
      { type: 'worker/died', pid: 7, engagementIds: ['e1'] },
      { type: 'room/speaker', engagementId: 'e1', peerId: null },
    ]);
  });

  it('reconnects when the stream drops, with a growing wait while the SFU refuses, reset once connected', async () => {
    stream = SfuEventStream.open(sfu.url, secret);
    await next(stream, 'connected');
    sfu.refuse = true;
    const waits: number[] = [];
    stream.on('disconnected', ({ retryInMs }) => waits.push(retryInMs));
    const connectedAgain = next(stream, 'connected');
    sfu.dropAll();
    await new Promise<void>((resolve) => stream!.on('disconnected', () => waits.length === 3 && resolve()));
    expect(waits).toEqual([SFU_EVENTS_RETRY_MS, SFU_EVENTS_RETRY_MS * 2, SFU_EVENTS_RETRY_MS * 4]);
    sfu.refuse = false;
    await connectedAgain;
    expect(stream.connected).toBe(true);
    expect(sfu.opened).toBe(2);
    const got = next(stream, 'notification');
    sfu.send({ type: 'room/closed', engagementId: 'e2', reason: 'worker-died' });
    expect(await got).toEqual({ type: 'room/closed', engagementId: 'e2', reason: 'worker-died' });
    // Dropped again after a good connection: the first wait again.
    const dropped = next(stream, 'disconnected');
    sfu.dropAll();
    expect(await dropped).toMatchObject({ retryInMs: SFU_EVENTS_RETRY_MS });
  });

  it('gives up a stream that goes silent (a half-open connection) and opens a new one', async () => {
    stream = SfuEventStream.open(sfu.url, secret, { idleMs: 300 });
    await next(stream, 'connected');
    const started = Date.now();
    expect(await next(stream, 'disconnected')).toMatchObject({ error: 'nothing received for 300 ms' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await next(stream, 'connected');
    expect(sfu.opened).toBe(2);
  });

  it('does not listen without the secret, and stops for good once closed', async () => {
    stream = SfuEventStream.open(sfu.url, 'wrong');
    expect(await next(stream, 'disconnected')).toMatchObject({ error: expect.stringMatching(/HTTP 401/), unauthorized: true });
    const tried = sfu.requests;
    expect(tried).toBe(1);
    stream.close();
    stream.close();
    await new Promise((r) => setTimeout(r, SFU_EVENTS_RETRY_MS * 3));
    // Not one more request, refused or not.
    expect(sfu.requests).toBe(tried);
    expect(sfu.opened).toBe(0);
  });

  it('says a wrong SFU_SECRET once, as an error naming it, and stays disconnected', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    stream = SfuEventStream.open(sfu.url, 'wrong', { log });
    const refusals: unknown[] = [];
    await new Promise<void>((resolve) =>
      stream!.on('disconnected', (d) => {
        refusals.push(d);
        if (refusals.length === 3) resolve();
      }),
    );
    expect(refusals).toEqual([0, 1, 2].map((i) => expect.objectContaining({ unauthorized: true, retryInMs: SFU_EVENTS_RETRY_MS * 2 ** i })));
    expect(stream.connected).toBe(false);
    expect(stream.unauthorized).toBe(true);
    const loud = lines.filter((l) => l.level >= 40);
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatchObject({ level: 50, msg: expect.stringContaining('SFU_SECRET') });
  });

  it('tells its state and since when: connecting, connected, connecting again (kept through failed retries), closed', async () => {
    const before = Date.now();
    stream = SfuEventStream.open(sfu.url, secret);
    const opening = stream.state;
    expect(opening.state).toBe('connecting');
    expect(opening.since.getTime()).toBeGreaterThanOrEqual(before);
    await next(stream, 'connected');
    const connected = stream.state;
    expect(connected.state).toBe('connected');
    expect(connected.since.getTime()).toBeGreaterThanOrEqual(opening.since.getTime());
    sfu.refuse = true;
    const drops: Array<{ state: string; since: Date }> = [];
    stream.on('disconnected', () => drops.push(stream!.state));
    sfu.dropAll();
    await new Promise<void>((resolve) => stream!.on('disconnected', () => drops.length === 3 && resolve()));
    expect(drops.map((d) => d.state)).toEqual(['connecting', 'connecting', 'connecting']);
    // Down since the drop, not since the latest retry.
    expect(drops[1].since).toBe(drops[0].since);
    expect(drops[2].since).toBe(drops[0].since);
    expect(drops[0].since.getTime()).toBeGreaterThanOrEqual(connected.since.getTime());
    stream.close();
    expect(stream.state.state).toBe('closed');
  });

  it('is unauthorized from the first refusal of the secret, and connected once the SFU takes it', async () => {
    sfu.refuseSecret = true;
    stream = SfuEventStream.open(sfu.url, secret);
    const refusals: Array<{ state: string; since: Date }> = [];
    const twice = new Promise<void>((resolve) =>
      stream!.on('disconnected', () => {
        refusals.push(stream!.state);
        if (refusals.length === 2) resolve();
      }),
    );
    await twice;
    expect(refusals.map((r) => r.state)).toEqual(['unauthorized', 'unauthorized']);
    expect(refusals[1].since).toBe(refusals[0].since);
    sfu.refuseSecret = false;
    await next(stream, 'connected');
    expect(stream.state.state).toBe('connected');
    expect(stream.state.since.getTime()).toBeGreaterThanOrEqual(refusals[0].since.getTime());
  });

  it('a refusal other than the secret is a warning each time, not the secret error', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    sfu.refuse = true;
    stream = SfuEventStream.open(sfu.url, secret, { log });
    expect(await next(stream, 'disconnected')).toMatchObject({ error: expect.stringMatching(/HTTP 503/), unauthorized: false });
    expect(stream.unauthorized).toBe(false);
    expect(lines.filter((l) => l.level >= 40).map((l) => l.level)).toEqual([40]);
  });
});
