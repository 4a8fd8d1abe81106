import { CanvasPainter, MAX_FRAME_BASE64_CHARS, canvasFrameOf, decodeBase64, type FrameDecoder } from './canvas-frames';

/** The event rrweb's sampled-canvas recorder emits (CanvasManager.initCanvasFPSObserver). */
function frameEvent(over: { id?: unknown; type?: string; base64?: string; commands?: unknown[]; ctx?: number } = {}) {
  return {
    type: 3,
    timestamp: 1,
    data: {
      source: 9,
      id: over.id ?? 42,
      type: over.ctx ?? 0,
      commands: over.commands ?? [
        { property: 'clearRect', args: [0, 0, 160, 80] },
        {
          property: 'drawImage',
          args: [{ rr_type: 'ImageBitmap', args: [{ rr_type: 'Blob', data: [{ rr_type: 'ArrayBuffer', base64: over.base64 ?? 'UklGRg==' }], type: over.type ?? 'image/webp' }] }, 0, 0],
        },
      ],
    },
  };
}

describe('canvasFrameOf (only the sampled image frame is painted)', () => {
  it('reads the canvas id, image type and data of a sampled frame', () => {
    expect(canvasFrameOf(frameEvent())).toEqual({ id: 42, type: 'image/webp', base64: 'UklGRg==' });
    expect(canvasFrameOf(frameEvent({ type: 'image/jpeg' }))?.type).toBe('image/jpeg');
  });

  it('ignores every other event and every other canvas command', () => {
    expect(canvasFrameOf({ type: 3, data: { source: 0, adds: [] } })).toBeNull();
    expect(canvasFrameOf({ type: 2, data: frameEvent().data })).toBeNull();
    expect(canvasFrameOf(frameEvent({ ctx: 1 }))).toBeNull(); // WebGL
    expect(canvasFrameOf(frameEvent({ commands: [{ property: 'fillRect', args: [0, 0, 1, 1] }] }))).toBeNull();
    expect(
      canvasFrameOf(frameEvent({ commands: [{ property: 'clearRect', args: [0, 0, 1, 1] }, { property: 'constructor', args: ['alert(1)'] }] })),
    ).toBeNull();
    expect(canvasFrameOf(frameEvent({ id: -1 }))).toBeNull();
    expect(canvasFrameOf(frameEvent({ id: '42' }))).toBeNull();
  });

  it('refuses images that are not raster frames, odd base64 and oversized frames', () => {
    expect(canvasFrameOf(frameEvent({ type: 'image/svg+xml' }))).toBeNull();
    expect(canvasFrameOf(frameEvent({ type: 'text/html' }))).toBeNull();
    expect(canvasFrameOf(frameEvent({ base64: 'PHNjcmlwdD4=<' }))).toBeNull();
    expect(canvasFrameOf(frameEvent({ base64: '' }))).toBeNull();
    expect(canvasFrameOf(frameEvent({ base64: 'A'.repeat(MAX_FRAME_BASE64_CHARS + 4) }))).toBeNull();
  });

  it('decodes base64 to bytes', () => {
    expect(Array.from(decodeBase64(Buffer.from([0, 1, 254, 255]).toString('base64')))).toEqual([0, 1, 254, 255]);
  });
});

describe('CanvasPainter', () => {
  function fakeCanvas() {
    const drawn: unknown[] = [];
    const canvas = {
      width: 160,
      height: 80,
      isConnected: true,
      getContext: () => ({ clearRect: () => drawn.push('clear'), drawImage: (img: unknown) => drawn.push(img) }),
    } as unknown as HTMLCanvasElement;
    return { canvas, drawn };
  }

  /** Decodes on demand: each frame resolves when the test says so. */
  function manualDecoder() {
    const pending: Array<{ bytes: Uint8Array; resolve: (v: { tag: string; close(): void }) => void }> = [];
    const closed: string[] = [];
    const decoder: FrameDecoder = {
      decode: (bytes) => new Promise((resolve) => pending.push({ bytes, resolve: resolve as never })),
    };
    const finish = (i: number, tag: string) => pending[i].resolve({ tag, close: () => closed.push(tag) });
    return { decoder, pending, finish, closed };
  }

  it('draws a decoded frame after clearing the canvas, then frees the image', async () => {
    const d = manualDecoder();
    const { canvas, drawn } = fakeCanvas();
    const painter = new CanvasPainter(d.decoder);
    const done = painter.paint(canvas, { id: 1, type: 'image/webp', base64: 'AAEC' });
    expect(Array.from(d.pending[0].bytes)).toEqual([0, 1, 2]);
    d.finish(0, 'first');
    await expect(done).resolves.toBe(true);
    expect(drawn).toEqual(['clear', expect.objectContaining({ tag: 'first' })]);
    expect(d.closed).toEqual(['first']);
  });

  it('never paints an older frame over a newer one that decoded first', async () => {
    const d = manualDecoder();
    const { canvas, drawn } = fakeCanvas();
    const painter = new CanvasPainter(d.decoder);
    const older = painter.paint(canvas, { id: 1, type: 'image/webp', base64: 'AA==' });
    const newer = painter.paint(canvas, { id: 1, type: 'image/webp', base64: 'AQ==' });
    d.finish(1, 'newer');
    await expect(newer).resolves.toBe(true);
    d.finish(0, 'older');
    await expect(older).resolves.toBe(false);
    expect(drawn).toEqual(['clear', expect.objectContaining({ tag: 'newer' })]);
    expect(d.closed.sort()).toEqual(['newer', 'older']);
  });

  it('paints nothing once closed, and reports a frame that does not decode', async () => {
    const d = manualDecoder();
    const { canvas, drawn } = fakeCanvas();
    const errors: unknown[] = [];
    const painter = new CanvasPainter(d.decoder, (e) => errors.push(e));
    const late = painter.paint(canvas, { id: 1, type: 'image/webp', base64: 'AA==' });
    painter.close();
    d.finish(0, 'late');
    await expect(late).resolves.toBe(false);
    expect(drawn).toEqual([]);

    const broken = new CanvasPainter({ decode: () => Promise.reject(new Error('bad image')) }, (e) => errors.push(e));
    await expect(broken.paint(canvas, { id: 1, type: 'image/webp', base64: 'AA==' })).resolves.toBe(false);
    expect(errors).toEqual([new Error('bad image')]);
  });
});
