import { consoleReporter, createSafe } from './safe';

describe('safe()', () => {
  it('passes arguments and results through', () => {
    const safe = createSafe(() => undefined);
    expect(safe('add', (a: number, b: number) => a + b)(2, 3)).toBe(5);
    expect(safe.run('now', () => 'x')).toBe('x');
  });

  it('reports a throw instead of letting it reach the page', () => {
    const report = jest.fn();
    const safe = createSafe(report);
    const boom = new Error('boom');
    expect(() =>
      safe('click', () => {
        throw boom;
      })(),
    ).not.toThrow();
    expect(report).toHaveBeenCalledWith(boom, 'click');
  });

  it('reports a rejected promise returned by the callback', async () => {
    const report = jest.fn();
    const safe = createSafe(report);
    safe('async', () => Promise.reject(new Error('later')))();
    await new Promise((r) => setTimeout(r, 0));
    expect(report).toHaveBeenCalledWith(expect.objectContaining({ message: 'later' }), 'async');
  });

  it('survives a reporter that throws', () => {
    const safe = createSafe(() => {
      throw new Error('reporter broke');
    });
    expect(safe.run('x', () => {
      throw new Error('inner');
    })).toBeUndefined();
    expect(() => safe.report(new Error('y'), 'y')).not.toThrow();
  });
});

describe('consoleReporter', () => {
  it('logs each distinct problem once and stops after the limit', () => {
    const log = jest.fn();
    const report = consoleReporter(log, 3);
    for (let i = 0; i < 10; i++) report(new Error('backend down'), 'socket');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe('[engage widget] socket: backend down');
    for (let i = 0; i < 10; i++) report(`problem ${i}`, 'x');
    expect(log).toHaveBeenCalledTimes(3);
  });
});
