import type { SfuNotification } from '@engage/protocol';

/** What a test sees of GET /events: the HTTP status, the notifications so far, a wait for one that matches. */
export interface SfuEventsReader {
  /** The answer's status (200 once the stream is open). */
  status: Promise<number>;
  /** Every notification received so far, in order. */
  seen: SfuNotification[];
  /** Resolves once a notification matching `pred` was seen; rejects after `timeoutMs` naming what was seen. */
  until(pred: (n: SfuNotification) => boolean, timeoutMs: number): Promise<void>;
  /** Ends the stream. */
  close(): void;
}

/**
 * Opens the SFU's GET /events for a test (the control-server spec, the loopback e2e) and collects
 * its notifications: one SSE block per notification, `data:` lines joined, comments skipped. The
 * backend has its own reader (backend/src/media/sfu-events.ts), with reconnects and idle checks.
 */
export function readSfuEvents(baseUrl: string, secret: string): SfuEventsReader {
  const abort = new AbortController();
  const seen: SfuNotification[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const status = (async () => {
    const res = await fetch(`${baseUrl}/events`, { headers: { authorization: `Bearer ${secret}` }, signal: abort.signal });
    if (res.ok && res.body) void read(res.body).catch(() => undefined);
    return res.status;
  })();
  async function read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        buffer = buffer.slice(end + 2);
        if (data) seen.push(JSON.parse(data) as SfuNotification);
      }
      wake();
    }
  }
  return {
    status,
    seen,
    close: () => abort.abort(),
    until: (pred, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!seen.some(pred)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching notification within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
