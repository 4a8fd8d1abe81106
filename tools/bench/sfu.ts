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
import { Worker } from 'node:worker_threads';
import { FeedbackSink, TRANSPORT_CC_URI, type SinkConsumer } from './rtcp-feedback';
import type { SinkReply, SinkRequest } from './sfu-sink-thread';
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
export const SSRC = 0x1234_5678;
export const PT = 101;
// What a browser call negotiates with mediasoup (its DTLS-SRTP profile list puts AEAD_AES_256_GCM first).
const SUITE = (process.env['SFU_BENCH_SRTP_SUITE'] ?? 'AEAD_AES_256_GCM') as 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80';

/** The worker the SFU would run: MEDIASOUP_WORKER_BIN, the prebuilt one, else tools/build-mediasoup-worker.sh's cached build. */
export function workerBin(): string | undefined {
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
export function rtpPacket(seq: number, timestamp: number, pictureId: number, first: boolean, last: boolean): Buffer {
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
  add(c: SinkConsumer): void;
  reset(): void;
  close(): void;
}

/**
 * Reads the sampled consumers' packets (and answers them with transport-cc feedback when `answer`):
 * latency = arrival − send time of the frame with the packet's RTP timestamp.
 */
async function sampler(sentAt: Map<number, number>, answer: boolean): Promise<Sampler> {
  const s: Sampler = {
    port: 0,
    latencies: [],
    received: 0,
    add: (c) => sink.add(c),
    reset() {
      s.latencies = [];
      s.received = 0;
    },
    close: () => sink.close(),
  };
  const sink = await FeedbackSink.open({
    answer,
    onRtp: (msg, now) => {
      const t = sentAt.get(msg.readUInt32BE(4));
      s.received++;
      if (t !== undefined && now >= t) s.latencies.push(now - t);
    },
  });
  s.port = sink.port;
  return s;
}

/** The other consumers' receiver: a thread answering with feedback, or a port nobody reads. */
interface Receivers {
  port: number;
  add(c: SinkConsumer[]): Promise<void>;
  /** Packets it read and feedback packets it sent (a black hole reads nothing). */
  count(): Promise<{ received: number; feedback: number }>;
  close(): void;
}

async function feedbackThread(): Promise<Receivers> {
  const thread = new Worker(path.join(__dirname, 'sfu-sink-thread.js'));
  const replies: Array<{ resolve: (m: SinkReply) => void; reject: (e: Error) => void }> = [];
  thread.on('message', (m: SinkReply) => replies.shift()?.resolve(m));
  thread.on('error', (e) => replies.splice(0).forEach((r) => r.reject(e)));
  const next = () => new Promise<SinkReply>((resolve, reject) => replies.push({ resolve, reject }));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error('feedback thread did not start');
  const ask = async (req: SinkRequest) => {
    const reply = next();
    thread.postMessage(req);
    return reply;
  };
  return {
    port: ready.port,
    add: async (consumers) => void (await ask({ type: 'add', consumers })),
    count: async () => {
      const r = await ask({ type: 'count' });
      return r.type === 'count' ? { received: r.received, feedback: r.feedback } : { received: 0, feedback: 0 };
    },
    close: () => {
      thread.postMessage({ type: 'close' } satisfies SinkRequest);
      void thread.terminate();
    },
  };
}

async function blackHoleReceivers(): Promise<Receivers> {
  const hole = await blackHole();
  return { port: hole.port, add: async () => undefined, count: async () => ({ received: 0, feedback: 0 }), close: () => hole.proc.kill() };
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

interface Variant {
  /** Metric prefix. */
  prefix: string;
  srtp: boolean;
  /** Receivers answer with transport-cc feedback, as browsers do. */
  feedback: boolean;
  label: string;
}

// Ours: SRTP and feedback on every consumer, as real calls have them. Beside it in the same run: the
// same without feedback (receivers that never answer: every transport then keeps 60 s of send history),
// and plain RTP both ways (the issue's floor of ≈ 600 was measured with PlainTransports without SRTP).
const VARIANTS: Variant[] = [
  { prefix: 'sfu', srtp: true, feedback: true, label: 'SRTP + feedback' },
  { prefix: 'sfu.no_feedback', srtp: true, feedback: false, label: 'SRTP, no feedback' },
  { prefix: 'sfu.baseline_plain_rtp', srtp: false, feedback: false, label: 'plain RTP, no feedback' },
  { prefix: 'sfu.plain_rtp_feedback', srtp: false, feedback: true, label: 'plain RTP + feedback' },
];

export async function benchSfu(): Promise<void> {
  const bin = workerBin();
  if (bin) process.env['MEDIASOUP_WORKER_BIN'] = bin;
  progress(`sfu: worker binary ${bin ?? 'prebuilt (node_modules/mediasoup)'}`);
  const mediasoup = await import('mediasoup');
  // A step counts when the worker stayed within the CPU limit and forwarded (almost) everything.
  const best = (l: Step[]) => l.filter((s) => s.cpu <= CPU_LIMIT && s.lossPct <= 1).at(-1);
  // The next step tried: the true figure lies between the reported one and this.
  const next = (x: Step | undefined) => (x ? (STEPS[STEPS.indexOf(x.n) + 1] ?? null) : STEPS[0]);
  const perConsumer = (l: Step[]) => {
    const s = l.find((x) => x.n === STEPS[1]);
    return s ? (s.cpu * 100) / s.n : Number.NaN;
  };
  for (const v of VARIANTS) {
    const steps = await ladder(mediasoup, v);
    const b = best(steps);
    const what = { srtp: v.srtp, suite: v.srtp ? SUITE : null, feedback: v.feedback };
    report(`${v.prefix}.consumers_per_worker`, b?.n ?? 0, 'consumers', { cpu_pct: b ? Math.round(b.cpu * 1000) / 10 : null, ...what, next_step: next(b) });
    report(`${v.prefix}.forward_latency_ms.p99`, b?.p99 ?? Number.NaN, 'ms', { consumers: b?.n ?? 0, p50: b ? Math.round(b.p50 * 10) / 10 : null });
    report(`${v.prefix}.cpu_pct_per_consumer`, perConsumer(steps), '%', { ...what, at: STEPS[1] });
  }
}

async function ladder(mediasoup: typeof import('mediasoup'), v: Variant): Promise<Step[]> {
  const { srtp, feedback, label, prefix } = v;
  const worker = await mediasoup.createWorker({ logLevel: 'warn', disableLiburing: true }); // as the SFU's pool runs them
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  const producer = await ingress.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
  });

  const receivers = feedback ? await feedbackThread() : await blackHoleReceivers();
  const sentAt = new Map<number, number>(); // RTP timestamp of a frame → when it was sent
  const sample = await sampler(sentAt, feedback);
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

  let added = 0;
  async function addConsumers(n: number): Promise<void> {
    const batch: SinkConsumer[] = [];
    for (; added < n; added++) {
      const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, enableSrtp: srtp, srtpCryptoSuite: SUITE });
      const sampled = added < SAMPLED;
      const keyBase64 = transport.srtpParameters?.keyBase64;
      await transport.connect({ ip: '127.0.0.1', port: sampled ? sample.port : receivers.port, ...(srtp && keyBase64 ? { srtpParameters: { cryptoSuite: SUITE, keyBase64 } } : {}) });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      const c: SinkConsumer = {
        ssrc: consumer.rtpParameters.encodings![0]!.ssrc!,
        transportPort: transport.tuple.localPort,
        tccExtId: consumer.rtpParameters.headerExtensions?.find((h) => h.uri === TRANSPORT_CC_URI)?.id ?? 0,
        ...(srtp && keyBase64 ? { srtp: { suite: SUITE, keyBase64 } } : {}),
      };
      if (sampled) sample.add(c);
      else batch.push(c);
    }
    await receivers.add(batch);
  }

  progress(`sfu (${label}): one worker (pid ${worker.pid}) on ${cpus().length} cores; producer ≈ ${Math.round((FPS * PACKETS_PER_FRAME * (PAYLOAD_BYTES + 12) * 8) / 1000)} kbps; consumers ${srtp ? `with SRTP (${SUITE})` : 'without SRTP'}, ${feedback ? 'receivers answering with transport-cc feedback every 100 ms' : 'receivers that never answer'}`);
  const steps: Step[] = [];
  try {
    for (const n of STEPS) {
      await addConsumers(n);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      sample.reset();
      const u0 = cpuMs(await worker.getResourceUsage());
      const t0 = performance.now();
      const r0 = await receivers.count();
      const sent0 = seq;
      await new Promise((r) => setTimeout(r, STEP_MS));
      const sent1 = seq;
      const r1 = await receivers.count();
      const cpu = (cpuMs(await worker.getResourceUsage()) - u0) / (performance.now() - t0);
      const sentPackets = (sent1 - sent0) * SAMPLED;
      const lat = [...sample.latencies].sort((a, b) => a - b);
      const step = { n, cpu, p50: percentile(lat, 50), p99: percentile(lat, 99), lossPct: sentPackets ? Math.max(0, 100 * (1 - sample.received / sentPackets)) : 0 };
      steps.push(step);
      // With feedback: how much of what the other consumers were sent the thread read (it must keep up, or it reports losses).
      const readPct = feedback && n > SAMPLED ? (100 * (r1.received - r0.received)) / ((sent1 - sent0) * (n - SAMPLED)) : undefined;
      progress(
        `sfu (${label}): ${n} consumers: worker CPU ${(cpu * 100).toFixed(1)} % of a core, forwarding p50 ${step.p50.toFixed(1)} ms p99 ${step.p99.toFixed(1)} ms, sampled loss ${step.lossPct.toFixed(1)} %` +
          (readPct !== undefined ? `; receivers read ${readPct.toFixed(1)} %, sent ${r1.feedback - r0.feedback} feedback packets` : ''),
      );
      report(`${prefix}.step.${n}.cpu_pct`, cpu * 100, '%');
      report(`${prefix}.step.${n}.forward_latency_ms.p99`, step.p99, 'ms');
      // Past saturation adding consumers only queues up: stop at the first step over the limit.
      if (cpu > CPU_LIMIT || step.lossPct > 5) break;
    }
  } finally {
    clearInterval(frameTimer);
    sender.close();
    sample.close();
    receivers.close();
    worker.close();
  }
  return steps;
}
