/**
 * rrweb's live-mode Timer (2.2.x) applies events only on requestAnimationFrame. A rAF asked for
 * while the desk page is idle comes almost at once, but while anything animates (the pointer's
 * transition, a spinner) frames come every 16.7 ms, so an event that is already due waits up to a
 * frame. This is the part of the Timer we drive ourselves: `raf` is the pending frame id (or `true`
 * when idle, `null` when stopped) and `rafCheck()` applies every due action and re-arms.
 */
export interface LiveTimer {
  raf: number | true | null;
  rafCheck(): void;
}

/**
 * Applies the due events of a running live Timer now instead of at the next frame. Call it after the
 * replayer's own addEvent microtasks ran (rrweb queues each added event on a microtask).
 * Returns false (and leaves the timer to its frames) when the Timer is not one this knows.
 */
export function applyDueNow(timer: unknown, cancelFrame: (id: number) => void): boolean {
  const t = timer as Partial<LiveTimer> | null;
  if (!t || typeof t.rafCheck !== 'function' || t.raf === null || t.raf === undefined) return false;
  const pending = t.raf;
  if (typeof pending === 'number') cancelFrame(pending);
  try {
    t.rafCheck();
  } catch (e) {
    // An event that failed to apply must not leave the Timer holding a frame that will never come
    // (it would then never ask for another): mark it idle, so the next event re-arms it.
    if (t.raf === pending) t.raf = true;
    throw e;
  }
  return true;
}
