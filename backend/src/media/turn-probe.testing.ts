import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

/**
 * A minimal TURN client over UDP (RFC 5766 / 8656), for tests: allocates a relay with a long-term
 * credential, then asks for permissions to peers — which is where coturn applies its
 * denied-peer-ip / allowed-peer-ip policy (a browser gathering candidates never gets that far).
 */
const MAGIC = 0x2112a442;
const ALLOCATE = 0x0003;
const CREATE_PERMISSION = 0x0008;
const ATTR = { username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015, xorPeerAddress: 0x0012, requestedTransport: 0x0019, xorRelayedAddress: 0x0016 } as const;

interface StunAnswer {
  /** 'success' or the error code (401, 403, 438…). */
  result: 'success' | number;
  attrs: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad)]);
}

function message(type: number, attrs: Buffer[], key?: Buffer): { bytes: Buffer; id: Buffer } {
  const id = randomBytes(12);
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  id.copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return { bytes: Buffer.concat([header, body]), id };
  }
  // MESSAGE-INTEGRITY: HMAC-SHA1 over everything before it, the length already counting it (24 bytes).
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  return { bytes: Buffer.concat([header, body, attribute(ATTR.messageIntegrity, mac)]), id };
}

function parse(buf: Buffer): { type: number; id: Buffer; attrs: Map<number, Buffer> } {
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  const attrs = new Map<number, Buffer>();
  let at = 20;
  while (at + 4 <= 20 + length) {
    const t = buf.readUInt16BE(at);
    const l = buf.readUInt16BE(at + 2);
    attrs.set(t, buf.subarray(at + 4, at + 4 + l));
    at += 4 + l + ((4 - (l % 4)) % 4);
  }
  return { type, id: buf.subarray(8, 20), attrs };
}

function xorPeer(ip: string, port: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1); // IPv4
  v.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const n = ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  v.writeUInt32BE((n ^ MAGIC) >>> 0, 4);
  return v;
}

function decodeXorAddress(v: Buffer): string {
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const n = (v.readUInt32BE(4) ^ MAGIC) >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}:${port}`;
}

/** One TURN session (one UDP socket, one allocation) against `host:port`. */
export class TurnProbe {
  readonly #socket = dgram.createSocket('udp4');
  #key: Buffer | undefined;
  #realm: Buffer = Buffer.alloc(0);
  #nonce: Buffer = Buffer.alloc(0);
  /** The relayed address of the allocation (address:port), once allocated. */
  relayed: string | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** Allocates a UDP relay: 'success', or the error code coturn answered (401 for a bad or expired credential). */
  async allocate(): Promise<'success' | number> {
    const first = await this.#send(ALLOCATE, [attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]))], false);
    if (first.result !== 401) return first.result;
    this.#realm = first.attrs.get(ATTR.realm) ?? Buffer.alloc(0);
    this.#nonce = first.attrs.get(ATTR.nonce) ?? Buffer.alloc(0);
    this.#key = createHash('md5').update(`${this.username}:${this.#realm.toString()}:${this.password}`).digest();
    const second = await this.#send(ALLOCATE, [attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]))], true);
    const relayed = second.attrs.get(ATTR.xorRelayedAddress);
    if (second.result === 'success' && relayed) this.relayed = decodeXorAddress(relayed);
    return second.result;
  }

  /** Asks for a permission to send to `ip`: 'success', or coturn's error code (403: the peer address is forbidden). */
  async permit(ip: string): Promise<'success' | number> {
    return (await this.#send(CREATE_PERMISSION, [attribute(ATTR.xorPeerAddress, xorPeer(ip, 9))], true)).result;
  }

  close(): void {
    this.#socket.close();
  }

  #send(type: number, attrs: Buffer[], auth: boolean): Promise<StunAnswer> {
    const all = auth ? [...attrs, attribute(ATTR.username, Buffer.from(this.username)), attribute(ATTR.realm, this.#realm), attribute(ATTR.nonce, this.#nonce)] : attrs;
    const { bytes, id } = message(type, all, auth ? this.#key : undefined);
    return new Promise<StunAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#socket.off('message', onMessage);
        reject(new Error(`no TURN answer from ${this.host}:${this.port} within 3 s`));
      }, 3_000);
      const onMessage = (buf: Buffer) => {
        const m = parse(buf);
        if (!m.id.equals(id)) return;
        clearTimeout(timer);
        this.#socket.off('message', onMessage);
        const isError = (m.type & 0x0110) === 0x0110;
        const code = m.attrs.get(ATTR.errorCode);
        resolve({ result: isError ? (code ? code.readUInt8(2) * 100 + code.readUInt8(3) : 0) : 'success', attrs: m.attrs });
      };
      this.#socket.on('message', onMessage);
      this.#socket.send(bytes, this.port, this.host);
    });
  }
}
