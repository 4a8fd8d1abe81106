/**
 * The snippet never breaks the host page: every DOM, timer and socket callback runs through
 * `safe()`, which reports a failure instead of throwing it into the site's own code.
 */
export type Reporter = (error: unknown, where: string) => void;

export interface Safe {
  /** Wraps a callback; a throw (or a rejected promise) is reported and swallowed. */
  <A extends unknown[], R>(where: string, fn: (...args: A) => R): (...args: A) => R | undefined;
  /** Runs a function now, through the same guard. */
  run<R>(where: string, fn: () => R): R | undefined;
  /** Reports a failure caught elsewhere (a rejected request) the same way. */
  report(error: unknown, where: string): void;
}

export function createSafe(report: Reporter): Safe {
  const guard = <R>(where: string, fn: () => R): R | undefined => {
    try {
      const out = fn();
      if (out && typeof (out as { catch?: unknown }).catch === 'function') {
        (out as unknown as Promise<unknown>).catch((e: unknown) => safeReport(report, e, where));
      }
      return out;
    } catch (e) {
      safeReport(report, e, where);
      return undefined;
    }
  };
  const safe = (<A extends unknown[], R>(where: string, fn: (...args: A) => R) =>
    (...args: A) =>
      guard(where, () => fn(...args))) as Safe;
  safe.run = guard;
  safe.report = (error, where) => safeReport(report, error, where);
  return safe;
}

function safeReport(report: Reporter, error: unknown, where: string): void {
  try {
    report(error, where);
  } catch {
    // a failing reporter must not become the failure
  }
}

/**
 * A reporter that writes one console line per distinct problem and at most `limit` in all,
 * so a dead backend or a broken page does not turn into a console storm.
 */
export function consoleReporter(log: (msg: string) => void, limit = 5): Reporter {
  const seen = new Set<string>();
  return (error, where) => {
    const msg = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    if (seen.has(msg) || seen.size >= limit) return;
    seen.add(msg);
    log(`[engage widget] ${msg}`);
  };
}
