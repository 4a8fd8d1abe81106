// The painter of the shared browser's frames (the desk panel's and the proxy benchmark's), in real
// Chromium: JPEG bytes decoded by createImageBitmap, the newest frame wins, bitmaps released, and
// frames that are not fit to paint (not bytes, not a JPEG, too large, insane page size, undecodable)
// dropped with a code while the next good frame still paints.
import { build } from 'esbuild';
import jpeg from 'jpeg-js';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from './support/browser';

const ROOT = path.resolve(__dirname, '../../..');
type RGB = [number, number, number];

/** A real JPEG of w×h in one colour. */
function jpegOf(w: number, h: number, rgb: RGB): number[] {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return [...jpeg.encode({ data, width: w, height: h }, 90).data];
}

/** The page: a canvas, the painter on it, and what it reports; createImageBitmap watched (calls, bitmaps). */
async function harness(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `
        import { ProxyFramePainter } from './frontend/desk/src/app/features/proxy/proxy-frame-painter';
        const canvas = document.createElement('canvas');
        document.body.appendChild(canvas);
        const log = { painted: [], dropped: [], bitmaps: [], decodes: 0 };
        const real = window.createImageBitmap.bind(window);
        window.createImageBitmap = async (...args) => {
          log.decodes++;
          const b = await real(...args);
          log.bitmaps.push(b);
          return b;
        };
        const painter = new ProxyFramePainter({
          canvas: () => canvas,
          painted: (f) => log.painted.push(f),
          dropped: (code) => log.dropped.push(code),
        });
        window.t = {
          log,
          painter,
          /** A frame as socket.io hands it to a browser: data an ArrayBuffer. */
          push: (seq, bytes, width, height) => painter.push({ engagementId: 'e', seq, data: new Uint8Array(bytes).buffer, width, height }),
          pushRaw: (f) => painter.push(f),
          pixel: (x, y) => [...canvas.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3)],
          canvas: () => ({ width: canvas.width, height: canvas.height, aspect: canvas.style.aspectRatio }),
          openBitmaps: () => log.bitmaps.filter((b) => b.width !== 0).length,
        };`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    tsconfig: path.join(ROOT, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

/** What the harness page exposes as window.t. */
interface W {
  t: {
    log: { painted: Array<{ seq: number; width: number; height: number; bytes: number }>; dropped: string[]; decodes: number };
    painter: { page: { width: number; height: number } };
    push(seq: number, bytes: number[], width: number, height: number): void;
    pushRaw(frame: unknown): void;
    pixel(x: number, y: number): number[];
    canvas(): { width: number; height: number; aspect: string };
    openBitmaps(): number;
  };
}

const near = (a: number[], b: RGB) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) < 30;
const RED: RGB = [220, 30, 30];
const BLUE: RGB = [30, 60, 220];

async function until(page: Page, fn: string, what: string): Promise<void> {
  await page.waitForFunction(fn, { timeout: 10_000, polling: 20 }).catch(() => {
    throw new Error(`timed out waiting for ${what}`);
  });
}

describe('proxy frame painter in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push((e as Error).message));
    await page.setContent(`<!doctype html><html><body><script>${(await harness()).replace(/<\/script/gi, '<\\/script')}</script></body></html>`);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const log = () => page.evaluate(() => (window as unknown as W).t.log);

  it('paints JPEG bytes at their own size, shows the page size, and releases each bitmap', async () => {
    const red = jpegOf(64, 48, RED);
    await page.evaluate((b: number[]) => (window as unknown as W).t.push(1, b, 640, 480), red);
    await until(page, 'window.t.log.painted.length === 1', 'the first frame');
    expect(await page.evaluate(() => (window as unknown as W).t.canvas())).toEqual({ width: 64, height: 48, aspect: '640 / 480' });
    expect(near(await page.evaluate(() => (window as unknown as W).t.pixel(32, 24)), RED)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as W).t.painter.page)).toEqual({ width: 640, height: 480 });
    expect((await log()).painted[0]).toEqual({ seq: 1, width: 640, height: 480, bytes: red.length });
    // bitmap.close() after drawing: a closed ImageBitmap reports 0×0
    expect(await page.evaluate(() => (window as unknown as W).t.openBitmaps())).toBe(0);
  });

  it('drops frames that are not fit to paint, each with its code, and the next good frame paints', async () => {
    const before = await page.evaluate(() => (window as unknown as W).t.log.decodes);
    await page.evaluate(
      (big: number[], ok: number[]) => {
        const t = (window as unknown as W).t;
        t.pushRaw({ engagementId: 'e', seq: 2, data: 'data:image/jpeg;base64,/9j/4AAQ', width: 640, height: 480 }); // a string, not bytes
        t.push(3, [...new TextEncoder().encode('<html>certainly not a jpeg</html>')], 640, 480);
        t.push(4, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 640, 480); // a PNG's signature
        t.push(5, big, 640, 480); // a real JPEG wider than the cap
        t.push(6, ok, 1e9, 480); // a page size nobody has
        t.push(7, ok, Number.NaN, 480);
      },
      jpegOf(7681, 8, RED),
      jpegOf(16, 16, RED),
    );
    const l = await log();
    expect(l.dropped).toEqual(['frame_not_bytes', 'frame_not_jpeg', 'frame_not_jpeg', 'frame_too_large', 'frame_bad_size', 'frame_bad_size']);
    // refused before any decode: nothing was sized or decoded from them
    expect(l.decodes).toBe(before);
    expect(await page.evaluate(() => (window as unknown as W).t.canvas())).toEqual({ width: 64, height: 48, aspect: '640 / 480' });
    expect(await page.evaluate(() => (window as unknown as W).t.painter.page)).toEqual({ width: 640, height: 480 });

    // A JPEG header over bytes that do not decode: let go after the decoder's refusal.
    const broken = jpegOf(64, 48, BLUE);
    const sos = broken.findIndex((b, i) => b === 0xff && broken[i + 1] === 0xda);
    const undecodable = [...broken.slice(0, sos), 0xff, 0xd9];
    await page.evaluate((b: number[]) => (window as unknown as W).t.push(8, b, 640, 480), undecodable);
    await until(page, "window.t.log.dropped.includes('frame_undecodable')", 'the undecodable frame dropped');

    await page.evaluate((b: number[]) => (window as unknown as W).t.push(9, b, 320, 160), jpegOf(32, 16, BLUE));
    await until(page, 'window.t.log.painted.some((f) => f.seq === 9)', 'the good frame after the bad ones');
    expect(await page.evaluate(() => (window as unknown as W).t.canvas())).toEqual({ width: 32, height: 16, aspect: '320 / 160' });
    expect(near(await page.evaluate(() => (window as unknown as W).t.pixel(16, 8)), BLUE)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as W).t.painter.page)).toEqual({ width: 320, height: 160 });
  });

  it('decodes only the newest of the frames that arrive during a decode', async () => {
    const frames = Array.from({ length: 12 }, (_, i) => jpegOf(48, 48, i % 2 ? BLUE : RED));
    const painted0 = (await log()).painted.length;
    const decodes0 = await page.evaluate(() => (window as unknown as W).t.log.decodes);
    await page.evaluate((fs: number[][]) => fs.forEach((b, i) => (window as unknown as W).t.push(100 + i, b, 480, 480)), frames);
    await until(page, 'window.t.log.painted.some((f) => f.seq === 111)', 'the newest frame');
    const l = await log();
    // the first starts decoding at once; the ten behind it are replaced by the last: two decodes, two paints
    expect(l.painted.slice(painted0).map((f) => f.seq)).toEqual([100, 111]);
    expect(l.decodes - decodes0).toBe(2);
    expect(near(await page.evaluate(() => (window as unknown as W).t.pixel(24, 24)), BLUE)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as W).t.openBitmaps())).toBe(0);
  });
});
