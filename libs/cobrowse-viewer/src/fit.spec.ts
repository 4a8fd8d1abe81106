import { fitTransform, fitViewport } from './fit';

describe('fitViewport', () => {
  it('scales a wide page down to the container width and centres it vertically', () => {
    const f = fitViewport({ width: 640, height: 600 }, { width: 1280, height: 800 });
    expect(f.scale).toBe(0.5);
    expect(f.left).toBe(0);
    expect(f.top).toBe((600 - 400) / 2);
  });

  it('scales a tall page to the container height and centres it horizontally', () => {
    const f = fitViewport({ width: 800, height: 422 }, { width: 390, height: 844 });
    expect(f.scale).toBe(0.5);
    expect(f.left).toBeCloseTo((800 - 195) / 2);
    expect(f.top).toBe(0);
  });

  it('keeps the aspect ratio', () => {
    const vp = { width: 1366, height: 768 };
    const f = fitViewport({ width: 700, height: 500 }, vp);
    expect(Math.min(700 / vp.width, 500 / vp.height)).toBeCloseTo(f.scale);
    expect(vp.width * f.scale).toBeLessThanOrEqual(700 + 1e-9);
    expect(vp.height * f.scale).toBeLessThanOrEqual(500 + 1e-9);
  });

  it('never blows a small page up beyond maxScale, and centres it', () => {
    const f = fitViewport({ width: 1000, height: 1000 }, { width: 400, height: 500 });
    expect(f.scale).toBe(1);
    expect(f.left).toBe(300);
    expect(f.top).toBe(250);
    expect(fitViewport({ width: 1000, height: 1000 }, { width: 400, height: 500 }, 1.5).scale).toBe(1.5);
  });

  it('fits by width when the container has no height yet', () => {
    expect(fitViewport({ width: 300, height: 0 }, { width: 1200, height: 900 })).toEqual({ scale: 0.25, left: 0, top: 0 });
  });

  it('leaves unknown or empty sizes unscaled', () => {
    expect(fitViewport({ width: 0, height: 0 }, { width: 1200, height: 900 })).toEqual({ scale: 1, left: 0, top: 0 });
    expect(fitViewport({ width: 500, height: 500 }, { width: 0, height: 900 })).toEqual({ scale: 1, left: 0, top: 0 });
  });

  it('renders a translate-then-scale transform', () => {
    expect(fitTransform({ scale: 0.123456, left: 10.126, top: 0 })).toBe('translate(10.13px, 0px) scale(0.1235)');
  });
});
