import pino from 'pino';
import { workerBinForTests } from '../config/test-worker-bin';
import type { SfuNotification } from '@engage/protocol';
import type { Room as RoomT } from './room';
import type { WorkerPool as WorkerPoolT } from './worker-pool';
import { RtpFeeder, opusWithAudioLevel } from './rtp-feeder.testing';
import { SILENCE_HOLD_MS } from './speaker-detector';

const workerBin = workerBinForTests();
const describeWithWorkers = workerBin ? describe : describe.skip;
const logger = pino({ level: 'silent' });

jest.setTimeout(30_000);

/** Loud speech: -10 dBov. Silence: 127 (the extension's "no sound"). */
const LOUD = 10;
const SILENT = 127;

describeWithWorkers('room speaker detection (real mediasoup worker, RTP with ssrc-audio-level)', () => {
  let WorkerPool: typeof WorkerPoolT;
  let Room: typeof RoomT;
  let pool: WorkerPoolT;
  const feeders: RtpFeeder[] = [];

  beforeAll(async () => {
    ({ WorkerPool } = await import('./worker-pool'));
    ({ Room } = await import('./room'));
    pool = await WorkerPool.create({ count: 1, rtcMinPort: 46000, rtcMaxPort: 46099, logger });
  });
  afterEach(() => feeders.splice(0).forEach((f) => f.stop()));
  afterAll(() => pool?.close());

  /** A comedia PlainTransport producer of `peerId` fed with RTP at `levelDbov`, like a microphone. */
  async function speak(room: RoomT, peerId: string, ssrc: number, levelDbov: number): Promise<RtpFeeder & { transport: { close(): void } }> {
    const transport = await room.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    await transport.produce({ kind: 'audio', rtpParameters: opusWithAudioLevel(ssrc), appData: { peerId, source: 'mic' } });
    const feeder = await RtpFeeder.start({ port: transport.tuple.localPort, ssrc, levelDbov });
    feeders.push(feeder);
    return Object.assign(feeder, { transport });
  }

  function speakers(room: RoomT): { seen: Array<string | null>; next: (want: string | null, timeoutMs?: number) => Promise<number> } {
    const seen: Array<string | null> = [];
    const waiters: Array<() => void> = [];
    room.on('notification', (n: SfuNotification) => {
      if (n.type !== 'room/speaker') return;
      expect(n.engagementId).toBe(room.engagementId);
      seen.push(n.peerId);
      waiters.splice(0).forEach((w) => w());
    });
    const next = (want: string | null, timeoutMs = 10_000) => {
      const started = Date.now();
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no room/speaker ${want} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)), timeoutMs);
        const check = () => {
          if (seen.at(-1) === want) {
            clearTimeout(timer);
            resolve(Date.now() - started);
          } else waiters.push(check);
        };
        check();
      });
    };
    return { seen, next };
  }

  it('names the peer who speaks, switches to the one who takes over, and says null when everyone is silent', async () => {
    const room = await Room.create({ engagementId: 'speakers-1', worker: pool.pick(), transport: { listenIp: '127.0.0.1', announcedAddress: undefined }, logger });
    try {
      const { seen, next } = speakers(room);
      const alice = await speak(room, 'alice', 1001, LOUD);
      const bob = await speak(room, 'bob', 2002, SILENT);
      const aliceMs = await next('alice');
      expect(room.speaker).toBe('alice');
      // Alice stops, Bob talks: the dominant speaker moves to Bob.
      alice.levelDbov = SILENT;
      bob.levelDbov = LOUD;
      const bobMs = await next('bob');
      // Nobody talks: null (the level observer's silence; the dominant-speaker observer has none).
      bob.levelDbov = SILENT;
      const silenceMs = await next(null);
      expect(room.speaker).toBeNull();
      console.log(`speaker detection: alice after ${aliceMs} ms, bob ${bobMs} ms after the switch, silence after ${silenceMs} ms; sequence ${JSON.stringify(seen)}`);
      // Only changes are reported.
      for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
    } finally {
      room.close();
    }
  });

  it('keeps the speaker through a pause between words, and says null only after the silence held', async () => {
    const room = await Room.create({ engagementId: 'speakers-3', worker: pool.pick(), transport: { listenIp: '127.0.0.1', announcedAddress: undefined }, logger });
    try {
      const { seen, next } = speakers(room);
      const dave = await speak(room, 'dave', 4004, LOUD);
      await next('dave');
      dave.levelDbov = SILENT;
      await new Promise((r) => setTimeout(r, SILENCE_HOLD_MS - 400));
      dave.levelDbov = LOUD;
      await new Promise((r) => setTimeout(r, SILENCE_HOLD_MS));
      expect(seen).toEqual(['dave']);
      dave.levelDbov = SILENT;
      const silentMs = await next(null, 5_000);
      expect(silentMs).toBeGreaterThanOrEqual(SILENCE_HOLD_MS);
    } finally {
      room.close();
    }
  });

  it('forgets a speaking producer that closes', async () => {
    const room = await Room.create({ engagementId: 'speakers-2', worker: pool.pick(), transport: { listenIp: '127.0.0.1', announcedAddress: undefined }, logger });
    try {
      const { next } = speakers(room);
      const carol = await speak(room, 'carol', 3003, LOUD);
      await next('carol');
      // The producer ends while carol still sends: she is no longer the speaker.
      carol.transport.close();
      await next(null, 2_000);
    } finally {
      room.close();
    }
  });
});
