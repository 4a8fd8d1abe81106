import { Device } from 'mediasoup-client';
import path from 'node:path';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import type { ClientEvent, ProducerInfo, ServerEvent, ServerPayloads } from '@engage/protocol';
import { CallSession, type CallConnection, type SignalSocket } from './call-session';

// mediasoup-client's own fake handler and parameters (not in its package exports: loaded by path).
const lib = path.dirname(require.resolve('mediasoup-client'));
interface FakeHandlerInstance {
  setConnectionState(state: string): void;
  restartIce(iceParameters: unknown): Promise<void>;
  updateIceServers(iceServers: unknown): Promise<void>;
  replaceTrack(localId: string, track: MediaStreamTrack | null): Promise<void>;
}
type HandlerFactory = NonNullable<NonNullable<ConstructorParameters<typeof Device>[0]>['handlerFactory']>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FakeHandler } = require(path.join(lib, 'handlers/FakeHandler')) as { FakeHandler: { createFactory(params: unknown): HandlerFactory } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fake = require(path.join(lib, 'test/fakeParameters')) as {
  generateRouterRtpCapabilities(): Record<string, unknown>;
  generateTransportRemoteParameters(): Record<string, unknown> & { id: string; iceParameters: Record<string, unknown> };
  generateConsumerRemoteParameters(o: { codecMimeType: string }): Record<string, unknown>;
};

/** Just enough of MediaStream for node. */
class FakeMediaStream {
  #tracks: MediaStreamTrack[];
  constructor(tracks: MediaStreamTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks() {
    return [...this.#tracks];
  }
  getAudioTracks() {
    return this.#tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.#tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: MediaStreamTrack) {
    this.#tracks.push(t);
  }
  removeTrack(t: MediaStreamTrack) {
    this.#tracks = this.#tracks.filter((x) => x !== t);
  }
}
(globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;

const EID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

type Remote = Omit<ProducerInfo, 'source'> & Partial<Pick<ProducerInfo, 'source'>>;

function fakeSocket(opts: { failJoin?: (nth: number) => boolean; producers?: Remote[]; onConsume?: (producerId: string) => void } = {}) {
  const calls: Array<{ event: string; payload: Record<string, unknown> }> = [];
  const listeners = new Map<string, (p: unknown) => void>();
  /** Transport ids the SFU handed out, by direction, in order. */
  const transports: Array<{ id: string; direction: string }> = [];
  let n = 0;
  let joins = 0;
  const known = (id: string) => opts.producers?.find((x) => x.id === id);
  const socket: SignalSocket = {
    request: (async (event: ClientEvent, payload: Record<string, unknown>) => {
      calls.push({ event, payload });
      switch (event) {
        case 'media/join':
          if (opts.failJoin?.(++joins)) throw new Error('invalid_state');
          return { routerRtpCapabilities: fake.generateRouterRtpCapabilities(), iceServers: [], producers: opts.producers ?? [], peerId: 'customer' };
        case 'media/transport': {
          const t = fake.generateTransportRemoteParameters();
          transports.push({ id: t.id, direction: payload.direction as string });
          return t;
        }
        case 'media/produce':
          return { producerId: `producer-${++n}` };
        case 'media/consume': {
          const id = payload.producerId as string;
          opts.onConsume?.(id);
          await new Promise((r) => setTimeout(r, 5));
          const kind = known(id)?.kind ?? (id.includes('video') || id.includes('screen') ? 'video' : 'audio');
          return { ...fake.generateConsumerRemoteParameters({ codecMimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8' }), producerId: id, producerPaused: false };
        }
        case 'media/restart-ice':
          return { iceParameters: { usernameFragment: `restart-${calls.length}`, password: 'p'.repeat(24), iceLite: true }, iceServers: [{ urls: 'turn:turn.test:3478', username: `u${calls.length}`, credential: 'fresh' }] };
        default:
          return {};
      }
    }) as SignalSocket['request'],
    on: ((event: ServerEvent, l: (p: unknown) => void) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    }) as SignalSocket['on'],
  };
  const push = <E extends ServerEvent>(event: E, payload: ServerPayloads[E]) => listeners.get(event)?.(payload);
  const count = (event: string) => calls.filter((c) => c.event === event).length;
  return { socket, calls, listeners, transports, push, count };
}

const track = (kind: 'audio' | 'video', deviceId = `${kind}-default`) => new FakeMediaStreamTrack({ kind, settings: { deviceId } }) as unknown as MediaStreamTrack;
const media = (kinds: Array<'audio' | 'video'>) => async () => new FakeMediaStream(kinds.map((kind) => track(kind))) as unknown as MediaStream;

/** A Device on mediasoup-client's fake handler; remembers each handler to drive its ICE state. */
function fakeDevices() {
  const handlers: Array<{ direction: 'send' | 'recv'; handler: FakeHandlerInstance }> = [];
  const base = FakeHandler.createFactory(fake);
  const factory: HandlerFactory = {
    ...base,
    factory: (o) => {
      const handler = base.factory(o);
      handlers.push({ direction: o.direction, handler: handler as unknown as FakeHandlerInstance });
      return handler;
    },
  };
  const last = (direction: 'send' | 'recv') => [...handlers].reverse().find((h) => h.direction === direction)!.handler;
  return { createDevice: () => new Device({ handlerFactory: factory }), handlers, last };
}
const createDevice = () => fakeDevices().createDevice();

/** Polls until the condition holds (fake signalling answers on timers). */
async function until(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordConnection(session: CallSession): CallConnection[] {
  const seen: CallConnection[] = [];
  session.on('connection', (c) => seen.push(c));
  return seen;
}

describe('CallSession', () => {
  it('joins, produces microphone and camera, consumes the other side, and closes once', async () => {
    const s = fakeSocket({ producers: [{ id: 'remote-audio', peerId: 'agent-1', kind: 'audio', paused: false }] });
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: media(['audio', 'video']), createDevice });
    const events = s.calls.map((c) => c.event);
    expect(events.slice(0, 3)).toEqual(['media/join', 'media/transport', 'media/transport']);
    expect(s.calls.filter((c) => c.event === 'media/produce').map((c) => [c.payload.kind, c.payload.source])).toEqual([
      ['audio', 'mic'],
      ['video', 'camera'],
    ]);
    expect(events).toContain('media/consume');
    expect(events).toContain('media/resume');
    expect(session.remoteStream.getTracks()).toHaveLength(1);
    expect(session.muted).toBe(false);
    expect(session.cameraOn).toBe(true);
    expect(session.peerId).toBe('customer');
    // The fake handler has no stats: nothing to judge by.
    expect(await session.quality()).toEqual({ level: 'unknown', rttMs: null, lossPct: null, jitterMs: null, summary: 'Connection quality is not measured yet.' });

    await session.setMuted(true);
    expect(session.muted).toBe(true);
    expect(s.calls.at(-1)).toEqual({ event: 'media/pause', payload: expect.objectContaining({ engagementId: EID, paused: true }) });

    let closed = 0;
    session.on('closed', () => closed++);
    const tracks = session.localStream.getTracks();
    session.close();
    session.close();
    expect(closed).toBe(1);
    expect(session.closed).toBe(true);
    expect(tracks.every((t) => t.readyState === 'ended')).toBe(true);
    expect(s.listeners.size).toBe(0);
  });

  it("consumes a producer once when its announcement arrives while the join's list is being consumed", async () => {
    const remote = { id: 'remote-video', peerId: 'agent-1', kind: 'video' as const, paused: false, source: 'camera' as const };
    const announce = { to: undefined as ReturnType<typeof fakeSocket> | undefined };
    // The announcement of the same producer lands while its consume request is in flight.
    const s = fakeSocket({ producers: [remote], onConsume: () => announce.to?.push('media/new-producer', { engagementId: EID, producer: remote }) });
    announce.to = s;
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice });
    await sleep(30);
    expect(s.count('media/consume')).toBe(1);
    expect(session.remoteStream.getTracks()).toHaveLength(1);
    session.close();
  });

  it('stops the local tracks when joining fails', async () => {
    const s = fakeSocket({ failJoin: () => true });
    let local: MediaStream | undefined;
    const gum = async (_c: MediaStreamConstraints) => (local = await media(['audio'])());
    await expect(CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: gum, createDevice })).rejects.toThrow('invalid_state');
    expect(local?.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
  });

  describe('ICE restart', () => {
    it('restarts ICE on the same transport after a disconnection that outlasts the grace, not after a short blip', async () => {
      const s = fakeSocket({ producers: [{ id: 'remote-audio', peerId: 'agent-1', kind: 'audio', paused: false, source: 'mic' }] });
      const d = fakeDevices();
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice: d.createDevice, timing: { iceGraceMs: 40, iceRetryMs: 1000 } });
      const seen = recordConnection(session);
      const transportStates: string[] = [];
      session.on('transportState', ({ direction, state }) => transportStates.push(`${direction}:${state}`));
      const send = d.last('send');
      const recv = d.last('recv');
      expect(session.connection).toBe('connecting');
      send.setConnectionState('connected');
      recv.setConnectionState('connected');
      expect(session.connection).toBe('connected');

      // A blip shorter than the grace heals by itself: no restart.
      send.setConnectionState('disconnected');
      expect(session.connection).toBe('reconnecting');
      await sleep(10);
      send.setConnectionState('connected');
      await sleep(60);
      expect(s.count('media/restart-ice')).toBe(0);
      expect(session.connection).toBe('connected');

      // A longer one: new ICE parameters from the SFU for this transport, applied to it.
      const applied = jest.spyOn(send, 'restartIce');
      const servers = jest.spyOn(send, 'updateIceServers');
      send.setConnectionState('disconnected');
      await until('the restart', () => session.iceRestarts === 1);
      const sendId = s.transports.find((t) => t.direction === 'send')!.id;
      expect(s.calls.filter((c) => c.event === 'media/restart-ice').map((c) => c.payload)).toEqual([{ engagementId: EID, transportId: sendId }]);
      expect(applied).toHaveBeenCalledWith(expect.objectContaining({ usernameFragment: expect.stringMatching(/^restart-/) }));
      // The fresh TURN credential before the restart.
      expect(servers).toHaveBeenCalledWith([expect.objectContaining({ credential: 'fresh' })]);
      expect(servers.mock.invocationCallOrder[0]).toBeLessThan(applied.mock.invocationCallOrder[0]);
      expect(session.connection).toBe('reconnecting');
      send.setConnectionState('connected');
      expect(session.connection).toBe('connected');
      // Same transports: no second join, no rejoin.
      expect(s.count('media/join')).toBe(1);
      expect(session.rejoins).toBe(0);
      expect(seen).toEqual(['connected', 'reconnecting', 'connected', 'reconnecting', 'connected']);
      expect(transportStates).toEqual(['send:connected', 'recv:connected', 'send:disconnected', 'send:connected', 'send:disconnected', 'send:connected']);
      session.close();
    });

    it("restarts at once on 'failed', retries while it stays lost, and after the last attempt joins again with new transports", async () => {
      const s = fakeSocket();
      const d = fakeDevices();
      const session = await CallSession.create({
        socket: s.socket,
        engagementId: EID,
        kind: 'audio',
        getUserMedia: media(['audio']),
        createDevice: d.createDevice,
        timing: { iceGraceMs: 5000, iceRetryMs: 15, iceMaxAttempts: 3 },
      });
      const errors: Error[] = [];
      session.on('error', (e) => errors.push(e));
      const seen = recordConnection(session);
      const send = d.last('send');
      send.setConnectionState('connected');
      send.setConnectionState('failed');
      // No grace for 'failed'.
      await until('the first restart', () => s.count('media/restart-ice') === 1, 100);
      // Three restarts did not bring it back: the session joins again (new transports, same microphone).
      await until('the rejoin', () => session.rejoins === 1 && s.count('media/produce') === 2);
      expect(s.count('media/restart-ice')).toBe(3);
      expect(session.iceRestarts).toBe(3);
      expect(s.count('media/join')).toBe(2);
      const newSend = d.last('send');
      expect(newSend).not.toBe(send);
      expect(session.connection).toBe('reconnecting');
      // The old transport coming back now changes nothing; the new one connecting does.
      send.setConnectionState('connected');
      expect(session.connection).toBe('reconnecting');
      newSend.setConnectionState('connected');
      expect(session.connection).toBe('connected');
      // Never shown as failed on the way: it went on trying.
      expect(seen).not.toContain('failed');
      expect(errors).toEqual([]);
      session.close();
    });

    it('stops watching ICE when the session closes', async () => {
      const s = fakeSocket();
      const d = fakeDevices();
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice: d.createDevice, timing: { iceGraceMs: 10 } });
      const send = d.last('send');
      send.setConnectionState('connected');
      send.setConnectionState('disconnected');
      session.close();
      await sleep(40);
      expect(s.count('media/restart-ice')).toBe(0);
    });
  });

  describe('rejoin after media/reconnect', () => {
    it('closes the transports, joins again with the same local tracks (paused ones stay paused) and consumes the others again', async () => {
      const producers: Remote[] = [
        { id: 'remote-audio', peerId: 'agent-1', kind: 'audio', paused: false, source: 'mic' },
        { id: 'remote-video', peerId: 'agent-1', kind: 'video', paused: false, source: 'camera' },
      ];
      const s = fakeSocket({ producers });
      const d = fakeDevices();
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: media(['audio', 'video']), createDevice: d.createDevice });
      d.last('send').setConnectionState('connected');
      d.last('recv').setConnectionState('connected');
      expect(session.connection).toBe('connected');
      await session.setMuted(true);
      const local = session.localStream.getTracks();
      const oldRemote = session.remoteStream.getTracks();
      const seen = recordConnection(session);
      const before = s.calls.length;

      // Another engagement's reconnect is not ours.
      s.push('media/reconnect', { engagementId: OTHER, reason: 'worker-died' });
      expect(session.rejoins).toBe(0);
      s.push('media/reconnect', { engagementId: EID, reason: 'worker-died' });
      expect(session.rejoins).toBe(1);
      expect(session.connection).toBe('reconnecting');
      expect(oldRemote.every((t) => !session.remoteStream.getTracks().includes(t))).toBe(true);
      await until('the second join', () => s.count('media/produce') === 4 && session.remoteStream.getTracks().length === 2);
      await until('the pause', () => s.calls.slice(before).some((c) => c.event === 'media/pause'));
      const again = s.calls.slice(before);
      expect(again.map((c) => c.event).slice(0, 3)).toEqual(['media/join', 'media/transport', 'media/transport']);
      expect(again.filter((c) => c.event === 'media/produce').map((c) => c.payload.source)).toEqual(['mic', 'camera']);
      expect(again.filter((c) => c.event === 'media/consume').map((c) => c.payload.producerId)).toEqual(['remote-audio', 'remote-video']);
      // The new transports carry it; the mic was muted before and is still.
      const newSend = s.transports.filter((t) => t.direction === 'send').at(-1)!.id;
      expect(again.find((c) => c.event === 'media/produce')!.payload.transportId).toBe(newSend);
      expect(again.find((c) => c.event === 'media/pause')!.payload).toEqual(expect.objectContaining({ paused: true, producerId: session.producerIds.local[0] }));
      expect(session.muted).toBe(true);
      expect(session.localStream.getTracks()).toEqual(local);
      expect(local.every((t) => t.readyState === 'live')).toBe(true);
      expect(session.connection).toBe('reconnecting');
      d.last('send').setConnectionState('connected');
      d.last('recv').setConnectionState('connected');
      expect(session.connection).toBe('connected');
      expect(seen).toEqual(['reconnecting', 'connected']);
      expect(session.iceRestarts).toBe(0);
      session.close();
    });

    it('a mute while the rejoin has no producers holds: the microphone comes back paused', async () => {
      // The first rejoin attempt fails: the session waits without producers.
      const s = fakeSocket({ failJoin: (nth) => nth === 2 });
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice, timing: { rejoinBackoffMs: 30 } });
      s.push('media/reconnect', { engagementId: EID, reason: 'worker-died' });
      await until('the failed attempt', () => s.count('media/join') === 2);
      expect(session.producerIds.local).toEqual([]);
      await session.setMuted(true);
      expect(session.muted).toBe(true);
      await until('the rejoin', () => s.count('media/pause') === 1);
      const [mic] = session.producerIds.local;
      expect(s.calls.find((c) => c.event === 'media/pause')!.payload).toEqual({ engagementId: EID, producerId: mic, paused: true });
      expect(session.localStream.getAudioTracks()[0].enabled).toBe(false);
      session.close();
    });

    it('shares the screen again after the rejoin', async () => {
      const s = fakeSocket();
      const screen = track('video', 'screen:0');
      const session = await CallSession.create({
        socket: s.socket,
        engagementId: EID,
        kind: 'audio',
        getUserMedia: media(['audio']),
        getDisplayMedia: async () => new FakeMediaStream([screen]) as unknown as MediaStream,
        createDevice,
      });
      await session.startScreenShare();
      s.push('media/reconnect', { engagementId: EID, reason: 'worker-died' });
      await until('the second join', () => s.count('media/produce') === 4);
      expect(s.calls.filter((c) => c.event === 'media/produce').map((c) => c.payload.source)).toEqual(['mic', 'screen', 'mic', 'screen']);
      expect(session.screenSharing).toBe(true);
      expect(screen.readyState).toBe('live');
      session.close();
      expect(screen.readyState).toBe('ended');
    });

    it('a reconnect while create() still joins: create() resolves with the second join, nothing of the first is produced', async () => {
      const holder = { s: undefined as ReturnType<typeof fakeSocket> | undefined };
      let told = false;
      const s = fakeSocket({
        producers: [{ id: 'remote-audio', peerId: 'agent-1', kind: 'audio', paused: false, source: 'mic' }],
        onConsume: () => {
          if (told) return;
          told = true;
          holder.s?.push('media/reconnect', { engagementId: EID, reason: 'worker-died' });
        },
      });
      holder.s = s;
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice });
      expect(s.count('media/join')).toBe(2);
      expect(session.rejoins).toBe(1);
      const secondSend = s.transports.filter((t) => t.direction === 'send').at(-1)!.id;
      expect(s.calls.filter((c) => c.event === 'media/produce').map((c) => c.payload.transportId)).toEqual([secondSend]);
      expect(session.remoteStream.getTracks()).toHaveLength(1);
      session.close();
    });

    it('tries the join again when it fails, and says failed after the last attempt', async () => {
      // Join 1 (create) works; joins 2 and 3 fail; 4 works.
      const s = fakeSocket({ failJoin: (nth) => nth === 2 || nth === 3 });
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice, timing: { rejoinBackoffMs: 5, rejoinAttempts: 4 } });
      s.push('media/reconnect', { engagementId: EID, reason: 'worker-died' });
      await until('the rejoin', () => s.count('media/join') === 4 && s.count('media/produce') === 2);
      expect(session.connection).not.toBe('failed');
      session.close();

      const never = fakeSocket({ failJoin: (nth) => nth > 1 });
      const doomed = await CallSession.create({ socket: never.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice, timing: { rejoinBackoffMs: 5, rejoinAttempts: 3 } });
      const errors: Error[] = [];
      doomed.on('error', (e) => errors.push(e));
      never.push('media/reconnect', { engagementId: EID, reason: 'worker-died' });
      await until('giving up', () => doomed.connection === 'failed');
      expect(never.count('media/join')).toBe(4);
      expect(errors.map((e) => e.message)).toEqual(['invalid_state']);
      doomed.close();
    });
  });

  describe('screen sharing', () => {
    it('produces the screen as a third track (also in a voice call) and closes it on stop or when the browser ends it', async () => {
      const s = fakeSocket();
      const screen = track('video', 'screen:0');
      const gdm = jest.fn(async () => new FakeMediaStream([screen]) as unknown as MediaStream);
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), getDisplayMedia: gdm, createDevice });
      const sharing: boolean[] = [];
      session.on('screenSharing', (on) => sharing.push(on));
      await session.startScreenShare();
      expect(session.screenSharing).toBe(true);
      const produced = s.calls.filter((c) => c.event === 'media/produce').at(-1)!.payload;
      expect(produced).toEqual(expect.objectContaining({ kind: 'video', source: 'screen' }));
      expect(session.producerIds.local).toHaveLength(2);
      const screenProducer = session.producerIds.local[1];

      // The browser's own "Stop sharing" ends the track.
      (screen as unknown as FakeMediaStreamTrack).remoteStop();
      await until('the close', () => s.count('media/close-producer') === 1);
      expect(s.calls.find((c) => c.event === 'media/close-producer')!.payload).toEqual({ engagementId: EID, producerId: screenProducer });
      expect(session.screenSharing).toBe(false);
      expect(session.producerIds.local).toHaveLength(1);

      // Again, stopped from the page this time.
      const second = track('video', 'screen:0');
      gdm.mockResolvedValueOnce(new FakeMediaStream([second]) as unknown as MediaStream);
      await session.startScreenShare();
      await session.stopScreenShare();
      expect(second.readyState).toBe('ended');
      expect(s.count('media/close-producer')).toBe(2);
      expect(sharing).toEqual([true, false, true, false]);
      session.close();
    });

    it("shows the other side's screen apart from its camera, and drops it on media/producer-closed", async () => {
      const s = fakeSocket({ producers: [{ id: 'remote-video', peerId: 'agent-1', kind: 'video', paused: false, source: 'camera' }] });
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: media(['audio', 'video']), createDevice });
      const screens: Array<MediaStream | null> = [];
      session.on('remoteScreen', (m) => screens.push(m));
      s.push('media/new-producer', { engagementId: EID, producer: { id: 'remote-screen', peerId: 'agent-1', kind: 'video', paused: false, source: 'screen' } });
      await until('the screen', () => session.remoteScreen !== null);
      expect(session.remoteScreen!.getTracks()).toHaveLength(1);
      // The camera stays where it was.
      expect(session.remoteStream.getVideoTracks()).toHaveLength(1);
      expect(session.remoteStream.getVideoTracks()[0]).not.toBe(session.remoteScreen!.getTracks()[0]);

      s.push('media/producer-closed', { engagementId: OTHER, producerId: 'remote-screen', peerId: 'agent-1' });
      expect(session.remoteScreen).not.toBeNull();
      s.push('media/producer-closed', { engagementId: EID, producerId: 'remote-screen', peerId: 'agent-1' });
      expect(session.remoteScreen).toBeNull();
      expect(screens.map((m) => (m ? 'screen' : null))).toEqual(['screen', null]);
      expect(session.producerIds.remote).toEqual(['remote-video']);
      // A camera that ends leaves the remote stream too.
      s.push('media/producer-closed', { engagementId: EID, producerId: 'remote-video', peerId: 'agent-1' });
      expect(session.remoteStream.getTracks()).toHaveLength(0);
      session.close();
    });
  });

  it('drops a consumer whose producer ended while it was being consumed', async () => {
    const holder = { s: undefined as ReturnType<typeof fakeSocket> | undefined };
    const s = fakeSocket({
      onConsume: (id) => {
        if (id === 'gone') holder.s?.push('media/producer-closed', { engagementId: EID, producerId: 'gone', peerId: 'agent-1' });
      },
    });
    holder.s = s;
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: media(['audio', 'video']), createDevice });
    s.push('media/new-producer', { engagementId: EID, producer: { id: 'gone', peerId: 'agent-1', kind: 'video', paused: false, source: 'camera' } });
    await until('the consume', () => s.count('media/consume') === 1);
    await sleep(20);
    expect(session.producerIds.remote).toEqual([]);
    expect(session.remoteStream.getTracks()).toHaveLength(0);
    expect(s.count('media/resume')).toBe(0);
    session.close();
  });

  it('follows the active speaker of its own engagement', async () => {
    const s = fakeSocket();
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice });
    const speakers: Array<string | null> = [];
    session.on('speaker', (p) => speakers.push(p));
    expect(session.activeSpeaker).toBeNull();
    s.push('media/speaker', { engagementId: EID, peerId: 'agent-7' });
    s.push('media/speaker', { engagementId: OTHER, peerId: 'customer' });
    s.push('media/speaker', { engagementId: EID, peerId: 'agent-7' });
    expect(session.activeSpeaker).toBe('agent-7');
    s.push('media/speaker', { engagementId: EID, peerId: 'customer' });
    s.push('media/speaker', { engagementId: EID, peerId: null });
    expect(speakers).toEqual(['agent-7', 'customer', null]);
    session.close();
  });

  describe('device choice', () => {
    it('replaces the sent track with one from the chosen device, stops the old one, keeps a muted microphone muted', async () => {
      const s = fakeSocket();
      const d = fakeDevices();
      const asked: MediaStreamConstraints[] = [];
      const gum = async (c: MediaStreamConstraints) => {
        asked.push(c);
        const exact = (k: 'audio' | 'video') => ((c[k] as MediaTrackConstraints | undefined)?.deviceId as { exact?: string } | undefined)?.exact;
        return new FakeMediaStream((['audio', 'video'] as const).filter((k) => c[k]).map((k) => track(k, exact(k)))) as unknown as MediaStream;
      };
      const checked: string[] = [];
      const encodesVideo = async (p: { track: MediaStreamTrack | null }) => (checked.push(p.track?.getSettings().deviceId ?? ''), true);
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: gum, createDevice: d.createDevice, devices: { videoId: 'cam-1' }, encodesVideo });
      expect(asked[0]).toEqual({ audio: true, video: expect.objectContaining({ deviceId: { exact: 'cam-1' }, width: 640 }) });
      const [oldMic, oldCam] = [session.localStream.getAudioTracks()[0], session.localStream.getVideoTracks()[0]];
      const replaced = jest.spyOn(d.last('send'), 'replaceTrack');
      const changes: MediaStream[] = [];
      session.on('localStream', (m) => changes.push(m));
      const produces = s.count('media/produce');

      await session.switchDevice('video', 'cam-2');
      expect(asked[1]).toEqual({ video: expect.objectContaining({ deviceId: { exact: 'cam-2' } }) });
      const cam = session.localStream.getVideoTracks()[0];
      expect(cam.getSettings().deviceId).toBe('cam-2');
      expect(oldCam.readyState).toBe('ended');
      expect(replaced).toHaveBeenCalledWith(expect.any(String), cam);
      expect(session.sending.find((x) => x.source === 'camera')?.track).toBe(cam);
      expect(changes).toEqual([session.localStream]);
      // The new camera was checked for encoded frames while it was on the sender.
      expect(checked).toEqual(['cam-2']);
      // Same device again: nothing to do.
      await session.switchDevice('video', 'cam-2');
      expect(asked).toHaveLength(2);

      await session.setMuted(true);
      await session.switchDevice('audio', 'mic-2');
      const mic = session.localStream.getAudioTracks()[0];
      expect(mic.getSettings().deviceId).toBe('mic-2');
      expect(mic.enabled).toBe(false);
      expect(session.muted).toBe(true);
      expect(oldMic.readyState).toBe('ended');
      expect(session.localStream.getTracks()).toHaveLength(2);
      expect(session.deviceIds).toEqual({ audio: 'mic-2', video: 'cam-2' });
      // replaceTrack, no new producer.
      expect(s.count('media/produce')).toBe(produces);
      session.close();
    });

    it('gives up a camera the encoder takes no frame of: the old camera is sent again, the call goes on, a sentence says why', async () => {
      const s = fakeSocket();
      const d = fakeDevices();
      const gum = async (c: MediaStreamConstraints) => {
        const exact = (k: 'audio' | 'video') => ((c[k] as MediaTrackConstraints | undefined)?.deviceId as { exact?: string } | undefined)?.exact;
        return new FakeMediaStream((['audio', 'video'] as const).filter((k) => c[k]).map((k) => track(k, exact(k)))) as unknown as MediaStream;
      };
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: gum, createDevice: d.createDevice, devices: { videoId: 'cam-1' }, encodesVideo: async () => false });
      const oldCam = session.localStream.getVideoTracks()[0];
      const replaced = jest.spyOn(d.last('send'), 'replaceTrack');
      const changes: MediaStream[] = [];
      session.on('localStream', (m) => changes.push(m));

      await expect(session.switchDevice('video', 'depth-cam')).rejects.toThrow(/sends no picture the call can use; still sending/);
      // Tried, then the old camera back on the same sender; the new track is stopped, nothing else changed.
      expect(replaced).toHaveBeenCalledTimes(2);
      expect(replaced.mock.calls[1][1]).toBe(oldCam);
      expect(session.localStream.getVideoTracks()).toEqual([oldCam]);
      expect(oldCam.readyState).toBe('live');
      expect(session.sending.find((x) => x.source === 'camera')?.track).toBe(oldCam);
      expect(session.deviceIds.video).toBe('cam-1');
      expect(changes).toEqual([]);
      session.close();
    });

    it('does not check a camera that is off (nothing is encoded then)', async () => {
      const s = fakeSocket();
      const d = fakeDevices();
      let checks = 0;
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: media(['audio', 'video']), createDevice: d.createDevice, encodesVideo: async () => (checks++, false) });
      await session.setCamera(false);
      await session.switchDevice('video', 'cam-2');
      expect(checks).toBe(0);
      session.close();
    });

    it('refuses a camera in a voice call', async () => {
      const s = fakeSocket();
      const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice });
      await expect(session.switchDevice('video', 'cam-2')).rejects.toThrow('A voice call sends no camera.');
      session.close();
    });
  });

  it('listens only: no microphone, no sending transport, the participants’ audio and nothing else', async () => {
    const s = fakeSocket({
      producers: [
        { id: 'customer-audio', peerId: 'customer', kind: 'audio', paused: false, source: 'mic' },
        { id: 'customer-video', peerId: 'customer', kind: 'video', paused: false, source: 'camera' },
        { id: 'agent-audio', peerId: 'agent-1', kind: 'audio', paused: false, source: 'mic' },
      ],
    });
    const gum = jest.fn(media(['audio']));
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', listenOnly: true, getUserMedia: gum, createDevice });
    expect(gum).not.toHaveBeenCalled();
    expect(s.calls.filter((c) => c.event === 'media/transport').map((c) => c.payload.direction)).toEqual(['recv']);
    expect(s.calls.filter((c) => c.event === 'media/consume').map((c) => c.payload.producerId)).toEqual(['customer-audio', 'agent-audio']);
    // Both voices, one stream.
    expect(session.remoteStream.getAudioTracks()).toHaveLength(2);
    s.push('media/new-producer', { engagementId: EID, producer: { id: 'agent-screen', peerId: 'agent-1', kind: 'video', paused: false, source: 'screen' } });
    await sleep(20);
    expect(s.count('media/consume')).toBe(2);
    expect(session.remoteScreen).toBeNull();
    expect(s.count('media/produce')).toBe(0);
    expect(session.localStream.getTracks()).toHaveLength(0);

    await session.setMuted(false);
    expect(s.count('media/pause')).toBe(0);
    await expect(session.startScreenShare()).rejects.toThrow('Listening in sends nothing: you cannot share a screen.');
    await expect(session.switchDevice('audio', 'mic-2')).rejects.toThrow('Listening in sends nothing');
    session.close();
  });
});
