import { LIMITS, type MissingImage } from '@engage/protocol';

/**
 * Collects the images the replay could not load (an image behind the customer's login fails in the
 * agent's browser) and asks the customer's page for them: de-duplicated, at most `perPage` per page
 * (full snapshot), in reports sent at most every `minIntervalMs` (5 a second by default). Errors
 * that come together (a page's images failing at once) travel in one report.
 */
export interface MissingImageReporterOptions {
  /** Sends one report (cobrowse/images-missing); a rejection with code `forbidden` turns reporting off. */
  send(images: MissingImage[]): Promise<unknown>;
  /** Images reported per page at most (default LIMITS.missingImagesPerReport). */
  perPage?: number;
  /** Time between two reports at least (default 200 ms: 5 a second). */
  minIntervalMs?: number;
  /** Errors arriving within this window after the first go together (default 30 ms). */
  gatherMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

/** Only these need the customer's page: a data: URL (or an empty src) loads anywhere or nowhere. */
const FETCHABLE = /^(https?:|blob:https?:)/i;

export class MissingImageReporter {
  readonly #o: Required<Omit<MissingImageReporterOptions, 'send'>> & Pick<MissingImageReporterOptions, 'send'>;
  readonly #seen = new Set<string>();
  #pending: MissingImage[] = [];
  #count = 0;
  #timer: unknown = null;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #off = false;

  constructor(options: MissingImageReporterOptions) {
    this.#o = {
      perPage: LIMITS.missingImagesPerReport,
      minIntervalMs: 200,
      gatherMs: 30,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** An image of the replay failed to load. Returns whether it will be reported. */
  report(nodeId: number, url: string): boolean {
    if (this.#off || !(nodeId > 0) || !FETCHABLE.test(url) || url.length > LIMITS.missingImageUrlMaxChars) return false;
    const key = `${nodeId} ${url}`;
    if (this.#seen.has(key) || this.#count >= this.#o.perPage) return false;
    this.#seen.add(key);
    this.#count++;
    this.#pending.push({ nodeId, url });
    this.#schedule();
    return true;
  }

  /** A new page (full snapshot) is on screen: its images may be reported again, up to the per-page cap. */
  newPage(): void {
    this.#seen.clear();
    this.#pending = [];
    this.#count = 0;
    this.#cancel();
  }

  /** Nothing more is sent. */
  close(): void {
    this.#off = true;
    this.newPage();
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    const wait = Math.max(this.#o.gatherMs, this.#lastSentAt + this.#o.minIntervalMs - this.#o.now());
    this.#timer = this.#o.setTimer(() => {
      this.#timer = null;
      this.#flush();
    }, wait);
  }

  #cancel(): void {
    if (this.#timer !== null) this.#o.clearTimer(this.#timer);
    this.#timer = null;
  }

  #flush(): void {
    if (this.#off || this.#pending.length === 0) return;
    const images = this.#pending.splice(0, LIMITS.missingImagesPerReport);
    this.#lastSentAt = this.#o.now();
    this.#o.send(images).catch((err: unknown) => {
      // A viewer that is not the agent co-browsing (a supervisor) may not ask: stop trying.
      if ((err as { code?: string } | null)?.code === 'forbidden') this.close();
    });
    if (this.#pending.length) this.#schedule();
  }
}
