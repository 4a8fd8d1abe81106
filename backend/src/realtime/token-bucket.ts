/** Per-socket token bucket: `ratePerS` tokens per second, up to `burst` saved. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /**
   * Takes `cost` tokens (one message, or a number of bytes); returns 0 when allowed, else the
   * seconds until they are available. A cost above the burst is charged as the whole burst.
   */
  take(cost = 1): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerS);
    this.last = t;
    const need = Math.min(cost, this.burst);
    if (this.tokens >= need) {
      this.tokens -= need;
      return 0;
    }
    return Math.max(0.001, (need - this.tokens) / this.ratePerS);
  }
}
