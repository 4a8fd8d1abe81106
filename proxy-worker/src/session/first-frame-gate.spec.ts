import { jpegSize } from '@engage/protocol';
import { FirstFrameGate } from './proxy-session';

/** The start of a baseline JPEG: SOI, then a start-of-frame header with the picture's size. */
function jpegOf(width: number, height: number): string {
  const b = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
  return b.toString('base64');
}

/** A frame as CDP sends it: the device size in the metadata, the picture's own size in the JPEG. */
const frame = (w: number, h: number, picture: [number, number] = [Math.round(w), Math.round(h)]) => ({
  data: jpegOf(...picture),
  metadata: { deviceWidth: w, deviceHeight: h },
});
const size = (f: { data: string }) => {
  const s = jpegSize(Buffer.from(f.data, 'base64'));
  return `${s?.width}x${s?.height}`;
};

describe('FirstFrameGate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds frames of the old size until one of the device size comes, then passes everything', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 800, height: 600 }, 500, (f) => passed.push(size(f)));
    expect(gate.offer(frame(800, 506))).toBe(false);
    expect(passed).toEqual([]);
    expect(gate.offer(frame(800, 600))).toBe(true);
    // Once open, a later size (the page zoomed, a rounding) is never held.
    expect(gate.offer(frame(800, 599.5, [800, 599]))).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(passed).toEqual(['800x600', '800x599']);
  });

  it('holds a frame whose metadata names the device size but whose picture is the old surface (seen under load)', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 800, height: 600 }, 500, (f) => passed.push(size(f)));
    expect(gate.offer(frame(800, 600, [800, 506]))).toBe(false);
    expect(gate.offer(frame(800, 600))).toBe(true);
    expect(passed).toEqual(['800x600']);
  });

  it('takes a picture scaled down to the screencast cap, as long as it keeps the device shape', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 412, height: 915 }, 500, (f) => passed.push(size(f)));
    // DPR 3 capped at 2: 824×1830 for a 412×915 device.
    expect(gate.offer(frame(412, 915, [824, 1830]))).toBe(true);
    expect(passed).toEqual(['824x1830']);
  });

  it('shows the newest held frame when none of the device size comes in time', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 390, height: 844 }, 500, (f) => passed.push(size(f)));
    gate.offer(frame(800, 506));
    gate.offer(frame(800, 507));
    jest.advanceTimersByTime(499);
    expect(passed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(passed).toEqual(['800x507']);
    expect(gate.offer(frame(800, 508))).toBe(true);
    expect(passed).toEqual(['800x507', '800x508']);
  });

  it('accepts a first frame of the device size at once, sub-pixel sizes included', () => {
    const passed: string[] = [];
    const gate = new FirstFrameGate({ width: 412, height: 915 }, 500, (f) => passed.push(size(f)));
    expect(gate.offer(frame(412, 915.4, [412, 915]))).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(passed).toEqual(['412x915']);
  });
});
