import { Device, type types } from 'mediasoup-client';
import { MEDIA_EV, type ClientEvent, type ClientPayload, type ClientResults, type MediaKind, type ProducerInfo, type ServerEvent, type ServerPayloads } from '@engage/protocol';

/** The socket a call signals over (EngageSocket of @engage/chat-client fits). */
export interface SignalSocket {
  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<ClientResults[E]>;
  on<E extends ServerEvent>(event: E, listener: (payload: ServerPayloads[E]) => void): () => void;
}

export interface CallSessionOptions {
  socket: SignalSocket;
  engagementId: string;
  /** audio: microphone only; video: microphone and camera. */
  kind: MediaKind;
  /** Defaults to navigator.mediaDevices.getUserMedia. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Defaults to a mediasoup-client Device that detects the browser. For tests. */
  createDevice?: () => Device;
}

export interface CallSessionEvents {
  /** A track of the other side arrived (it is in remoteStream too). */
  remoteTrack: MediaStreamTrack;
  /** The session closed (ended, or failed); its transports and local tracks are stopped. */
  closed: undefined;
  /** Something went wrong after create() (a consume that failed); the call goes on. */
  error: Error;
}

/** RTP figures of the call, by direction and kind, from the transports' getStats(). */
export interface CallStats {
  inbound: Partial<Record<MediaKind, { packetsReceived: number; framesDecoded?: number; totalAudioEnergy?: number; audioLevel?: number }>>;
  outbound: Partial<Record<MediaKind, { packetsSent: number; framesEncoded?: number }>>;
}

type Listener<K extends keyof CallSessionEvents> = (payload: CallSessionEvents[K]) => void;

/**
 * One participant's side of a call: joins the engagement's SFU room through the backend, sends the
 * microphone (and camera), receives the other side. Created by create(), closed once by close().
 */
export class CallSession {
  readonly localStream: MediaStream;
  readonly remoteStream = new MediaStream();
  #recv: types.Transport | undefined;
  #send: types.Transport | undefined;
  readonly #producers = new Map<MediaKind, types.Producer>();
  /** Producers whose consume request is in flight. */
  readonly #consuming = new Set<string>();
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #listeners = new Map<keyof CallSessionEvents, Set<(p: never) => void>>();
  readonly #offs: Array<() => void> = [];
  /** Producers announced before the receiving transport existed. */
  readonly #pending: ProducerInfo[] = [];
  #closed = false;

  private constructor(
    private readonly socket: SignalSocket,
    readonly engagementId: string,
    readonly kind: MediaKind,
    private readonly device: Device,
    localStream: MediaStream,
  ) {
    this.localStream = localStream;
  }

  static async create(options: CallSessionOptions): Promise<CallSession> {
    const { socket, engagementId, kind } = options;
    const getUserMedia = options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    const local = await getUserMedia({ audio: true, video: kind === 'video' ? { width: 640, height: 360, frameRate: 15 } : false });
    const device = options.createDevice?.() ?? new Device();
    const session = new CallSession(socket, engagementId, kind, device, local);
    try {
      await session.#start();
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get muted(): boolean {
    return this.#producers.get('audio')?.paused ?? true;
  }

  get cameraOn(): boolean {
    const video = this.#producers.get('video');
    return video !== undefined && !video.paused;
  }

  /** Ids of the SFU producers this side sends and of the remote producers it consumes. */
  get producerIds(): { local: string[]; remote: string[] } {
    return { local: [...this.#producers.values()].map((p) => p.id), remote: [...this.#consumers.values()].map((c) => c.producerId) };
  }

  /** Mute pauses the microphone's producer: no audio RTP leaves, and the SFU forwards none. */
  async setMuted(muted: boolean): Promise<void> {
    await this.#setPaused('audio', muted);
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#setPaused('video', !on);
  }

  on<K extends keyof CallSessionEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => void set.delete(listener as (p: never) => void);
  }

  async stats(): Promise<CallStats> {
    const out: CallStats = { inbound: {}, outbound: {} };
    const recv = this.#recv && !this.#recv.closed ? await this.#recv.getStats() : undefined;
    recv?.forEach((s: { type: string; kind: MediaKind; packetsReceived: number; framesDecoded?: number; totalAudioEnergy?: number; audioLevel?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      out.inbound[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded, totalAudioEnergy: s.totalAudioEnergy, audioLevel: s.audioLevel };
    });
    const send = this.#send && !this.#send.closed ? await this.#send.getStats() : undefined;
    send?.forEach((s: { type: string; kind: MediaKind; packetsSent: number; framesEncoded?: number }) => {
      if (s.type !== 'outbound-rtp') return;
      const prev = out.outbound[s.kind];
      // simulcast/RTX aside there is one stream per kind; add up if there are more.
      out.outbound[s.kind] = { packetsSent: (prev?.packetsSent ?? 0) + s.packetsSent, framesEncoded: s.framesEncoded };
    });
    return out;
  }

  /** Idempotent: closes the transports (and so producers and consumers), stops the local tracks, emits 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs.splice(0)) off();
    this.#send?.close();
    this.#recv?.close();
    for (const track of this.localStream.getTracks()) track.stop();
    for (const track of this.remoteStream.getTracks()) this.remoteStream.removeTrack(track);
    this.#producers.clear();
    this.#consumers.clear();
    this.#emit('closed', undefined);
    this.#listeners.clear();
  }

  async #start(): Promise<void> {
    const { socket, engagementId } = this;
    // Listen first: a producer announced while we join is consumed once the transport exists.
    this.#offs.push(
      socket.on(MEDIA_EV.newProducer, ({ engagementId: eid, producer }) => {
        if (eid !== engagementId || this.#closed) return;
        if (this.#recv) void this.#consume(producer);
        else this.#pending.push(producer);
      }),
    );
    const joined = await socket.request(MEDIA_EV.join, { engagementId });
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as types.RtpCapabilities });
    const iceServers = joined.iceServers as RTCIceServer[];

    const recvOptions = await socket.request(MEDIA_EV.transport, { engagementId, direction: 'recv' });
    this.#recv = this.device.createRecvTransport({ ...(recvOptions as unknown as types.TransportOptions), iceServers });
    this.#wireConnect(this.#recv);
    const sendOptions = await socket.request(MEDIA_EV.transport, { engagementId, direction: 'send' });
    this.#send = this.device.createSendTransport({ ...(sendOptions as unknown as types.TransportOptions), iceServers });
    this.#wireConnect(this.#send);
    this.#send.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      socket
        .request(MEDIA_EV.produce, { engagementId, transportId: this.#send!.id, kind, rtpParameters: rtpParameters as unknown as Record<string, unknown> })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });

    for (const producer of [...joined.producers, ...this.#pending.splice(0)]) await this.#consume(producer);
    for (const track of this.localStream.getTracks()) {
      const kind = track.kind as MediaKind;
      // zeroRtpOnPause: a paused producer sends no RTP at all (not even silence or black frames).
      this.#producers.set(kind, await this.#send.produce({ track, stopTracks: false, zeroRtpOnPause: true }));
    }
  }

  #wireConnect(transport: types.Transport): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.socket
        .request(MEDIA_EV.connect, { engagementId: this.engagementId, transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => callback(), errback);
    });
  }

  async #consume(producer: ProducerInfo): Promise<void> {
    const recv = this.#recv;
    // Once per producer, also while a consume is in flight: the producer list of the join and an
    // announcement arriving meanwhile must not make two consumers (the stale one decodes nothing).
    if (!recv || this.#closed || this.#consuming.has(producer.id) || [...this.#consumers.values()].some((c) => c.producerId === producer.id)) return;
    this.#consuming.add(producer.id);
    try {
      const c = await this.socket.request(MEDIA_EV.consume, {
        engagementId: this.engagementId,
        transportId: recv.id,
        producerId: producer.id,
        rtpCapabilities: this.device.rtpCapabilities as unknown as Record<string, unknown>,
      });
      if (this.#closed) return;
      const consumer = await recv.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters as unknown as types.RtpParameters });
      this.#consumers.set(consumer.id, consumer);
      // One remote track per kind: a newer one (the other side rejoined) replaces the old.
      for (const old of this.remoteStream.getTracks()) if (old.kind === consumer.kind) this.remoteStream.removeTrack(old);
      this.remoteStream.addTrack(consumer.track);
      await this.socket.request(MEDIA_EV.resume, { engagementId: this.engagementId, consumerId: consumer.id });
      this.#emit('remoteTrack', consumer.track);
    } catch (err) {
      this.#emit('error', err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#consuming.delete(producer.id);
    }
  }

  async #setPaused(kind: MediaKind, paused: boolean): Promise<void> {
    const producer = this.#producers.get(kind);
    if (!producer || this.#closed) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.socket.request(MEDIA_EV.pause, { engagementId: this.engagementId, producerId: producer.id, paused });
  }

  #emit<K extends keyof CallSessionEvents>(event: K, payload: CallSessionEvents[K]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) (l as Listener<K>)(payload);
  }
}
