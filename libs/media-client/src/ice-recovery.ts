import type { types } from 'mediasoup-client';

export interface IceRecoveryOptions {
  /** Asks the SFU for new ICE parameters of this transport and applies them (transport.restartIce). */
  restart: () => Promise<void>;
  /** The transport's state or the recovery's changed. */
  changed: () => void;
  /** A restart failed; recovery goes on until maxAttempts. */
  error: (err: Error) => void;
  /** maxAttempts restarts did not bring the transport back (called once per give-up). */
  gaveUp?: () => void;
  /** How long 'disconnected' may last before a restart: ICE often comes back by itself from a short blip. */
  graceMs: number;
  /** After a restart that did not bring the transport back, the next one follows this much later. */
  retryMs: number;
  /** Restarts in a row without the transport coming back before giving up ('failed'). */
  maxAttempts: number;
}

/**
 * Keeps one transport's ICE alive: 'disconnected' for longer than graceMs, or 'failed', asks for an
 * ICE restart (same transport, no redial), again every retryMs until it is 'connected' again.
 * Closed once by close() (also when its transport closes).
 */
export class IceRecovery {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempts = 0;
  #inFlight = false;
  #gaveUp = false;
  #closed = false;
  readonly #off: () => void;

  constructor(
    readonly transport: types.Transport,
    private readonly options: IceRecoveryOptions,
  ) {
    const listener = (state: types.ConnectionState) => this.#onState(state);
    transport.on('connectionstatechange', listener);
    this.#off = () => transport.off('connectionstatechange', listener);
  }

  get state(): types.ConnectionState {
    return this.transport.connectionState;
  }

  /** Lost and not back yet: waiting out the grace, restarting, or waiting to retry. */
  get recovering(): boolean {
    return !this.#closed && !this.#gaveUp && (this.#inFlight || this.state === 'disconnected' || this.state === 'failed');
  }

  /** maxAttempts restarts did not bring it back (a later 'connected' clears this). */
  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    this.#off();
  }

  #onState(state: types.ConnectionState): void {
    if (this.#closed) return;
    switch (state) {
      case 'connected':
        this.#clearTimer();
        this.#attempts = 0;
        this.#gaveUp = false;
        break;
      case 'disconnected':
        if (!this.#timer && !this.#inFlight) this.#schedule(this.options.graceMs);
        break;
      case 'failed':
        this.#clearTimer();
        void this.#restart();
        break;
      case 'closed':
        this.close();
        return;
      default:
        break;
    }
    this.options.changed();
  }

  /** Read afresh each time: the state changes while a restart is awaited. */
  #connected(): boolean {
    return this.transport.connectionState === 'connected';
  }

  #schedule(ms: number): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#restart();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #restart(): Promise<void> {
    if (this.#closed || this.#inFlight || this.transport.closed || this.#connected()) return;
    if (this.#attempts >= this.options.maxAttempts) {
      this.#gaveUp = true;
      this.options.gaveUp?.();
      this.options.changed();
      return;
    }
    this.#attempts++;
    this.#inFlight = true;
    this.options.changed();
    try {
      await this.options.restart();
    } catch (err) {
      if (!this.#closed) this.options.error(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#inFlight = false;
    }
    if (this.#closed) return;
    // Not back yet (the answer came while the SFU was still unreachable, or the restart failed): again later.
    if (!this.#connected()) this.#schedule(this.options.retryMs);
    this.options.changed();
  }
}
