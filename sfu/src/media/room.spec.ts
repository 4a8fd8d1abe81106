import pino from 'pino';
import type { types } from 'mediasoup';
import { workerBinForTests } from '../config/test-worker-bin';
import type { SfuNotification } from '@engage/protocol';
import type { RoomRegistry as RoomRegistryT } from './room-registry';
import type { WorkerPool as WorkerPoolT } from './worker-pool';

const workerBin = workerBinForTests();
const describeWithWorkers = workerBin ? describe : describe.skip;
const logger = pino({ level: 'silent' });
const transport = { listenIp: '127.0.0.1', announcedAddress: undefined };

const opusParameters: types.RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 11111111 }],
};

describeWithWorkers('Room and Peer lifecycle (real mediasoup workers)', () => {
  let WorkerPool: typeof WorkerPoolT;
  let RoomRegistry: typeof RoomRegistryT;
  let pool: WorkerPoolT;
  let rooms: RoomRegistryT;
  let notifications: SfuNotification[];
  let seq = 0;
  const eid = () => `engagement-${++seq}`;

  beforeAll(async () => {
    ({ WorkerPool } = await import('./worker-pool'));
    ({ RoomRegistry } = await import('./room-registry'));
    pool = await WorkerPool.create({ count: 2, rtcMinPort: 42000, rtcMaxPort: 42999, logger, respawnDelayMs: 50 });
  });
  afterAll(() => pool?.close());
  beforeEach(() => {
    rooms = new RoomRegistry(pool, transport, logger);
    notifications = [];
    rooms.on('notification', (n) => notifications.push(n));
  });
  afterEach(() => rooms.close());

  it('runs one worker per slot, each on its own port slice', () => {
    expect(pool.size).toBe(2);
    expect(new Set(pool.workers().map((w) => w.pid)).size).toBe(2);
  });

  it('makes one room per engagement even when two joins race', async () => {
    const id = eid();
    const [a, b] = await Promise.all([rooms.getOrCreate(id), rooms.getOrCreate(id)]);
    expect(a).toBe(b);
    expect(rooms.size).toBe(1);
    const [p1, p2] = await Promise.all([a.getOrCreatePeer('agent'), a.getOrCreatePeer('agent')]);
    expect(p1).toBe(p2);
    expect(a.peers()).toHaveLength(1);
  });

  it('places rooms on the least-loaded worker', async () => {
    const r1 = await rooms.getOrCreate(eid());
    const r2 = await rooms.getOrCreate(eid());
    expect(r1.workerPid).not.toBe(r2.workerPid);
  });

  it('closes a peer once: transports, producers and consumers closed, "closed" emitted once', async () => {
    const room = await rooms.getOrCreate(eid());
    const alice = await room.getOrCreatePeer('alice');
    const bob = await room.getOrCreatePeer('bob');
    bob.rtpCapabilities = room.rtpCapabilities;
    const sendT = await alice.createTransport('send');
    const recvT = await bob.createTransport('recv');
    expect(sendT.iceCandidates.map((c) => [c.protocol, c.address])).toEqual([
      ['udp', '127.0.0.1'],
      ['tcp', '127.0.0.1'],
    ]);
    const producer = await alice.produce(sendT.id, 'audio', opusParameters);
    const consumed = await bob.consume(recvT.id, producer.id);
    expect(consumed.kind).toBe('audio');
    expect(room.producers('bob')).toEqual([{ id: producer.id, peerId: 'alice', kind: 'audio', paused: false, source: 'mic' }]);
    expect(rooms.counts()).toEqual({ rooms: 1, peers: 2, transports: 2, producers: 1, consumers: 1 });

    const closed = jest.fn();
    alice.on('closed', closed);
    alice.close();
    alice.close();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(alice.closed).toBe(true);
    expect(producer.closed).toBe(true);
    expect(room.getPeer('alice')).toBeUndefined();
    // bob's consumer of alice's producer goes with it, and the backend hears about it
    await new Promise((r) => setTimeout(r, 50));
    expect(bob.consumerCount).toBe(0);
    expect(notifications).toEqual(
      expect.arrayContaining([
        { type: 'consumer/closed', engagementId: room.engagementId, peerId: 'bob', consumerId: consumed.id, reason: 'producer-closed' },
        { type: 'peer/closed', engagementId: room.engagementId, peerId: 'alice' },
      ]),
    );
    await expect(alice.createTransport('send')).rejects.toThrow(/is closed/);
  });

  it('starts consumers paused and resumes them; pauses and resumes producers', async () => {
    const room = await rooms.getOrCreate(eid());
    const alice = await room.getOrCreatePeer('alice');
    const bob = await room.getOrCreatePeer('bob');
    const sendT = await alice.createTransport('send');
    const recvT = await bob.createTransport('recv');
    const producer = await alice.produce(sendT.id, 'audio', opusParameters);
    const consumed = await bob.consume(recvT.id, producer.id, room.rtpCapabilities);
    expect(bob.consumerCount).toBe(1);
    await bob.resumeConsumer(consumed.id);
    await alice.pauseProducer(producer.id);
    expect(producer.paused).toBe(true);
    await alice.resumeProducer(producer.id);
    expect(producer.paused).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(notifications.map((n) => n.type)).toEqual(expect.arrayContaining(['consumer/paused', 'consumer/resumed']));
    await expect(bob.resumeConsumer('nope')).rejects.toThrow(/has no consumer nope/);
    await expect(bob.consume(recvT.id, 'nope')).rejects.toThrow(/no producer nope/);
  });

  it('closes a room once: peers and router closed, "closed" emitted once, removed from the registry', async () => {
    const room = await rooms.getOrCreate(eid());
    const peer = await room.getOrCreatePeer('alice');
    await peer.createTransport('send');
    const roomClosed = jest.fn();
    const peerClosed = jest.fn();
    room.on('closed', roomClosed);
    peer.on('closed', peerClosed);
    room.close();
    room.close();
    expect(roomClosed).toHaveBeenCalledTimes(1);
    expect(roomClosed).toHaveBeenCalledWith('closed');
    expect(peerClosed).toHaveBeenCalledTimes(1);
    expect(peer.closed).toBe(true);
    expect(peer.transportCount).toBe(0);
    expect(room.router.closed).toBe(true);
    expect(rooms.get(room.engagementId)).toBeUndefined();
    expect(notifications).toContainEqual({ type: 'room/closed', engagementId: room.engagementId, reason: 'closed' });
    await expect(room.getOrCreatePeer('bob')).rejects.toThrow(/is closed/);
    // a new join makes a new room
    const again = await rooms.getOrCreate(room.engagementId);
    expect(again).not.toBe(room);
  });

  it('closes the rooms of a worker that dies, replaces the worker and lets the room be recreated', async () => {
    const room = await rooms.getOrCreate(eid());
    const peer = await room.getOrCreatePeer('alice');
    const pid = room.workerPid;
    const replaced = new Promise<{ slot: number; pid: number }>((resolve) => pool.once('workerReplaced', resolve));
    const died = new Promise<{ pid: number }>((resolve) => pool.once('workerDied', resolve));
    const roomClosed = new Promise<string>((resolve) => room.once('closed', resolve));
    process.kill(pid, 'SIGKILL');
    expect((await died).pid).toBe(pid);
    expect(await roomClosed).toBe('worker-died');
    expect(peer.closed).toBe(true);
    expect(notifications).toEqual(
      expect.arrayContaining([
        { type: 'worker/died', pid, engagementIds: [room.engagementId] },
        { type: 'room/closed', engagementId: room.engagementId, reason: 'worker-died' },
      ]),
    );
    const replacement = await replaced;
    expect(replacement.pid).not.toBe(pid);
    expect(pool.size).toBe(2);
    expect(pool.deaths).toBe(1);
    const recreated = await rooms.getOrCreate(room.engagementId);
    expect(recreated.closed).toBe(false);
  });

  it('refuses a consumer past the worker\'s load limit, counts audio at its weight, and frees the load when consumers close', async () => {
    const own = await WorkerPool.create({ count: 1, rtcMinPort: 43100, rtcMaxPort: 43199, logger, maxConsumersPerWorker: 0.5 });
    const ownRooms = new RoomRegistry(own, transport, logger);
    try {
      const room = await ownRooms.getOrCreate(eid());
      const alice = await room.getOrCreatePeer('alice');
      const bob = await room.getOrCreatePeer('bob');
      bob.rtpCapabilities = room.rtpCapabilities;
      const producer = await alice.produce((await alice.createTransport('send')).id, 'audio', opusParameters);
      const recv = await bob.createTransport('recv');
      const first = await bob.consume(recv.id, producer.id);
      await bob.consume(recv.id, producer.id); // 2 × 0.25 = 0.5: at the limit, still admitted
      expect(own.loads()[0].load).toBe(0.5);
      await expect(bob.consume(recv.id, producer.id)).rejects.toMatchObject({ status: 503, code: 'overloaded' });
      expect(ownRooms.counts().consumers).toBe(2); // the refused one was never created
      bob.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(own.loads()[0].load).toBe(0);
      expect(first.kind).toBe('audio');
    } finally {
      ownRooms.close();
      own.close();
    }
  });

  it('places a new room on the worker with the least media load', async () => {
    const busy = await rooms.getOrCreate(eid());
    const alice = await busy.getOrCreatePeer('alice');
    const bob = await busy.getOrCreatePeer('bob');
    bob.rtpCapabilities = busy.rtpCapabilities;
    const producer = await alice.produce((await alice.createTransport('send')).id, 'audio', opusParameters);
    await bob.consume((await bob.createTransport('recv')).id, producer.id);
    const loads = pool.loads();
    const busyLoad = loads.find((l) => l.pid === busy.workerPid)?.load ?? 0;
    const other = loads.find((l) => l.pid !== busy.workerPid);
    expect(busyLoad).toBeGreaterThan(other?.load ?? 0);
    // The other worker has fewer rooms or the same: either way the least-loaded one is picked.
    expect(pool.pick().pid).toBe(other?.pid);
  });

  it('keeps what a producer carries (mic, camera, screen) and refuses a source that does not fit its kind', async () => {
    const room = await rooms.getOrCreate(eid());
    const alice = await room.getOrCreatePeer('alice');
    const sendT = await alice.createTransport('send');
    const vp8 = (ssrc: number): types.RtpParameters => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc }] });
    const camera = await alice.produce(sendT.id, 'video', vp8(2001));
    const screen = await alice.produce(sendT.id, 'video', vp8(2002), { source: 'screen' });
    expect(room.producers().map((p) => [p.id, p.source])).toEqual([
      [camera.id, 'camera'],
      [screen.id, 'screen'],
    ]);
    expect(room.info().peers[0].producers.map((p) => p.source)).toEqual(['camera', 'screen']);
    await expect(alice.produce(sendT.id, 'video', vp8(2003), { source: 'mic' })).rejects.toMatchObject({ status: 400, message: 'a video producer cannot carry source mic' });
    await expect(alice.produce(sendT.id, 'audio', opusParameters, { source: 'loudspeaker' })).rejects.toMatchObject({ status: 400 });
    expect(alice.producerCount).toBe(2);
    // Closing one producer (stop sharing) leaves the other and tells the backend.
    alice.closeProducer(screen.id);
    expect(room.producers().map((p) => p.id)).toEqual([camera.id]);
    expect(notifications).toContainEqual({ type: 'producer/closed', engagementId: room.engagementId, peerId: 'alice', producerId: screen.id });
  });

  it('restarts ICE on the same transport with new ICE parameters, only for a transport of the peer', async () => {
    const room = await rooms.getOrCreate(eid());
    const alice = await room.getOrCreatePeer('alice');
    const bob = await room.getOrCreatePeer('bob');
    const t = await alice.createTransport('send');
    const before = t.iceParameters as { usernameFragment: string; password: string };
    const after = (await alice.restartIce(t.id)) as { usernameFragment: string; password: string };
    expect(after.usernameFragment).not.toBe(before.usernameFragment);
    expect(after.password).not.toBe(before.password);
    expect(alice.transportCount).toBe(1);
    await expect(bob.restartIce(t.id)).rejects.toMatchObject({ status: 404 });
  });

  it('puts a room whose worker just died on a live worker at once, and waits for the replacement when none is alive', async () => {
    const room = await rooms.getOrCreate(eid());
    const pid = room.workerPid;
    const other = pool.pids().find((p) => p !== pid);
    const died = new Promise((resolve) => pool.once('workerDied', resolve));
    const replaced = new Promise<{ pid: number }>((resolve) => pool.once('workerReplaced', resolve));
    process.kill(pid, 'SIGKILL');
    await died;
    const started = Date.now();
    const again = await rooms.getOrCreate(room.engagementId);
    expect(again).not.toBe(room);
    expect(again.workerPid).toBe(other);
    expect(Date.now() - started).toBeLessThan(500);
    await replaced;

    // A pool of one: between the death and the respawn no worker runs; the join waits for it.
    const own = await WorkerPool.create({ count: 1, rtcMinPort: 43200, rtcMaxPort: 43299, logger, respawnDelayMs: 300 });
    const ownRooms = new RoomRegistry(own, transport, logger);
    try {
      const first = await ownRooms.getOrCreate(eid());
      const ownDied = new Promise((resolve) => own.once('workerDied', resolve));
      process.kill(first.workerPid, 'SIGKILL');
      await ownDied;
      expect(own.size).toBe(0);
      const t0 = Date.now();
      const recreated = await ownRooms.getOrCreate(first.engagementId);
      expect(recreated.workerPid).not.toBe(first.workerPid);
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(own.pids()).toEqual([recreated.workerPid]);
    } finally {
      ownRooms.close();
      own.close();
    }
    await expect((async () => {
      const closedPool = await WorkerPool.create({ count: 1, rtcMinPort: 43300, rtcMaxPort: 43399, logger });
      closedPool.close();
      return closedPool.pickLive(100);
    })()).rejects.toThrow(/closed/);
  });

  it('refuses a new room with 503 overloaded when no worker comes back in time (the backend tells the client to retry)', async () => {
    const { OverloadedError } = await import('../errors');
    const own = await WorkerPool.create({ count: 1, rtcMinPort: 43400, rtcMaxPort: 43499, logger, respawnDelayMs: 60_000 });
    try {
      const died = new Promise((resolve) => own.once('workerDied', resolve));
      process.kill(own.pids()[0], 'SIGKILL');
      await died;
      const err = await own.pickLive(100).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OverloadedError);
      expect(err).toMatchObject({ status: 503, code: 'overloaded', message: 'no mediasoup worker is running (none started within 100 ms)' });
    } finally {
      own.close();
    }
  });

  it('closes the pool once', async () => {
    const own = await WorkerPool.create({ count: 1, rtcMinPort: 43000, rtcMaxPort: 43099, logger });
    const worker = own.workers()[0];
    const closed = jest.fn();
    own.on('closed', closed);
    own.close();
    own.close();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(worker.closed).toBe(true);
    expect(() => own.pick()).toThrow(/closed/);
  });
});
