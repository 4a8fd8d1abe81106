import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { BadRequestError, InvalidStateError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import { MEDIA_SOURCES, defaultSource, sourceFits, type ConsumeResponse, type CreateTransportResponse, type MediaSource, type ProducerInfo, type SfuNotification } from '@engage/protocol';

/** What a peer asks of its room (children ask, parents own). */
export interface PeerHost {
  readonly engagementId: string;
  readonly router: types.Router;
  createWebRtcTransport(direction: 'send' | 'recv', peerId: string): Promise<types.WebRtcTransport>;
  /** A producer of any peer of the room. */
  findProducer(producerId: string): types.Producer | undefined;
  /** Throws OverloadedError when the room's worker cannot take one more consumer of `kind`. */
  admitConsumer(kind: types.MediaKind): void;
}

export interface PeerEvents {
  /** The peer closed (left, or its room closed); its transports, producers and consumers are closed. */
  closed: [];
  /** Something happened to one of the peer's producers or consumers without an order. */
  notification: [SfuNotification];
}

type ConsumerCloseReason = 'producer-closed' | 'transport-closed';

/** One participant of an engagement in the SFU: its WebRTC transports, producers and consumers. */
export class Peer extends EventEmitter<PeerEvents> {
  readonly #transports = new Map<string, types.WebRtcTransport>();
  readonly #producers = new Map<string, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #log: Logger;
  #closed = false;
  /** The client's device capabilities, given at join; the default for consume(). */
  rtpCapabilities: types.RtpCapabilities | undefined;

  private constructor(
    readonly id: string,
    private readonly host: PeerHost,
    logger: Logger,
  ) {
    super();
    this.#log = logger.child({ peerId: id });
  }

  static async create(options: { id: string; host: PeerHost; logger: Logger }): Promise<Peer> {
    return new Peer(options.id, options.host, options.logger);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get transportCount(): number {
    return this.#transports.size;
  }

  get producerCount(): number {
    return this.#producers.size;
  }

  get consumerCount(): number {
    return this.#consumers.size;
  }

  producers(): ProducerInfo[] {
    return [...this.#producers.values()].map((p) => ({ id: p.id, peerId: this.id, kind: p.kind, paused: p.paused, source: p.appData['source'] as MediaSource }));
  }

  getProducer(producerId: string): types.Producer | undefined {
    return this.#producers.get(producerId);
  }

  async createTransport(direction: 'send' | 'recv'): Promise<CreateTransportResponse> {
    this.#assertOpen();
    const transport = await this.host.createWebRtcTransport(direction, this.id);
    if (this.#closed) {
      transport.close();
      throw new InvalidStateError(`peer ${this.id} closed while its transport was being created`);
    }
    this.#transports.set(transport.id, transport);
    transport.observer.once('close', () => this.#transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.#log.warn({ transportId: transport.id, state }, 'transport DTLS state');
      else this.#log.debug({ transportId: transport.id, state }, 'transport DTLS state');
    });
    this.#log.debug({ transportId: transport.id, direction }, 'transport created');
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  /** New ICE parameters for the same transport (its ICE connection was lost); the client restarts ICE with them. */
  async restartIce(transportId: string): Promise<types.IceParameters> {
    const transport = this.#assertTransport(transportId);
    const iceParameters = await transport.restartIce();
    this.#log.info({ transportId }, 'ICE restarted');
    return iceParameters;
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.#assertTransport(transportId);
    await transport.connect({ dtlsParameters });
  }

  /** `appData.source` says what the producer carries (mic, camera, screen); mic or camera by kind when absent. */
  async produce(transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters, appData?: Record<string, unknown>): Promise<types.Producer> {
    const transport = this.#assertTransport(transportId);
    const source = producerSource(kind, appData?.['source']);
    const producer = await transport.produce({ kind, rtpParameters, appData: { ...appData, source, peerId: this.id } });
    if (this.#closed) {
      producer.close();
      throw new InvalidStateError(`peer ${this.id} closed while producing`);
    }
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.#notify({ type: 'producer/closed', engagementId: this.host.engagementId, peerId: this.id, producerId: producer.id });
    });
    this.#log.info({ producerId: producer.id, kind, source }, 'producer created');
    return producer;
  }

  /** Consumes a producer of another peer; the consumer starts paused (resume it once the client has set it up). */
  async consume(transportId: string, producerId: string, rtpCapabilities?: types.RtpCapabilities): Promise<ConsumeResponse> {
    const transport = this.#assertTransport(transportId);
    const producer = this.host.findProducer(producerId);
    if (!producer) throw new NotFoundError(`no producer ${producerId} in engagement ${this.host.engagementId}`);
    const caps = rtpCapabilities ?? this.rtpCapabilities;
    if (!caps) throw new BadRequestError('rtpCapabilities are needed (at join or with consume)');
    if (!this.host.router.canConsume({ producerId, rtpCapabilities: caps })) {
      throw new BadRequestError(`peer ${this.id} cannot consume producer ${producerId} with the given rtpCapabilities`);
    }
    this.host.admitConsumer(producer.kind);
    const consumer = await transport.consume({ producerId, rtpCapabilities: caps, paused: true });
    if (this.#closed) {
      consumer.close();
      throw new InvalidStateError(`peer ${this.id} closed while consuming`);
    }
    this.#consumers.set(consumer.id, consumer);
    const gone = (reason: ConsumerCloseReason) => {
      if (!this.#consumers.delete(consumer.id) || this.#closed) return;
      this.#notify({ type: 'consumer/closed', engagementId: this.host.engagementId, peerId: this.id, consumerId: consumer.id, reason });
    };
    consumer.on('producerclose', () => gone('producer-closed'));
    consumer.on('transportclose', () => gone('transport-closed'));
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    consumer.on('producerpause', () =>
      this.#notify({ type: 'consumer/paused', engagementId: this.host.engagementId, peerId: this.id, consumerId: consumer.id }),
    );
    consumer.on('producerresume', () =>
      this.#notify({ type: 'consumer/resumed', engagementId: this.host.engagementId, peerId: this.id, consumerId: consumer.id }),
    );
    this.#log.info({ consumerId: consumer.id, producerId, kind: consumer.kind }, 'consumer created (paused)');
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, producerPaused: consumer.producerPaused };
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#assertConsumer(consumerId).resume();
  }

  closeConsumer(consumerId: string): void {
    this.#assertConsumer(consumerId).close();
    this.#consumers.delete(consumerId);
  }

  async pauseProducer(producerId: string): Promise<void> {
    await this.#assertProducer(producerId).pause();
  }

  async resumeProducer(producerId: string): Promise<void> {
    await this.#assertProducer(producerId).resume();
  }

  closeProducer(producerId: string): void {
    this.#assertProducer(producerId).close();
  }

  /** Idempotent: closes the peer's transports (and so its producers and consumers), then emits 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.#log.info('peer closed');
    this.emit('closed');
  }

  #notify(notification: SfuNotification): void {
    this.emit('notification', notification);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`peer ${this.id} is closed`);
  }

  #assertTransport(transportId: string): types.WebRtcTransport {
    this.#assertOpen();
    const transport = this.#transports.get(transportId);
    if (!transport) throw new NotFoundError(`peer ${this.id} has no transport ${transportId}`);
    return transport;
  }

  #assertProducer(producerId: string): types.Producer {
    this.#assertOpen();
    const producer = this.#producers.get(producerId);
    if (!producer) throw new NotFoundError(`peer ${this.id} has no producer ${producerId}`);
    return producer;
  }

  #assertConsumer(consumerId: string): types.Consumer {
    this.#assertOpen();
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new NotFoundError(`peer ${this.id} has no consumer ${consumerId}`);
    return consumer;
  }
}

/** What a producer carries: the given source if it fits the kind, else mic for audio and camera for video. */
export function producerSource(kind: types.MediaKind, given: unknown): MediaSource {
  if (given === undefined) return defaultSource(kind);
  if (typeof given !== 'string' || !(MEDIA_SOURCES as readonly string[]).includes(given)) throw new BadRequestError(`appData.source must be one of ${MEDIA_SOURCES.join(', ')}`);
  if (!sourceFits(kind, given as MediaSource)) throw new BadRequestError(`a ${kind} producer cannot carry source ${given}`);
  return given as MediaSource;
}
