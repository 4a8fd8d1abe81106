import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { InvalidStateError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { ProducerInfo, RoomCloseReason, RoomInfo, SfuNotification } from '@engage/protocol';
import { MEDIA_CODECS } from './media-codecs';
import { Peer, type PeerHost } from './peer';
import { SpeakerDetector } from './speaker-detector';

export interface TransportSettings {
  listenIp: string;
  announcedAddress: string | undefined;
  initialAvailableOutgoingBitrate?: number;
}

export interface RoomEvents {
  /** The room closed (ordered, its worker died, or shutdown); its router and peers are closed. */
  closed: [RoomCloseReason];
  /** A peer left or was closed. */
  peerClosed: [Peer];
  /** Something happened in the room without an order, for the backend. */
  notification: [SfuNotification];
}

/** The media side of one engagement: a mediasoup router on one worker and its peers. */
export class Room extends EventEmitter<RoomEvents> implements PeerHost {
  readonly #peers = new Map<string, Peer>();
  readonly #pendingPeers = new Map<string, Promise<Peer>>();
  readonly #log: Logger;
  #closed = false;

  private constructor(
    readonly engagementId: string,
    readonly router: types.Router,
    private readonly transportSettings: TransportSettings,
    logger: Logger,
    private readonly admit: (kind: types.MediaKind) => void,
    private readonly speakers: SpeakerDetector,
  ) {
    super();
    this.#log = logger;
    speakers.on('speaker', (peerId) => {
      this.#log.debug({ peerId }, 'speaker');
      this.emit('notification', { type: 'room/speaker', engagementId, peerId });
    });
    router.once('workerclose', () => {
      this.#log.error('the worker of this room died');
      this.close('worker-died');
    });
  }

  /** `admit` refuses a new consumer when the room's worker is at capacity (the pool decides). */
  static async create(options: { engagementId: string; worker: types.Worker; transport: TransportSettings; logger: Logger; admit?: (kind: types.MediaKind) => void }): Promise<Room> {
    const router = await options.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { engagementId: options.engagementId, workerPid: options.worker.pid } });
    const logger = options.logger.child({ engagementId: options.engagementId });
    let speakers: SpeakerDetector;
    try {
      speakers = await SpeakerDetector.create(router, logger);
    } catch (err) {
      router.close();
      throw err;
    }
    const room = new Room(options.engagementId, router, options.transport, logger, options.admit ?? (() => undefined), speakers);
    logger.info({ routerId: router.id, workerPid: options.worker.pid }, 'room created');
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get workerPid(): number {
    return (this.router.appData['workerPid'] as number | undefined) ?? -1;
  }

  /** Who speaks now in this room (an SFU peer id), or null. */
  get speaker(): string | null {
    return this.speakers.speaker;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  peers(): Peer[] {
    return [...this.#peers.values()];
  }

  getPeer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  assertPeer(peerId: string): Peer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new NotFoundError(`engagement ${this.engagementId} has no peer ${peerId}`);
    return peer;
  }

  /** Get-or-create, serialized per peer id so two concurrent joins make one peer. */
  async getOrCreatePeer(peerId: string): Promise<Peer> {
    if (this.#closed) throw new InvalidStateError(`the room of engagement ${this.engagementId} is closed`);
    const existing = this.#peers.get(peerId);
    if (existing) return existing;
    const pending = this.#pendingPeers.get(peerId);
    if (pending) return pending;
    const creating = Peer.create({ id: peerId, host: this, logger: this.#log }).then((peer) => {
      this.#pendingPeers.delete(peerId);
      if (this.#closed) {
        peer.close();
        throw new InvalidStateError(`the room of engagement ${this.engagementId} closed while peer ${peerId} joined`);
      }
      this.#peers.set(peerId, peer);
      peer.on('notification', (n) => this.emit('notification', n));
      peer.once('closed', () => {
        this.#peers.delete(peerId);
        if (!this.#closed) this.emit('notification', { type: 'peer/closed', engagementId: this.engagementId, peerId });
        this.emit('peerClosed', peer);
      });
      this.#log.info({ peerId }, 'peer joined');
      return peer;
    });
    this.#pendingPeers.set(peerId, creating);
    creating.catch(() => this.#pendingPeers.delete(peerId));
    return creating;
  }

  async createWebRtcTransport(direction: 'send' | 'recv', peerId: string): Promise<types.WebRtcTransport> {
    if (this.#closed) throw new InvalidStateError(`the room of engagement ${this.engagementId} is closed`);
    const { listenIp, announcedAddress, initialAvailableOutgoingBitrate } = this.transportSettings;
    return this.router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ip: listenIp, announcedAddress },
        { protocol: 'tcp', ip: listenIp, announcedAddress },
      ],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: initialAvailableOutgoingBitrate ?? 1_000_000,
      appData: { peerId, direction },
    });
  }

  admitConsumer(kind: types.MediaKind): void {
    this.admit(kind);
  }

  findProducer(producerId: string): types.Producer | undefined {
    for (const peer of this.#peers.values()) {
      const producer = peer.getProducer(producerId);
      if (producer) return producer;
    }
    return undefined;
  }

  /** Producers of every peer but `exceptPeerId`. */
  producers(exceptPeerId?: string): ProducerInfo[] {
    return this.peers()
      .filter((p) => p.id !== exceptPeerId)
      .flatMap((p) => p.producers());
  }

  info(): RoomInfo {
    return {
      engagementId: this.engagementId,
      workerPid: this.workerPid,
      peers: this.peers().map((p) => ({ id: p.id, transports: p.transportCount, producers: p.producers(), consumers: p.consumerCount })),
    };
  }

  /** Idempotent: closes every peer, then the router, then emits 'closed'. */
  close(reason: RoomCloseReason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.speakers.close();
    this.router.close();
    this.#log.info({ reason }, 'room closed');
    this.emit('closed', reason);
  }
}
