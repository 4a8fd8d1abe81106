// The one way out of the proxied browser: an HTTP forward proxy on loopback that Chromium must use
// for every request (plain HTTP, CONNECT tunnels for HTTPS and WebSockets, HTTP upgrades). It
// resolves each host itself, judges every resolved address with the URL policy, and connects to
// exactly the address it judged — so a name that resolves to a public address during a check and
// to 127.0.0.1 a moment later (DNS rebinding) can never reach 127.0.0.1.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { parseAddress } from '../policy/address';
import { checkResolved, checkTarget, type AllowList } from '../policy/url-policy';
import type { Resolver } from './resolver';

export interface EgressProxyOptions {
  allow: AllowList;
  resolve: Resolver;
  log: Logger;
  /** Milliseconds to wait for an upstream TCP connection. */
  connectTimeoutMs?: number;
  /** Refuse everything: the browser-wide default, for traffic outside any session (update checks). */
  denyAll?: boolean;
}

export interface BlockedEvent {
  /** What was asked for: a URL for HTTP, `host:port` for a tunnel. */
  target: string;
  reason: string;
}

interface EgressProxyEvents {
  /** A request was refused by the URL policy. */
  blocked: [BlockedEvent];
  /** The proxy stopped listening and dropped its connections. */
  closed: [];
}

const HOP_BY_HOP = ['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

type Resolved = { ok: true; address: string } | { ok: false; reason: string };

export class EgressProxy extends EventEmitter<EgressProxyEvents> {
  readonly #server: http.Server;
  readonly #opts: Required<EgressProxyOptions>;
  readonly #sockets = new Set<Duplex>();
  #closed = false;
  /** Upstream connections opened, for metrics and tests. */
  connections = 0;

  private constructor(server: http.Server, opts: Required<EgressProxyOptions>) {
    super();
    this.#server = server;
    this.#opts = opts;
  }

  static async create(options: EgressProxyOptions): Promise<EgressProxy> {
    const server = http.createServer();
    const proxy = new EgressProxy(server, { connectTimeoutMs: 10_000, denyAll: false, ...options });
    server.on('request', (req, res) => void proxy.#onRequest(req, res));
    server.on('connect', (req, socket, head) => void proxy.#onConnect(req, socket, head));
    server.on('upgrade', (req, socket, head) => void proxy.#onUpgrade(req, socket, head));
    server.on('connection', (s) => proxy.#track(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** `http://127.0.0.1:<port>`, for Chromium's proxy setting. */
  get url(): string {
    const addr = this.#server.address() as net.AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.emit('closed');
  }

  #track(s: Duplex): void {
    this.#sockets.add(s);
    s.once('close', () => this.#sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  /** Judges the host, resolves it ourselves, judges every address, and returns the one to dial. */
  async #resolve(host: string, port: number): Promise<Resolved> {
    const { allow, resolve, denyAll } = this.#opts;
    if (denyAll) return { ok: false, reason: 'blocked: traffic outside a session' };
    const pre = checkTarget(host, port, allow);
    if (!pre.ok) return pre;
    const literal = parseAddress(host);
    if (literal) return { ok: true, address: literal.text };
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (err) {
      return { ok: false, reason: `blocked: ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const verdict = checkResolved(host, port, addresses, allow);
    if (!verdict.ok) return verdict;
    return { ok: true, address: addresses[0] };
  }

  #blocked(target: string, reason: string): void {
    const level = this.#opts.denyAll ? 'debug' : 'warn';
    this.#opts.log[level]({ event: 'egress/blocked', target, reason }, 'request refused');
    this.emit('blocked', { target, reason });
  }

  #dial(address: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port });
      this.#track(socket);
      this.connections++;
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout to ${address}:${port}`)), this.#opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  async #onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:') throw new Error('not http');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('proxy: absolute http URL expected');
      return;
    }
    const port = url.port ? Number(url.port) : 80;
    const host = url.hostname;
    const target = await this.#resolve(host, port);
    if (!target.ok) {
      this.#blocked(url.href, target.reason);
      res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'x-engage-blocked': target.reason, 'cache-control': 'no-store' });
      res.end(blockedPage(url.href, target.reason));
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    headers.connection = 'close';
    const upstream = http.request({
      host: target.address,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
      agent: false,
      timeout: this.#opts.connectTimeoutMs,
    });
    this.connections++;
    upstream.on('response', (up) => {
      const out: http.OutgoingHttpHeaders = { ...up.headers };
      for (const h of HOP_BY_HOP) delete out[h];
      res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
      up.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${err.message}`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  async #onConnect(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(req.url ?? '');
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = m[1].replace(/^\[|\]$/g, '');
    const port = Number(m[2]);
    const target = await this.#resolve(host, port);
    if (!target.ok) {
      this.#blocked(req.url ?? '', target.reason);
      client.end(`HTTP/1.1 403 Forbidden\r\nX-Engage-Blocked: ${target.reason.replace(/[\r\n]/g, ' ')}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    try {
      const upstream = await this.#dial(target.address, port);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).on('error', () => upstream.destroy());
      client.pipe(upstream).on('error', () => client.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    } catch (err) {
      client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n`);
      this.#opts.log.debug({ event: 'egress/connect-failed', target: req.url, err: (err as Error).message }, 'upstream unreachable');
    }
  }

  /** A WebSocket (ws://) sent as an HTTP upgrade through the proxy rather than a CONNECT tunnel. */
  async #onUpgrade(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const port = url.port ? Number(url.port) : 80;
    const target = await this.#resolve(url.hostname, port);
    if (!target.ok) {
      this.#blocked(url.href, target.reason);
      client.end(`HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    try {
      const upstream = await this.#dial(target.address, port);
      const lines = [`${req.method} ${url.pathname}${url.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (!/^proxy-/i.test(req.rawHeaders[i])) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    } catch {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    }
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page shown in the session instead of a refused address. */
export function blockedPage(url: string, reason: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Blocked</title><style>body{font:16px system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}code{word-break:break-all}</style></head>
<body><h1>This address can't be opened in co-browsing</h1><p id="reason">${escapeHtml(reason)}</p><p><code>${escapeHtml(url)}</code></p></body></html>`;
}
