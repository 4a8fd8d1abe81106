import dgram from 'node:dgram';
import type { types } from 'mediasoup';
import { FeedbackSink, TRANSPORT_CC_URI, deriveSessionKey, transportCcFeedback, transportCcSeq, type SrtpSuite } from './rtcp-feedback';
import { PT, SSRC, rtpPacket, workerBin } from './sfu';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SRTP key derivation', () => {
  it('matches RFC 3711 appendix B.3', () => {
    const key = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    expect(deriveSessionKey(key, salt, 0, 16).toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(deriveSessionKey(key, salt, 2, 14).toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
    expect(deriveSessionKey(key, salt, 1, 20).subarray(0, 8).toString('hex')).toBe('cebe321f6ff7716b');
  });
});

describe('transport-cc feedback', () => {
  it('encodes received, lost and late packets with run-length chunks and 250 µs deltas', () => {
    // 100..104: 102 lost, 104 arrives 100 ms after 103 (a two-byte delta).
    const fb = transportCcFeedback(1, 2, 7, [
      { seq: 100, at: 640.5 },
      { seq: 101, at: 641 },
      { seq: 103, at: 650 },
      { seq: 104, at: 750 },
    ]);
    expect(fb.length % 4).toBe(0);
    expect([fb[0], fb[1]]).toEqual([0x8f, 205]);
    expect(fb.readUInt16BE(2)).toBe(fb.length / 4 - 1);
    expect(fb.readUInt16BE(12)).toBe(100); // base sequence number
    expect(fb.readUInt16BE(14)).toBe(5); // status count
    expect(fb.readUIntBE(16, 3)).toBe(10); // 640 ms / 64
    expect(fb[19]).toBe(7);
    // Chunks: 2 × small, 1 × lost, 1 × small, 1 × large.
    const chunks = [0, 1, 2, 3].map((i) => fb.readUInt16BE(20 + 2 * i));
    expect(chunks).toEqual([(1 << 13) | 2, (0 << 13) | 1, (1 << 13) | 1, (2 << 13) | 1]);
    // Deltas: 0.5 ms, 0.5 ms, 9 ms (one byte each, in 250 µs), then 100 ms (two bytes).
    expect([...fb.subarray(28, 31)]).toEqual([2, 2, 36]);
    expect(fb.readInt16BE(31)).toBe(400);
  });

  it('reads the transport-wide sequence number from one-byte header extensions', () => {
    const p = Buffer.alloc(12 + 12);
    p[0] = 0x90; // V=2, X
    p.writeUInt16BE(0xbede, 12);
    p.writeUInt16BE(2, 14);
    p[16] = (1 << 4) | 0; // id 1, 1 byte
    p[17] = 0xaa;
    p[18] = (5 << 4) | 1; // id 5, 2 bytes
    p.writeUInt16BE(4242, 19);
    expect(transportCcSeq(p, 5)).toBe(4242);
    expect(transportCcSeq(p, 7)).toBeUndefined();
    expect(transportCcSeq(Buffer.alloc(12, 0x80), 5)).toBeUndefined();
  });
});

// A real mediasoup worker (built by tools/build-mediasoup-worker.sh, as `npm test` does first) must
// take the sink's feedback: it reports the packets the sink calls lost as `rtpPacketLossSent`.
describe('FeedbackSink against a mediasoup worker', () => {
  let mediasoup: typeof import('mediasoup');
  let worker: types.Worker;
  let router: types.Router;
  let producer: types.Producer;
  let ingressPort: number;
  let sender: dgram.Socket;
  let timer: NodeJS.Timeout;

  beforeAll(async () => {
    const bin = workerBin();
    if (bin) process.env['MEDIASOUP_WORKER_BIN'] = bin;
    mediasoup = await import('mediasoup');
    worker = await mediasoup.createWorker({ logLevel: 'error', disableLiburing: true });
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
    const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    ingressPort = ingress.tuple.localPort;
    producer = await ingress.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
    });
    sender = dgram.createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
    let seq = 1;
    let ts = 1000;
    let pid = 0;
    timer = setInterval(() => {
      for (let i = 0; i < 4; i++) sender.send(rtpPacket(seq++, ts, pid, i === 0, i === 3), ingressPort, '127.0.0.1');
      ts += 3000;
      pid++;
    }, 33);
  });

  afterAll(() => {
    clearInterval(timer);
    sender?.close();
    worker?.close();
  });

  async function lossSeen(suite: SrtpSuite | undefined, opts: { wrongKey?: boolean } = {}): Promise<{ loss: number; received: number; feedback: number }> {
    const sink = await FeedbackSink.open({ intervalMs: 50, loseEvery: 4 });
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
      enableSrtp: suite !== undefined,
      ...(suite ? { srtpCryptoSuite: suite } : {}),
    });
    try {
      const keyBase64 = transport.srtpParameters?.keyBase64;
      await transport.connect({ ip: '127.0.0.1', port: sink.port, ...(suite && keyBase64 ? { srtpParameters: { cryptoSuite: suite, keyBase64 } } : {}) });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      const ext = consumer.rtpParameters.headerExtensions?.find((h) => h.uri === TRANSPORT_CC_URI);
      expect(ext).toBeDefined();
      const wrong = keyBase64 && Buffer.from(keyBase64, 'base64').map((b) => b ^ 0xff);
      sink.add({
        ssrc: consumer.rtpParameters.encodings![0]!.ssrc!,
        transportPort: transport.tuple.localPort,
        tccExtId: ext!.id,
        ...(suite && keyBase64 ? { srtp: { suite, keyBase64: opts.wrongKey ? Buffer.from(wrong as Uint8Array).toString('base64') : keyBase64 } } : {}),
      });
      const start = Date.now();
      const deadline = start + 4_000;
      let loss = 0;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        loss = (await transport.getStats())[0]?.rtpPacketLossSent ?? 0;
        // The worker's figure is a weighted average over recent reports: give it a second to settle.
        if (!opts.wrongKey && loss > 0.1 && Date.now() - start > 1_000) break;
      }
      return { loss, received: sink.received(consumer.rtpParameters.encodings![0]!.ssrc!), feedback: sink.feedbackSent };
    } finally {
      sink.close();
      transport.close();
    }
  }

  it.each(['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', undefined] as const)('is understood with SRTP suite %s', async (suite) => {
    const r = await lossSeen(suite);
    if (!(r.loss > 0.1 && r.loss < 0.4)) console.log(`suite ${suite}: ${JSON.stringify(r)}`);
    expect(r.received).toBeGreaterThan(4);
    expect(r.feedback).toBeGreaterThan(0);
    // One packet in four reported lost.
    expect(r.loss).toBeGreaterThan(0.1);
    expect(r.loss).toBeLessThan(0.4);
  });

  it('is dropped by the worker when protected with the wrong key (so the check above means something)', async () => {
    const r = await lossSeen('AEAD_AES_256_GCM', { wrongKey: true });
    expect(r.received).toBeGreaterThan(4);
    expect(r.feedback).toBeGreaterThan(3);
    expect(r.loss).toBe(0);
  }, 10_000);
});
