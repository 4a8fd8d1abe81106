// What a browser's receiver sends back to the SFU, for the capacity bench: transport-wide congestion
// control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01), protected as SRTCP (RFC 3711
// for AES_CM_128_HMAC_SHA1_80, RFC 7714 for the AEAD suites) with the consumer transport's keys.
// Without it each mediasoup transport keeps its send history for 60 s and never processes feedback,
// which is not what a call costs.
import { createCipheriv, createHmac } from 'node:crypto';
import dgram from 'node:dgram';

export type SrtpSuite = 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80';

export const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

const SUITES: Record<SrtpSuite, { keyLen: number; saltLen: number; aead: boolean }> = {
  AEAD_AES_256_GCM: { keyLen: 32, saltLen: 12, aead: true },
  AEAD_AES_128_GCM: { keyLen: 16, saltLen: 12, aead: true },
  AES_CM_128_HMAC_SHA1_80: { keyLen: 16, saltLen: 14, aead: false },
};

/** RFC 3711 §4.3: the AES-CM key derivation (r = 0), also used by the AEAD suites (RFC 7714 §11). */
export function deriveSessionKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const x = Buffer.alloc(16);
  masterSalt.copy(x, 0, 0, Math.min(14, masterSalt.length)); // a 12-byte salt is padded with zeros
  x[7]! ^= label;
  const cipher = createCipheriv(`aes-${masterKey.length * 8}-ctr`, masterKey, x);
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

const LABEL = { srtcpEncryption: 3, srtcpAuth: 4, srtcpSalt: 5 };

/** Turns one RTCP packet into SRTCP with the keys of `keyBase64` (master key ‖ master salt). */
export function srtcpProtector(suite: SrtpSuite, keyBase64: string): (rtcp: Buffer) => Buffer {
  const s = SUITES[suite];
  const master = Buffer.from(keyBase64, 'base64');
  if (master.length !== s.keyLen + s.saltLen) throw new Error(`${suite} needs ${s.keyLen + s.saltLen} bytes of key and salt, got ${master.length}`);
  const masterKey = master.subarray(0, s.keyLen);
  const masterSalt = master.subarray(s.keyLen);
  const key = deriveSessionKey(masterKey, masterSalt, LABEL.srtcpEncryption, s.keyLen);
  const salt = deriveSessionKey(masterKey, masterSalt, LABEL.srtcpSalt, s.saltLen);
  const authKey = s.aead ? undefined : deriveSessionKey(masterKey, masterSalt, LABEL.srtcpAuth, 20);
  let index = 0;
  return (rtcp: Buffer): Buffer => {
    index = (index + 1) & 0x7fff_ffff;
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE((0x8000_0000 | index) >>> 0); // E: the payload is encrypted
    const ssrc = rtcp.readUInt32BE(4);
    if (s.aead) {
      // RFC 7714 §9.1: IV = (0 ‖ SSRC ‖ 0 ‖ index) XOR salt; AAD = the first 8 octets ‖ E ‖ index.
      const iv = Buffer.alloc(12);
      iv.writeUInt32BE(ssrc, 2);
      iv.writeUInt32BE(index, 8);
      for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
      const gcm = createCipheriv(s.keyLen === 32 ? 'aes-256-gcm' : 'aes-128-gcm', key, iv);
      gcm.setAAD(Buffer.concat([rtcp.subarray(0, 8), trailer]));
      const body = Buffer.concat([gcm.update(rtcp.subarray(8)), gcm.final()]);
      return Buffer.concat([rtcp.subarray(0, 8), body, gcm.getAuthTag(), trailer]);
    }
    // RFC 3711 §4.1.1 / §3.4: IV = salt·2^16 XOR SSRC·2^64 XOR index·2^16; tag = HMAC-SHA1(packet ‖ E ‖ index), 80 bits.
    const iv = Buffer.alloc(16);
    salt.copy(iv, 0);
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(10) ^ index) >>> 0, 10);
    const ctr = createCipheriv('aes-128-ctr', key, iv);
    const head = Buffer.concat([rtcp.subarray(0, 8), ctr.update(rtcp.subarray(8)), ctr.final(), trailer]);
    const tag = createHmac('sha1', authKey!).update(head).digest().subarray(0, 10);
    return Buffer.concat([head, tag]);
  };
}

/** The transport-wide sequence number of an RTP packet (one- or two-byte header extensions), if it has one. */
export function transportCcSeq(packet: Buffer, extId: number): number | undefined {
  if (packet.length < 12 || (packet[0]! & 0x10) === 0) return undefined;
  let off = 12 + 4 * (packet[0]! & 0x0f);
  if (packet.length < off + 4) return undefined;
  const profile = packet.readUInt16BE(off);
  const end = off + 4 + 4 * packet.readUInt16BE(off + 2);
  if (end > packet.length) return undefined;
  off += 4;
  const oneByte = profile === 0xbede;
  if (!oneByte && (profile & 0xfff0) !== 0x1000) return undefined;
  while (off < end) {
    const b = packet[off]!;
    if (b === 0) {
      off++; // padding
      continue;
    }
    const id = oneByte ? b >> 4 : b;
    const len = oneByte ? (b & 0x0f) + 1 : packet[off + 1]!;
    const data = off + (oneByte ? 1 : 2);
    if (oneByte && id === 15) return undefined;
    if (id === extId && len >= 2 && data + 2 <= end) return packet.readUInt16BE(data);
    off = data + len;
  }
  return undefined;
}

export interface Arrival {
  /** Transport-wide sequence number, unwrapped (may pass 65535). */
  seq: number;
  /** Arrival time in ms. */
  at: number;
}

/**
 * One transport-cc feedback packet (RTPFB, FMT 15) for consecutive sequence numbers from `baseSeq` (by
 * default `arrivals[0].seq`) to the last arrival; numbers missing from `arrivals` are reported lost. Run-length chunks, receive deltas in
 * 250 µs (one byte when 0..63.75 ms, else two), zero padding to 32 bits.
 */
export function transportCcFeedback(senderSsrc: number, mediaSsrc: number, feedbackCount: number, arrivals: readonly Arrival[], baseSeq = arrivals[0]!.seq): Buffer {
  const first = arrivals[0]!;
  if (baseSeq > first.seq) throw new Error('the base sequence number comes after the first arrival');
  const count = arrivals[arrivals.length - 1]!.seq - baseSeq + 1;
  if (count > 0xffff) throw new Error('too many packets for one feedback');
  const byMs = new Map(arrivals.map((a) => [a.seq, a.at]));
  const refTime = Math.floor(first.at / 64);
  let prev = refTime * 64;
  const statuses: number[] = [];
  const deltas: Buffer[] = [];
  for (let seq = baseSeq; seq < baseSeq + count; seq++) {
    const at = byMs.get(seq);
    if (at === undefined) {
      statuses.push(0);
      continue;
    }
    const d = Math.round((at - prev) * 4);
    prev += d / 4;
    if (d >= 0 && d <= 255) {
      statuses.push(1);
      deltas.push(Buffer.of(d));
    } else {
      const big = Math.max(-32768, Math.min(32767, d));
      const b = Buffer.alloc(2);
      b.writeInt16BE(big);
      statuses.push(2);
      deltas.push(b);
    }
  }
  const chunks: Buffer[] = [];
  for (let i = 0; i < statuses.length; ) {
    let run = 1;
    while (i + run < statuses.length && statuses[i + run] === statuses[i] && run < 8191) run++;
    const c = Buffer.alloc(2);
    c.writeUInt16BE((statuses[i]! << 13) | run);
    chunks.push(c);
    i += run;
  }
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16BE(baseSeq & 0xffff, 0);
  fixed.writeUInt16BE(count, 2);
  fixed.writeUIntBE(refTime & 0xffffff, 4, 3);
  fixed[7] = feedbackCount & 0xff;
  const body = Buffer.concat([fixed, ...chunks, ...deltas]);
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const header = Buffer.alloc(12);
  header[0] = 0x80 | 15;
  header[1] = 205;
  header.writeUInt16BE((12 + padded.length) / 4 - 1, 2);
  header.writeUInt32BE(senderSsrc >>> 0, 4);
  header.writeUInt32BE(mediaSsrc >>> 0, 8);
  return Buffer.concat([header, padded]);
}

export interface SinkConsumer {
  /** The consumer's SSRC (its packets are told apart by it). */
  ssrc: number;
  /** Where its transport listens: feedback goes there, from the socket the transport sends to. */
  transportPort: number;
  tccExtId: number;
  srtp?: { suite: SrtpSuite; keyBase64: string };
}

interface SinkState extends SinkConsumer {
  protect?: (rtcp: Buffer) => Buffer;
  pending: Arrival[];
  lastSeq: number | undefined;
  /** The number after the last one reported: the next feedback starts there, so a loss at the edge counts. */
  nextBase: number | undefined;
  feedbackCount: number;
  received: number;
}

export interface SinkOptions {
  intervalMs?: number;
  /** false: count and look at packets, send nothing back (a receiver that never answers). */
  answer?: boolean;
  loseEvery?: number;
  /** Sees each RTP packet of a known consumer as it arrives (`now`: performance.now()). */
  onRtp?: (packet: Buffer, now: number) => void;
}

/**
 * A UDP socket that many consumer transports send to; every `intervalMs` it answers each of them with
 * transport-cc feedback for what arrived, as Chrome does (about every 50–100 ms at these rates).
 * `loseEvery` reports every nth packet lost: only for tests that check the feedback is understood.
 */
export class FeedbackSink {
  readonly #sock = dgram.createSocket('udp4');
  readonly #consumers = new Map<number, SinkState>();
  #timer: NodeJS.Timeout | undefined;
  feedbackSent = 0;

  private constructor(private readonly opts: SinkOptions & { intervalMs: number }) {}

  static async open(opts: SinkOptions = {}): Promise<FeedbackSink> {
    const sink = new FeedbackSink({ ...opts, intervalMs: opts.intervalMs ?? 100 });
    sink.#sock.on('message', (msg) => sink.#onPacket(msg));
    await new Promise<void>((r) => sink.#sock.bind(0, '127.0.0.1', () => r()));
    // Many transports at ~1 Mbps each: a deep receive buffer so the kernel drops nothing between reads.
    sink.#sock.setRecvBufferSize(8 * 1024 * 1024);
    if (opts.answer !== false) sink.#timer = setInterval(() => sink.#flush(), sink.opts.intervalMs);
    return sink;
  }

  get port(): number {
    return this.#sock.address().port;
  }

  /** Packets seen from a consumer so far. */
  received(ssrc: number): number {
    return this.#consumers.get(ssrc)?.received ?? 0;
  }

  add(c: SinkConsumer): void {
    this.#consumers.set(c.ssrc, {
      ...c,
      protect: c.srtp ? srtcpProtector(c.srtp.suite, c.srtp.keyBase64) : undefined,
      pending: [],
      lastSeq: undefined,
      nextBase: undefined,
      feedbackCount: 0,
      received: 0,
    });
  }

  #onPacket(msg: Buffer): void {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 76) return; // RTCP on the muxed port
    const c = this.#consumers.get(msg.readUInt32BE(8));
    if (!c) return;
    c.received++;
    const now = performance.now();
    this.opts.onRtp?.(msg, now);
    const raw = transportCcSeq(msg, c.tccExtId);
    if (raw === undefined) return;
    // Unwrap against the last number seen.
    let seq = raw;
    if (c.lastSeq !== undefined) {
      const base = c.lastSeq - (c.lastSeq & 0xffff);
      seq = base + raw;
      if (seq < c.lastSeq - 0x8000) seq += 0x10000;
      else if (seq > c.lastSeq + 0x8000) seq -= 0x10000;
    }
    if (c.lastSeq === undefined || seq > c.lastSeq) c.lastSeq = seq;
    if (this.opts.loseEvery && seq % this.opts.loseEvery === 0) return;
    c.pending.push({ seq, at: now });
  }

  #flush(): void {
    for (const c of this.#consumers.values()) {
      if (c.pending.length === 0) continue;
      const arrivals = c.pending.sort((a, b) => a.seq - b.seq);
      c.pending = [];
      const first = arrivals[0]!.seq;
      // A late packet (before the last report) or a long gap: start afresh at what arrived.
      const base = c.nextBase !== undefined && c.nextBase <= first && first - c.nextBase < 1000 ? c.nextBase : first;
      const fresh = arrivals.filter((a) => a.seq >= base);
      if (fresh.length === 0) continue;
      c.nextBase = fresh[fresh.length - 1]!.seq + 1;
      const fb = transportCcFeedback(c.ssrc ^ 0x5a5a5a5a, c.ssrc, c.feedbackCount++, fresh, base);
      this.#sock.send(c.protect ? c.protect(fb) : fb, c.transportPort, '127.0.0.1');
      this.feedbackSent++;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#sock.close();
  }
}
