import { applyDueNow } from './apply-now';

function timer(raf: number | true | null) {
  const calls: string[] = [];
  return {
    calls,
    t: {
      raf,
      rafCheck() {
        calls.push('check');
        this.raf = true;
      },
    },
  };
}

describe('applyDueNow (rrweb live Timer driven without waiting for a frame)', () => {
  it('cancels the pending frame and applies what is due now', () => {
    const { t, calls } = timer(42);
    const cancelled: number[] = [];
    expect(applyDueNow(t, (id) => cancelled.push(id))).toBe(true);
    expect(cancelled).toEqual([42]);
    expect(calls).toEqual(['check']);
  });

  it('applies at once when the timer is idle (no frame pending)', () => {
    const { t, calls } = timer(true);
    const cancelled: number[] = [];
    expect(applyDueNow(t, (id) => cancelled.push(id))).toBe(true);
    expect(cancelled).toEqual([]);
    expect(calls).toEqual(['check']);
  });

  it('after an event that throws, the timer is idle (re-armed by the next event), not stuck on a cancelled frame', () => {
    const t = {
      raf: 7 as number | true | null,
      rafCheck() {
        throw new Error('bad event');
      },
    };
    expect(() => applyDueNow(t, () => undefined)).toThrow('bad event');
    expect(t.raf).toBe(true);
  });

  it('leaves a stopped timer (cleared, replay closed) alone', () => {
    const { t, calls } = timer(null);
    expect(applyDueNow(t, () => undefined)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('does nothing with a timer it does not know (another rrweb version)', () => {
    expect(applyDueNow({ raf: 1 }, () => undefined)).toBe(false);
    expect(applyDueNow(null, () => undefined)).toBe(false);
  });
});
