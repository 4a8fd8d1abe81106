import type { MissingImage, RecordedEvent } from '@engage/protocol';

/**
 * Images the agent's replay could not load (behind the customer's login, a blob: URL…) are sent
 * from the customer's page instead: drawn to a canvas, encoded as WebP and emitted as an attribute
 * change of that <img> (`src` = data: URL) into the ordinary event stream, so the backend's
 * checkpoint holds them for late viewers too. The customer's DOM is never touched.
 */

/** rrweb's numbers for an attribute mutation. */
const INCREMENTAL_SNAPSHOT = 3;
const SOURCE_MUTATION = 0;

/** rrweb's default block and mask classes apply besides the site's selectors. */
const RRWEB_HIDDEN = '.rr-block,.rr-mask';

export const INLINE_DEFAULTS = {
  /** Bytes of data: URLs one recording (one page) emits at most; past it, no more images. */
  budgetBytes: 2 * 1024 * 1024,
  /** Longest side of an inlined image, in pixels (larger ones are scaled down). */
  maxSide: 1024,
  quality: 0.8,
  /** One inlined image at most, in bytes of data: URL (a socket frame also carries the rest of the page). */
  maxImageBytes: 1024 * 1024,
  /** Image requests taken from one cobrowse/images-wanted. */
  perRequest: 20,
} as const;

/** rrweb's id ↔ node map of the current recording (record.mirror). */
export interface ImageMirror {
  getNode(id: number): Node | null;
  getId(node: Node): number;
}

/** Encodes a loaded image as a data: URL (throws on a tainted canvas). */
export type ImageEncoder = (img: HTMLImageElement, maxSide: number, quality: number) => Promise<string>;

export interface InlinerOptions {
  mirror: ImageMirror;
  /** Private, protected and masked areas (the recorder's block and mask selectors). */
  hiddenSelector: string;
  /** Into the recorder's batcher, after what rrweb has emitted so far. */
  emit(event: RecordedEvent): void;
  encode?: ImageEncoder;
  budgetBytes?: number;
  maxImageBytes?: number;
  maxSide?: number;
  quality?: number;
  /** Why an image was not inlined, for whoever debugs the page. */
  debug(message: string): void;
  now?: () => number;
  /** Runs work after the current task (default setTimeout 0): images sent again after a snapshot leave in a later batch. */
  defer?: (fn: () => void) => void;
}

export interface ImageInliner {
  /** The agent's replay could not load these; each is inlined if the rules allow it. */
  request(images: readonly MissingImage[]): void;
  /** rrweb emitted a new full snapshot: images inlined before are sent again (it has the original src). */
  afterFullSnapshot(): void;
  /** Drops pending work; nothing is emitted afterwards. */
  stop(): void;
  /** Bytes of data: URLs emitted so far. */
  readonly spent: number;
}

interface Inlined {
  src: string;
  dataUrl: string;
  /** The snapshot it was last sent after: within one, a second request is answered already. */
  epoch: number;
}

export function createImageInliner(o: InlinerOptions): ImageInliner {
  const encode = o.encode ?? encodeImage;
  const budget = o.budgetBytes ?? INLINE_DEFAULTS.budgetBytes;
  const maxSide = o.maxSide ?? INLINE_DEFAULTS.maxSide;
  const maxImageBytes = o.maxImageBytes ?? INLINE_DEFAULTS.maxImageBytes;
  const quality = o.quality ?? INLINE_DEFAULTS.quality;
  const now = o.now ?? Date.now;
  const defer = o.defer ?? ((fn: () => void) => void setTimeout(fn, 0));
  const hidden = `${o.hiddenSelector},${RRWEB_HIDDEN}`;
  const queue: MissingImage[] = [];
  const queued = new Set<number>();
  /** Images already encoded, with the src they were encoded from (sent again after a full snapshot). */
  const done = new Map<Element, Inlined>();
  let spent = 0;
  let epoch = 0;
  let exhausted = false;
  let working = false;
  let stopped = false;

  /** The <img> behind a node id if it may be inlined now, else null (the reason goes to debug). */
  function eligible(want: MissingImage): HTMLImageElement | null {
    const node = o.mirror.getNode(want.nodeId);
    if (!node || node.nodeName !== 'IMG') return skip(want, 'not an image of this page');
    const img = node as HTMLImageElement;
    if (!img.isConnected) return skip(want, 'no longer on the page');
    if (insideHidden(img, hidden)) return skip(want, 'inside a private or masked area');
    if (!urlsOf(img).includes(want.url)) return skip(want, 'its source changed');
    if (!img.complete || !(img.naturalWidth > 0) || !(img.naturalHeight > 0)) return skip(want, 'not loaded here either');
    return img;
  }

  function skip(want: MissingImage, why: string): null {
    o.debug(`image ${want.nodeId} not inlined: ${why}`);
    return null;
  }

  function emitInline(img: HTMLImageElement, dataUrl: string): boolean {
    const id = o.mirror.getId(img);
    if (!(id > 0)) return false;
    if (spent + dataUrl.length > budget) {
      if (!exhausted) o.debug(`image budget of ${budget} bytes used up; no more images are inlined on this page`);
      exhausted = true;
      return false;
    }
    spent += dataUrl.length;
    o.emit({
      type: INCREMENTAL_SNAPSHOT,
      timestamp: now(),
      // srcset removed: the replay must not pick another (unloadable) candidate over the data: URL.
      data: { source: SOURCE_MUTATION, texts: [], attributes: [{ id, attributes: { src: dataUrl, srcset: null } }], removes: [], adds: [] },
    });
    return true;
  }

  async function inline(want: MissingImage): Promise<void> {
    const img = eligible(want);
    if (!img) return;
    const src = img.currentSrc || img.src;
    const cached = done.get(img);
    if (cached && cached.src === src) {
      if (cached.epoch === epoch) return void skip(want, 'already sent since the last snapshot');
      if (emitInline(img, cached.dataUrl)) cached.epoch = epoch;
      return;
    }
    let dataUrl: string;
    try {
      dataUrl = await encode(img, maxSide, quality);
    } catch (e) {
      // A cross-origin image without CORS taints the canvas: it stays as it is on the agent's side.
      skip(want, `could not be encoded (${e instanceof Error ? e.name || e.message : String(e)})`);
      return;
    }
    if (stopped) return;
    // The page may have moved on while the image was being encoded.
    if (!eligible(want) || (img.currentSrc || img.src) !== src) return;
    if (!/^data:image\/(webp|png|jpeg);base64,/.test(dataUrl)) {
      skip(want, 'the browser produced no usable image');
      return;
    }
    if (dataUrl.length > maxImageBytes) {
      skip(want, `${dataUrl.length} bytes encoded, more than ${maxImageBytes}`);
      return;
    }
    if (emitInline(img, dataUrl)) done.set(img, { src, dataUrl, epoch });
  }

  async function work(): Promise<void> {
    if (working) return;
    working = true;
    try {
      while (!stopped && !exhausted && queue.length) {
        const want = queue.shift()!;
        queued.delete(want.nodeId);
        await inline(want);
      }
    } finally {
      working = false;
      if (exhausted) {
        queue.length = 0;
        queued.clear();
      }
    }
  }

  return {
    request(images) {
      if (stopped || exhausted || !Array.isArray(images)) return;
      for (const want of images.slice(0, INLINE_DEFAULTS.perRequest)) {
        if (!want || !Number.isInteger(want.nodeId) || typeof want.url !== 'string' || queued.has(want.nodeId)) continue;
        queued.add(want.nodeId);
        queue.push({ nodeId: want.nodeId, url: want.url });
      }
      void work().catch((e: unknown) => o.debug(`image inlining failed: ${e instanceof Error ? e.message : String(e)}`));
    },
    afterFullSnapshot() {
      if (stopped) return;
      const at = ++epoch;
      defer(() => {
        if (stopped || at !== epoch) return;
        for (const [img, entry] of done) {
          const el = img as HTMLImageElement;
          if (!el.isConnected || (el.currentSrc || el.src) !== entry.src || insideHidden(el, hidden)) {
            done.delete(img);
            continue;
          }
          if (entry.epoch === at) continue;
          if (emitInline(el, entry.dataUrl)) entry.epoch = at;
          if (exhausted) break;
        }
      });
    },
    stop() {
      stopped = true;
      queue.length = 0;
      queued.clear();
      done.clear();
    },
    get spent() {
      return spent;
    },
  };
}

/** The URLs an <img> may be showing: its src, the candidate the browser chose, and every srcset candidate. */
export function urlsOf(img: HTMLImageElement): string[] {
  const urls = [img.src, img.currentSrc].filter(Boolean);
  const srcset = img.getAttribute('srcset');
  if (srcset) {
    for (const candidate of srcset.split(',')) {
      const raw = candidate.trim().split(/\s+/)[0];
      if (!raw) continue;
      try {
        urls.push(new URL(raw, img.baseURI).href);
      } catch {
        // not a URL: ignored
      }
    }
  }
  return urls;
}

/** Inside a hidden area, looking through shadow roots and same-origin frames up to the top. */
export function insideHidden(el: Element, selector: string): boolean {
  let cur: Element | null = el;
  while (cur) {
    try {
      if (cur.closest(selector)) return true;
    } catch {
      return true; // a selector the browser cannot read: be safe
    }
    const root = cur.getRootNode() as Node & { host?: Element };
    if (root && root.host) {
      cur = root.host;
      continue;
    }
    let frame: Element | null = null;
    try {
      frame = cur.ownerDocument?.defaultView?.frameElement ?? null;
    } catch {
      frame = null;
    }
    cur = frame;
  }
  return false;
}

/** Draws a loaded image on a canvas (at most `maxSide` px on its long side) and encodes it as WebP. */
export async function encodeImage(img: HTMLImageElement, maxSide: number, quality: number): Promise<string> {
  const scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
  const canvas = img.ownerDocument.createElement('canvas');
  canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
  canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  // toBlob encodes off the main thread; it throws a SecurityError at once on a tainted canvas.
  const blob = await new Promise<Blob | null>((resolve, reject) => {
    try {
      canvas.toBlob(resolve, 'image/webp', quality);
    } catch (e) {
      reject(e);
    }
  });
  if (!blob) throw new Error('the canvas gave no image');
  return await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the image'));
    reader.readAsDataURL(blob);
  });
}
