import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientEvent, ClientPayload, ClientResults, ErrorCode, ServerEvent, ServerPayloads } from '@engage/protocol';

/** Codes a request can fail with: the server's, plus the two the client decides itself. */
export type RequestErrorCode = ErrorCode | 'offline' | 'timeout';

export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'RequestError';
  }
  /** Worth sending again later: the server was busy or the connection was gone. */
  get transient(): boolean {
    return this.code === 'offline' || this.code === 'timeout' || this.code === 'rate_limited' || this.code === 'overloaded' || this.code === 'internal';
  }
}

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'closed';

export interface EngageSocketOptions {
  /** Backend origin, e.g. http://localhost:3000. */
  url: string;
  /** Staff JWT or the customer's engagement token. */
  token: string;
  /** Default time a request waits for its acknowledgement. */
  requestTimeoutMs?: number;
  /** For tests and benchmarks: skip HTTP long-polling. */
  websocketOnly?: boolean;
}

type Listener<T> = (payload: T) => void;

/**
 * One authenticated socket.io connection with typed requests (acknowledged events) and typed
 * server events. Requests fail fast with `offline` while disconnected instead of being buffered,
 * so callers (the chat outbox) decide what to resend.
 */
export class EngageSocket {
  #socket: Socket;
  #status: ConnectionStatus = 'connecting';
  #statusListeners = new Set<(s: ConnectionStatus, error?: RequestError) => void>();
  #closed = false;
  readonly #timeoutMs: number;

  static connect(options: EngageSocketOptions): EngageSocket {
    return new EngageSocket(options);
  }

  private constructor(options: EngageSocketOptions) {
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#socket = io(options.url, {
      auth: { token: options.token },
      transports: options.websocketOnly ? ['websocket'] : ['polling', 'websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
    });
    this.#socket.on('connect', () => this.#setStatus('connected'));
    this.#socket.on('disconnect', (reason) => {
      if (this.#closed) return;
      this.#setStatus('reconnecting');
      // A server that shuts down disconnects its sockets itself; socket.io takes that as final,
      // but the next server process (a restart, another node) should get us back.
      if (reason === 'io server disconnect') setTimeout(() => !this.#closed && this.#socket.connect(), 500);
    });
    this.#socket.on('connect_error', (err: Error & { data?: { code?: ErrorCode; message?: string } }) => {
      // A refusal by the server's middleware stops socket.io's own retries (socket.active is false).
      if (!this.#socket.active) {
        const code = err.data?.code ?? 'unauthorized';
        this.#setStatus('refused', new RequestError(code, err.data?.message ?? err.message));
      } else {
        this.#setStatus('reconnecting');
      }
    });
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Sends an event and resolves with its result, or rejects with a RequestError. */
  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>, timeoutMs = this.#timeoutMs): Promise<ClientResults[E]> {
    if (!this.#socket.connected) return Promise.reject(new RequestError('offline', 'Not connected to the server.'));
    return new Promise((resolve, reject) => {
      this.#socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack<ClientResults[E]>) => {
        if (err) return reject(new RequestError('timeout', `No answer to ${event} within ${timeoutMs} ms.`));
        if (ack && ack.ok) return resolve(ack.data);
        const e = ack && !ack.ok ? ack.error : { code: 'internal' as const, message: 'Malformed answer from the server.' };
        reject(new RequestError(e.code, e.message, e.retryAfter));
      });
    });
  }

  on<E extends ServerEvent>(event: E, listener: Listener<ServerPayloads[E]>): () => void {
    const fn = listener as (...args: unknown[]) => void;
    this.#socket.on(event as string, fn);
    return () => void this.#socket.off(event as string, fn);
  }

  /** Calls back on every status change, and once right away with the current status. */
  onStatus(listener: (status: ConnectionStatus, error?: RequestError) => void): () => void {
    this.#statusListeners.add(listener);
    listener(this.#status);
    return () => void this.#statusListeners.delete(listener);
  }

  /** Drops the connection (as a network failure would); socket.io reconnects by itself. For tests. */
  simulateDrop(): void {
    this.#socket.io.engine?.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.disconnect();
    this.#setStatus('closed');
    this.#statusListeners.clear();
  }

  #setStatus(status: ConnectionStatus, error?: RequestError): void {
    if (this.#status === 'closed') return;
    this.#status = status;
    for (const l of [...this.#statusListeners]) l(status, error);
  }
}
