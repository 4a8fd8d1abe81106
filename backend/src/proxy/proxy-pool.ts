import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PROXY_WORKER_EV, type ProxySessionOptions } from '@engage/protocol';
import { DomainError, InvalidStateError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { RemoteSession } from './remote-session';
import { WorkerLink, WorkerRequestError } from './worker-link';

/** Every worker is full (or none is reachable). */
export class BrowsersBusyError extends DomainError {
  constructor() {
    super('overloaded', 503, 'All browsers are busy; try again in a minute.', 60);
  }
}

/**
 * The proxy workers this backend orders: one control channel each (the backend connects), their
 * capacity as they report it, and placement of new sessions on a worker with room. Sessions are
 * routed their worker's events; a worker that goes away takes its sessions with it ('worker-lost').
 */
@Injectable()
export class ProxyPool implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger('proxy-pool');
  private readonly links: WorkerLink[] = [];
  private readonly sessions = new Map<string, RemoteSession>();
  private readonly settings: { workers: string[]; secret: string } | undefined;

  constructor(config: AppConfig) {
    this.settings = config.get('proxy');
  }

  onModuleInit(): void {
    for (const url of this.settings?.workers ?? []) {
      const link = WorkerLink.create({ url, secret: this.settings!.secret, log: this.log });
      link.on('session', (msg) => this.sessions.get(msg.sessionId)?.handle(msg));
      let registeredAs = '';
      link.on('capacity', (c) => {
        if (c.workerId === registeredAs) return;
        registeredAs = c.workerId;
        const twin = this.links.find((l) => l !== link && l.registered && l.capacity.workerId === c.workerId);
        this.log.info(
          { event: 'proxy/registered', worker: link.url, workerId: c.workerId, maxSessions: c.maxSessions, active: c.active, ...(twin ? { sameAs: twin.url } : {}) },
          twin ? 'proxy worker registered again under another address (counted once)' : 'proxy worker registered',
        );
      });
      link.on('down', () => {
        registeredAs = '';
        for (const s of [...this.sessions.values()]) if (s.link === link) s.lost();
      });
      this.links.push(link);
    }
  }

  onModuleDestroy(): void {
    for (const s of [...this.sessions.values()]) s.close();
    for (const link of this.links) link.close();
  }

  get available(): boolean {
    return this.links.length > 0;
  }

  /** Addresses configured, connected, distinct workers registered on them, and sessions they hold in all (for health and tests). */
  stats(): { workers: number; up: number; registered: number; sessions: number } {
    const ids = new Set(this.links.filter((l) => l.registered).map((l) => l.capacity.workerId));
    return { workers: this.links.length, up: this.links.filter((l) => l.up).length, registered: ids.size, sessions: this.sessions.size };
  }

  /**
   * Links that may take a session: registered, with room, not draining, and one per worker (the same
   * process reached by two addresses would otherwise have its capacity counted twice).
   */
  private placeable(): WorkerLink[] {
    const seen = new Set<string>();
    const out: WorkerLink[] = [];
    for (const link of this.links) {
      if (!link.registered || seen.has(link.capacity.workerId)) continue;
      seen.add(link.capacity.workerId);
      if (link.room > 0) out.push(link);
    }
    return out;
  }

  /** Opens a session on the worker with the most room; BrowsersBusyError when none has any. */
  async open(options: ProxySessionOptions): Promise<RemoteSession> {
    if (!this.available) throw new InvalidStateError('Browsing together is not available: no proxy worker is configured.');
    const candidates = this.placeable().sort((a, b) => b.room - a.room);
    for (const link of candidates) {
      // Counted at once, so two starts in the same moment do not both pick the last place.
      link.capacity = { ...link.capacity, active: link.capacity.active + 1 };
      try {
        const { sessionId } = await link.request<{ sessionId: string }>({ type: PROXY_WORKER_EV.SessionCreate, options });
        const session = RemoteSession.create({ id: sessionId, link, log: this.log });
        this.sessions.set(sessionId, session);
        session.once('closed', () => this.sessions.delete(sessionId));
        this.log.info({ event: 'proxy/placed', worker: link.url, sid: sessionId }, 'session placed');
        return session;
      } catch (err) {
        link.capacity = { ...link.capacity, active: Math.max(0, link.capacity.active - 1) };
        if (err instanceof WorkerRequestError && ['capacity', 'shutting-down', 'unreachable', 'timeout'].includes(err.code)) {
          this.log.warn({ event: 'proxy/place-failed', worker: link.url, code: err.code }, 'trying the next worker');
          continue;
        }
        throw err instanceof WorkerRequestError ? new DomainError('internal', 502, `The shared browser could not start: ${err.message}`) : err;
      }
    }
    throw new BrowsersBusyError();
  }
}
