import { Device, type types } from 'mediasoup-client';
import {
  MEDIA_EV,
  type ClientEvent,
  type ClientPayload,
  type ClientResults,
  type MediaKind,
  type MediaSource,
  type ProducerInfo,
  type ServerEvent,
  type ServerPayloads,
} from '@engage/protocol';
import { deviceOf, listDevices, trackConstraints, type DeviceChoice } from './devices';
import { IceRecovery } from './ice-recovery';
import { assessQuality, describeQuality, readQualitySample, type CallQuality, type LossCounters } from './quality';

/** The socket a call signals over (EngageSocket of @engage/chat-client fits). */
export interface SignalSocket {
  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<ClientResults[E]>;
  on<E extends ServerEvent>(event: E, listener: (payload: ServerPayloads[E]) => void): () => void;
}

/** How long recovery waits and how often it tries; the defaults suit people, tests shorten them. */
export interface CallTiming {
  /** 'disconnected' for this long starts an ICE restart (a shorter blip heals by itself). */
  iceGraceMs: number;
  /** A restart that did not bring the transport back is repeated after this long. */
  iceRetryMs: number;
  /** Restarts in a row without success before the connection counts as failed. */
  iceMaxAttempts: number;
  /** Tries of a rejoin after media/reconnect, the n-th after n × rejoinBackoffMs. */
  rejoinAttempts: number;
  rejoinBackoffMs: number;
}

const DEFAULT_TIMING: CallTiming = { iceGraceMs: 1500, iceRetryMs: 4000, iceMaxAttempts: 5, rejoinAttempts: 5, rejoinBackoffMs: 300 };

export interface CallSessionOptions {
  socket: SignalSocket;
  engagementId: string;
  /** audio: microphone only; video: microphone and camera. */
  kind: MediaKind;
  /** A supervisor listening in: no microphone or camera, no sending transport, the participants' audio only. */
  listenOnly?: boolean;
  /** The microphone and camera to start with (deviceIds); the browser's defaults otherwise. */
  devices?: { audioId?: string; videoId?: string };
  /** Defaults to navigator.mediaDevices.getUserMedia. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Defaults to navigator.mediaDevices.getDisplayMedia (screen sharing). */
  getDisplayMedia?: (options: DisplayMediaStreamOptions) => Promise<MediaStream>;
  /** Defaults to a mediasoup-client Device that detects the browser. For tests. */
  createDevice?: () => Device;
  /**
   * Whether a camera just switched to is encoded: defaults to watching the producer's framesEncoded
   * for up to CAMERA_CHECK_MS (a depth camera, for one, gives frames WebRTC's encoder never takes).
   */
  encodesVideo?: (producer: types.Producer) => Promise<boolean>;
  timing?: Partial<CallTiming>;
}

/** How long a camera just chosen has to show its first encoded frames before it counts as sending nothing. */
export const CAMERA_CHECK_MS = 3000;

function framesEncoded(report: RTCStatsReport): number {
  let n = 0;
  report.forEach((s: { type?: string; framesEncoded?: number }) => {
    if (s.type === 'outbound-rtp' && typeof s.framesEncoded === 'number') n += s.framesEncoded;
  });
  return n;
}

/** True once the producer's encoder turns out frames of the current track (polled every 200 ms). */
async function encodesVideo(producer: types.Producer, ms = CAMERA_CHECK_MS): Promise<boolean> {
  const start = framesEncoded(await producer.getStats());
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    if (producer.closed) return true; // nothing left to check
    if (framesEncoded(await producer.getStats()) > start) return true;
  }
  return false;
}

/** How the call's media is doing, as a person would say it. */
export type CallConnection = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface CallSessionEvents {
  /** A track of the other side arrived (in remoteStream, or in remoteScreen for a shared screen). */
  remoteTrack: MediaStreamTrack;
  /** The other side started (a stream) or stopped (null) sharing a screen. */
  remoteScreen: MediaStream | null;
  /** The local tracks changed (another microphone or camera was chosen); localStream is the same object. */
  localStream: MediaStream;
  /** This side started or stopped sharing its screen (also when the browser's own "Stop sharing" ended it). */
  screenSharing: boolean;
  connection: CallConnection;
  /** A transport's own connection state changed (what 'connection' sums up; for diagnostics and tests). */
  transportState: { direction: 'send' | 'recv'; state: types.ConnectionState };
  /** The dominant speaker's SFU peer id (see peerId for this side), or null for silence. */
  speaker: string | null;
  /** The session closed (ended, or failed); its transports and local tracks are stopped. */
  closed: undefined;
  /** Something went wrong after create() (a consume or an ICE restart that failed); the call goes on. */
  error: Error;
}

/** RTP figures of the call, by direction and kind, from the transports' getStats(). */
export interface CallStats {
  /** The other side's microphone and camera. */
  inbound: Partial<Record<MediaKind, { packetsReceived: number; framesDecoded?: number; totalAudioEnergy?: number; audioLevel?: number }>>;
  /** This side's microphone and camera. */
  outbound: Partial<Record<MediaKind, { packetsSent: number; framesEncoded?: number }>>;
  /** The screen the other side shares, while it does. */
  inboundScreen?: { packetsReceived: number; framesDecoded?: number };
  /** The screen this side shares, while it does. */
  outboundScreen?: { packetsSent: number; framesEncoded?: number };
}

type Listener<K extends keyof CallSessionEvents> = (payload: CallSessionEvents[K]) => void;

/** A join run that a newer one (a reconnect) or close() superseded: it stops without effect. */
class StaleJoin extends Error {
  constructor() {
    super('superseded');
  }
}

interface RemoteMedia {
  consumer: types.Consumer;
  peerId: string;
  source: MediaSource;
}

const sourceOf = (p: Pick<ProducerInfo, 'kind' | 'source'>): MediaSource => p.source ?? (p.kind === 'audio' ? 'mic' : 'camera');

/**
 * One participant's side of a call: joins the engagement's SFU room through the backend, sends the
 * microphone (and camera, and a shared screen), receives the other side. Keeps the media alive on
 * its own: an ICE restart when a transport loses its connection, a full rejoin with the same local
 * tracks when the backend says the SFU lost the call (media/reconnect). Created by create(), closed
 * once by close().
 */
export class CallSession {
  readonly localStream: MediaStream;
  readonly remoteStream = new MediaStream();
  readonly listenOnly: boolean;
  #device: Device | undefined;
  #recv: types.Transport | undefined;
  #send: types.Transport | undefined;
  #recoveries: IceRecovery[] = [];
  readonly #producers = new Map<MediaSource, types.Producer>();
  /** Sources the person paused (mute, camera off): a rejoin produces them paused again. */
  readonly #paused = new Set<MediaSource>();
  /**
   * Producers whose consume is in flight, with the transport it is for (a rejoin's new one consumes
   * again) and whether the producer ended meanwhile (then the consumer is dropped as it arrives).
   */
  readonly #consuming = new Map<string, { recv: types.Transport; ended: boolean }>();
  /** By remote producer id. */
  readonly #remote = new Map<string, RemoteMedia>();
  readonly #listeners = new Map<keyof CallSessionEvents, Set<(p: never) => void>>();
  readonly #offs: Array<() => void> = [];
  /** Producers announced before the receiving transport existed. */
  readonly #pending: ProducerInfo[] = [];
  #screenTrack: MediaStreamTrack | undefined;
  #remoteScreen: MediaStream | null = null;
  #speaker: string | null = null;
  #peerId = '';
  #connection: CallConnection = 'connecting';
  #phase: 'joining' | 'joined' | 'rejoining' | 'failed' = 'joining';
  /** Bumped by every join run; a run that sees another number stops. */
  #generation = 0;
  #current: Promise<void> = Promise.resolve();
  #iceRestarts = 0;
  #rejoins = 0;
  #lossCounters: LossCounters | null = null;
  #closed = false;

  private constructor(
    private readonly socket: SignalSocket,
    readonly engagementId: string,
    readonly kind: MediaKind,
    localStream: MediaStream,
    private readonly deps: {
      listenOnly: boolean;
      getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream>;
      getDisplayMedia: (o: DisplayMediaStreamOptions) => Promise<MediaStream>;
      createDevice: () => Device;
      encodesVideo: (producer: types.Producer) => Promise<boolean>;
      timing: CallTiming;
    },
  ) {
    this.localStream = localStream;
    this.listenOnly = deps.listenOnly;
  }

  static async create(options: CallSessionOptions): Promise<CallSession> {
    const { socket, engagementId, kind } = options;
    const listenOnly = options.listenOnly ?? false;
    const getUserMedia = options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    const getDisplayMedia = options.getDisplayMedia ?? ((o: DisplayMediaStreamOptions) => navigator.mediaDevices.getDisplayMedia(o));
    const local = listenOnly
      ? new MediaStream()
      : await getUserMedia({ audio: trackConstraints('audio', options.devices?.audioId), video: kind === 'video' ? trackConstraints('video', options.devices?.videoId) : false });
    const session = new CallSession(socket, engagementId, kind, local, {
      listenOnly,
      getUserMedia,
      getDisplayMedia,
      createDevice: options.createDevice ?? (() => new Device()),
      encodesVideo: options.encodesVideo ?? ((producer) => encodesVideo(producer)),
      timing: { ...DEFAULT_TIMING, ...options.timing },
    });
    try {
      session.#listen();
      session.#current = session.#join(++session.#generation).then(() => session.#joined());
      await session.#settled();
      if (session.#closed) throw new Error('The call ended while it was being joined.');
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** This side's SFU peer id ('customer', 'agent-<userId>', 'supervisor-<userId>'), as media/speaker names it. */
  get peerId(): string {
    return this.#peerId;
  }

  get connection(): CallConnection {
    return this.#connection;
  }

  /** ICE restarts this session did (same transports, new ICE parameters). */
  get iceRestarts(): number {
    return this.#iceRestarts;
  }

  /** Rejoins after media/reconnect (new transports, the same local tracks). */
  get rejoins(): number {
    return this.#rejoins;
  }

  get activeSpeaker(): string | null {
    return this.#speaker;
  }

  get remoteScreen(): MediaStream | null {
    return this.#remoteScreen;
  }

  get screenSharing(): boolean {
    return this.#screenTrack !== undefined;
  }

  /** As the person set it: also while a rejoin has no producers yet (they come back paused). */
  get muted(): boolean {
    return this.listenOnly || this.#paused.has('mic');
  }

  get cameraOn(): boolean {
    return this.kind === 'video' && !this.listenOnly && !this.#paused.has('camera');
  }

  /** Ids of the SFU producers this side sends and of the remote producers it consumes. */
  get producerIds(): { local: string[]; remote: string[] } {
    return { local: [...this.#producers.values()].map((p) => p.id), remote: [...this.#remote.keys()] };
  }

  /** What this side sends now: each producer's source, track (after a device switch, the new one) and pause. */
  get sending(): Array<{ source: MediaSource; track: MediaStreamTrack | null; paused: boolean }> {
    return [...this.#producers].map(([source, p]) => ({ source, track: p.track, paused: p.paused }));
  }

  /** Mute pauses the microphone's producer: no audio RTP leaves, and the SFU forwards none. */
  async setMuted(muted: boolean): Promise<void> {
    await this.#setPaused('mic', muted);
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#setPaused('camera', !on);
  }

  /**
   * Sends another microphone or camera: the new track replaces the old one in the same producer
   * (nothing renegotiated, the other side's consumer goes on), the old track is stopped. A camera
   * whose frames the encoder does not take (no frame encoded within CAMERA_CHECK_MS while the camera
   * is on) is given up: the old camera is sent again and the call goes on, and this throws a sentence.
   */
  async switchDevice(kind: MediaKind, deviceId: string): Promise<void> {
    this.#assertSends('choose a microphone or camera');
    if (kind === 'video' && this.kind !== 'video') throw new Error('A voice call sends no camera.');
    const old = this.localStream.getTracks().find((t) => t.kind === kind);
    if (old && old.readyState === 'live' && deviceOf(old) === deviceId) return;
    const stream = await this.deps.getUserMedia(kind === 'audio' ? { audio: trackConstraints('audio', deviceId) } : { video: trackConstraints('video', deviceId) });
    const track = stream.getTracks().find((t) => t.kind === kind);
    for (const t of stream.getTracks()) if (t !== track) t.stop();
    if (!track) throw new Error(`That device gave no ${kind === 'audio' ? 'sound' : 'picture'}.`);
    if (this.#closed) {
      track.stop();
      return;
    }
    const source: MediaSource = kind === 'audio' ? 'mic' : 'camera';
    track.enabled = !this.#paused.has(source);
    const producer = this.#producers.get(source);
    if (producer && !producer.closed) {
      await producer.replaceTrack({ track });
      // replaceTrack puts the track on the sender; a paused producer (zeroRtpOnPause) must send nothing again.
      if (this.#paused.has(source)) producer.pause();
      else if (kind === 'video' && old && old.readyState === 'live' && !(await this.deps.encodesVideo(producer))) {
        if (!producer.closed && !this.#closed) await producer.replaceTrack({ track: old });
        track.stop();
        throw new Error(`That camera (${track.label || 'unnamed'}) sends no picture the call can use; still sending ${old.label || 'the previous camera'}.`);
      }
    }
    if (old) {
      old.stop();
      this.localStream.removeTrack(old);
    }
    this.localStream.addTrack(track);
    this.#emit('localStream', this.localStream);
  }

  /** Shares a screen, window or tab (the browser asks which) as a third track, in voice and video calls alike. */
  async startScreenShare(): Promise<void> {
    this.#assertSends('share a screen');
    if (this.#screenTrack) return;
    const stream = await this.deps.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
    const track = stream.getVideoTracks()[0];
    for (const t of stream.getTracks()) if (t !== track) t.stop();
    if (!track) throw new Error('No screen was chosen to share.');
    if (this.#closed || this.#screenTrack) {
      track.stop();
      return;
    }
    // Text and lines stay sharp rather than motion smooth.
    track.contentHint = 'detail';
    this.#screenTrack = track;
    // The browser's own "Stop sharing" ends the track.
    track.addEventListener('ended', () => {
      if (this.#screenTrack === track) this.stopScreenShare().catch((err: unknown) => this.#fail(err));
    });
    try {
      // Without a sending transport a rejoin is under way: it produces the screen when it is done.
      if (this.#send && this.#phase === 'joined') await this.#produce(this.#send, track, 'screen');
    } catch (err) {
      this.#screenTrack = undefined;
      track.stop();
      throw err;
    }
    this.#emit('screenSharing', true);
  }

  async stopScreenShare(): Promise<void> {
    const track = this.#screenTrack;
    if (!track) return;
    this.#screenTrack = undefined;
    track.stop();
    const producer = this.#producers.get('screen');
    this.#producers.delete('screen');
    producer?.close();
    this.#emit('screenSharing', false);
    if (producer && !this.#closed) await this.socket.request(MEDIA_EV.closeProducer, { engagementId: this.engagementId, producerId: producer.id });
  }

  on<K extends keyof CallSessionEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => void set.delete(listener as (p: never) => void);
  }

  async stats(): Promise<CallStats> {
    const out: CallStats = { inbound: {}, outbound: {} };
    const remoteScreenId = this.#remoteScreen?.getTracks()[0]?.id;
    const remoteIds = new Set(this.remoteStream.getTracks().map((t) => t.id));
    const recv = this.#recv && !this.#recv.closed ? await this.#recv.getStats() : undefined;
    recv?.forEach((s: { type: string; kind: MediaKind; trackIdentifier?: string; packetsReceived: number; framesDecoded?: number; totalAudioEnergy?: number; audioLevel?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      if (remoteScreenId && s.trackIdentifier === remoteScreenId) out.inboundScreen = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded };
      // Streams of consumers that ended (a replaced producer) may linger in the report: only the live ones count.
      else if (!s.trackIdentifier || remoteIds.has(s.trackIdentifier)) {
        out.inbound[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded, totalAudioEnergy: s.totalAudioEnergy, audioLevel: s.audioLevel };
      }
    });
    const send = this.#send && !this.#send.closed ? await this.#send.getStats() : undefined;
    const screenId = this.#screenTrack?.id;
    send?.forEach((s: { type: string; kind: MediaKind; mediaSourceId?: string; packetsSent: number; framesEncoded?: number }) => {
      if (s.type !== 'outbound-rtp') return;
      const sourceTrack = s.mediaSourceId ? (send.get(s.mediaSourceId) as { trackIdentifier?: string } | undefined)?.trackIdentifier : undefined;
      if (screenId && sourceTrack === screenId) {
        out.outboundScreen = { packetsSent: (out.outboundScreen?.packetsSent ?? 0) + s.packetsSent, framesEncoded: s.framesEncoded };
        return;
      }
      const prev = out.outbound[s.kind];
      // simulcast/RTX aside there is one stream per kind; add up if there are more.
      out.outbound[s.kind] = { packetsSent: (prev?.packetsSent ?? 0) + s.packetsSent, framesEncoded: s.framesEncoded };
    });
    return out;
  }

  /** Round trip, loss since the previous call, jitter, a verdict (see quality.ts) and a sentence saying it. */
  async quality(): Promise<CallQuality & { summary: string }> {
    const reports: RTCStatsReport[] = [];
    for (const t of [this.#recv, this.#send]) {
      if (!t || t.closed) continue;
      try {
        reports.push(await t.getStats());
      } catch {
        // A transport closing under us: the other one still tells.
      }
    }
    const { quality, counters } = assessQuality(readQualitySample(reports), this.#lossCounters);
    this.#lossCounters = counters;
    return { ...quality, summary: describeQuality(quality) };
  }

  /** The microphones and cameras to choose from (the page has media permission by now, so they have labels). */
  devices(): Promise<Record<MediaKind, DeviceChoice[]>> {
    return listDevices();
  }

  /** The devices the local tracks come from ('' for none). */
  get deviceIds(): Record<MediaKind, string> {
    return { audio: deviceOf(this.localStream.getAudioTracks()[0]), video: deviceOf(this.localStream.getVideoTracks()[0]) };
  }

  /** Idempotent: closes the transports (and so producers and consumers), stops the local tracks, emits 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    for (const off of this.#offs.splice(0)) off();
    this.#teardown(false);
    for (const track of this.localStream.getTracks()) track.stop();
    this.#screenTrack?.stop();
    this.#screenTrack = undefined;
    this.#emit('closed', undefined);
    this.#listeners.clear();
  }

  #listen(): void {
    const { socket, engagementId } = this;
    // Listen before joining: a producer announced while we join is consumed once the transport exists.
    this.#offs.push(
      socket.on(MEDIA_EV.newProducer, ({ engagementId: eid, producer }) => {
        if (eid !== engagementId || this.#closed) return;
        if (this.#recv) void this.#consume(producer);
        else this.#pending.push(producer);
      }),
      socket.on(MEDIA_EV.producerClosed, ({ engagementId: eid, producerId }) => {
        if (eid === engagementId && !this.#closed) this.#dropRemote(producerId);
      }),
      socket.on(MEDIA_EV.speaker, ({ engagementId: eid, peerId }) => {
        if (eid !== engagementId || this.#closed || peerId === this.#speaker) return;
        this.#speaker = peerId;
        this.#emit('speaker', peerId);
      }),
      socket.on(MEDIA_EV.reconnect, ({ engagementId: eid }) => {
        if (eid === engagementId && !this.#closed) this.#rejoin();
      }),
    );
  }

  /** Waits for the latest join run (a reconnect during create() supersedes the first). */
  async #settled(): Promise<void> {
    for (;;) {
      const current = this.#current;
      try {
        await current;
      } catch (err) {
        if (!(err instanceof StaleJoin)) throw err;
      }
      if (current === this.#current) return;
    }
  }

  #joined(): void {
    this.#phase = 'joined';
    this.#updateConnection();
  }

  /** The SFU lost the call's media: new transports, the same local tracks, the others consumed again. */
  #rejoin(): void {
    this.#rejoins++;
    const gen = ++this.#generation;
    this.#phase = 'rejoining';
    this.#updateConnection();
    this.#current = (async () => {
      const { rejoinAttempts, rejoinBackoffMs } = this.deps.timing;
      for (let attempt = 1; ; attempt++) {
        this.#teardown(true);
        try {
          await this.#join(gen);
          this.#joined();
          return;
        } catch (err) {
          if (err instanceof StaleJoin || this.#closed || gen !== this.#generation) return;
          if (attempt >= rejoinAttempts) {
            this.#phase = 'failed';
            this.#updateConnection();
            this.#fail(err);
            return;
          }
        }
        await new Promise((r) => setTimeout(r, rejoinBackoffMs * attempt));
        if (this.#closed || gen !== this.#generation) return;
      }
    })();
  }

  /** One join run: room, transports, the others' producers consumed, the local tracks produced. */
  async #join(gen: number): Promise<void> {
    const { socket, engagementId } = this;
    const live = () => {
      if (this.#closed || gen !== this.#generation) throw new StaleJoin();
    };
    const joined = await socket.request(MEDIA_EV.join, { engagementId });
    live();
    this.#peerId = joined.peerId;
    // A new device per run: after a worker died the router is new (its capabilities could differ).
    const device = this.deps.createDevice();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as types.RtpCapabilities });
    live();
    this.#device = device;
    const iceServers = joined.iceServers as RTCIceServer[];

    const recvOptions = await socket.request(MEDIA_EV.transport, { engagementId, direction: 'recv' });
    live();
    this.#recv = this.#watch(device.createRecvTransport({ ...(recvOptions as unknown as types.TransportOptions), iceServers }));
    let send: types.Transport | undefined;
    if (!this.listenOnly) {
      const sendOptions = await socket.request(MEDIA_EV.transport, { engagementId, direction: 'send' });
      live();
      send = this.#send = this.#watch(device.createSendTransport({ ...(sendOptions as unknown as types.TransportOptions), iceServers }));
      send.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        socket
          .request(MEDIA_EV.produce, {
            engagementId,
            transportId: send!.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
            source: appData['source'] as MediaSource,
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }

    for (const producer of [...joined.producers, ...this.#pending.splice(0)]) await this.#consume(producer);
    live();
    if (!send) return;
    for (const track of this.localStream.getTracks()) {
      await this.#produce(send, track, track.kind === 'audio' ? 'mic' : 'camera');
      live();
    }
    if (this.#screenTrack?.readyState === 'live') await this.#produce(send, this.#screenTrack, 'screen');
    live();
  }

  async #produce(send: types.Transport, track: MediaStreamTrack, source: MediaSource): Promise<void> {
    const paused = this.#paused.has(source);
    // A paused source goes out disabled until the pause below: silence or black, never the person.
    if (paused) track.enabled = false;
    // zeroRtpOnPause: a paused producer sends no RTP at all (not even silence or black frames).
    const producer = await send.produce({ track, stopTracks: false, zeroRtpOnPause: true, appData: { source } });
    if (send.closed) return;
    this.#producers.set(source, producer);
    if (paused) {
      producer.pause();
      await this.socket.request(MEDIA_EV.pause, { engagementId: this.engagementId, producerId: producer.id, paused: true });
    }
  }

  /** Watches the transport's connection: DTLS connect through the backend, ICE restarts when it is lost. */
  #watch(transport: types.Transport): types.Transport {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.socket
        .request(MEDIA_EV.connect, { engagementId: this.engagementId, transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => this.#emit('transportState', { direction: transport.direction, state }));
    const { iceGraceMs, iceRetryMs, iceMaxAttempts } = this.deps.timing;
    this.#recoveries.push(
      new IceRecovery(transport, {
        graceMs: iceGraceMs,
        retryMs: iceRetryMs,
        maxAttempts: iceMaxAttempts,
        changed: () => this.#updateConnection(),
        error: (err) => this.#fail(err),
        // ICE restarts could not bring this transport back (the path to the SFU changed for good, or the
        // SFU lost the transport): join again from scratch — new transports, same local tracks.
        gaveUp: () => {
          if (!this.#closed && this.#phase === 'joined') this.#rejoin();
        },
        restart: async () => {
          const { iceParameters, iceServers } = await this.socket.request(MEDIA_EV.restartIce, { engagementId: this.engagementId, transportId: transport.id });
          if (transport.closed) return;
          // A fresh TURN credential: the join's may have expired, and a new relay would be refused with it.
          if (Array.isArray(iceServers)) await transport.updateIceServers({ iceServers: iceServers as RTCIceServer[] });
          await transport.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
          this.#iceRestarts++;
        },
      }),
    );
    return transport;
  }

  /** Closes the transports (producers and consumers go with them); keepLocal: the local tracks stay for a rejoin. */
  #teardown(keepLocal: boolean): void {
    for (const r of this.#recoveries.splice(0)) r.close();
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = undefined;
    this.#producers.clear();
    for (const { consumer } of this.#remote.values()) consumer.close();
    this.#remote.clear();
    this.#pending.length = 0;
    this.#lossCounters = null;
    for (const track of this.remoteStream.getTracks()) this.remoteStream.removeTrack(track);
    if (this.#remoteScreen) {
      this.#remoteScreen = null;
      if (keepLocal) this.#emit('remoteScreen', null);
    }
  }

  async #consume(producer: ProducerInfo): Promise<void> {
    const recv = this.#recv;
    const device = this.#device;
    // A listener hears the participants: no video.
    if (this.listenOnly && producer.kind !== 'audio') return;
    // Once per producer, also while a consume is in flight: the producer list of the join and an
    // announcement arriving meanwhile must not make two consumers (the stale one decodes nothing).
    if (!recv || !device || this.#closed || this.#consuming.get(producer.id)?.recv === recv || this.#remote.has(producer.id)) return;
    const pending = { recv, ended: false };
    this.#consuming.set(producer.id, pending);
    try {
      const c = await this.socket.request(MEDIA_EV.consume, {
        engagementId: this.engagementId,
        transportId: recv.id,
        producerId: producer.id,
        rtpCapabilities: device.rtpCapabilities as unknown as Record<string, unknown>,
      });
      if (this.#closed || recv.closed || pending.ended) return;
      const consumer = await recv.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters as unknown as types.RtpParameters });
      if (this.#closed || recv.closed || pending.ended) {
        consumer.close();
        return;
      }
      const source = sourceOf(producer);
      // One track per peer and source: a newer one (the other side rejoined) replaces the old.
      for (const [id, r] of this.#remote) if (r.peerId === producer.peerId && r.source === source) this.#dropRemote(id);
      this.#remote.set(producer.id, { consumer, peerId: producer.peerId, source });
      if (source === 'screen') {
        this.#remoteScreen = new MediaStream([consumer.track]);
        this.#emit('remoteScreen', this.#remoteScreen);
      } else {
        this.remoteStream.addTrack(consumer.track);
      }
      await this.socket.request(MEDIA_EV.resume, { engagementId: this.engagementId, consumerId: consumer.id });
      this.#emit('remoteTrack', consumer.track);
    } catch (err) {
      if (!this.#closed && !recv.closed) this.#fail(err);
    } finally {
      if (this.#consuming.get(producer.id) === pending) this.#consuming.delete(producer.id);
    }
  }

  /** A remote producer ended (or was replaced): its consumer and track go. */
  #dropRemote(producerId: string): void {
    const inFlight = this.#consuming.get(producerId);
    if (inFlight) inFlight.ended = true;
    const r = this.#remote.get(producerId);
    if (!r) return;
    this.#remote.delete(producerId);
    r.consumer.close();
    if (r.source === 'screen') {
      if (this.#remoteScreen?.getTracks().includes(r.consumer.track)) {
        this.#remoteScreen = null;
        this.#emit('remoteScreen', null);
      }
    } else {
      this.remoteStream.removeTrack(r.consumer.track);
    }
  }

  async #setPaused(source: MediaSource, paused: boolean): Promise<void> {
    if (this.listenOnly || this.#closed) return;
    if (paused) this.#paused.add(source);
    else this.#paused.delete(source);
    // During a rejoin there is no producer: the join produces the source in this state.
    const producer = this.#producers.get(source);
    if (!producer) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.socket.request(MEDIA_EV.pause, { engagementId: this.engagementId, producerId: producer.id, paused });
  }

  #assertSends(what: string): void {
    if (this.listenOnly) throw new Error(`Listening in sends nothing: you cannot ${what}.`);
    if (this.#closed) throw new Error(`The call has ended: you cannot ${what}.`);
  }

  #updateConnection(): void {
    if (this.#closed) return;
    const next = this.#computeConnection();
    if (next === this.#connection) return;
    this.#connection = next;
    this.#emit('connection', next);
  }

  #computeConnection(): CallConnection {
    if (this.#phase === 'failed') return 'failed';
    if (this.#phase === 'joining') return 'connecting';
    if (this.#phase === 'rejoining') return 'reconnecting';
    if (this.#recoveries.some((r) => r.gaveUp)) return 'failed';
    if (this.#recoveries.some((r) => r.recovering)) return 'reconnecting';
    // A transport that has not started (no track to carry yet) does not count.
    const started = this.#recoveries.filter((r) => r.state !== 'new');
    if (started.every((r) => r.state === 'connected')) return 'connected';
    return this.#connection === 'connecting' ? 'connecting' : 'reconnecting';
  }

  #fail(err: unknown): void {
    this.#emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  #emit<K extends keyof CallSessionEvents>(event: K, payload: CallSessionEvents[K]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) (l as Listener<K>)(payload);
  }
}
