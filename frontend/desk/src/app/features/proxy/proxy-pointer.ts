/** At most one pointer message per this many ms while the mouse moves over the shared page. */
export const POINTER_INTERVAL_MS = 30;
/** The other side's dot disappears after this long without movement. */
export const PEER_POINTER_HIDE_MS = 3_000;

/** Where a client point falls on the shared page, normalized to 0..1 of the emulated viewport (the canvas shows all of it). */
export function normalizedOn(canvas: HTMLCanvasElement, clientX: number, clientY: number): { x: number; y: number } {
  const r = canvas.getBoundingClientRect();
  const clamp = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 10_000) / 10_000;
  return { x: clamp((clientX - r.left) / Math.max(1, r.width)), y: clamp((clientY - r.top) / Math.max(1, r.height)) };
}

/**
 * This side's pointer, sent while it moves: the newest position at most every POINTER_INTERVAL_MS
 * (the last one of a burst is sent too), and once `visible: false` when it leaves.
 */
export class PointerSender {
  #last: { x: number; y: number } | null = null;
  #sentAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #shown = false;

  constructor(private readonly send: (at: { x: number; y: number; visible: boolean }) => void) {}

  move(at: { x: number; y: number }): void {
    this.#last = at;
    const wait = POINTER_INTERVAL_MS - (performance.now() - this.#sentAt);
    if (wait <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), wait);
  }

  leave(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#shown || !this.#last) return;
    this.#shown = false;
    this.send({ ...this.#last, visible: false });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#last) return;
    this.#sentAt = performance.now();
    this.#shown = true;
    this.send({ ...this.#last, visible: true });
  }
}
