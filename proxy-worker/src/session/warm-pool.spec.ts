import { configureLogging, createLogger } from '../logger';
import type { IsolatedContext } from './isolated-context';
import { REFILL_DEFER_MAX_MS, WarmPool } from './warm-pool';

configureLogging('silent');
const log = createLogger('test');

/** A pool over stand-in contexts: `made` counts the contexts made, `closed` the ones closed. */
async function pool(size = 1) {
  const counts = { made: 0, closed: 0 };
  const make = async () => {
    counts.made++;
    return { close: async () => void counts.closed++ } as unknown as IsolatedContext;
  };
  return { pool: await WarmPool.create({ size, make, log }), counts };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('WarmPool', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('makes the next context only once the taker says its start is over', async () => {
    const { pool: p, counts } = await pool();
    expect(counts.made).toBe(1);
    let over!: () => void;
    const ic = await p.take({ refillAfter: new Promise<void>((r) => (over = r)) });
    expect(ic).toBeDefined();
    await settle();
    // While the taker starts, Chromium is left to it.
    expect(counts.made).toBe(1);
    expect(p.idle).toBe(0);
    over();
    await settle();
    expect(counts.made).toBe(2);
    expect(p.idle).toBe(1);
    await p.close();
  });

  it('fills up anyway after REFILL_DEFER_MAX_MS when the taker never says so', async () => {
    const { pool: p, counts } = await pool();
    await p.take({ refillAfter: new Promise<void>(() => undefined) });
    jest.advanceTimersByTime(REFILL_DEFER_MAX_MS - 1);
    await settle();
    expect(counts.made).toBe(1);
    jest.advanceTimersByTime(1);
    await settle();
    expect(counts.made).toBe(2);
    await p.close();
  });

  it('refills at once without a signal, and a failed start counts as over', async () => {
    const { pool: p, counts } = await pool();
    await p.take();
    await settle();
    expect(counts.made).toBe(2);
    await p.take({ refillAfter: Promise.reject(new Error('start failed')) });
    await settle();
    expect(counts.made).toBe(3);
    await p.close();
  });

  it('makes nothing more once closed, and closes its idle contexts', async () => {
    const { pool: p, counts } = await pool(2);
    await p.take({ refillAfter: new Promise<void>(() => undefined) });
    await p.close();
    expect(counts.closed).toBe(1);
    jest.advanceTimersByTime(REFILL_DEFER_MAX_MS * 2);
    await settle();
    expect(counts.made).toBe(2);
    await expect(p.take()).rejects.toThrow('pool is closed');
  });
});
