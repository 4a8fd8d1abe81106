import dgram from 'node:dgram';
import type { types } from 'mediasoup';

/** The RTP header extension id the test producers declare for ssrc-audio-level (RFC 6464). */
export const AUDIO_LEVEL_EXT_ID = 1;

/** Opus producer parameters with the ssrc-audio-level extension, as a browser declares them. */
export function opusWithAudioLevel(ssrc: number): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: AUDIO_LEVEL_EXT_ID }],
  };
}

/**
 * One opus-sized RTP packet (20 ms) carrying the one-byte ssrc-audio-level extension:
 * `levelDbov` is 0 (loudest) … 127 (silence), as -dBov.
 */
export function rtpPacket(ssrc: number, seq: number, levelDbov: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x90; // V=2, X=1
  header[1] = 111;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 960) >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  // RFC 8285 one-byte header: 0xBEDE, length 1 word; id/len-1, value (V bit set when voiced), padding.
  const ext = Buffer.from([0xbe, 0xde, 0x00, 0x01, (AUDIO_LEVEL_EXT_ID << 4) | 0, (levelDbov < 127 ? 0x80 : 0) | (levelDbov & 0x7f), 0, 0]);
  return Buffer.concat([header, ext, Buffer.alloc(80, 0x5a)]);
}

/**
 * Sends RTP every 20 ms from a UDP socket to a comedia PlainTransport, at a level that can be
 * changed while it runs. Stands in for a browser's microphone where no browser is needed.
 */
export class RtpFeeder {
  #seq = 0;
  readonly #timer: NodeJS.Timeout;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly ssrc: number,
    private readonly port: number,
    public levelDbov: number,
  ) {
    this.#timer = setInterval(() => this.#send(), 20);
    this.#send();
  }

  static async start(options: { port: number; ssrc: number; levelDbov: number }): Promise<RtpFeeder> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpFeeder(socket, options.ssrc, options.port, options.levelDbov);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.socket.close();
  }

  #send(): void {
    this.socket.send(rtpPacket(this.ssrc, this.#seq++, this.levelDbov), this.port, '127.0.0.1');
  }
}
