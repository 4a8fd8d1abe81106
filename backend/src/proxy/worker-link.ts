import { EventEmitter } from 'node:events';
import { decodeWorkerFrame, PROXY_WORKER_EV, type ProxyWorkerNotification, type ProxyWorkerRequestInput } from '@engage/protocol';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';

/** A session event of the worker (anything but replies and capacity). */
export type SessionNotification = Extract<ProxyWorkerNotification, { sessionId: string }>;

/** A request without its `rid` (the link numbers them). */
export type WorkerOrder = ProxyWorkerRequestInput extends infer R ? (R extends unknown ? Omit<R, 'rid'> : never) : never;

export interface WorkerCapacity {
  /** Unknown ('') until the worker has registered on this connection. */
  workerId: string;
  maxSessions: number;
  active: number;
  draining: boolean;
}

interface WorkerLinkEvents {
  /** The control channel is open (again); capacity follows. */
  up: [];
  /** The control channel was lost: every session on this worker is gone with it. */
  down: [];
  capacity: [WorkerCapacity];
  session: [SessionNotification];
  /** Closed on request; it will not reconnect. */
  closed: [];
}

/** The worker answered a request with an error. */
export class WorkerRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

const RECONNECT_MS = 1_000;

/**
 * The backend's end of one proxy worker's control channel (the backend is the client): requests
 * with a `rid` answered by `proxy/reply`, capacity and session events pushed. Reconnects until closed.
 */
export class WorkerLink extends EventEmitter<WorkerLinkEvents> {
  readonly #pending = new Map<number, Pending>();
  #ws: WebSocket | undefined;
  #up = false;
  #closed = false;
  #rid = 0;
  #retry: NodeJS.Timeout | undefined;
  capacity: WorkerCapacity = { workerId: '', maxSessions: 0, active: 0, draining: false };

  private constructor(
    readonly url: string,
    private readonly secret: string,
    private readonly log: Logger,
  ) {
    super();
  }

  static create(options: { url: string; secret: string; log: Logger }): WorkerLink {
    const link = new WorkerLink(options.url, options.secret, options.log.child({ worker: options.url }));
    link.#connect();
    return link;
  }

  get up(): boolean {
    return this.#up;
  }

  /** Connected and registered (its capacity announced). */
  get registered(): boolean {
    return this.#up && this.capacity.workerId !== '';
  }

  /** Sessions this worker can still take, as far as the backend knows (none before it registered, none while it drains). */
  get room(): number {
    return this.registered && !this.capacity.draining ? Math.max(0, this.capacity.maxSessions - this.capacity.active) : 0;
  }

  request<T = unknown>(msg: WorkerOrder, timeoutMs = 35_000): Promise<T> {
    const ws = this.#ws;
    if (!ws || !this.#up || ws.readyState !== WebSocket.OPEN) return Promise.reject(new WorkerRequestError('unreachable', 'the proxy worker is not connected'));
    const rid = ++this.#rid;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(rid);
        reject(new WorkerRequestError('timeout', `the proxy worker did not answer ${msg.type} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(rid, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ ...msg, rid }));
    });
  }

  #connect(): void {
    if (this.#closed) return;
    const ws = new WebSocket(this.url, { headers: { authorization: `Bearer ${this.secret}` }, maxPayload: 16 * 2 ** 20 });
    this.#ws = ws;
    ws.on('open', () => {
      this.#up = true;
      this.log.info({ event: 'worker/up' }, 'proxy worker connected');
      this.emit('up');
    });
    ws.on('message', (data, isBinary) => {
      // Frames travel binary (the JPEG's bytes behind a small header); the rest is JSON.
      if (!isBinary) return this.#onMessage(data.toString());
      const frame = Buffer.isBuffer(data) ? decodeWorkerFrame(data) : null;
      if (frame) this.emit('session', frame);
    });
    ws.on('error', (err) => this.log.debug({ event: 'worker/error', err: err.message }, 'control channel error'));
    ws.on('close', () => {
      const wasUp = this.#up;
      this.#up = false;
      this.#ws = undefined;
      // A reconnected worker registers again (it may be another process behind the same address).
      this.capacity = { ...this.capacity, workerId: '' };
      this.#rejectAll('the proxy worker connection was lost');
      if (wasUp) {
        this.log.warn({ event: 'worker/down' }, 'proxy worker lost');
        this.emit('down');
      }
      if (!this.#closed) this.#retry = setTimeout(() => this.#connect(), RECONNECT_MS);
    });
  }

  #onMessage(text: string): void {
    let msg: ProxyWorkerNotification;
    try {
      msg = JSON.parse(text) as ProxyWorkerNotification;
    } catch {
      return;
    }
    switch (msg.type) {
      case PROXY_WORKER_EV.Reply: {
        const p = typeof msg.rid === 'number' ? this.#pending.get(msg.rid) : undefined;
        if (!p || typeof msg.rid !== 'number') return;
        this.#pending.delete(msg.rid);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new WorkerRequestError(msg.error.code, msg.error.message));
        return;
      }
      case PROXY_WORKER_EV.Capacity:
        this.capacity = { workerId: msg.workerId, maxSessions: msg.maxSessions, active: msg.active, draining: msg.draining };
        this.emit('capacity', this.capacity);
        return;
      default:
        this.emit('session', msg);
    }
  }

  #rejectAll(why: string): void {
    for (const [rid, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new WorkerRequestError('unreachable', why));
      this.#pending.delete(rid);
    }
  }

  /** Idempotent: stops reconnecting and closes the channel (the worker then closes this link's sessions). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#rejectAll('closed');
    this.#ws?.removeAllListeners('close');
    this.#ws?.on('error', () => undefined);
    this.#ws?.close();
    this.#ws = undefined;
    this.#up = false;
    this.emit('closed');
  }
}
