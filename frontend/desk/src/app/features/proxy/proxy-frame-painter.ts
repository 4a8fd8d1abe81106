// Painting of the shared browser's frames, framework-free: the desk's proxy panel and the proxy
// benchmark's viewer page (tools/bench/fixtures/proxy-viewer.entry.js) both paint through it, so the
// benchmark measures the product's path.
import { checkProxyFrame, PROXY_FRAME_LIMITS, type ProxyFrameErrorCode } from '@engage/protocol';

/** Why a frame was not painted: refused before decoding (checkProxyFrame), or its bytes did not decode. */
export type FrameDropCode = ProxyFrameErrorCode | 'frame_undecodable';

export interface PaintedFrame {
  seq: number;
  /** The page's size in CSS pixels (input coordinates are in this space). */
  width: number;
  height: number;
  /** JPEG bytes of the frame. */
  bytes: number;
}

export interface ProxyFramePainterOptions {
  /** The canvas to paint on; frames decoded while there is none are let go. */
  canvas: () => HTMLCanvasElement | null | undefined;
  /** After a frame was drawn. */
  painted?: (frame: PaintedFrame, canvas: HTMLCanvasElement) => void;
  /** A frame that was not painted, with a code and a sentence. */
  dropped?: (code: FrameDropCode, message: string) => void;
}

interface Pending {
  seq: number;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * Paints `proxy/frame` payloads on a canvas. Each is checked first (bytes, a JPEG header within
 * PROXY_FRAME_LIMITS, a sane page size): nothing is sized from a number that was merely sent. The
 * JPEG is decoded off the main thread (createImageBitmap of a Blob); the newest frame wins (frames
 * arriving during a decode replace one another, only the last is decoded); the bitmap is drawn, then
 * released at once.
 */
export class ProxyFramePainter {
  #pending: Pending | null = null;
  #busy = false;
  #closed = false;
  #page = { width: 1, height: 1 };

  constructor(private readonly opts: ProxyFramePainterOptions) {}

  /** The page size (CSS pixels) of the last frame painted. */
  get page(): { width: number; height: number } {
    return this.#page;
  }

  /** A received frame (untrusted). */
  push(frame: unknown): void {
    if (this.#closed) return;
    const check = checkProxyFrame(frame);
    if (!check.ok) return this.opts.dropped?.(check.code, check.message);
    const seq = (frame as { seq?: unknown }).seq;
    this.#pending = { seq: typeof seq === 'number' ? seq : 0, bytes: check.bytes, width: check.width, height: check.height };
    if (this.#busy) return;
    this.#busy = true;
    void this.#drain();
  }

  /** Stops painting; a decode under way is let go. */
  close(): void {
    this.#closed = true;
    this.#pending = null;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending && !this.#closed) {
        const f = this.#pending;
        this.#pending = null;
        let bitmap: ImageBitmap;
        try {
          bitmap = await createImageBitmap(new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
        } catch {
          this.opts.dropped?.('frame_undecodable', 'The frame could not be decoded as an image.');
          continue;
        }
        try {
          this.#draw(f, bitmap);
        } finally {
          bitmap.close();
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  #draw(f: Pending, bitmap: ImageBitmap): void {
    const canvas = this.opts.canvas();
    if (!canvas || this.#closed) return;
    const { maxSide } = PROXY_FRAME_LIMITS;
    // The header was checked; the decoder has the last word on the size, and it is capped too.
    if (bitmap.width > maxSide || bitmap.height > maxSide || bitmap.width < 1 || bitmap.height < 1) {
      this.opts.dropped?.('frame_too_large', `The frame decoded to ${bitmap.width}×${bitmap.height} pixels, more than ${maxSide} a side.`);
      return;
    }
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    // Shown at the page's CSS size when it fits; the stylesheet scales it down to fit otherwise.
    if (f.width !== this.#page.width || f.height !== this.#page.height || !canvas.style.aspectRatio) canvas.style.aspectRatio = `${f.width} / ${f.height}`;
    this.#page = { width: f.width, height: f.height };
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    this.opts.painted?.({ seq: f.seq, width: f.width, height: f.height, bytes: f.bytes.byteLength }, canvas);
  }
}
