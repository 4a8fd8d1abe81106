import type { MissingImage, RecordedEvent } from '@engage/protocol';
import { createImageInliner, insideHidden, type ImageEncoder, type InlinerOptions } from './inline-images';

const HIDDEN = '[data-cobrowse="private"],[data-cobrowse="mask"]';
const AVATAR = 'https://shop.test/account/avatar';

/** Just enough of an element for the inliner: a tag, load state, URLs and the hidden areas it sits in. */
interface FakeImg {
  nodeName: string;
  isConnected: boolean;
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
  src: string;
  currentSrc: string;
  baseURI: string;
  srcset: string | null;
  /** Selectors of the areas around it (e.g. '[data-cobrowse="mask"]'). */
  inside: string[];
  host: FakeImg | null;
  getAttribute(name: string): string | null;
  closest(selector: string): object | null;
  getRootNode(): object;
  ownerDocument: { defaultView: { frameElement: null } };
}

function fakeImg(over: Partial<FakeImg> = {}): FakeImg {
  const img: FakeImg = {
    nodeName: 'IMG',
    isConnected: true,
    complete: true,
    naturalWidth: 96,
    naturalHeight: 96,
    src: AVATAR,
    currentSrc: AVATAR,
    baseURI: 'https://shop.test/account',
    srcset: null,
    inside: [],
    host: null,
    getAttribute(name) {
      return name === 'srcset' ? this.srcset : null;
    },
    closest(selector) {
      if (/[^\w\s\-[\]="',.*]/.test(selector)) throw new SyntaxError('bad selector');
      const wanted = selector.split(',').map((s) => s.trim());
      return this.inside.some((s) => wanted.includes(s)) ? {} : null;
    },
    getRootNode() {
      return this.host ? { host: this.host } : {};
    },
    ownerDocument: { defaultView: { frameElement: null } },
    ...over,
  };
  return img;
}

function setup(nodes: Record<number, object>, over: Partial<InlinerOptions> = {}) {
  const emitted: RecordedEvent[] = [];
  const debug: string[] = [];
  const encoded: number[] = [];
  const deferred: Array<() => void> = [];
  const ids = new Map(Object.entries(nodes).map(([id, n]) => [n, Number(id)]));
  const encode: ImageEncoder = jest.fn(async (img: HTMLImageElement) => {
    encoded.push(ids.get(img) ?? -1);
    return `data:image/webp;base64,${'Q'.repeat(100)}`;
  });
  const inliner = createImageInliner({
    mirror: { getNode: (id) => (nodes[id] as Node | undefined) ?? null, getId: (n) => ids.get(n) ?? -1 },
    hiddenSelector: HIDDEN,
    emit: (e) => emitted.push(e),
    encode,
    debug: (m) => debug.push(m),
    now: () => 5000,
    defer: (fn) => deferred.push(fn),
    ...over,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const srcOf = (e: RecordedEvent) => (e.data as { attributes: Array<{ id: number; attributes: Record<string, string | null> }> }).attributes[0];
  return { inliner, emitted, debug, encoded, encode, settle, srcOf, runDeferred: () => deferred.splice(0).forEach((f) => f()) };
}

const want = (nodeId: number, url = AVATAR): MissingImage => ({ nodeId, url });

describe('image inliner (images the agent’s replay could not load)', () => {
  it('sends a loaded image as an attribute change of its node: src = WebP data: URL, srcset dropped', async () => {
    const img = fakeImg();
    const t = setup({ 7: img });
    t.inliner.request([want(7)]);
    await t.settle();
    expect(t.encode).toHaveBeenCalledWith(img, 1024, 0.8);
    expect(t.emitted).toEqual([
      {
        type: 3,
        timestamp: 5000,
        data: { source: 0, texts: [], attributes: [{ id: 7, attributes: { src: `data:image/webp;base64,${'Q'.repeat(100)}`, srcset: null } }], removes: [], adds: [] },
      },
    ]);
    expect(t.inliner.spent).toBe(`data:image/webp;base64,${'Q'.repeat(100)}`.length);
  });

  it('never inlines an image inside a masked or private area, nor one in a shadow root hosted there', async () => {
    const maskedHost = fakeImg({ nodeName: 'DIV', inside: ['[data-cobrowse="mask"]'] });
    const t = setup({
      1: fakeImg({ inside: ['[data-cobrowse="mask"]'] }),
      2: fakeImg({ inside: ['[data-cobrowse="private"]'] }),
      3: fakeImg({ inside: ['.rr-block'] }),
      4: fakeImg({ host: maskedHost }),
      5: fakeImg(),
    });
    t.inliner.request([want(1), want(2), want(3), want(4), want(5)]);
    await t.settle();
    expect(t.encoded).toEqual([5]);
    expect(t.emitted.map((e) => t.srcOf(e).id)).toEqual([5]);
    expect(t.debug.filter((m) => m.includes('inside a private or masked area'))).toHaveLength(4);
  });

  it('skips what is not an image of the page, not loaded here either, gone, or showing another source', async () => {
    const t = setup({
      1: fakeImg({ nodeName: 'DIV' }),
      2: fakeImg({ naturalWidth: 0, naturalHeight: 0 }),
      3: fakeImg({ complete: false }),
      4: fakeImg({ isConnected: false }),
      5: fakeImg({ src: 'https://shop.test/other.png', currentSrc: 'https://shop.test/other.png' }),
      6: fakeImg({ src: 'https://shop.test/small.png', currentSrc: 'https://shop.test/big.png', srcset: 'small.png 1x, /account/avatar 2x' }),
    });
    t.inliner.request([want(1), want(2), want(3), want(4), want(5), want(99), want(6)]);
    await t.settle();
    // The srcset candidate the agent's replay picked (another device pixel ratio) is one of the image's own.
    expect(t.encoded).toEqual([6]);
    expect(t.debug.join('\n')).toMatch(/image 1 not inlined: not an image of this page/);
    expect(t.debug.join('\n')).toMatch(/image 2 not inlined: not loaded here either/);
    expect(t.debug.join('\n')).toMatch(/image 4 not inlined: no longer on the page/);
    expect(t.debug.join('\n')).toMatch(/image 5 not inlined: its source changed/);
    expect(t.debug.join('\n')).toMatch(/image 99 not inlined: not an image of this page/);
  });

  it('a tainted canvas (cross-origin image without CORS) is skipped; the recorder carries on with the next one', async () => {
    const t = setup({ 1: fakeImg({ src: 'https://cdn.other.test/x.png', currentSrc: 'https://cdn.other.test/x.png' }), 2: fakeImg() });
    (t.encode as jest.Mock).mockImplementationOnce(async () => {
      throw Object.assign(new Error('Tainted canvases may not be exported.'), { name: 'SecurityError' });
    });
    expect(() => t.inliner.request([want(1, 'https://cdn.other.test/x.png'), want(2)])).not.toThrow();
    await t.settle();
    expect(t.emitted.map((e) => t.srcOf(e).id)).toEqual([2]);
    expect(t.debug.join('\n')).toMatch(/image 1 not inlined: could not be encoded \(SecurityError\)/);
  });

  it('stops at the byte budget and says so once; later requests encode nothing', async () => {
    const nodes = { 1: fakeImg(), 2: fakeImg(), 3: fakeImg(), 4: fakeImg() };
    const t = setup(nodes, { budgetBytes: 300 });
    t.inliner.request([want(1), want(2), want(3)]);
    await t.settle();
    expect(t.emitted.map((e) => t.srcOf(e).id)).toEqual([1, 2]);
    expect(t.debug.filter((m) => m.includes('image budget of 300 bytes used up'))).toHaveLength(1);
    t.inliner.request([want(4)]);
    await t.settle();
    expect(t.encoded).toEqual([1, 2, 3]);
    expect(t.emitted).toHaveLength(2);
    expect(t.inliner.spent).toBeLessThanOrEqual(300);
  });

  it('refuses an encoded image larger than the per-image cap', async () => {
    const t = setup({ 1: fakeImg() }, { maxImageBytes: 50 });
    t.inliner.request([want(1)]);
    await t.settle();
    expect(t.emitted).toHaveLength(0);
    expect(t.debug.join('\n')).toMatch(/more than 50/);
  });

  it('answers a repeated request once per snapshot, and sends inlined images again right after a new full snapshot', async () => {
    const img = fakeImg();
    const t = setup({ 7: img, 8: fakeImg() });
    t.inliner.afterFullSnapshot(); // the recording's first snapshot
    t.runDeferred();
    t.inliner.request([want(7), want(7)]);
    await t.settle();
    t.inliner.request([want(7)]);
    await t.settle();
    expect(t.emitted).toHaveLength(1);

    // A re-checkpoint: the snapshot has the original src again, the data: URL follows (no new encoding).
    t.inliner.afterFullSnapshot();
    expect(t.emitted).toHaveLength(1); // not in the snapshot's own batch
    t.runDeferred();
    expect(t.emitted).toHaveLength(2);
    expect(t.srcOf(t.emitted[1])).toEqual(t.srcOf(t.emitted[0]));
    expect(t.encoded).toEqual([7]);

    // The page changed the image meanwhile: nothing stale is sent after the next snapshot.
    img.src = img.currentSrc = 'https://shop.test/account/avatar?v=2';
    t.inliner.afterFullSnapshot();
    t.runDeferred();
    expect(t.emitted).toHaveLength(2);
  });

  it('emits nothing once stopped, even for an image whose encoding was under way', async () => {
    let release: (v: string) => void = () => undefined;
    const t = setup({ 1: fakeImg() }, { encode: () => new Promise<string>((r) => (release = r)) });
    t.inliner.request([want(1)]);
    t.inliner.stop();
    release('data:image/webp;base64,AAAA');
    await t.settle();
    expect(t.emitted).toHaveLength(0);
  });

  it('ignores malformed requests (the server is trusted, but not blindly)', async () => {
    const t = setup({ 1: fakeImg() });
    t.inliner.request('nope' as unknown as MissingImage[]);
    t.inliner.request([null as unknown as MissingImage, { nodeId: 1.5, url: AVATAR }, { nodeId: 1, url: 42 as unknown as string }]);
    await t.settle();
    expect(t.encoded).toEqual([]);
  });
});

describe('insideHidden', () => {
  it('an unreadable selector counts as hidden', () => {
    expect(insideHidden(fakeImg() as unknown as Element, 'div>>>{')).toBe(true);
  });
  it('looks through shadow roots', () => {
    const host = fakeImg({ nodeName: 'NW-CARD', inside: ['[data-cobrowse="private"]'] });
    expect(insideHidden(fakeImg({ host }) as unknown as Element, HIDDEN)).toBe(true);
    expect(insideHidden(fakeImg({ host: fakeImg({ nodeName: 'NW-CARD' }) }) as unknown as Element, HIDDEN)).toBe(false);
  });
});
