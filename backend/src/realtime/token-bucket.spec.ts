import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 0]);
    expect(b.take()).toBeCloseTo(0.1);
    now += 100;
    expect(b.take()).toBe(0);
    expect(b.take()).toBeGreaterThan(0);
    now += 10_000;
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 0]);
    expect(b.take()).toBeGreaterThan(0);
  });
});

describe('TokenBucket with a cost (byte budget)', () => {
  it('charges the cost, refuses what does not fit, and caps a cost above the burst', () => {
    let now = 0;
    const b = new TokenBucket(1000, 2000, () => now);
    expect(b.take(1500)).toBe(0);
    expect(b.take(1000)).toBeCloseTo(0.5);
    now += 500;
    expect(b.take(1000)).toBe(0);
    now += 10_000;
    expect(b.take(50_000)).toBe(0);
    expect(b.take(1)).toBeGreaterThan(0);
  });
});
