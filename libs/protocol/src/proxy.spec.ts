import jpeg from 'jpeg-js';
import { checkProxyFrame, decodeWorkerFrame, encodeWorkerFrame, jpegSize, PROXY_FRAME_LIMITS, PROXY_WORKER_EV } from './proxy';

/** A real JPEG of w×h (one colour), as the worker's screencast would send. */
function jpegOf(w: number, h: number): Uint8Array {
  const data = Buffer.alloc(w * h * 4, 0x80);
  return new Uint8Array(jpeg.encode({ data, width: w, height: h }, 60).data);
}

const metadata = { offsetTop: 0, pageScaleFactor: 1, deviceWidth: 1280, deviceHeight: 720, scrollOffsetX: 0, scrollOffsetY: 0, timestamp: 12.5 };

describe('jpegSize', () => {
  it("reads a JPEG's size from its frame header", () => {
    expect(jpegSize(jpegOf(64, 48))).toEqual({ width: 64, height: 48 });
    expect(jpegSize(jpegOf(1, 3))).toEqual({ width: 1, height: 3 });
  });

  it('answers null for anything that is not a JPEG', () => {
    expect(jpegSize(new Uint8Array([]))).toBeNull();
    expect(jpegSize(new TextEncoder().encode('<html>not an image</html>'))).toBeNull();
    // PNG signature
    expect(jpegSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]))).toBeNull();
    // a JPEG cut before its frame header
    expect(jpegSize(jpegOf(16, 16).subarray(0, 20))).toBeNull();
    // start of image, then garbage where a marker should be
    expect(jpegSize(new Uint8Array([0xff, 0xd8, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
  });
});

describe('checkProxyFrame', () => {
  const frame = (data: unknown, width: unknown = 1280, height: unknown = 720) => ({ engagementId: 'e', seq: 1, data, width, height });

  it('accepts JPEG bytes as a browser (ArrayBuffer) or Node (Buffer) receives them', () => {
    const bytes = jpegOf(32, 18);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(checkProxyFrame(frame(ab))).toMatchObject({ ok: true, width: 1280, height: 720, jpegWidth: 32, jpegHeight: 18 });
    // a view into a larger buffer (how ws and socket.io hand out attachments) reads only its own bytes
    const inside = Buffer.concat([Buffer.from('header'), Buffer.from(bytes), Buffer.from('trailer')]).subarray(6, 6 + bytes.length);
    const check = checkProxyFrame(frame(inside));
    expect(check).toMatchObject({ ok: true, jpegWidth: 32, jpegHeight: 18 });
    expect(check.ok && check.bytes.byteLength).toBe(bytes.byteLength);
  });

  it('refuses what is not image bytes, not a JPEG, too large, or a page size that is not sane, with a code and a sentence', () => {
    const base64 = Buffer.from(jpegOf(8, 8)).toString('base64');
    expect(checkProxyFrame(frame(base64))).toEqual({ ok: false, code: 'frame_not_bytes', message: 'The frame carries no image bytes.' });
    expect(checkProxyFrame(null)).toMatchObject({ ok: false, code: 'frame_not_bytes' });
    expect(checkProxyFrame(frame(new TextEncoder().encode('garbage garbage garbage')))).toEqual({ ok: false, code: 'frame_not_jpeg', message: 'The frame is not a JPEG image.' });
    expect(checkProxyFrame(frame(new Uint8Array(PROXY_FRAME_LIMITS.maxBytes + 1)))).toMatchObject({ ok: false, code: 'frame_too_large' });
    const wide = checkProxyFrame(frame(jpegOf(PROXY_FRAME_LIMITS.maxSide + 1, 2)));
    expect(wide).toMatchObject({ ok: false, code: 'frame_too_large' });
    expect(!wide.ok && wide.message).toBe(`The frame is ${PROXY_FRAME_LIMITS.maxSide + 1}×2 pixels, more than ${PROXY_FRAME_LIMITS.maxSide} a side.`);
    const ok = jpegOf(8, 8);
    for (const [w, h] of [[0, 720], [1280, -1], [Number.NaN, 720], [1e9, 720], [1280.5, 720], ['1280', 720], [null, 720]]) {
      expect(checkProxyFrame(frame(ok, w, h))).toMatchObject({ ok: false, code: 'frame_bad_size' });
    }
  });
});

describe('worker frames on the control channel', () => {
  it('travel as bytes behind a small header and come back without a copy of the JPEG', () => {
    const jpg = jpegOf(40, 30);
    const msg = encodeWorkerFrame({ sessionId: 'ps1', seq: 7, metadata }, jpg);
    // the JPEG itself, not base64: the message is the JPEG plus a header of a few hundred bytes
    expect(msg.length - jpg.length).toBeLessThan(300);
    const f = decodeWorkerFrame(Buffer.from(msg));
    expect(f).toEqual({ type: PROXY_WORKER_EV.Frame, sessionId: 'ps1', seq: 7, metadata, data: expect.any(Uint8Array) });
    expect(Buffer.from(f!.data).equals(Buffer.from(jpg))).toBe(true);
    expect(jpegSize(f!.data)).toEqual({ width: 40, height: 30 });
  });

  it('are refused when malformed: wrong kind, cut short, header not JSON or not a frame header', () => {
    const good = encodeWorkerFrame({ sessionId: 'ps1', seq: 1, metadata }, jpegOf(8, 8));
    expect(decodeWorkerFrame(new Uint8Array([]))).toBeNull();
    expect(decodeWorkerFrame(Uint8Array.from([0x02, ...good.subarray(1)]))).toBeNull();
    // header length pointing past the end
    const long = Uint8Array.from(good);
    new DataView(long.buffer).setUint32(1, good.length);
    expect(decodeWorkerFrame(long)).toBeNull();
    const withHeader = (header: string) => {
      const h = new TextEncoder().encode(header);
      const m = new Uint8Array(5 + h.length + 4);
      m[0] = 0x01;
      new DataView(m.buffer).setUint32(1, h.length);
      m.set(h, 5);
      return m;
    };
    expect(decodeWorkerFrame(withHeader('{not json'))).toBeNull();
    expect(decodeWorkerFrame(withHeader(JSON.stringify({ sessionId: '', seq: 1, metadata })))).toBeNull();
    expect(decodeWorkerFrame(withHeader(JSON.stringify({ sessionId: 'ps1', seq: -1, metadata })))).toBeNull();
    expect(decodeWorkerFrame(withHeader(JSON.stringify({ sessionId: 'ps1', seq: 1 })))).toBeNull();
    expect(decodeWorkerFrame(withHeader(JSON.stringify({ sessionId: 'ps1', seq: 1, metadata })))).toMatchObject({ sessionId: 'ps1', data: expect.any(Uint8Array) });
  });
});
