import { LIMITS, type MissingImage } from '@engage/protocol';
import { MissingImageReporter, type MissingImageReporterOptions } from './missing-images';

const AVATAR = 'http://shop.test/account/avatar';

/** A reporter on a hand-driven clock: `advance(ms)` runs the timers that fall due. */
function setup(over: Partial<MissingImageReporterOptions> = {}) {
  let now = 10_000;
  const timers: Array<{ at: number; fn: () => void } | null> = [];
  const sent: MissingImage[][] = [];
  const sentAt: number[] = [];
  let reply: () => Promise<unknown> = () => Promise.resolve({});
  const reporter = new MissingImageReporter({
    send: (images) => {
      sent.push(images);
      sentAt.push(now);
      return reply();
    },
    now: () => now,
    setTimer: (fn, ms) => timers.push({ at: now + ms, fn }) - 1,
    clearTimer: (id) => {
      timers[id as number] = null;
    },
    ...over,
  });
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers
        .map((t, i) => ({ t, i }))
        .filter((x): x is { t: { at: number; fn: () => void }; i: number } => x.t !== null && x.t.at <= end)
        .sort((a, b) => a.t.at - b.t.at)[0];
      if (!due) break;
      timers[due.i] = null;
      now = due.t.at;
      due.t.fn();
    }
    now = end;
  };
  return { reporter, sent, sentAt, advance, setReply: (fn: () => Promise<unknown>) => (reply = fn) };
}

describe('MissingImageReporter (images the replay could not load)', () => {
  it('gathers the errors of a page into one report, with node id and URL', () => {
    const t = setup();
    expect(t.reporter.report(12, AVATAR)).toBe(true);
    t.advance(10);
    expect(t.reporter.report(15, 'http://shop.test/orders/1/photo.jpg')).toBe(true);
    expect(t.sent).toHaveLength(0);
    t.advance(30);
    expect(t.sent).toEqual([[{ nodeId: 12, url: AVATAR }, { nodeId: 15, url: 'http://shop.test/orders/1/photo.jpg' }]]);
  });

  it('reports an image once per page (same node and URL); a new source of the node counts again', () => {
    const t = setup();
    t.reporter.report(12, AVATAR);
    expect(t.reporter.report(12, AVATAR)).toBe(false);
    t.advance(1000);
    expect(t.reporter.report(12, AVATAR)).toBe(false);
    expect(t.reporter.report(12, `${AVATAR}?v=2`)).toBe(true);
    t.advance(1000);
    expect(t.sent.flat()).toEqual([{ nodeId: 12, url: AVATAR }, { nodeId: 12, url: `${AVATAR}?v=2` }]);
  });

  it('sends at most 5 reports a second however the errors trickle in', () => {
    const t = setup();
    for (let i = 1; i <= 20; i++) {
      t.reporter.report(i, `${AVATAR}?i=${i}`);
      t.advance(50);
    }
    t.advance(1000);
    expect(t.sent.flat()).toHaveLength(20);
    const gaps = t.sentAt.slice(1).map((at, i) => at - t.sentAt[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
    for (let i = 0; i < t.sentAt.length; i++) expect(t.sentAt.filter((at) => at >= t.sentAt[i] && at < t.sentAt[i] + 1000).length).toBeLessThanOrEqual(5);
  });

  it('reports at most 20 images per page; a new page (full snapshot) starts over', () => {
    const t = setup();
    let taken = 0;
    for (let i = 1; i <= 30; i++) if (t.reporter.report(i, `${AVATAR}?i=${i}`)) taken++;
    expect(taken).toBe(LIMITS.missingImagesPerReport);
    t.advance(5000);
    expect(t.sent.flat()).toHaveLength(20);
    expect(t.sent.every((r) => r.length <= LIMITS.missingImagesPerReport)).toBe(true);

    t.reporter.newPage();
    expect(t.reporter.report(1, `${AVATAR}?i=1`)).toBe(true);
    t.advance(1000);
    expect(t.sent.flat()).toHaveLength(21);
  });

  it('a new page drops what the old one had not sent yet', () => {
    const t = setup();
    t.reporter.report(1, AVATAR);
    t.reporter.newPage();
    t.advance(1000);
    expect(t.sent).toHaveLength(0);
  });

  it('ignores what the customer’s page cannot help with: data: URLs, empty sources, odd ids', () => {
    const t = setup();
    expect(t.reporter.report(3, 'data:image/webp;base64,AAAA')).toBe(false);
    expect(t.reporter.report(3, '')).toBe(false);
    expect(t.reporter.report(3, 'about:blank')).toBe(false);
    expect(t.reporter.report(0, AVATAR)).toBe(false);
    expect(t.reporter.report(-1, AVATAR)).toBe(false);
    expect(t.reporter.report(3, `http://shop.test/${'a'.repeat(LIMITS.missingImageUrlMaxChars)}`)).toBe(false);
    expect(t.reporter.report(3, 'blob:http://shop.test/2b1f')).toBe(true);
    t.advance(1000);
    expect(t.sent).toEqual([[{ nodeId: 3, url: 'blob:http://shop.test/2b1f' }]]);
  });

  it('stops asking once the server says this viewer may not (a supervisor watching)', async () => {
    const t = setup();
    t.setReply(() => Promise.reject(Object.assign(new Error('Only the agent co-browsing this engagement asks the customer’s page for images.'), { code: 'forbidden' })));
    t.reporter.report(1, AVATAR);
    t.advance(100);
    await Promise.resolve();
    await Promise.resolve();
    t.reporter.newPage();
    expect(t.reporter.report(2, AVATAR)).toBe(false);
    t.advance(1000);
    expect(t.sent).toHaveLength(1);
  });

  it('a refusal for another reason (rate limited) only loses that report', async () => {
    const t = setup();
    t.setReply(() => Promise.reject(Object.assign(new Error('Too many messages; slow down.'), { code: 'rate_limited' })));
    t.reporter.report(1, AVATAR);
    t.advance(100);
    await Promise.resolve();
    t.setReply(() => Promise.resolve({}));
    expect(t.reporter.report(2, AVATAR)).toBe(true);
    t.advance(1000);
    expect(t.sent).toHaveLength(2);
  });

  it('sends nothing after close()', () => {
    const t = setup();
    t.reporter.report(1, AVATAR);
    t.reporter.close();
    t.advance(1000);
    expect(t.reporter.report(2, AVATAR)).toBe(false);
    expect(t.sent).toHaveLength(0);
  });
});
