import { EventEmitter } from 'node:events';
import { SFU_PATHS, type SfuNotification } from '@engage/protocol';
import type { Logger } from 'pino';
import { createLogger } from '../common/logger';

/** First wait before reconnecting a dropped stream (ms); doubles per failed attempt up to MAX. */
export const SFU_EVENTS_RETRY_MS = 250;
export const SFU_EVENTS_RETRY_MAX_MS = 5_000;
/** The SFU writes a keep-alive every 15 s: this long without a byte means the connection is dead. */
export const SFU_EVENTS_IDLE_MS = 45_000;

/**
 * Where the stream stands: `connecting` is the first attempt and every wait and retry after a drop;
 * `unauthorized` the SFU refusing SFU_SECRET (it keeps retrying, quietly); `closed` after close().
 */
export type SfuEventStreamState = 'connecting' | 'connected' | 'unauthorized' | 'closed';

export interface SfuEventStreamEvents {
  /** One notification pushed by the SFU. */
  notification: [SfuNotification];
  /** The stream is open (again). */
  connected: [];
  /** The stream dropped or could not open; a reconnect is scheduled in `retryInMs`. `unauthorized`: the SFU refused SFU_SECRET (401). */
  disconnected: [{ error: string; retryInMs: number; unauthorized: boolean }];
  /** Closed on request; it will not reconnect. */
  closed: [];
}

/** The abort reason of a stream that went silent. */
const IDLE = Symbol('idle');

/** GET /events answered 401: the backend's SFU_SECRET is not the SFU's. */
class SecretRefused extends Error {}

/**
 * The SFU's GET /events (server-sent events, one SfuNotification per `data:` line), kept open:
 * when it drops (the SFU restarted, the network hiccupped) or goes silent past the SFU's
 * keep-alive (a half-open connection), it reconnects with a backoff that starts at
 * SFU_EVENTS_RETRY_MS and resets once a stream has opened.
 */
export class SfuEventStream extends EventEmitter<SfuEventStreamEvents> {
  readonly #log: Logger;
  #abort: AbortController | undefined;
  #retry: NodeJS.Timeout | undefined;
  #delayMs = SFU_EVENTS_RETRY_MS;
  #closed = false;
  #connected = false;
  #idle: NodeJS.Timeout | undefined;
  #unauthorized = false;
  #state: SfuEventStreamState = 'connecting';
  #since = new Date();

  private constructor(
    private readonly baseUrl: string,
    private readonly secret: string,
    private readonly idleMs: number,
    log: Logger | undefined,
  ) {
    super();
    this.#log = log ?? createLogger('sfu-events', { url: baseUrl });
  }

  static open(baseUrl: string, secret: string, options: { idleMs?: number; log?: Logger } = {}): SfuEventStream {
    const stream = new SfuEventStream(baseUrl, secret, options.idleMs ?? SFU_EVENTS_IDLE_MS, options.log);
    void stream.#run();
    return stream;
  }

  /** False while the stream is not open, also when the SFU refuses the secret (it keeps trying, quietly). */
  get connected(): boolean {
    return this.#connected;
  }

  /** The SFU refused SFU_SECRET at the last attempt: a configuration error, not a network one. */
  get unauthorized(): boolean {
    return this.#unauthorized;
  }

  /** The current state and when it began (a retry that fails the same way does not restart it). */
  get state(): { state: SfuEventStreamState; since: Date } {
    return { state: this.#state, since: this.#since };
  }

  /** Idempotent: ends the stream and stops reconnecting. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    this.#enter('closed');
    clearTimeout(this.#retry);
    clearTimeout(this.#idle);
    this.#abort?.abort();
    this.emit('closed');
    this.removeAllListeners();
  }

  async #run(): Promise<void> {
    if (this.#closed) return;
    const abort = new AbortController();
    this.#abort = abort;
    let error = 'the stream ended';
    try {
      const res = await fetch(`${this.baseUrl}${SFU_PATHS.events}`, { headers: { authorization: `Bearer ${this.secret}`, accept: 'text/event-stream' }, signal: abort.signal });
      if (res.status === 401) throw new SecretRefused(`GET ${SFU_PATHS.events} answered HTTP 401: the SFU refused SFU_SECRET`);
      if (!res.ok || !res.body) throw new Error(`GET ${SFU_PATHS.events} answered HTTP ${res.status}`);
      this.#unauthorized = false;
      this.#connected = true;
      this.#enter('connected');
      this.#delayMs = SFU_EVENTS_RETRY_MS;
      this.#log.info({ event: 'sfu/events-connected' }, 'listening to the SFU');
      this.emit('connected');
      await this.#read(res.body, abort);
      this.#unauthorized = false;
    } catch (err) {
      error = abort.signal.reason === IDLE ? `nothing received for ${this.idleMs} ms` : err instanceof Error ? err.message : String(err);
      const refused = err instanceof SecretRefused;
      // A wrong secret is said once, as the error it is; retrying goes on quietly (the SFU may be restarted with the right one).
      if (refused && !this.#unauthorized) {
        this.#log.error({ event: 'sfu/events-unauthorized', error }, 'the SFU refused SFU_SECRET: set the same SFU_SECRET in the backend and the SFU; no worker deaths or speakers are heard until then');
      }
      this.#unauthorized = refused;
    }
    clearTimeout(this.#idle);
    this.#connected = false;
    if (this.#closed) return;
    this.#enter(this.#unauthorized ? 'unauthorized' : 'connecting');
    const retryInMs = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, SFU_EVENTS_RETRY_MAX_MS);
    if (!this.#unauthorized) this.#log.warn({ event: 'sfu/events-lost', error, retryInMs }, 'the SFU event stream dropped; reconnecting');
    this.emit('disconnected', { error, retryInMs, unauthorized: this.#unauthorized });
    this.#retry = setTimeout(() => void this.#run(), retryInMs);
    this.#retry.unref();
  }

  #enter(state: SfuEventStreamState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#since = new Date();
  }

  async #read(body: ReadableStream<Uint8Array>, abort: AbortController): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const alive = () => {
      clearTimeout(this.#idle);
      this.#idle = setTimeout(() => abort.abort(IDLE), this.idleMs);
      this.#idle.unref();
    };
    alive();
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      alive();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.#dispatch(block);
      }
    }
  }

  /** One SSE block: `event:` and `data:` lines; comments (`:`) keep the connection alive. */
  #dispatch(block: string): void {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (!data) return;
    let notification: SfuNotification;
    try {
      notification = JSON.parse(data) as SfuNotification;
    } catch {
      this.#log.warn({ data: data.slice(0, 200) }, 'the SFU sent an event that is not JSON');
      return;
    }
    if (typeof notification?.type !== 'string') return;
    try {
      this.emit('notification', notification);
    } catch (err) {
      this.#log.error({ err, type: notification.type }, 'a notification handler failed');
    }
  }
}
