// The control channel end to end: a real worker (Chromium) behind a real WebSocket server.
import WebSocket from 'ws';
import { loadConfig } from '../config/config';
import { staticResolver } from '../egress/resolver';
import { configureLogging, createLogger } from '../logger';
import { decodeWorkerFrame, jpegSize, PROXY_WORKER_EV as ProxyEvent, type ProxyWorkerNotification as ProxyNotification } from '@engage/protocol';
import { startServer, type TestServer } from '../test/fixture-server';
import { ProxyWorker } from '../worker';
import { ControlServer, isAuthorized } from './control-server';
import { WorkerMetrics } from './metrics';

jest.setTimeout(60_000);
configureLogging('silent');
const SECRET = 'test-secret-0123456789abcdef';

let fixture: TestServer;
let worker: ProxyWorker;
let server: ControlServer;
let base: string;

beforeAll(async () => {
  fixture = await startServer('fixture');
  const config = loadConfig({
    PROXY_SECRET: SECRET,
    PROXY_PORT: '0',
    MAX_SESSIONS: '2',
    WARM_POOL: '1',
    PROXY_ALLOW: `127.0.0.1:${fixture.port}`,
    CHROMIUM_PATH: process.env.CHROMIUM_PATH,
  });
  worker = await ProxyWorker.create(config, { log: createLogger('worker'), resolve: staticResolver({}) });
  server = await ControlServer.create({ host: '127.0.0.1', port: 0, secret: SECRET, worker, metrics: new WorkerMetrics(), log: createLogger('control') });
  base = `127.0.0.1:${server.address.port}`;
});

afterAll(async () => {
  await worker?.close();
  await server?.close();
  await fixture?.close();
});

class Client {
  readonly messages: ProxyNotification[] = [];
  #waiters: Array<{ pred: (m: ProxyNotification) => boolean; resolve: (m: ProxyNotification) => void }> = [];
  #rid = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d, isBinary) => {
      // Frames come as binary messages; everything else as JSON.
      const m = isBinary ? decodeWorkerFrame(d as Buffer) : (JSON.parse(d.toString()) as ProxyNotification);
      if (!m) throw new Error('a binary message that is not a frame');
      this.messages.push(m);
      this.#waiters = this.#waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
  }
  static open(secret = SECRET): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${base}/control`, { headers: { authorization: `Bearer ${secret}` } });
      const c = new Client(ws);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  waitFor<T extends ProxyNotification>(pred: (m: ProxyNotification) => boolean, ms = 15_000): Promise<T> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen as T);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout')), ms);
      this.#waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m as T)) });
    });
  }
  async request(msg: Record<string, unknown>): Promise<Extract<ProxyNotification, { type: 'proxy/reply' }>> {
    const rid = ++this.#rid;
    this.ws.send(JSON.stringify({ ...msg, rid }));
    return this.waitFor((m) => m.type === ProxyEvent.Reply && m.rid === rid);
  }
}

describe('ControlServer', () => {
  it('checks the bearer secret in constant time', () => {
    expect(isAuthorized(`Bearer ${SECRET}`, SECRET)).toBe(true);
    expect(isAuthorized(`Bearer ${SECRET}x`, SECRET)).toBe(false);
    expect(isAuthorized(SECRET, SECRET)).toBe(false);
    expect(isAuthorized(undefined, SECRET)).toBe(false);
  });

  it('refuses a connection without the right secret', async () => {
    await expect(Client.open('wrong-secret-wrong-secret')).rejects.toThrow('HTTP 401');
  });

  it('creates a session, streams frames and events, and closes it', async () => {
    const c = await Client.open();
    // The worker registers first: who it is, its capacity, not draining.
    expect(c.messages[0] ?? (await c.waitFor((m) => m.type === ProxyEvent.Capacity))).toEqual({ type: ProxyEvent.Capacity, workerId: worker.id, maxSessions: 2, active: 0, draining: false });
    const t0 = Date.now();
    const created = await c.request({ type: ProxyEvent.SessionCreate, options: { viewport: { width: 800, height: 600 }, startUrl: `${fixture.origin}/anim` } });
    expect(created).toMatchObject({ ok: true, result: { sessionId: expect.any(String) } });
    const sessionId = (created as { result: { sessionId: string } }).result.sessionId;
    const frame = await c.waitFor<Extract<ProxyNotification, { type: 'session/frame' }>>((m) => m.type === ProxyEvent.Frame && m.sessionId === sessionId);
    console.log(`control: session/create → first frame ${Date.now() - t0} ms (warm pool)`);
    // The JPEG's own bytes (not base64), and the page size beside them.
    expect(Buffer.from(frame.data).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(jpegSize(frame.data)).toEqual({ width: 800, height: 600 });
    expect(frame.metadata).toMatchObject({ deviceWidth: 800, deviceHeight: 600 });
    await c.waitFor((m) => m.type === ProxyEvent.Capacity && m.active === 1);

    const nav = await c.request({ type: ProxyEvent.SessionNavigate, sessionId, command: { action: 'goto', url: 'http://10.0.0.1/' } });
    expect(nav).toMatchObject({ ok: true, result: { ok: false, reason: 'blocked: private address 10.0.0.1' } });
    await c.waitFor((m) => m.type === ProxyEvent.Blocked && m.reason === 'blocked: private address 10.0.0.1');

    await c.request({ type: ProxyEvent.SessionNavigate, sessionId, command: { action: 'goto', url: `${fixture.origin}/second` } });
    await c.waitFor((m) => m.type === ProxyEvent.Navigated && m.title === 'Second page');
    expect(await c.request({ type: ProxyEvent.SessionInput, sessionId, input: { kind: 'mouse', type: 'click', x: 10, y: 10 } })).toMatchObject({ ok: true });

    const health = await (await fetch(`http://${base}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', maxSessions: 2, active: 1 });
    const metrics = await (await fetch(`http://${base}/metrics`)).text();
    expect(metrics).toMatch(/proxy_frames_total [1-9]/);
    expect(metrics).toMatch(/proxy_browser_rss_bytes [1-9]/);

    expect(await c.request({ type: ProxyEvent.SessionClose, sessionId })).toMatchObject({ ok: true });
    await c.waitFor((m) => m.type === ProxyEvent.Closed && m.sessionId === sessionId && m.reason === 'closed');
    c.ws.close();
  });

  it('sends a page at rest (about:blank) its first frame, after the reply to session/create that names the session', async () => {
    const c = await Client.open();
    const created = await c.request({ type: ProxyEvent.SessionCreate, options: { viewport: { width: 640, height: 400 } } });
    const sessionId = (created as { result: { sessionId: string } }).result.sessionId;
    // about:blank paints once when the screencast starts, and then never again
    const frame = await c.waitFor<Extract<ProxyNotification, { type: 'session/frame' }>>((m) => m.type === ProxyEvent.Frame && m.sessionId === sessionId, 5_000);
    expect(jpegSize(frame.data)).toEqual({ width: 640, height: 400 });
    expect(c.messages.indexOf(frame)).toBeGreaterThan(c.messages.indexOf(created));
    expect(await c.request({ type: ProxyEvent.SessionClose, sessionId })).toMatchObject({ ok: true });
    c.ws.close();
  });

  it('validates requests and enforces capacity and ownership', async () => {
    const c = await Client.open();
    expect(await c.request({ type: 'session/explode' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await c.request({ type: ProxyEvent.SessionInput, sessionId: 'x', input: { kind: 'mouse', type: 'click' } })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    const opts = { viewport: { width: 400, height: 400 } };
    const a = await c.request({ type: ProxyEvent.SessionCreate, options: opts });
    const b = await c.request({ type: ProxyEvent.SessionCreate, options: opts });
    if (!b.ok) console.log(JSON.stringify(b));
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(await c.request({ type: ProxyEvent.SessionCreate, options: opts })).toMatchObject({ ok: false, error: { code: 'capacity' } });

    const other = await Client.open();
    const sid = (a as { result: { sessionId: string } }).result.sessionId;
    expect(await other.request({ type: ProxyEvent.SessionClose, sessionId: sid })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    other.ws.close();

    // Losing the control connection ends its sessions.
    c.ws.close();
    await new Promise<void>((resolve) => {
      const check = () => (worker.active === 0 ? resolve() : setTimeout(check, 50));
      check();
    });
  });

  // Last: draining cannot be undone on this server.
  it('tells connected backends at once when it drains, and refuses new sessions', async () => {
    const c = await Client.open();
    await c.waitFor((m) => m.type === ProxyEvent.Capacity);
    server.drain();
    expect(await c.waitFor((m) => m.type === ProxyEvent.Capacity && m.draining)).toMatchObject({ workerId: worker.id, draining: true });
    expect(await c.request({ type: ProxyEvent.SessionCreate, options: { viewport: { width: 400, height: 400 } } })).toMatchObject({ ok: false, error: { code: 'shutting-down' } });
    c.ws.close();
  });
});
