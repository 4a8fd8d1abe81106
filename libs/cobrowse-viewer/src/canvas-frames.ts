/**
 * Canvas frames in the script-free replay. The recorder samples each canvas as an image (rrweb's
 * `sampling.canvas`), which rrweb sends as a CanvasMutation of two "commands": clearRect and
 * drawImage of a Blob. rrweb's Replayer applies CanvasMutations only with UNSAFE_replayCanvas,
 * which needs a replay frame that may run scripts, and it would call whatever context method an
 * event names. Here only that one image-frame shape is accepted; the image is decoded in the desk's
 * own realm (createImageBitmap runs no script) and drawn onto the replayed canvas from outside.
 */

/** rrweb's numbers for the parts of an event this module reads. */
const INCREMENTAL_SNAPSHOT = 3;
const CANVAS_MUTATION = 9;
const CONTEXT_2D = 0;

/** Image types a frame may carry. */
const FRAME_TYPES = new Set(['image/webp', 'image/jpeg', 'image/png']);
/** A larger frame is dropped (a 4K canvas at WebP 0.6 is well under this). */
export const MAX_FRAME_BASE64_CHARS = 8 * 1024 * 1024;

export interface CanvasFrame {
  /** rrweb node id of the canvas. */
  id: number;
  /** MIME type of the image. */
  type: string;
  base64: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The image frame in an rrweb event, or null when the event is not exactly a sampled canvas frame
 * (any other canvas command, a WebGL context, an odd shape or size is ignored).
 */
export function canvasFrameOf(event: { type: number; data: unknown }): CanvasFrame | null {
  if (event.type !== INCREMENTAL_SNAPSHOT || !isObj(event.data)) return null;
  const d = event.data;
  if (d['source'] !== CANVAS_MUTATION || d['type'] !== CONTEXT_2D || !Number.isInteger(d['id']) || (d['id'] as number) <= 0) return null;
  const commands = d['commands'];
  if (!Array.isArray(commands) || commands.length !== 2) return null;
  const [clear, draw] = commands as unknown[];
  if (!isObj(clear) || clear['property'] !== 'clearRect' || !Array.isArray(clear['args']) || !clear['args'].every(isNum)) return null;
  if (!isObj(draw) || draw['property'] !== 'drawImage' || !Array.isArray(draw['args'])) return null;
  const [bitmap, x, y, ...rest] = draw['args'] as unknown[];
  if (x !== 0 || y !== 0 || rest.length !== 0) return null;
  if (!isObj(bitmap) || bitmap['rr_type'] !== 'ImageBitmap' || !Array.isArray(bitmap['args']) || bitmap['args'].length !== 1) return null;
  const blob = bitmap['args'][0] as unknown;
  if (!isObj(blob) || blob['rr_type'] !== 'Blob' || typeof blob['type'] !== 'string' || !FRAME_TYPES.has(blob['type'])) return null;
  const parts = blob['data'];
  if (!Array.isArray(parts) || parts.length !== 1) return null;
  const part = parts[0] as unknown;
  if (!isObj(part) || part['rr_type'] !== 'ArrayBuffer' || typeof part['base64'] !== 'string') return null;
  const base64 = part['base64'];
  if (base64.length === 0 || base64.length > MAX_FRAME_BASE64_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  return { id: d['id'] as number, type: blob['type'], base64 };
}

export function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** What the painter needs of the desk's window (tests pass a stand-in). */
export interface FrameDecoder {
  decode(bytes: Uint8Array<ArrayBuffer>, type: string): Promise<CanvasImageSource & { close?(): void }>;
}

export const browserDecoder = (view: Window & typeof globalThis): FrameDecoder => ({
  decode: (bytes, type) => view.createImageBitmap(new view.Blob([bytes], { type })),
});

/**
 * Paints frames onto replayed canvases. Decoding is asynchronous, so a frame that finishes after a
 * newer one for the same canvas is thrown away rather than painted over it.
 */
export class CanvasPainter {
  #seq = 0;
  readonly #latest = new WeakMap<object, number>();
  #closed = false;

  constructor(
    private readonly decoder: FrameDecoder,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Draws the frame onto `canvas` (an element of the replay) once decoded. */
  async paint(canvas: HTMLCanvasElement, frame: CanvasFrame): Promise<boolean> {
    const seq = ++this.#seq;
    this.#latest.set(canvas, seq);
    let image: (CanvasImageSource & { close?(): void }) | undefined;
    try {
      image = await this.decoder.decode(decodeBase64(frame.base64), frame.type);
      if (this.#closed || this.#latest.get(canvas) !== seq || !canvas.isConnected) return false;
      const ctx = canvas.getContext('2d');
      if (!ctx) return false;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image, 0, 0);
      return true;
    } catch (e) {
      this.onError(e);
      return false;
    } finally {
      image?.close?.();
    }
  }

  close(): void {
    this.#closed = true;
  }
}
