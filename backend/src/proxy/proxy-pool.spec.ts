import { PROXY_WORKER_EV } from '@engage/protocol';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import type { Config } from '../config/config.schema';
import { BrowsersBusyError, ProxyPool } from './proxy-pool';
import { stoppedReason } from './proxy.service';

configureLogging('silent');
const SECRET = 'a-proxy-secret-of-enough-length';

/** A stand-in worker: checks the bearer secret, registers with its capacity, creates sessions until full. */
async function fakeWorker(maxSessions: number, workerId = `w-${Math.random().toString(36).slice(2)}`) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: (info: { req: { headers: { authorization?: string } } }) => info.req.headers.authorization === `Bearer ${SECRET}` });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let active = 0;
  let draining = false;
  /** Every session/create that reached this worker. */
  const creates: number[] = [];
  const sockets = new Set<WebSocket>();
  const registration = () => JSON.stringify({ type: PROXY_WORKER_EV.Capacity, workerId, maxSessions, active, draining });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.send(registration());
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { type: string; rid: number };
      if (msg.type !== PROXY_WORKER_EV.SessionCreate) return;
      creates.push(msg.rid);
      if (active >= maxSessions) {
        ws.send(JSON.stringify({ type: PROXY_WORKER_EV.Reply, rid: msg.rid, ok: false, error: { code: 'capacity', message: 'full' } }));
        return;
      }
      active++;
      ws.send(JSON.stringify({ type: PROXY_WORKER_EV.Reply, rid: msg.rid, ok: true, result: { sessionId: `s${active}` } }));
      for (const s of sockets) s.send(registration());
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/control`,
    /** The same worker under another address. */
    otherUrl: `ws://localhost:${port}/control`,
    creates,
    /** Stops taking sessions, and says so to every backend connected. */
    drain: () => {
      draining = true;
      for (const s of sockets) s.send(registration());
    },
    /** The worker dies: every connection drops. */
    kill: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

function pool(urls: string[]): ProxyPool {
  const p = new ProxyPool(new AppConfig({ proxy: { workers: urls, secret: SECRET } } as unknown as Config));
  p.onModuleInit();
  return p;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

const options = { viewport: { width: 390, height: 844 } };

describe('ProxyPool', () => {
  it('places sessions on a worker with room, answers overloaded when all are full', async () => {
    const a = await fakeWorker(1);
    const b = await fakeWorker(1);
    const p = pool([a.url, b.url]);
    try {
      await until(() => p.stats().up === 2);
      const s1 = await p.open(options);
      const s2 = await p.open(options);
      expect(s1.link).not.toBe(s2.link);
      const err = await p.open(options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrowsersBusyError);
      expect((err as BrowsersBusyError).toBody()).toMatchObject({ code: 'overloaded', message: 'All browsers are busy; try again in a minute.' });
    } finally {
      p.onModuleDestroy();
      await a.kill();
      await b.kill();
    }
  });

  it('notices a worker that dies: its sessions close with worker-lost', async () => {
    const a = await fakeWorker(2);
    const p = pool([a.url]);
    try {
      await until(() => p.stats().up === 1);
      const s = await p.open(options);
      const closed = new Promise<string>((resolve) => s.once('closed', ({ reason }) => resolve(reason)));
      await a.kill();
      const reason = await closed;
      expect(reason).toBe('worker-lost');
      expect(stoppedReason('worker-lost')).toBe('The shared browser stopped; start again.');
      expect(p.stats()).toMatchObject({ up: 0, sessions: 0 });
      await expect(p.open(options)).rejects.toBeInstanceOf(BrowsersBusyError);
    } finally {
      p.onModuleDestroy();
    }
  });

  it('refuses a wrong secret (the worker never counts as up)', async () => {
    const a = await fakeWorker(1);
    const p = new ProxyPool(new AppConfig({ proxy: { workers: [a.url], secret: 'another-secret-entirely' } } as unknown as Config));
    p.onModuleInit();
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(p.stats().up).toBe(0);
    } finally {
      p.onModuleDestroy();
      await a.kill();
    }
  });

  it('places only on registered workers: a draining worker is skipped without being asked', async () => {
    const a = await fakeWorker(2);
    const b = await fakeWorker(2);
    const p = pool([a.url, b.url]);
    try {
      await until(() => p.stats().registered === 2);
      a.drain();
      await until(() => p.stats().registered === 2 && (p as unknown as { placeable(): unknown[] }).placeable().length === 1);
      const s1 = await p.open(options);
      const s2 = await p.open(options);
      expect(s1.link.url).toBe(b.url);
      expect(s2.link.url).toBe(b.url);
      expect(a.creates).toEqual([]);
      await expect(p.open(options)).rejects.toBeInstanceOf(BrowsersBusyError);
      expect(a.creates).toEqual([]);
    } finally {
      p.onModuleDestroy();
      await a.kill();
      await b.kill();
    }
  });

  it('counts a worker reached by two addresses once (its registration names the same worker)', async () => {
    const a = await fakeWorker(1, 'the-one-worker');
    const p = pool([a.url, a.otherUrl]);
    try {
      await until(() => p.stats().up === 2);
      await until(() => p.stats().registered === 1 && (p as unknown as { links: Array<{ registered: boolean }> }).links.every((l) => l.registered));
      expect(p.stats()).toMatchObject({ workers: 2, up: 2, registered: 1 });
      // Two starts in the same moment, one place in all: the second is refused without asking the worker
      // again through its other address (which would still show the place as free).
      const [first, second] = await Promise.allSettled([p.open(options), p.open(options)]);
      expect(first.status).toBe('fulfilled');
      expect(second.status === 'rejected' && second.reason).toBeInstanceOf(BrowsersBusyError);
      expect(a.creates).toHaveLength(1);
    } finally {
      p.onModuleDestroy();
      await a.kill();
    }
  });
});
