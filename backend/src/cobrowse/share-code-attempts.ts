/**
 * Attempts at redeeming share codes, per agent, in a sliding window: a million codes cannot be
 * tried at 10 a minute. In memory (single node, like the co-browse sessions).
 */
export class ShareCodeAttempts {
  private readonly recent = new Map<string, number[]>();

  constructor(
    readonly max = SHARE_CODE_ATTEMPTS_PER_WINDOW,
    readonly windowMs = SHARE_CODE_ATTEMPT_WINDOW_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Counts one attempt of `who`; returns 0 when allowed, else the seconds until the next one is. */
  take(who: string): number {
    const t = this.now();
    const kept = (this.recent.get(who) ?? []).filter((at) => t - at < this.windowMs);
    if (kept.length >= this.max) {
      this.recent.set(who, kept);
      return Math.max(1, Math.ceil((kept[0] + this.windowMs - t) / 1000));
    }
    kept.push(t);
    this.recent.set(who, kept);
    if (this.recent.size > 10_000) this.prune(t);
    return 0;
  }

  private prune(t: number): void {
    for (const [who, list] of this.recent) if (list.every((at) => t - at >= this.windowMs)) this.recent.delete(who);
  }
}

/** Code attempts an agent may make per window (wrong, expired and successful alike). */
export const SHARE_CODE_ATTEMPTS_PER_WINDOW = 10;
export const SHARE_CODE_ATTEMPT_WINDOW_MS = 60_000;
