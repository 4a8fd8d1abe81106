import { EventEmitter } from 'node:events';
import type { CallView, ProducerInfo } from '@engage/protocol';
import type { Logger } from 'pino';
import type { CallSnapshot } from './call-state';
import type { SfuClient } from './sfu-client';

export interface CallEvents {
  /** The call's media is torn down (room closed on the SFU, producers forgotten). */
  closed: [];
}

/**
 * One offered or running call of an engagement: its state and the producers its participants
 * send, which is what the backend authorizes consuming against. Closed once, when the call ends.
 */
export class Call extends EventEmitter<CallEvents> {
  readonly #producers = new Map<string, ProducerInfo>();
  #closed = false;

  private constructor(
    readonly engagementId: string,
    public snapshot: CallSnapshot,
    public since: string,
    private readonly sfu: SfuClient | undefined,
    private readonly log: Logger,
  ) {
    super();
  }

  static create(options: { engagementId: string; snapshot: CallSnapshot; sfu: SfuClient | undefined; log: Logger }): Call {
    return new Call(options.engagementId, options.snapshot, new Date().toISOString(), options.sfu, options.log.child({ eid: options.engagementId }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  view(): CallView {
    const s = this.snapshot;
    return { engagementId: this.engagementId, status: s.status, kind: s.kind, offeredBy: s.offeredBy, reason: null, since: this.since };
  }

  addProducer(p: ProducerInfo): void {
    if (!this.#closed) this.#producers.set(p.id, p);
  }

  producer(id: string): ProducerInfo | undefined {
    return this.#producers.get(id);
  }

  /** Producers of everyone but `peerId`. */
  producersExcept(peerId: string): ProducerInfo[] {
    return [...this.#producers.values()].filter((p) => p.peerId !== peerId);
  }

  /** A peer rejoined (a reload): its former producers are gone with its former SFU peer. */
  forgetPeer(peerId: string): void {
    for (const [id, p] of this.#producers) if (p.peerId === peerId) this.#producers.delete(id);
  }

  /** Idempotent: closes the engagement's room on the SFU (its transports, producers, consumers), then emits 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#producers.clear();
    this.sfu?.closeRoom(this.engagementId).catch((err: unknown) => this.log.warn({ err }, 'could not close the SFU room'));
    this.emit('closed');
  }
}
