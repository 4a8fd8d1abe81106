import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SfuNotification } from '@engage/protocol';
import pino from 'pino';
import { configureLogging } from '../common/logger';
import { SFU_EVENTS_RETRY_MS, SfuEventStream } from './sfu-events';

configureLogging('silent');

const secret = 'x'.repeat(40);

/** A stand-in for the SFU's GET /events: checks the bearer secret, keeps the open streams. */
async function fakeSfu() {
  const streams: http.ServerResponse[] = [];
  let opened = 0;
  let requests = 0;
  let refuse = false;
  const server = http.createServer((req, res) => {
    if (req.url === '/events') requests++;
    if (req.url !== '/events' || req.headers.authorization !== `Bearer ${secret}` || refuse) {
      res.writeHead(refuse ? 503 : 401).end();
      return;
    }
    opened++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    streams.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get opened() {
      return opened;
    },
    /** Every GET /events, refused ones included. */
    get requests() {
      return requests;
    },
    set refuse(v: boolean) {
      refuse = v;
    },
    send(n: SfuNotification, split = false) {
      const text = `event: ${n.type}\ndata: ${JSON.stringify(n)}\n\n`;
      for (const res of streams) {
        if (split) {
          // One event across two chunks: the reader must join them.
          res.write(text.slice(0, 10));
          res.write(text.slice(10));
        } else res.write(text);
      }
    },
    dropAll() {
      for (const res of streams.splice(0)) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams.splice(0)) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

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
