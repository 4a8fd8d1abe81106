import { assessQuality, describeQuality, rateQuality, readQualitySample, type QualitySample } from './quality';

const report = (...stats: Array<Record<string, unknown> & { id: string; type: string }>) => new Map(stats.map((s) => [s.id, s]));

describe('rateQuality', () => {
  it('is unknown with nothing measured, and the worst figure decides', () => {
    expect(rateQuality({ rttMs: null, lossPct: null, jitterMs: null })).toBe('unknown');
    expect(rateQuality({ rttMs: 3, lossPct: 0, jitterMs: 1 })).toBe('good');
    expect(rateQuality({ rttMs: 149, lossPct: 1.9, jitterMs: 29 })).toBe('good');
    expect(rateQuality({ rttMs: 150, lossPct: 0, jitterMs: 0 })).toBe('fair');
    expect(rateQuality({ rttMs: 3, lossPct: 2, jitterMs: null })).toBe('fair');
    expect(rateQuality({ rttMs: null, lossPct: null, jitterMs: 30 })).toBe('fair');
    expect(rateQuality({ rttMs: 400, lossPct: 0, jitterMs: 0 })).toBe('poor');
    expect(rateQuality({ rttMs: 20, lossPct: 8, jitterMs: 0 })).toBe('poor');
    expect(rateQuality({ rttMs: 200, lossPct: 3, jitterMs: 75 })).toBe('poor');
  });
});

describe('describeQuality', () => {
  it('says the verdict and the figures in one sentence', () => {
    expect(describeQuality({ level: 'good', rttMs: 3.2, lossPct: 0, jitterMs: 1.4 })).toBe('Good connection: 3 ms round trip, 0 % loss, 1 ms jitter.');
    expect(describeQuality({ level: 'fair', rttMs: 180, lossPct: 2.5, jitterMs: null })).toBe('Fair connection: 180 ms round trip, 2.5 % loss.');
    expect(describeQuality({ level: 'poor', rttMs: null, lossPct: 12.4, jitterMs: 90 })).toBe('Poor connection: 12 % loss, 90 ms jitter.');
    expect(describeQuality({ level: 'unknown', rttMs: null, lossPct: null, jitterMs: null })).toBe('Connection quality is not measured yet.');
  });
});

describe('readQualitySample', () => {
  it("reads the selected pair's round trip, the worst jitter and the received packet counters of every transport", () => {
    const recv = report(
      { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP2' },
      { id: 'CP1', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.9 },
      { id: 'CP2', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.004 },
      { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: 500, packetsLost: 5, jitter: 0.002 },
      { id: 'IV', type: 'inbound-rtp', kind: 'video', packetsReceived: 1500, packetsLost: 15, jitter: 0.011 },
    );
    const send = report(
      // No transport stat: the nominated, succeeded pair.
      { id: 'CPa', type: 'candidate-pair', nominated: false, state: 'succeeded', currentRoundTripTime: 2 },
      { id: 'CPb', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.012 },
      { id: 'RI', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.01 },
    );
    const sample = readQualitySample([recv, send]);
    expect(sample.rttMs).toBeCloseTo(12);
    expect(sample.jitterMs).toBeCloseTo(11);
    expect(sample.inbound).toEqual({ received: 2000, lost: 20 });
    expect(sample.outboundLossPct).toBeCloseTo(1);
  });

  it('gives nulls without stats', () => {
    expect(readQualitySample([new Map()])).toEqual({ rttMs: null, jitterMs: null, inbound: null, outboundLossPct: null });
  });
});

describe('assessQuality', () => {
  const sample = (inbound: QualitySample['inbound'], outboundLossPct: number | null = null): QualitySample => ({ rttMs: 3, jitterMs: 2, inbound, outboundLossPct });

  it('counts the loss since the previous reading, all of it on the first', () => {
    const first = assessQuality(sample({ received: 990, lost: 10 }), null);
    expect(first.quality).toEqual({ level: 'good', rttMs: 3, lossPct: 1, jitterMs: 2 });
    // 100 more expected, 20 of them lost: 20 %.
    const second = assessQuality(sample({ received: 1070, lost: 30 }), first.counters);
    expect(second.quality.lossPct).toBeCloseTo(20);
    expect(second.quality.level).toBe('poor');
    // Nothing new arrived: loss is not measured, not 0 or 100.
    const idle = assessQuality(sample({ received: 1070, lost: 30 }), second.counters);
    expect(idle.quality.lossPct).toBeNull();
  });

  it('starts over when the counters restart (new consumers after a rejoin), and takes the SFU-reported loss of sent streams', () => {
    const after = assessQuality(sample({ received: 100, lost: 0 }), { received: 5000, lost: 40 });
    expect(after.quality.lossPct).toBe(0);
    expect(assessQuality(sample(null, 4), null).quality).toEqual(expect.objectContaining({ lossPct: 4, level: 'fair' }));
    expect(assessQuality(sample({ received: 100, lost: 0 }, 9), null).quality.level).toBe('poor');
  });
});
