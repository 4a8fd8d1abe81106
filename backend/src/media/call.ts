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
  /** Peers with a screen producer being created: a second concurrent one is refused too. */
  readonly #screensStarting = new Set<string>();
  /** Supervisors listening in now (SFU peer ids); each listen is recorded once. */
  readonly listening = new Set<string>();
  /** The call's SFU room died and media/reconnect went out; cleared by the next join (one reconnect per loss). */
  mediaLost = false;
  /** Someone joined the call's SFU room: it should exist on the SFU while the call runs. */
  roomExpected = false;
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

  /** Forgets one producer (it closed); the one forgotten, or undefined if it was not known. */
  removeProducer(id: string): ProducerInfo | undefined {
    const p = this.#producers.get(id);
    this.#producers.delete(id);
    return p;
  }

  /**
   * Reserves the one screen share a peer may run: false when it already shares (or is starting
   * to). Release the reservation with `screenStarted` once the SFU answered, either way.
   */
  reserveScreen(peerId: string): boolean {
    if (this.#screensStarting.has(peerId)) return false;
    for (const p of this.#producers.values()) if (p.peerId === peerId && p.source === 'screen') return false;
    this.#screensStarting.add(peerId);
    return true;
  }

  screenStarted(peerId: string): void {
    this.#screensStarting.delete(peerId);
  }

  /** Producers of everyone but `peerId`. */
  producersExcept(peerId: string): ProducerInfo[] {
    return [...this.#producers.values()].filter((p) => p.peerId !== peerId);
  }

  /** A peer rejoined (a reload): its former producers are gone with its former SFU peer. Returns them. */
  forgetPeer(peerId: string): ProducerInfo[] {
    const gone: ProducerInfo[] = [];
    for (const [id, p] of this.#producers) {
      if (p.peerId !== peerId) continue;
      this.#producers.delete(id);
      gone.push(p);
    }
    return gone;
  }

  /** The SFU room died with its worker: every producer is gone; the participants join again. */
  forgetAllProducers(): ProducerInfo[] {
    const gone = [...this.#producers.values()];
    this.#producers.clear();
    return gone;
  }

  /** Idempotent: closes the engagement's room on the SFU (its transports, producers, consumers), then emits 'closed'. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#producers.clear();
    this.listening.clear();
    this.sfu?.closeRoom(this.engagementId).catch((err: unknown) => this.log.warn({ err }, 'could not close the SFU room'));
    this.emit('closed');
  }
}
