import { DOC_LIMITS } from '@engage/protocol';
import { DocumentError } from '../common/errors';
import { sniff } from './sniff';
import * as fx from './testing/fixtures';

const whole = (b: Uint8Array) => sniff(Buffer.from(b), { complete: true, size: b.length });
const refusal = (b: Uint8Array) => {
  try {
    whole(b);
  } catch (err) {
    if (err instanceof DocumentError) return { code: err.code, message: err.message };
    throw err;
  }
  return null;
};

describe('sniff: the type comes from the bytes', () => {
  it.each([
    ['PDF', async () => fx.textPdf(1), 'application/pdf', 'pdf'],
    ['PNG', async () => fx.png(32, 16), 'image/png', 'image'],
    ['JPEG', async () => fx.jpegHeader(640, 480), 'image/jpeg', 'image'],
    ['GIF', async () => fx.gifHeader(20, 10), 'image/gif', 'image'],
    ['WebP (VP8L)', async () => fx.webpHeader(300, 200), 'image/webp', 'image'],
    ['MP4', async () => fx.mp4Head(), 'video/mp4', 'video'],
    ['WebM', async () => fx.webmHead(), 'video/webm', 'video'],
    ['DOCX', async () => fx.docx('Hello'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'office'],
    ['ODT', async () => fx.odt('Hello'), 'application/vnd.oasis.opendocument.text', 'office'],
    ['flat ODT', async () => fx.flatOdt('Hello'), 'application/vnd.oasis.opendocument.text', 'office'],
    ['legacy DOC', async () => fx.legacyDocHead(), 'application/msword', 'office'],
  ])('accepts %s', async (_label, make, mime, family) => {
    const s = whole(await make());
    expect([s.mime, s.family]).toEqual([mime, family]);
  });

  it('reads image sizes from headers: PNG IHDR, JPEG SOF0, GIF, WebP', () => {
    expect(whole(fx.png(32, 16))).toMatchObject({ width: 32, height: 16 });
    expect(whole(fx.jpegHeader(640, 480))).toMatchObject({ width: 640, height: 480 });
    expect(whole(fx.gifHeader(20, 10))).toMatchObject({ width: 20, height: 10 });
    expect(whole(fx.webpHeader(300, 200))).toMatchObject({ width: 300, height: 200 });
  });

  it('refuses a 200-megapixel PNG from its header alone (no pixel data exists to decode)', () => {
    const header = fx.pngHeaderOnly(20_000, 10_000);
    expect(header.length).toBeLessThan(100);
    const r = refusal(header);
    expect(r?.code).toBe('image_too_large');
    expect(r?.message).toContain('200 megapixels');
    expect(refusal(fx.pngHeaderOnly(Math.floor(Math.sqrt(DOC_LIMITS.imageMaxPixels)), Math.floor(Math.sqrt(DOC_LIMITS.imageMaxPixels))))).toBeNull();
  });

  it.each([
    ['a renamed HTML file', () => fx.htmlFile(), 'this is an HTML file'],
    ['an SVG image', () => fx.svgFile(), 'SVG images are not accepted'],
    ['a plain ZIP', () => fx.storedZip([['a.txt', 'hi']]), 'ZIP archive'],
    ['plain text', () => Buffer.from('just some words\n'), 'plain text'],
    ['a PDF with bytes before its header', () => Buffer.concat([Buffer.from('junk\n'), Buffer.from('%PDF-1.7\n')]), 'bytes before its PDF header'],
  ])('refuses %s as unsupported_type with the reason', (_label, make, reason) => {
    const r = refusal(make());
    expect(r?.code).toBe('unsupported_type');
    expect(r?.message).toContain(reason);
  });

  it('refuses polyglots: PDF+HTML, PDF with a ZIP appended, JPEG with HTML', async () => {
    expect(refusal(await fx.pdfHtmlPolyglot())).toMatchObject({ code: 'unsupported_type', message: expect.stringContaining('polyglot') });
    expect(refusal(await fx.pdfZipPolyglot())).toMatchObject({ code: 'unsupported_type', message: expect.stringContaining('polyglot') });
    expect(refusal(fx.jpegHtmlPolyglot())).toMatchObject({ code: 'unsupported_type', message: expect.stringContaining('polyglot') });
  });

  it('refuses an empty file', () => {
    expect(() => sniff(Buffer.alloc(0), { complete: true, size: 0 })).toThrow(expect.objectContaining({ code: 'empty_file' }));
  });
});
