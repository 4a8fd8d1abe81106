import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { CallView, ClientResults, EngagementView, IceServer, MediaKind, MediasoupObject, ProducerInfo } from '@engage/protocol';
import { ForbiddenError, InvalidStateError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService, type Actor } from '../engagements/engagements.service';
import { Call } from './call';
import { NO_CALL, callTransition, type CallAction } from './call-state';
import { MediaBus } from './media-bus';
import { SFU_CLIENT, SfuClient } from './sfu-client';

/** Who takes part in a call: the customer or the engagement's agent, as one SFU peer each. */
export interface CallParticipant {
  role: 'customer' | 'agent';
  /** The SFU peer id: derived from the principal, never chosen by the client. */
  peerId: string;
  name: string;
}

/**
 * Calls of engagements: the offer/accept/decline/end state machine (each transition persisted —
 * audit row + engagements.call — before it is broadcast) and the media signalling relayed to the
 * SFU, authorized against the call's own producers.
 */
@Injectable()
export class CallsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger('calls');
  private readonly calls = new Map<string, Call>();
  /** Last reason a call of the engagement ended, until the next offer. */
  private readonly reasons = new Map<string, string>();
  /** Transitions of one engagement run one after another. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly sfu: SfuClient | undefined;
  private readonly iceServers: IceServer[];
  private readonly onEngagementChanged = (v: EngagementView) => {
    if (v.state === 'ended' && this.calls.has(v.id)) void this.engagementEnded(v.id);
  };

  constructor(
    private readonly engagements: EngagementsService,
    private readonly engagementBus: EngagementBus,
    private readonly bus: MediaBus,
    config: AppConfig,
    @Inject(SFU_CLIENT) sfu: SfuClient | null,
  ) {
    this.sfu = sfu ?? undefined;
    this.iceServers = config.get('iceServers');
  }

  onModuleInit(): void {
    this.engagementBus.on('changed', this.onEngagementChanged);
  }

  onModuleDestroy(): void {
    this.engagementBus.off('changed', this.onEngagementChanged);
    for (const call of this.calls.values()) call.close();
    this.calls.clear();
  }

  get available(): boolean {
    return this.sfu !== undefined;
  }

  view(engagementId: string): CallView {
    const call = this.calls.get(engagementId);
    if (call) return call.view();
    return { engagementId, status: 'off', kind: null, offeredBy: null, reason: this.reasons.get(engagementId) ?? null, since: null };
  }

  offer(engagementId: string, who: CallParticipant, kind: MediaKind): Promise<CallView> {
    if (who.role !== 'agent') return Promise.reject(new ForbiddenError('Only the agent offers a call.'));
    if (!this.sfu) return Promise.reject(new InvalidStateError('Calls are not available: no media server is configured.'));
    return this.apply(engagementId, { type: 'offer', kind, by: who.name }, 'agent', { kind });
  }

  respond(engagementId: string, who: CallParticipant, accept: boolean): Promise<CallView> {
    if (who.role !== 'customer') return Promise.reject(new ForbiddenError('The customer answers a call offer.'));
    return this.apply(engagementId, accept ? { type: 'accept' } : { type: 'decline' }, 'customer', {});
  }

  end(engagementId: string, who: CallParticipant): Promise<CallView> {
    return this.apply(engagementId, { type: 'end', by: who.role }, who.role, { by: who.role });
  }

  /** The engagement ended: so does its call (engagements.call is already off in the same row). */
  private async engagementEnded(engagementId: string): Promise<void> {
    try {
      await this.apply(engagementId, { type: 'end', by: 'system' }, 'system', { by: 'system', reason: 'engagement-ended' });
    } catch (err) {
      if (!(err instanceof InvalidStateError)) this.log.error({ err, eid: engagementId, event: 'engagement/ended' }, 'could not end the call of an ended engagement');
    }
  }

  // ───────── media signalling (only during an active call, only the caller's own peer) ─────────

  async join(engagementId: string, who: CallParticipant): Promise<ClientResults['media/join']> {
    const call = this.assertActive(engagementId);
    const sfu = this.assertSfu();
    // A participant joining again (a reload) starts from a fresh peer.
    call.forgetPeer(who.peerId);
    await sfu.closePeer(engagementId, who.peerId);
    const joined = await sfu.join(engagementId, who.peerId);
    return { routerRtpCapabilities: joined.routerRtpCapabilities, iceServers: this.iceServers, producers: call.producersExcept(who.peerId), peerId: who.peerId };
  }

  async createTransport(engagementId: string, who: CallParticipant, direction: 'send' | 'recv'): Promise<ClientResults['media/transport']> {
    this.assertActive(engagementId);
    return this.assertSfu().createTransport(engagementId, who.peerId, direction);
  }

  async connectTransport(engagementId: string, who: CallParticipant, transportId: string, dtlsParameters: MediasoupObject): Promise<ClientResults['media/connect']> {
    this.assertActive(engagementId);
    await this.assertSfu().connectTransport(engagementId, who.peerId, transportId, dtlsParameters);
    return {};
  }

  /** Returns the new producer, for the caller to announce to the other participants. */
  async produce(engagementId: string, who: CallParticipant, req: { transportId: string; kind: MediaKind; rtpParameters: MediasoupObject }): Promise<ProducerInfo> {
    const call = this.assertActive(engagementId);
    if (req.kind === 'video' && call.snapshot.kind !== 'video') throw new ForbiddenError('This is an audio call.');
    const { producerId } = await this.assertSfu().produce(engagementId, who.peerId, req);
    const info: ProducerInfo = { id: producerId, peerId: who.peerId, kind: req.kind, paused: false };
    call.addProducer(info);
    this.log.info({ eid: engagementId, event: 'media/produce', peerId: who.peerId, kind: req.kind }, 'producer added');
    return info;
  }

  /** Only a producer of this engagement's call, and not the caller's own. */
  async consume(engagementId: string, who: CallParticipant, req: { transportId: string; producerId: string; rtpCapabilities: MediasoupObject }): Promise<ClientResults['media/consume']> {
    const call = this.assertActive(engagementId);
    const producer = call.producer(req.producerId);
    if (!producer) throw new ForbiddenError('This producer is not part of your engagement’s call.');
    if (producer.peerId === who.peerId) throw new ForbiddenError('A participant does not consume its own producer.');
    return this.assertSfu().consume(engagementId, who.peerId, req);
  }

  async resumeConsumer(engagementId: string, who: CallParticipant, consumerId: string): Promise<ClientResults['media/resume']> {
    this.assertActive(engagementId);
    await this.assertSfu().resumeConsumer(engagementId, who.peerId, consumerId);
    return {};
  }

  async setPaused(engagementId: string, who: CallParticipant, producerId: string, paused: boolean): Promise<ClientResults['media/pause']> {
    const call = this.assertActive(engagementId);
    const producer = call.producer(producerId);
    if (!producer || producer.peerId !== who.peerId) throw new ForbiddenError('Only your own producer can be paused.');
    await this.assertSfu().setProducerPaused(engagementId, who.peerId, producerId, paused);
    producer.paused = paused;
    return {};
  }

  // ───────── internals ─────────

  private assertActive(engagementId: string): Call {
    const call = this.calls.get(engagementId);
    if (!call || call.snapshot.status !== 'active') throw new InvalidStateError('No call is running in this engagement.');
    return call;
  }

  private assertSfu(): SfuClient {
    if (!this.sfu) throw new InvalidStateError('Calls are not available: no media server is configured.');
    return this.sfu;
  }

  private apply(engagementId: string, action: CallAction, actor: Actor, detail: Record<string, unknown>): Promise<CallView> {
    const prev = this.queues.get(engagementId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.applyNow(engagementId, action, actor, detail));
    this.queues.set(engagementId, run);
    void run.finally(() => {
      if (this.queues.get(engagementId) === run) this.queues.delete(engagementId);
    }).catch(() => undefined);
    return run;
  }

  private async applyNow(engagementId: string, action: CallAction, actor: Actor, detail: Record<string, unknown>): Promise<CallView> {
    const current = this.calls.get(engagementId);
    const t = callTransition(current?.snapshot ?? NO_CALL, action);
    const requireActive = action.type === 'offer' || action.type === 'accept';
    await this.engagements.recordCallChange(engagementId, { type: t.audit, actor, detail: { ...detail, kind: t.next.kind ?? current?.snapshot.kind ?? null }, call: t.column, requireActive });
    let view: CallView;
    if (t.next.status === 'off') {
      current?.close();
      this.calls.delete(engagementId);
      if (t.reason) this.reasons.set(engagementId, t.reason);
      view = this.view(engagementId);
    } else if (current) {
      current.snapshot = t.next;
      current.since = new Date().toISOString();
      view = current.view();
    } else {
      this.reasons.delete(engagementId);
      const call = Call.create({ engagementId, snapshot: t.next, sfu: this.sfu, log: this.log });
      this.calls.set(engagementId, call);
      view = call.view();
    }
    this.log.info({ eid: engagementId, event: t.audit, actor, status: view.status, kind: view.kind }, 'call changed');
    this.bus.emit('state', view);
    return view;
  }
}
