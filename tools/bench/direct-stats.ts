// Pure helpers of the direct co-browse benchmark: latency samples and wire-size figures.
import { constants, createDeflateRaw, deflateRawSync } from 'node:zlib';

/**
 * Latency of each sent item: the first time the viewer showed that item or a later one (an item the
 * replay skipped over counts as shown when a newer one is). Sent items never shown are +Infinity.
 * `sent`: [index, sentAt]; `shown`: [index, shownAt] in the order observed.
 */
export function latencies(sent: Array<[number, number]>, shown: Array<[number, number]>, drop: number): { samples: number[]; missing: number } {
  const byTime = [...shown].sort((a, b) => a[1] - b[1]);
  const prefixMax: number[] = [];
  let max = -Infinity;
  for (const [i] of byTime) prefixMax.push((max = Math.max(max, i)));
  const samples: number[] = [];
  let missing = 0;
  for (const [i, t] of [...sent].sort((a, b) => a[0] - b[0]).slice(drop)) {
    let lo = 0;
    let hi = prefixMax.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefixMax[mid] >= i) hi = mid;
      else lo = mid + 1;
    }
    if (lo < byTime.length) samples.push(byTime[lo][1] - t);
    else {
      samples.push(Number.POSITIVE_INFINITY);
      missing++;
    }
  }
  samples.sort((a, b) => a - b);
  return { samples, missing };
}

export interface WireSizes {
  messages: number;
  /** rrweb FullSnapshot events (type 2) among the messages: checkpoints and page loads. */
  fullSnapshots: number;
  raw: number;
  /** The whole capture deflated at once (the floor). */
  wholeDeflate: number;
  /** One deflate stream flushed after every message, as permessage-deflate with context takeover
   *  sends it (the 4-byte 00 00 ff ff tail of each flush stripped). */
  perMessageStream: number;
  /** Each message deflated on its own (permessage-deflate with no_context_takeover). */
  perMessageNoContext: number;
}

export async function wireSizes(messages: string[]): Promise<WireSizes> {
  const bufs = messages.map((m) => Buffer.from(m, 'utf8'));
  const raw = bufs.reduce((n, b) => n + b.length, 0);
  const wholeDeflate = deflateRawSync(Buffer.concat(bufs)).length;
  const perMessageNoContext = bufs.reduce((n, b) => n + deflateRawSync(b).length, 0);
  const stream = createDeflateRaw();
  let out = 0;
  stream.on('data', (c: Buffer) => (out += c.length));
  let perMessageStream = 0;
  for (const b of bufs) {
    const before = out;
    stream.write(b);
    await new Promise<void>((r) => stream.flush(constants.Z_SYNC_FLUSH, () => r()));
    await new Promise((r) => setImmediate(r));
    perMessageStream += Math.max(0, out - before - 4);
  }
  stream.end();
  const fullSnapshots = messages.reduce((n, m) => n + (m.match(/\{"type":2,"(?:timestamp|data)"/g)?.length ?? 0), 0);
  return { messages: bufs.length, fullSnapshots, raw, wholeDeflate, perMessageStream, perMessageNoContext };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
};
