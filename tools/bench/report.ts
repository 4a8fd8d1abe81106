/** One benchmark figure, printed as a JSON line. */
export function report(metric: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, ...extra })}\n`);
}

export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
