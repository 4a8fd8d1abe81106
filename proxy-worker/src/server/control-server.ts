// The backend's way in: a WebSocket control channel (Bearer PROXY_SECRET) for orders and events,
// plus /health and /metrics over plain HTTP. Each session belongs to the connection that created it:
// its events go there, and it ends when that connection is lost.
import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { encodeWorkerFrame, PROXY_WORKER_EV as ProxyEvent, proxyWorkerRequestSchema as requestSchema, type ProxyWorkerFrame, type ProxyWorkerNotification as ProxyNotification, type ProxyWorkerRequest as ProxyRequest } from '@engage/protocol';
import type { Frame, ProxySession } from '../session/proxy-session';
import type { ProxyWorker } from '../worker';
import type { WorkerMetrics } from './metrics';

export interface ControlServerOptions {
  host: string;
  port: number;
  secret: string;
  worker: ProxyWorker;
  metrics: WorkerMetrics;
  log: Logger;
}

interface ControlServerEvents {
  /** The server stopped listening and dropped its connections. */
  closed: [];
}

/** Frames are dropped (not queued) for a connection with more than this waiting to be sent. */
const MAX_BUFFERED = 4 * 2 ** 20;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Timing-safe check of `Authorization: Bearer <secret>`. */
export function isAuthorized(header: string | undefined, secret: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  return timingSafeEqual(digest(m ? m[1] : ''), digest(secret)) && !!m;
}

export class ControlServer extends EventEmitter<ControlServerEvents> {
  readonly #owned = new Map<WebSocket, Set<ProxySession>>();
  #closed = false;
  #draining = false;

  private constructor(
    private readonly http: http.Server,
    private readonly wss: WebSocketServer,
    private readonly opts: ControlServerOptions,
  ) {
    super();
  }

  static async create(opts: ControlServerOptions): Promise<ControlServer> {
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 * 2 ** 20 });
    const cs = new ControlServer(server, wss, opts);
    server.on('request', (req, res) => void cs.#onHttp(req, res));
    server.on('upgrade', (req, socket, head) => cs.#onUpgrade(req, socket as net.Socket, head));
    wss.on('connection', (ws) => cs.#onConnection(ws));
    opts.worker.on('capacity', () => cs.#broadcast(cs.#registration()));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
    return cs;
  }

  get address(): { host: string; port: number } {
    const a = this.http.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  async #onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { worker, metrics } = this.opts;
    if (req.method === 'GET' && req.url === '/health') {
      const ok = !worker.closed && !this.#draining;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'draining', ...worker.capacity, warmIdle: worker.pool.idle }));
      return;
    }
    if (req.method === 'GET' && req.url === '/metrics') {
      metrics.sessionsActive.set(worker.active);
      metrics.warmIdle.set(worker.pool.idle);
      metrics.browserMemory.set(await worker.host.memoryBytes());
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  #onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/control' || !isAuthorized(req.headers.authorization, this.opts.secret) || this.#draining) {
      const status = path !== '/control' ? '404 Not Found' : this.#draining ? '503 Service Unavailable' : '401 Unauthorized';
      this.opts.log.warn({ event: 'control/refused', status, from: socket.remoteAddress }, 'control connection refused');
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  #onConnection(ws: WebSocket): void {
    this.#owned.set(ws, new Set());
    this.opts.log.info({ event: 'control/connected' }, 'backend connected');
    this.#send(ws, this.#registration());
    ws.on('message', (data, isBinary) => void this.#onMessage(ws, data, isBinary));
    ws.on('close', () => {
      const sessions = this.#owned.get(ws) ?? new Set();
      this.#owned.delete(ws);
      this.opts.log.info({ event: 'control/disconnected', sessions: sessions.size }, 'backend disconnected');
      for (const s of sessions) void s.close('control-lost');
    });
  }

  async #onMessage(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    let raw: unknown;
    try {
      raw = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      raw = undefined;
    }
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) {
      const rid = (raw as { rid?: string | number } | undefined)?.rid ?? null;
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
      this.#send(ws, { type: ProxyEvent.Reply, rid: typeof rid === 'string' || typeof rid === 'number' ? rid : null, ok: false, error: { code: 'bad-request', message } });
      return;
    }
    const msg = parsed.data;
    try {
      const result = await this.#dispatch(ws, msg);
      this.#send(ws, { type: ProxyEvent.Reply, rid: msg.rid, ok: true, result });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'internal';
      this.opts.log.warn({ event: msg.type, code, err: (err as Error).message }, 'request failed');
      this.#send(ws, { type: ProxyEvent.Reply, rid: msg.rid, ok: false, error: { code, message: (err as Error).message } });
    }
  }

  #owner(ws: WebSocket, sessionId: string): ProxySession {
    const s = this.opts.worker.assertAndGetSession(sessionId);
    if (!this.#owned.get(ws)?.has(s)) throw Object.assign(new Error(`session ${sessionId} belongs to another connection`), { code: 'forbidden' });
    return s;
  }

  async #dispatch(ws: WebSocket, msg: ProxyRequest): Promise<unknown> {
    switch (msg.type) {
      case ProxyEvent.SessionCreate: {
        if (this.#draining) throw Object.assign(new Error('worker is draining'), { code: 'shutting-down' });
        const started = Date.now();
        const session = await this.opts.worker.createSession(msg.options);
        this.#own(ws, session, started);
        return { sessionId: session.id };
      }
      case ProxyEvent.SessionInput:
        await this.#owner(ws, msg.sessionId).input(msg.input);
        return undefined;
      case ProxyEvent.SessionNavigate:
        return this.#owner(ws, msg.sessionId).navigate(msg.command);
      case ProxyEvent.SessionDialogAnswer:
        await this.#owner(ws, msg.sessionId).answerDialog(msg.accept, msg.text);
        return undefined;
      case ProxyEvent.SessionClose:
        await this.#owner(ws, msg.sessionId).close('closed');
        return undefined;
      default:
        return assertUnreachable(msg);
    }
  }

  /** Forwards a session's events to the connection that created it. */
  #own(ws: WebSocket, s: ProxySession, startedAt: number): void {
    const { metrics } = this.opts;
    this.#owned.get(ws)?.add(s);
    metrics.sessionsTotal.inc();
    const sessionId = s.id;
    let first = true;
    const sendFrame = (f: Frame) => {
      if (first) {
        first = false;
        metrics.firstFrame.observe((Date.now() - startedAt) / 1000);
      }
      if (ws.bufferedAmount > MAX_BUFFERED || ws.readyState !== WebSocket.OPEN) return;
      // CDP hands the JPEG over in base64; it is decoded once here, and travels as bytes from here on.
      const jpeg = Buffer.from(f.data, 'base64');
      metrics.frames.inc();
      metrics.frameBytes.inc(jpeg.length);
      ws.send(encodeWorkerFrame({ sessionId, seq: f.seq, metadata: f.metadata }, jpeg), { binary: true });
    };
    s.on('frame', sendFrame);
    s.on('navigated', (n) => this.#send(ws, { type: ProxyEvent.Navigated, sessionId, ...n }));
    s.on('dialog', (d) => this.#send(ws, { type: ProxyEvent.Dialog, sessionId, dialogType: d.type, message: d.message, defaultValue: d.defaultValue }));
    s.on('dialog-closed', () => this.#send(ws, { type: ProxyEvent.DialogClosed, sessionId }));
    s.on('blocked', (b) => {
      metrics.blocked.inc();
      this.#send(ws, { type: ProxyEvent.Blocked, sessionId, ...b });
    });
    s.on('download-refused', (d) => this.#send(ws, { type: ProxyEvent.DownloadRefused, sessionId, ...d }));
    s.once('closed', ({ reason, detail }) => {
      metrics.sessionsClosed.inc({ reason });
      this.#owned.get(ws)?.delete(s);
      this.#send(ws, { type: ProxyEvent.Closed, sessionId, reason, detail });
    });
  }

  /** Every notification but frames (those go binary) as JSON. */
  #send(ws: WebSocket, msg: Exclude<ProxyNotification, ProxyWorkerFrame>): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  #broadcast(msg: Exclude<ProxyNotification, ProxyWorkerFrame>): void {
    for (const ws of this.#owned.keys()) this.#send(ws, msg);
  }

  /** What this worker announces to the backend: identity, capacity, draining. */
  #registration(): Extract<ProxyNotification, { type: typeof ProxyEvent.Capacity }> {
    return { type: ProxyEvent.Capacity, workerId: this.opts.worker.id, ...this.opts.worker.capacity, draining: this.#draining };
  }

  /** Refuses new connections and sessions (and tells the backends at once); open sessions keep running until the worker closes them. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#broadcast(this.#registration());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#draining = true;
    for (const ws of this.#owned.keys()) ws.close(1001, 'worker shutting down');
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.emit('closed');
  }
}

function assertUnreachable(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
