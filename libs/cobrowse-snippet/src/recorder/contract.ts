import type { ControlInput, MissingImage, RecordedEvent } from '@engage/protocol';

/**
 * The seam between widget.js and recorder.js. The recorder bundle (rrweb) is fetched only once
 * the customer has accepted; it registers itself on `window.__engageRecorder`.
 */
export interface RecorderOptions {
  /** Elements never recorded (rrweb blockSelector). */
  blockSelector: string;
  /** Elements whose text is masked (rrweb maskTextSelector). */
  maskTextSelector: string;
  /** Sends one batch; resolves when the server accepted it. */
  send(events: RecordedEvent[]): Promise<unknown>;
  /** Recording had to stop (a batch was refused, the backlog grew too large). */
  onFailure(error: unknown): void;
  /** Problems rrweb swallowed; reported, never thrown into the page. */
  onError(error: unknown): void;
}

export interface RecorderHandle {
  /** Stops recording at once and drops anything not yet sent. Idempotent. */
  stop(): void;
  /** A fresh Meta + FullSnapshot (a new checkpoint for viewers). */
  takeFullSnapshot(): void;
  /** Carries out one of the agent's remote inputs; null when done, else why it was refused. */
  control(input: ControlInput): string | null;
  /**
   * Images the agent's replay could not load: each one still on the page, loaded, and outside
   * private and masked areas is sent as a data: URL (within a byte budget per page).
   */
  inlineImages(images: readonly MissingImage[]): void;
}

export interface RecorderApi {
  version: 1;
  start(options: RecorderOptions): RecorderHandle;
}

declare global {
  interface Window {
    __engageRecorder?: RecorderApi;
  }
}
