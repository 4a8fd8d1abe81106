// SFU capacity of one mediasoup worker: a synthetic ~1.1 Mbps VP8 producer (PlainTransport RTP from
// this process, no browser) forwarded to N consumers on PlainTransports with SRTP on (as real calls
// have it: the per-consumer cost is the encryption). Steps N up and reports the largest N whose
// worker stays at or under 80 % of one core, and the forwarding latency at that load.
//
// Latency: a sample of consumers sends to a UDP socket read here; the RTP header stays in clear under
// SRTP, and mediasoup's SimpleConsumer keeps the producer's RTP timestamp, so each packet maps back to
// the send time of its frame (all packets of a frame leave in the same tick). Not the sequence number:
// the consumer renumbers it and closes the gaps of packets it drops, so a learnt per-consumer offset
// goes stale after the first drop and turns into latencies of seconds. The other consumers
// send to a socket that is never read (a child process that sleeps): the kernel drops what overflows
// its buffer, so the sink costs next to nothing and the worker does all the work it would for real
// receivers.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import type { types } from 'mediasoup';
import { percentile, progress, report } from './report';

const ROOT = path.resolve(__dirname, '../../../..');
const MEDIASOUP_VERSION = '3.16.0';

const FPS = 30;
const PACKETS_PER_FRAME = 4;
const PAYLOAD_BYTES = 1150; // 30 × 4 × (1150 + 12) × 8 ≈ 1.1 Mbps
const SAMPLED = 16;
const STEP_MS = 5000;
const SETTLE_MS = 1500;
const CPU_LIMIT = 0.8;
const STEPS = [100, 200, 250, 300, 350, 400, 450, 500, 550, 600, 700, 800];
const SSRC = 0x1234_5678;
const PT = 101;
// What a browser call negotiates with mediasoup (its DTLS-SRTP profile list puts AEAD_AES_256_GCM first).
const SUITE = (process.env['SFU_BENCH_SRTP_SUITE'] ?? 'AEAD_AES_256_GCM') as 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80';

/** The worker the SFU would run: MEDIASOUP_WORKER_BIN, the prebuilt one, else tools/build-mediasoup-worker.sh's cached build. */
function workerBin(): string | undefined {
  if (process.env['MEDIASOUP_WORKER_BIN']) return process.env['MEDIASOUP_WORKER_BIN'];
  const prebuilt = path.join(ROOT, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker');
  if (existsSync(prebuilt)) return undefined;
  const cacheRoot = process.env['ENGAGE_CACHE'] || path.join(process.env['HOME'] || '/root', '.cache/engage');
  // "-ossl": the build linked against libsrtp with OpenSSL crypto (Debian's libsrtp2 uses NSS, ~2× the SRTP cost).
  const cached = path.join(cacheRoot, `mediasoup-worker-${MEDIASOUP_VERSION}-ossl`, 'mediasoup-worker');
  if (!existsSync(cached)) throw new Error(`No mediasoup worker: run "bash tools/build-mediasoup-worker.sh" first (looked for ${cached}).`);
  return cached;
}

/** A UDP port held by a process that never reads it: packets to it cost the receiver nothing. */
async function blackHole(): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn('python3', ['-c', "import socket,sys,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('127.0.0.1',0))\nprint(s.getsockname()[1],flush=True)\ntime.sleep(100000)"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    proc.once('exit', (c) => reject(new Error(`black-hole sink exited with ${c}`)));
  });
  return { port, proc };
}

/**
 * One RTP packet of a VP8 frame, with the payload descriptor browsers send (extended, 15-bit
 * picture id: mediasoup ignores VP8 without it). Every frame is a key frame so a new consumer
 * forwards at once.
 */
function rtpPacket(seq: number, timestamp: number, pictureId: number, first: boolean, last: boolean): Buffer {
  const b = Buffer.alloc(12 + PAYLOAD_BYTES);
  b[0] = 0x80;
  b[1] = (last ? 0x80 : 0) | PT;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(timestamp >>> 0, 4);
  b.writeUInt32BE(SSRC, 8);
  b[12] = 0x80 | (first ? 0x10 : 0); // X, S on the first packet, partition 0
  b[13] = 0x80; // I: picture id present
  b.writeUInt16BE(0x8000 | (pictureId & 0x7fff), 14);
  if (first) {
    // VP8 key frame header: frame tag (P = 0 → key frame, show_frame), start code, 640×360.
    b[16] = 0x10;
    b[17] = 0x02;
    b[18] = 0x00;
    b[19] = 0x9d;
    b[20] = 0x01;
    b[21] = 0x2a;
    b.writeUInt16LE(640, 22);
    b.writeUInt16LE(360, 24);
  }
  return b;
}

interface Sampler {
  port: number;
  latencies: number[];
  received: number;
  reset(): void;
  close(): void;
}

/** Reads the sampled consumers' packets: latency = arrival − send time of the frame with the packet's RTP timestamp. */
async function sampler(sentAt: Map<number, number>): Promise<Sampler> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const s: Sampler = {
    port: sock.address().port,
    latencies: [],
    received: 0,
    reset() {
      s.latencies = [];
      s.received = 0;
    },
    close() {
      sock.close();
    },
  };
  sock.on('message', (msg) => {
    const now = performance.now();
    if (msg.length < 12 || msg[0] >> 6 !== 2) return;
    const pt = msg[1] & 0x7f;
    if (pt >= 72 && pt <= 76) return; // RTCP on the muxed port
    const t = sentAt.get(msg.readUInt32BE(4));
    s.received++;
    if (t !== undefined && now >= t) s.latencies.push(now - t);
  });
  return s;
}

function cpuMs(usage: types.WorkerResourceUsage): number {
  return usage.ru_utime + usage.ru_stime;
}

interface Step {
  n: number;
  cpu: number;
  p50: number;
  p99: number;
  lossPct: number;
}

export async function benchSfu(): Promise<void> {
  const bin = workerBin();
  if (bin) process.env['MEDIASOUP_WORKER_BIN'] = bin;
  progress(`sfu: worker binary ${bin ?? 'prebuilt (node_modules/mediasoup)'}`);
  const mediasoup = await import('mediasoup');
  // Ours: SRTP on every consumer, as real calls. Baseline in the same run: the same without SRTP
  // (the issue's floor of ≈ 600 was measured that way).
  const ours = await ladder(mediasoup, true);
  const plain = await ladder(mediasoup, false);
  // A step counts when the worker stayed within the CPU limit and forwarded (almost) everything.
  const best = (l: Step[]) => l.filter((s) => s.cpu <= CPU_LIMIT && s.lossPct <= 1).at(-1);
  const b = best(ours);
  const p = best(plain);
  // The next step tried: the true figure lies between the reported one and this.
  const next = (x: Step | undefined) => (x ? (STEPS[STEPS.indexOf(x.n) + 1] ?? null) : STEPS[0]);
  report('sfu.consumers_per_worker', b?.n ?? 0, 'consumers', { cpu_pct: b ? Math.round(b.cpu * 1000) / 10 : null, srtp: true, suite: SUITE, next_step: next(b) });
  report('sfu.forward_latency_ms.p99', b?.p99 ?? Number.NaN, 'ms', { consumers: b?.n ?? 0, p50: b ? Math.round(b.p50 * 10) / 10 : null });
  report('sfu.baseline_plain_rtp.consumers_per_worker', p?.n ?? 0, 'consumers', { cpu_pct: p ? Math.round(p.cpu * 1000) / 10 : null, srtp: false, next_step: next(p) });
  report('sfu.baseline_plain_rtp.forward_latency_ms.p99', p?.p99 ?? Number.NaN, 'ms', { consumers: p?.n ?? 0 });
  const perConsumer = (l: Step[]) => {
    const s = l.find((x) => x.n === STEPS[1]);
    return s ? (s.cpu * 100) / s.n : Number.NaN;
  };
  report('sfu.cpu_pct_per_consumer', perConsumer(ours), '%', { srtp: true, at: STEPS[1] });
  report('sfu.baseline_plain_rtp.cpu_pct_per_consumer', perConsumer(plain), '%', { srtp: false, at: STEPS[1] });
}

async function ladder(mediasoup: typeof import('mediasoup'), srtp: boolean): Promise<Step[]> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn', disableLiburing: true }); // as the SFU's pool runs them
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  const producer = await ingress.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
  });

  const hole = await blackHole();
  const sentAt = new Map<number, number>(); // RTP timestamp of a frame → when it was sent
  const sample = await sampler(sentAt);
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
  let seq = 1;
  let ts = 1000;
  let pictureId = 0;
  const frameTimer = setInterval(() => {
    sentAt.set(ts >>> 0, performance.now());
    if (sentAt.size > 60 * FPS) sentAt.delete(sentAt.keys().next().value as number);
    for (let i = 0; i < PACKETS_PER_FRAME; i++) {
      sender.send(rtpPacket(seq++ & 0xffff, ts, pictureId, i === 0, i === PACKETS_PER_FRAME - 1), ingress.tuple.localPort, '127.0.0.1');
    }
    ts = (ts + 90000 / FPS) >>> 0;
    pictureId++;
  }, 1000 / FPS);

  const consumers: Array<{ transport: types.PlainTransport; consumer: types.Consumer }> = [];
  async function addConsumers(n: number): Promise<void> {
    while (consumers.length < n) {
      const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, enableSrtp: srtp, srtpCryptoSuite: SUITE });
      const port = consumers.length < SAMPLED ? sample.port : hole.port;
      await transport.connect({ ip: '127.0.0.1', port, ...(srtp ? { srtpParameters: { cryptoSuite: SUITE, keyBase64: transport.srtpParameters!.keyBase64 } } : {}) });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      consumers.push({ transport, consumer });
    }
  }

  const label = srtp ? 'SRTP' : 'plain RTP';
  progress(`sfu (${label}): one worker (pid ${worker.pid}) on ${cpus().length} cores; producer ≈ ${Math.round((FPS * PACKETS_PER_FRAME * (PAYLOAD_BYTES + 12) * 8) / 1000)} kbps; consumers ${srtp ? `with SRTP (${SUITE})` : 'without SRTP'}`);
  const steps: Step[] = [];
  try {
    for (const n of STEPS) {
      await addConsumers(n);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      sample.reset();
      const u0 = cpuMs(await worker.getResourceUsage());
      const t0 = performance.now();
      const sent0 = seq;
      await new Promise((r) => setTimeout(r, STEP_MS));
      const cpu = (cpuMs(await worker.getResourceUsage()) - u0) / (performance.now() - t0);
      const sentPackets = (seq - sent0) * SAMPLED;
      const lat = [...sample.latencies].sort((a, b) => a - b);
      const step = { n, cpu, p50: percentile(lat, 50), p99: percentile(lat, 99), lossPct: sentPackets ? Math.max(0, 100 * (1 - sample.received / sentPackets)) : 0 };
      steps.push(step);
      progress(`sfu (${label}): ${n} consumers: worker CPU ${(cpu * 100).toFixed(1)} % of a core, forwarding p50 ${step.p50.toFixed(1)} ms p99 ${step.p99.toFixed(1)} ms, sampled loss ${step.lossPct.toFixed(1)} %`);
      const prefix = srtp ? 'sfu' : 'sfu.baseline_plain_rtp';
      report(`${prefix}.step.${n}.cpu_pct`, cpu * 100, '%');
      report(`${prefix}.step.${n}.forward_latency_ms.p99`, step.p99, 'ms');
      // Past saturation adding consumers only queues up: stop at the first step over the limit.
      if (cpu > CPU_LIMIT || step.lossPct > 5) break;
    }
  } finally {
    clearInterval(frameTimer);
    sender.close();
    sample.close();
    hole.proc.kill();
    worker.close();
  }
  return steps;
}
