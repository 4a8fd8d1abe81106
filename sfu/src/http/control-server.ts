import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { BadRequestError, SfuError, UnauthorizedError } from '../errors';
import type { Logger } from '../logger';
import type { RoomRegistry } from '../media/room-registry';
import type { WorkerPool } from '../media/worker-pool';
import type { ErrorResponse, HealthResponse, SfuNotification } from '@engage/protocol';
import { bearerMatches } from './auth';
import { controlRoutes, matchRoute } from './routes';

const MAX_BODY_BYTES = 256 * 1024;

export interface ControlServerOptions {
  host: string;
  port: number;
  secret: string;
  pool: WorkerPool;
  rooms: RoomRegistry;
  metrics: Registry;
  logger: Logger;
  /** A comment line on every event stream this often (ms), so a backend notices a dead connection. */
  eventsKeepAliveMs?: number;
}

export const EVENTS_KEEP_ALIVE_MS = 15_000;

/**
 * The control API: a small HTTP JSON API that only the backend may call (bearer secret), plus
 * unauthenticated /health and /metrics, and GET /events (server-sent notifications, authenticated).
 */
export class ControlServer {
  readonly #server: http.Server;
  readonly #events = new Set<http.ServerResponse>();
  readonly #log: Logger;
  readonly #keepAlive: NodeJS.Timeout;
  #closed = false;

  private constructor(private readonly options: ControlServerOptions) {
    this.#log = options.logger.child({ component: 'control-api' });
    const routes = controlRoutes(options.rooms);
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res, routes).catch((err: unknown) => this.#fail(res, err));
    });
    this.#server.keepAliveTimeout = 5_000;
    options.rooms.on('notification', this.#broadcast);
    this.#keepAlive = setInterval(() => {
      for (const res of this.#events) res.write(': ping\n\n');
    }, options.eventsKeepAliveMs ?? EVENTS_KEEP_ALIVE_MS);
    this.#keepAlive.unref();
  }

  static async create(options: ControlServerOptions): Promise<ControlServer> {
    const server = new ControlServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port, options.host, () => {
        server.#server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Idempotent: stops accepting, ends event streams and idle keep-alive connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepAlive);
    this.options.rooms.off('notification', this.#broadcast);
    for (const res of this.#events) res.end();
    this.#events.clear();
    const closing = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await closing;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse, routes: ReturnType<typeof controlRoutes>): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sfu');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/health') return this.#health(res);
    if (method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': this.options.metrics.contentType });
      res.end(await this.options.metrics.metrics());
      return;
    }
    if (!bearerMatches(req.headers.authorization, this.options.secret)) throw new UnauthorizedError();
    if (method === 'GET' && url.pathname === '/events') return this.#openEvents(req, res);
    const match = matchRoute(routes, method, url.pathname);
    if (match === undefined) return this.#send(res, 404, { error: { code: 'not-found', message: `no route ${method} ${url.pathname}` } });
    if (match === 'method') return this.#send(res, 405, { error: { code: 'method-not-allowed', message: `${method} is not allowed on ${url.pathname}` } });
    const body = method === 'POST' ? await readJson(req) : undefined;
    const result = await match.route.handle({ params: match.params, body });
    this.#send(res, 200, result);
  }

  #health(res: http.ServerResponse): void {
    const { pool, rooms } = this.options;
    const health: HealthResponse = { status: pool.size === pool.wanted ? 'ok' : 'degraded', workers: pool.size, workersWanted: pool.wanted, rooms: rooms.size, workerPids: pool.pids() };
    this.#send(res, pool.size > 0 ? 200 : 503, health);
  }

  #openEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.#events.add(res);
    req.on('close', () => this.#events.delete(res));
  }

  readonly #broadcast = (notification: SfuNotification): void => {
    const line = `event: ${notification.type}\ndata: ${JSON.stringify(notification)}\n\n`;
    for (const res of this.#events) res.write(line);
  };

  #send(res: http.ServerResponse, status: number, body: unknown): void {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }

  #fail(res: http.ServerResponse, err: unknown): void {
    if (err instanceof SfuError) {
      if (err.status >= 500) this.#log.error({ err }, 'request failed');
      return this.#send(res, err.status, { error: { code: err.code, message: err.message } } satisfies ErrorResponse);
    }
    // mediasoup rejects bad parameters with TypeError; anything else is ours.
    if (err instanceof TypeError) return this.#send(res, 400, { error: { code: 'bad-request', message: err.message } } satisfies ErrorResponse);
    const message = err instanceof Error ? err.message : String(err);
    this.#log.error({ err }, 'request failed');
    if (!res.headersSent) this.#send(res, 500, { error: { code: 'internal', message } } satisfies ErrorResponse);
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequestError(`request body above ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequestError('request body is not JSON');
  }
}
