import { Device } from 'mediasoup-client';
import path from 'node:path';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import type { ClientEvent, ServerEvent } from '@engage/protocol';
import { CallSession, type SignalSocket } from './call-session';

// mediasoup-client's own fake handler and parameters (not in its package exports: loaded by path).
const lib = path.dirname(require.resolve('mediasoup-client'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FakeHandler } = require(path.join(lib, 'handlers/FakeHandler')) as {
  FakeHandler: { createFactory(params: unknown): NonNullable<ConstructorParameters<typeof Device>[0]>['handlerFactory'] };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fake = require(path.join(lib, 'test/fakeParameters')) as {
  generateRouterRtpCapabilities(): Record<string, unknown>;
  generateTransportRemoteParameters(): Record<string, unknown>;
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
  addTrack(t: MediaStreamTrack) {
    this.#tracks.push(t);
  }
  removeTrack(t: MediaStreamTrack) {
    this.#tracks = this.#tracks.filter((x) => x !== t);
  }
}
(globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;

const EID = '11111111-1111-4111-8111-111111111111';

function fakeSocket(opts: { failJoin?: boolean; producers?: Array<{ id: string; peerId: string; kind: 'audio' | 'video'; paused: boolean }>; onConsume?: (producerId: string) => void } = {}) {
  const calls: Array<{ event: string; payload: unknown }> = [];
  const listeners = new Map<string, (p: unknown) => void>();
  let n = 0;
  const socket: SignalSocket = {
    request: (async (event: ClientEvent, payload: unknown) => {
      calls.push({ event, payload });
      switch (event) {
        case 'media/join':
          if (opts.failJoin) throw new Error('invalid_state');
          return { routerRtpCapabilities: fake.generateRouterRtpCapabilities(), iceServers: [], producers: opts.producers ?? [], peerId: 'customer' };
        case 'media/transport':
          return fake.generateTransportRemoteParameters();
        case 'media/produce':
          return { producerId: `producer-${++n}` };
        case 'media/consume': {
          const p = payload as { producerId: string };
          opts.onConsume?.(p.producerId);
          await new Promise((r) => setTimeout(r, 5));
          const kind = opts.producers?.find((x) => x.id === p.producerId)?.kind ?? 'audio';
          return { ...fake.generateConsumerRemoteParameters({ codecMimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8' }), producerId: p.producerId, producerPaused: false };
        }
        default:
          return {};
      }
    }) as SignalSocket['request'],
    on: ((event: ServerEvent, l: (p: unknown) => void) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    }) as SignalSocket['on'],
  };
  return { socket, calls, listeners };
}

const media = (kinds: Array<'audio' | 'video'>) => async () =>
  new FakeMediaStream(kinds.map((kind) => new FakeMediaStreamTrack({ kind }) as unknown as MediaStreamTrack)) as unknown as MediaStream;
const createDevice = () => new Device({ handlerFactory: FakeHandler.createFactory(fake) });

describe('CallSession', () => {
  it('joins, produces microphone and camera, consumes the other side, and closes once', async () => {
    const s = fakeSocket({ producers: [{ id: 'remote-audio', peerId: 'agent-1', kind: 'audio', paused: false }] });
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'video', getUserMedia: media(['audio', 'video']), createDevice });
    const events = s.calls.map((c) => c.event);
    expect(events.slice(0, 3)).toEqual(['media/join', 'media/transport', 'media/transport']);
    expect(events.filter((e) => e === 'media/produce')).toHaveLength(2);
    expect(events).toContain('media/consume');
    expect(events).toContain('media/resume');
    expect(session.remoteStream.getTracks()).toHaveLength(1);
    expect(session.muted).toBe(false);
    expect(session.cameraOn).toBe(true);

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

  it('consumes a producer once when its announcement arrives while the join\'s list is being consumed', async () => {
    const remote = { id: 'remote-video', peerId: 'agent-1', kind: 'video' as const, paused: false };
    const announce = { to: undefined as ReturnType<typeof fakeSocket> | undefined };
    // The announcement of the same producer lands while its consume request is in flight.
    const s = fakeSocket({ producers: [remote], onConsume: () => announce.to?.listeners.get('media/new-producer')?.({ engagementId: EID, producer: remote }) });
    announce.to = s;
    const session = await CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: media(['audio']), createDevice });
    await new Promise((r) => setTimeout(r, 30));
    expect(s.calls.filter((c) => c.event === 'media/consume')).toHaveLength(1);
    expect(session.remoteStream.getTracks()).toHaveLength(1);
    session.close();
  });

  it('stops the local tracks when joining fails', async () => {
    const s = fakeSocket({ failJoin: true });
    let local: MediaStream | undefined;
    const gum = async (_c: MediaStreamConstraints) => (local = await media(['audio'])());
    await expect(CallSession.create({ socket: s.socket, engagementId: EID, kind: 'audio', getUserMedia: gum, createDevice })).rejects.toThrow('invalid_state');
    expect(local?.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
  });
});
