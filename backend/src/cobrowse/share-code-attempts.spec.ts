import { ShareCodeAttempts } from './share-code-attempts';

describe('ShareCodeAttempts', () => {
  it('allows 10 attempts a minute per agent, then says how long to wait', () => {
    let now = 1_000_000;
    const attempts = new ShareCodeAttempts(10, 60_000, () => now);
    for (let i = 0; i < 10; i++) {
      expect(attempts.take('alex')).toBe(0);
      now += 1000;
    }
    expect(attempts.take('alex')).toBe(50);
    // Another agent has their own budget.
    expect(attempts.take('sam')).toBe(0);
    now += 50_000;
    expect(attempts.take('alex')).toBe(0);
  });
});
