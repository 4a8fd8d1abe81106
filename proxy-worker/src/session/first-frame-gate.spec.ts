import { FirstFrameGate } from './proxy-session';

const frame = (w: number, h: number, data = `${w}x${h}`) => ({ data, metadata: { deviceWidth: w, deviceHeight: h } });

describe('FirstFrameGate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds frames of the old size until one of the device size comes, then passes everything', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 800, height: 600 }, 500, (f) => passed.push(f.data));
    expect(gate.offer(frame(800, 506))).toBe(false);
    expect(passed).toEqual([]);
    expect(gate.offer(frame(800, 600))).toBe(true);
    // Once open, a later size (the page zoomed, a rounding) is never held.
    expect(gate.offer(frame(800, 599.5, 'later'))).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(passed).toEqual(['800x600', 'later']);
  });

  it('shows the newest held frame when none of the device size comes in time', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 390, height: 844 }, 500, (f) => passed.push(f.data));
    gate.offer(frame(800, 506, 'a'));
    gate.offer(frame(800, 507, 'b'));
    jest.advanceTimersByTime(499);
    expect(passed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(passed).toEqual(['b']);
    expect(gate.offer(frame(800, 506, 'c'))).toBe(true);
    expect(passed).toEqual(['b', 'c']);
  });

  it('accepts a first frame of the device size at once, sub-pixel sizes included', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 412, height: 915 }, 500, (f) => passed.push(f.data));
    expect(gate.offer(frame(412, 915.4, 'ok'))).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(passed).toEqual(['ok']);
  });
});
