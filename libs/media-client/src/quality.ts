/**
 * Connection quality of a call: figures read from the transports' WebRTC stats, and a verdict
 * (good / fair / poor) from thresholds people notice in a conversation.
 */

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

export interface CallQuality {
  level: QualityLevel;
  /** Round trip to the SFU (selected ICE candidate pair), worst transport. */
  rttMs: number | null;
  /** Share of packets lost since the previous reading (received streams, else as the SFU reports for sent ones). */
  lossPct: number | null;
  /** Interarrival jitter of the received streams, worst stream. */
  jitterMs: number | null;
}

/**
 * Where a figure turns fair, and poor. Round trip: beyond ~150 ms people talk over each other, beyond
 * ~400 ms a conversation breaks down (ITU-T G.114 puts one way at 150/400 ms; ours is both ways to
 * the SFU only, so the same figures are lenient). Loss: opus conceals ~2 %, video freezes from ~5 %.
 */
export const QUALITY_THRESHOLDS = {
  rttMs: { fair: 150, poor: 400 },
  lossPct: { fair: 2, poor: 8 },
  jitterMs: { fair: 30, poor: 75 },
} as const;

type Figures = Omit<CallQuality, 'level'>;

/** The verdict for a set of figures: the worst figure decides; nothing measured is 'unknown'. */
export function rateQuality(f: Figures): QualityLevel {
  const figures = (['rttMs', 'lossPct', 'jitterMs'] as const).filter((k) => f[k] !== null);
  if (figures.length === 0) return 'unknown';
  if (figures.some((k) => (f[k] as number) >= QUALITY_THRESHOLDS[k].poor)) return 'poor';
  if (figures.some((k) => (f[k] as number) >= QUALITY_THRESHOLDS[k].fair)) return 'fair';
  return 'good';
}

const LEVEL_WORDS: Record<Exclude<QualityLevel, 'unknown'>, string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };

/** One sentence for a tooltip: "Good connection: 3 ms round trip, 0 % loss, 1 ms jitter." */
export function describeQuality(q: CallQuality): string {
  if (q.level === 'unknown') return 'Connection quality is not measured yet.';
  const parts = [
    q.rttMs !== null ? `${Math.round(q.rttMs)} ms round trip` : null,
    q.lossPct !== null ? `${formatPct(q.lossPct)} % loss` : null,
    q.jitterMs !== null ? `${Math.round(q.jitterMs)} ms jitter` : null,
  ].filter((p) => p !== null);
  return `${LEVEL_WORDS[q.level]} connection: ${parts.join(', ')}.`;
}

function formatPct(pct: number): string {
  return pct > 0 && pct < 10 ? pct.toFixed(1).replace(/\.0$/, '') : String(Math.round(pct));
}

/** Running totals of received packets, kept between readings to turn cumulative counters into a recent loss rate. */
export interface LossCounters {
  lost: number;
  received: number;
}

/** What one reading of the transports' stats gives (cumulative counters included). */
export interface QualitySample {
  rttMs: number | null;
  jitterMs: number | null;
  /** Summed over the received streams; null when nothing is received. */
  inbound: LossCounters | null;
  /** The SFU's view of the streams we send (remote-inbound-rtp fractionLost), worst one, in %. */
  outboundLossPct: number | null;
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** Reads round trip, jitter and loss counters from RTCStatsReports (one per transport). */
export function readQualitySample(reports: Iterable<ReadonlyMap<string, unknown>>): QualitySample {
  let rtt: number | null = null;
  let jitter: number | null = null;
  let inbound: LossCounters | null = null;
  let outboundLoss: number | null = null;
  const max = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
  for (const report of reports) {
    const stats = [...report.values()] as Stat[];
    const byId = new Map(stats.map((s) => [s.id, s]));
    // The pair in use: the transport names it; else the nominated, succeeded one.
    const selectedIds = new Set(stats.filter((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string').map((s) => s.selectedCandidatePairId as string));
    const pairs = selectedIds.size
      ? [...selectedIds].map((id) => byId.get(id)).filter((s): s is Stat => !!s)
      : stats.filter((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    for (const pair of pairs) if (typeof pair.currentRoundTripTime === 'number') rtt = max(rtt, pair.currentRoundTripTime * 1000);
    for (const s of stats) {
      if (s.type === 'inbound-rtp') {
        if (typeof s.jitter === 'number') jitter = max(jitter, s.jitter * 1000);
        if (typeof s.packetsReceived === 'number') {
          inbound ??= { lost: 0, received: 0 };
          inbound.received += s.packetsReceived;
          inbound.lost += typeof s.packetsLost === 'number' ? Math.max(0, s.packetsLost) : 0;
        }
      } else if (s.type === 'remote-inbound-rtp' && typeof s.fractionLost === 'number') {
        outboundLoss = max(outboundLoss, s.fractionLost * 100);
      }
    }
  }
  return { rttMs: rtt, jitterMs: jitter, inbound, outboundLossPct: outboundLoss };
}

/**
 * The quality now, from a sample and the counters of the previous reading (loss since then; all of
 * it on the first reading). Returns the counters to keep for the next one.
 */
export function assessQuality(sample: QualitySample, previous: LossCounters | null): { quality: CallQuality; counters: LossCounters | null } {
  let lossPct: number | null = sample.outboundLossPct;
  const now = sample.inbound;
  if (now) {
    // Counters restart with new consumers (a rejoin): then the reading stands on its own.
    const base = previous && previous.received <= now.received && previous.lost <= now.lost ? previous : { lost: 0, received: 0 };
    const lost = now.lost - base.lost;
    const expected = lost + (now.received - base.received);
    if (expected > 0) lossPct = Math.max(lossPct ?? 0, (100 * lost) / expected);
  }
  const figures: Figures = { rttMs: sample.rttMs, lossPct, jitterMs: sample.jitterMs };
  return { quality: { level: rateQuality(figures), ...figures }, counters: now ?? previous };
}
