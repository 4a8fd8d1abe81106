import { EV, LIMITS, type MissingImage, type RecordedEvent, type ServerPayloads } from '@engage/protocol';
import { ForbiddenError, InvalidPayloadError, InvalidStateError, RateLimitedError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { validate } from '../realtime/dispatcher';
import { RRWEB_FULL_SNAPSHOT, RRWEB_META } from './checkpoint';
import { MISSING_IMAGES_BURST, MISSING_IMAGES_PER_S } from './cobrowse-limits';
import { cobrowseEid, cobrowseEngagement, cobrowseParties, cobrowseServiceFixture } from '../testing/cobrowse-service';

configureLogging('silent');

const eid = cobrowseEid;
const { customer, agent, otherAgent, supervisor } = cobrowseParties;
const engagement = cobrowseEngagement;
const images = (n: number, from = 1): MissingImage[] => Array.from({ length: n }, (_, i) => ({ nodeId: from + i, url: `https://shop.test/account/avatar?i=${from + i}` }));

function setup() {
  const t = cobrowseServiceFixture();
  const wanted: Array<ServerPayloads['cobrowse/images-wanted']> = [];
  t.bus.on('imagesWanted', (m) => wanted.push(m));
  return { service: t.service, wanted, active: t.active };
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'ok';
};

afterEach(() => jest.useRealTimers());

describe('CobrowseService: images the agent’s replay could not load', () => {
  it('relays the request to the customer’s page, from the agent co-browsing only, only while active', async () => {
    const t = setup();
    expect(() => t.service.imagesMissing(agent, eid, images(1))).toThrow(ForbiddenError); // no session yet
    await t.service.request(agent, engagement());
    expect(() => t.service.imagesMissing(agent, eid, images(1))).toThrow(InvalidStateError); // still asking
    await t.service.respond(customer, engagement(), true);

    t.service.imagesMissing(agent, eid, images(2));
    expect(t.wanted).toEqual([{ engagementId: eid, images: images(2) }]);

    for (const who of [customer, otherAgent, supervisor]) expect(() => t.service.imagesMissing(who, eid, images(1))).toThrow(ForbiddenError);
    await t.service.stop(customer, engagement());
    expect(codeOf(() => t.service.imagesMissing(agent, eid, images(1)))).toBe('forbidden'); // stopped: the agent is no longer the one co-browsing
    expect(t.wanted).toHaveLength(1);
  });

  it('a paused session (protected page) asks nothing of the page', async () => {
    const t = setup();
    await t.active();
    await t.service.page(customer, engagement(), { url: 'https://shop.test/pay', title: 'Pay', protected: true });
    expect(() => t.service.imagesMissing(agent, eid, images(1))).toThrow(InvalidStateError);
    expect(t.wanted).toHaveLength(0);
  });

  it('rate-limits per engagement, counting images: a burst, then a steady rate (fake clock)', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = setup();
    await t.active();
    const perReport = LIMITS.missingImagesPerReport;
    for (let sent = 0; sent + perReport <= MISSING_IMAGES_BURST; sent += perReport) t.service.imagesMissing(agent, eid, images(perReport));
    expect(codeOf(() => t.service.imagesMissing(agent, eid, images(1)))).toBe('rate_limited');
    expect(() => t.service.imagesMissing(agent, eid, images(1))).toThrow(RateLimitedError);
    const relayed = t.wanted.length;
    jest.advanceTimersByTime(1000);
    t.service.imagesMissing(agent, eid, images(MISSING_IMAGES_PER_S));
    expect(codeOf(() => t.service.imagesMissing(agent, eid, images(1)))).toBe('rate_limited');
    expect(t.wanted).toHaveLength(relayed + 1);
  });

  it('the recorder’s inlined image (an img src data: URL) is relayed and kept in the checkpoint for late viewers', async () => {
    const t = setup();
    await t.active();
    // A WebP of 1024 px at quality 0.8 of a busy photo is a few hundred KB; base64 adds a third.
    const dataUrl = `data:image/webp;base64,${'A'.repeat(600 * 1024)}`;
    const inline: RecordedEvent = { type: 3, timestamp: 3, data: { source: 0, texts: [], attributes: [{ id: 42, attributes: { src: dataUrl, srcset: null } }], removes: [], adds: [] } };
    const events: RecordedEvent[] = [
      { type: RRWEB_META, timestamp: 1, data: { href: 'https://shop.test/account', width: 800, height: 600 } },
      { type: RRWEB_FULL_SNAPSHOT, timestamp: 2, data: { node: { type: 0, id: 1, childNodes: [] }, initialOffset: { top: 0, left: 0 } } },
      inline,
    ];
    const payload = validate(EV.cobrowseRecord, { engagementId: eid, events }).payload;
    t.service.assertMayRecord(customer, eid);
    expect(t.service.record(eid, payload.events as RecordedEvent[], events.map((e) => JSON.stringify(e).length))).toBe(3);
    const { checkpoint } = t.service.watch(agent, engagement());
    expect(checkpoint.at(-1)).toEqual(inline);
    expect(JSON.stringify(inline).length).toBeLessThan(LIMITS.socketMaxFrameBytes);
  });
});

describe('cobrowse/images-missing schema', () => {
  const ok = (images: unknown) => validate(EV.cobrowseImagesMissing, { engagementId: eid, images });
  const refusal = (images: unknown): string => {
    try {
      ok(images);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPayloadError);
      return `${(e as InvalidPayloadError).code}: ${(e as Error).message}`;
    }
    return 'accepted';
  };

  it('takes node ids with the http(s) or blob: URL the replay tried', () => {
    expect(ok([{ nodeId: 7, url: 'https://shop.test/a.png' }, { nodeId: 8, url: 'blob:https://shop.test/5d1c' }]).payload.images).toHaveLength(2);
  });

  it('refuses empty, oversized and malformed reports with a code and a sentence', () => {
    expect(refusal([])).toMatch(/^invalid_payload: Invalid cobrowse\/images-missing payload/);
    expect(refusal(images(LIMITS.missingImagesPerReport + 1))).toMatch(/^invalid_payload: .*images/);
    expect(refusal([{ nodeId: -1, url: 'https://shop.test/a.png' }])).toMatch(/^invalid_payload: .*nodeId/);
    expect(refusal([{ nodeId: 1.5, url: 'https://shop.test/a.png' }])).toMatch(/^invalid_payload/);
    expect(refusal([{ nodeId: 1, url: 'data:image/png;base64,AAAA' }])).toMatch(/an image URL starts with http:, https: or blob:/);
    expect(refusal([{ nodeId: 1, url: 'javascript:alert(1)' }])).toMatch(/an image URL starts with/);
    expect(refusal([{ nodeId: 1, url: `https://shop.test/${'a'.repeat(LIMITS.missingImageUrlMaxChars)}` }])).toMatch(/^invalid_payload: .*url/);
    expect(refusal([{ nodeId: 1 }])).toMatch(/^invalid_payload/);
  });
});
