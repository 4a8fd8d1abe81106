import { EventEmitter } from 'node:events';
import { PROXY_WORKER_EV, type ProxyDialogType, type ProxyFrameMetadata, type ProxyInput, type ProxyNavigateCommand, type ProxyNavigateResult } from '@engage/protocol';
import type { Logger } from 'pino';
import type { SessionNotification, WorkerLink } from './worker-link';

/** Why a remote session ended: the worker's own reasons, plus its worker going away. */
export type RemoteCloseReason = 'closed' | 'max-duration' | 'memory' | 'crashed' | 'unresponsive' | 'control-lost' | 'shutdown' | 'error' | 'worker-lost';

interface RemoteSessionEvents {
  /** A screencast frame of the page: the JPEG's bytes (a view into the worker's message, not a copy). */
  frame: [{ seq: number; data: Uint8Array; metadata: ProxyFrameMetadata }];
  /** The page committed a navigation, or its title changed. */
  navigated: [{ url: string; title: string }];
  /** The page opened a JavaScript dialog; it waits for `answerDialog`. */
  dialog: [{ type: ProxyDialogType; message: string; defaultValue: string }];
  /** The dialog is gone (answered, or the page went away). */
  'dialog-closed': [];
  /** The worker's URL policy refused something the page asked for. */
  blocked: [{ target: string; reason: string }];
  /** The session ended (on request, on the worker, or with its worker); emitted once. */
  closed: [{ reason: RemoteCloseReason; detail?: string }];
}

type RemoteFrame = RemoteSessionEvents['frame'][0];

/** A browser session placed on a proxy worker, as the backend sees it. Created by the ProxyPool. */
export class RemoteSession extends EventEmitter<RemoteSessionEvents> {
  #closed = false;
  #lastFrame: RemoteFrame | undefined;
  #lastNavigated: { url: string; title: string } | undefined;

  private constructor(
    readonly id: string,
    readonly link: WorkerLink,
    private readonly log: Logger,
  ) {
    super();
  }

  static create(options: { id: string; link: WorkerLink; log: Logger }): RemoteSession {
    return new RemoteSession(options.id, options.link, options.log.child({ sid: options.id }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The newest frame so far: whoever starts following shows it at once, instead of waiting for the page to paint again. */
  get lastFrame(): RemoteFrame | undefined {
    return this.#lastFrame;
  }

  /** The page's newest navigation so far, for whoever starts following after it came. */
  get lastNavigated(): { url: string; title: string } | undefined {
    return this.#lastNavigated;
  }

  input(input: ProxyInput): Promise<void> {
    return this.link.request({ type: PROXY_WORKER_EV.SessionInput, sessionId: this.id, input });
  }

  navigate(command: ProxyNavigateCommand): Promise<ProxyNavigateResult> {
    return this.link.request<ProxyNavigateResult>({ type: PROXY_WORKER_EV.SessionNavigate, sessionId: this.id, command });
  }

  answerDialog(accept: boolean, text?: string): Promise<void> {
    return this.link.request({ type: PROXY_WORKER_EV.SessionDialogAnswer, sessionId: this.id, accept, ...(text === undefined ? {} : { text }) });
  }

  /** Called by the pool with this session's events from its worker. */
  handle(msg: SessionNotification): void {
    if (this.#closed) return;
    switch (msg.type) {
      case PROXY_WORKER_EV.Frame:
        this.#lastFrame = { seq: msg.seq, data: msg.data, metadata: msg.metadata };
        this.emit('frame', this.#lastFrame);
        return;
      case PROXY_WORKER_EV.Navigated:
        this.#lastNavigated = { url: msg.url, title: msg.title };
        this.emit('navigated', this.#lastNavigated);
        return;
      case PROXY_WORKER_EV.Blocked:
        this.emit('blocked', { target: msg.target, reason: msg.reason });
        return;
      case PROXY_WORKER_EV.Closed:
        this.#end(msg.reason, msg.detail);
        return;
      case PROXY_WORKER_EV.Dialog:
        this.emit('dialog', { type: msg.dialogType, message: msg.message, defaultValue: msg.defaultValue });
        return;
      case PROXY_WORKER_EV.DialogClosed:
        this.emit('dialog-closed');
        return;
      case PROXY_WORKER_EV.DownloadRefused:
        // Not surfaced yet.
        this.log.info({ event: msg.type }, 'not relayed');
        return;
    }
  }

  /** Its worker went away: the session is gone with it. */
  lost(): void {
    this.#end('worker-lost');
  }

  /** Idempotent: asks the worker to close the session, then emits 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.link.request({ type: PROXY_WORKER_EV.SessionClose, sessionId: this.id }, 10_000).catch((err: Error) => this.log.debug({ err: err.message }, 'session close not confirmed'));
    this.#end('closed');
  }

  #end(reason: RemoteCloseReason, detail?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lastFrame = undefined;
    this.emit('closed', { reason, detail });
  }
}
