// The worker: one Chromium, a warm pool of isolated contexts, and the sessions placed on it.
// Parents own: the worker creates and closes everything below it, in reverse order of creation.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { BrowserHost } from './browser/browser-host';
import type { Config } from './config/config';
import { EgressProxy } from './egress/egress-proxy';
import { systemResolver, type Resolver } from './egress/resolver';
import type { ResolvedProxySessionOptions as ResolvedSessionOptions } from '@engage/protocol';
import { IsolatedContext } from './session/isolated-context';
import { ProxySession, type SessionSettings } from './session/proxy-session';
import { WarmPool } from './session/warm-pool';

export interface WorkerDeps {
  log: Logger;
  /** DNS for the egress proxies; tests inject one to stage rebinding. */
  resolve?: Resolver;
}

interface WorkerEvents {
  /** A session opened or ended: the numbers the backend places engagements by. */
  capacity: [{ maxSessions: number; active: number }];
  /** The worker is closed (on request, or because Chromium went away). */
  closed: [{ reason: string }];
}

export class CapacityError extends Error {
  readonly code = 'capacity';
}
export class NotFoundError extends Error {
  readonly code = 'not-found';
}
export class ShuttingDownError extends Error {
  readonly code = 'shutting-down';
}

export class ProxyWorker extends EventEmitter<WorkerEvents> {
  /** This process, as it registers with the backend. */
  readonly id = randomUUID();
  readonly #sessions = new Map<string, ProxySession>();
  #pending = 0;
  #closed = false;

  private constructor(
    readonly config: Config,
    readonly host: BrowserHost,
    readonly pool: WarmPool,
    private readonly defaultEgress: EgressProxy,
    private readonly log: Logger,
  ) {
    super();
    host.once('closed', ({ reason }) => {
      if (reason !== 'closed') void this.close(`browser lost: ${reason}`);
    });
  }

  static async create(config: Config, deps: WorkerDeps): Promise<ProxyWorker> {
    const resolve = deps.resolve ?? systemResolver;
    const log = deps.log;
    const defaultEgress = await EgressProxy.create({ allow: config.allow, resolve, denyAll: true, log: log.child({ component: 'egress-default' }) });
    const host = await BrowserHost.create({ executablePath: config.chromiumPath, proxyUrl: defaultEgress.url, rendererHeapMb: config.rendererHeapMb, log });
    const pool = await WarmPool.create({
      size: config.warmPool,
      make: () => IsolatedContext.create(host, { allow: config.allow, resolve, log: log.child({ component: 'egress' }) }),
      log,
    });
    log.info({ event: 'worker/ready', warm: pool.idle }, 'worker ready');
    return new ProxyWorker(config, host, pool, defaultEgress, log);
  }

  get active(): number {
    return this.#sessions.size;
  }

  get capacity(): { maxSessions: number; active: number } {
    return { maxSessions: this.config.maxSessions, active: this.#sessions.size };
  }

  get closed(): boolean {
    return this.#closed;
  }

  #settings(): SessionSettings {
    const c = this.config;
    return {
      uaSuffix: c.uaSuffix,
      allow: c.allow,
      limits: {
        maxDurationMs: c.sessionMaxMs,
        maxHeapBytes: c.sessionMaxHeapBytes,
        maxTabs: c.maxTabs,
        watchdogMs: 2_000,
        hangTimeoutMs: 10_000,
        navigationTimeoutMs: 30_000,
        jpegQuality: c.jpegQuality,
      },
    };
  }

  /** Opens a session in a warm context; refuses beyond MAX_SESSIONS. */
  async createSession(options: ResolvedSessionOptions): Promise<ProxySession> {
    if (this.#closed) throw new ShuttingDownError('worker is shutting down');
    if (this.#sessions.size + this.#pending >= this.config.maxSessions) {
      throw new CapacityError(`worker is full (${this.config.maxSessions} sessions)`);
    }
    this.#pending++;
    // The pool makes its next context once this session's page is on screen (or it failed): not
    // while Chromium and the cores are busy starting this one.
    let started!: () => void;
    const startOver = new Promise<void>((resolve) => (started = resolve));
    try {
      const ic = await this.pool.take({ refillAfter: startOver });
      const session = await ProxySession.create(ic, options, this.#settings(), this.log).catch((err: Error) => {
        started();
        throw err;
      });
      session.once('page-shown', started);
      session.once('closed', started);
      this.#sessions.set(session.id, session);
      session.once('closed', () => {
        this.#sessions.delete(session.id);
        this.emit('capacity', this.capacity);
      });
      this.emit('capacity', this.capacity);
      return session;
    } finally {
      this.#pending--;
    }
  }

  assertAndGetSession(id: string): ProxySession {
    const s = this.#sessions.get(id);
    if (!s) throw new NotFoundError(`no session ${id}`);
    return s;
  }

  /** Sessions first, then the pool, the browser and the default proxy. */
  async close(reason = 'closed'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.log.info({ event: 'worker/closing', reason, sessions: this.#sessions.size }, 'closing');
    await Promise.all([...this.#sessions.values()].map((s) => s.close('shutdown')));
    await this.pool.close();
    await this.host.close();
    await this.defaultEgress.close();
    this.emit('closed', { reason });
  }
}
