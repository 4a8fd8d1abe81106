import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MEDIA_EV, defaultSource, sourceFits, type CallRole, type CallView, type ClientResults, type EngagementView, type MediaKind, type MediaReconnectReason, type MediaSource, type MediasoupObject, type ProducerInfo, type SfuNotification } from '@engage/protocol';
import { ForbiddenError, InvalidPayloadError, InvalidStateError, NotFoundError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { IceServerIssuer } from './turn-credentials';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService, type Actor } from '../engagements/engagements.service';
import { Call } from './call';
import { NO_CALL, callTransition, type CallAction } from './call-state';
import { MediaBus } from './media-bus';
import { SFU_CLIENT, SfuClient, SfuRequestError } from './sfu-client';
import type { SfuEventStream } from './sfu-events';

/**
 * Who takes part in a call: the customer or the engagement's agent, as one SFU peer each; or a
 * supervisor listening in (receives audio only, sends nothing, changes nothing).
 */
export interface CallParticipant {
  role: CallRole;
  /** The SFU peer id: derived from the principal, never chosen by the client. */
  peerId: string;
  name: string;
}

/**
 * Calls of engagements: the offer/accept/decline/end state machine (each transition persisted —
 * audit row + engagements.call — before it is broadcast) and the media signalling relayed to the
 * SFU, authorized against the call's own producers.
 */
/** What a join answers the client, and the producers of the caller's former SFU peer it ended (for the others). */
export interface JoinOutcome {
  joined: ClientResults['media/join'];
  closed: ProducerInfo[];
}

const SUPERVISOR_ONLY_LISTENS = 'A supervisor listens in: no sending, muting or call changes.';

@Injectable()
export class CallsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger('calls');
  private readonly calls = new Map<string, Call>();
  /** Last reason a call of the engagement ended, until the next offer. */
  private readonly reasons = new Map<string, string>();
  /** Transitions of one engagement run one after another. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Joins and leaves of one SFU peer (engagement id + peer id) run one after another: a leave never overtakes the join it undoes. */
  private readonly peerQueues = new Map<string, Promise<unknown>>();
  private readonly sfu: SfuClient | undefined;
  /** STUN from ICE_SERVERS, plus TURN with a credential of this join's own (TURN REST scheme) when TURN is set. */
  private readonly ice: IceServerIssuer;
  private events: SfuEventStream | undefined;
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
    this.ice = IceServerIssuer.fromConfig(config);
  }

  onModuleInit(): void {
    this.engagementBus.on('changed', this.onEngagementChanged);
    // What happens in the SFU without an order (a worker dies, someone speaks) arrives here.
    this.events = this.sfu?.openEvents();
    this.events?.on('notification', (n) => this.onSfuNotification(n));
    // A stream that dropped may have missed a death (or the SFU restarted): check the rooms again.
    this.events?.on('connected', () => void this.checkRooms());
  }

  onModuleDestroy(): void {
    this.engagementBus.off('changed', this.onEngagementChanged);
    this.events?.close();
    this.events = undefined;
    for (const call of this.calls.values()) call.close();
    this.calls.clear();
  }

  get available(): boolean {
    return this.sfu !== undefined;
  }

  /** Whether the SFU's event stream (worker deaths, speakers) is open right now. */
  get sfuEventsConnected(): boolean {
    return this.events?.connected ?? false;
  }

  /** The SFU's event stream, for /health and /metrics; undefined without an SFU (or once shut down). */
  get sfuEventStream(): SfuEventStream | undefined {
    return this.events;
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
    if (who.role === 'supervisor') return Promise.reject(new ForbiddenError(SUPERVISOR_ONLY_LISTENS));
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

  /**
   * Joins (or joins again: a reload, a media/reconnect) the call's SFU room as a fresh peer. A
   * supervisor's listen is written to the timeline once the SFU took the peer, before the answer
   * (so before anything can be consumed); a join that fails leaves no row and no listening peer.
   * Runs after any join or leave of the same peer still in flight.
   */
  join(engagementId: string, who: CallParticipant): Promise<JoinOutcome> {
    return this.serialize(this.peerQueues, `${engagementId}|${who.peerId}`, () => this.joinNow(engagementId, who));
  }

  private async joinNow(engagementId: string, who: CallParticipant): Promise<JoinOutcome> {
    const call = this.assertActive(engagementId);
    const sfu = this.assertSfu();
    const newListen = who.role === 'supervisor' && !call.listening.has(who.peerId);
    if (newListen) call.listening.add(who.peerId);
    let joined: Awaited<ReturnType<SfuClient['join']>>;
    let closed: ProducerInfo[];
    try {
      // A participant joining again starts from a fresh peer: its former producers end.
      closed = call.forgetPeer(who.peerId);
      await sfu.closePeer(engagementId, who.peerId);
      joined = await sfu.join(engagementId, who.peerId);
    } catch (err) {
      // Its former peer is closed (or in doubt) and no new one runs: not listening; a later listen is recorded again.
      if (who.role === 'supervisor') call.listening.delete(who.peerId);
      throw err;
    }
    // The call may have ended while the SFU worked: the room this join made again must not outlive it.
    if (this.calls.get(engagementId) !== call || call.closed || call.snapshot.status !== 'active') {
      if (newListen) call.listening.delete(who.peerId);
      await this.dropOrphan(engagementId, who);
      throw new InvalidStateError('The call ended while you were joining it.');
    }
    if (newListen) {
      try {
        await this.recordListen(engagementId, call, who);
      } catch (err) {
        // No listening without its timeline row: the peer the SFU just made goes again.
        call.listening.delete(who.peerId);
        await sfu.closePeer(engagementId, who.peerId).catch((e: unknown) => this.log.warn({ err: e, eid: engagementId, peerId: who.peerId }, 'could not close the SFU peer of an unrecorded listen'));
        throw err;
      }
    }
    // Only now does the SFU have the room: a check of the rooms before this would find none and call it lost.
    call.mediaLost = false;
    call.roomExpected = true;
    const producers = call.producersExcept(who.peerId).filter((p) => who.role !== 'supervisor' || p.kind === 'audio');
    this.log.info({ eid: engagementId, event: 'media/join', peerId: who.peerId, role: who.role, producers: producers.length }, 'joined the call media');
    return { joined: { routerRtpCapabilities: joined.routerRtpCapabilities, iceServers: this.ice.iceServersFor(`${who.peerId}@${engagementId}`, new Date()), producers, peerId: who.peerId }, closed };
  }

  /** A join that finished after its call ended: the room goes if no call runs, only the peer if a new call took its place. */
  private async dropOrphan(engagementId: string, who: CallParticipant): Promise<void> {
    const sfu = this.assertSfu();
    try {
      if (this.calls.has(engagementId)) await sfu.closePeer(engagementId, who.peerId);
      else await sfu.closeRoom(engagementId);
    } catch (err) {
      this.log.warn({ err, eid: engagementId, peerId: who.peerId }, 'could not close the SFU room of a call that ended during a join');
    }
  }

  /**
   * The caller leaves the call's media (media/leave, or a listening supervisor's socket went): its
   * SFU peer closes, the call goes on. A supervisor's later listen is recorded again. Returns the
   * producers that ended with the peer (the customer's or agent's), for the others to drop. Runs
   * after a join of the same peer still in flight, so it closes what that join made.
   */
  leave(engagementId: string, who: CallParticipant): Promise<ProducerInfo[]> {
    return this.serialize(this.peerQueues, `${engagementId}|${who.peerId}`, () => this.leaveNow(engagementId, who));
  }

  private async leaveNow(engagementId: string, who: CallParticipant): Promise<ProducerInfo[]> {
    const call = this.calls.get(engagementId);
    if (!call || call.closed || !this.sfu) return [];
    if (who.role === 'supervisor' && !call.listening.delete(who.peerId)) return [];
    const closed = call.forgetPeer(who.peerId);
    try {
      await this.sfu.closePeer(engagementId, who.peerId);
    } catch (err) {
      // Still there on the SFU: still known here, so a retry (or the call's end) closes it.
      for (const p of closed) call.addProducer(p);
      if (who.role === 'supervisor') call.listening.add(who.peerId);
      throw err;
    }
    this.log.info({ eid: engagementId, event: 'media/leave', peerId: who.peerId, role: who.role, producers: closed.length }, who.role === 'supervisor' ? 'supervisor stopped listening' : 'left the call media');
    return closed;
  }

  async createTransport(engagementId: string, who: CallParticipant, direction: 'send' | 'recv'): Promise<ClientResults['media/transport']> {
    this.assertActive(engagementId);
    if (who.role === 'supervisor' && direction === 'send') throw new ForbiddenError('A supervisor listens in: only a receiving transport.');
    return this.assertSfu().createTransport(engagementId, who.peerId, direction);
  }

  async connectTransport(engagementId: string, who: CallParticipant, transportId: string, dtlsParameters: MediasoupObject): Promise<ClientResults['media/connect']> {
    this.assertActive(engagementId);
    await this.assertSfu().connectTransport(engagementId, who.peerId, transportId, dtlsParameters);
    return {};
  }

  /**
   * Returns the new producer, for the caller to announce to the other participants. A screen share
   * (video, source screen) is allowed in audio and video calls, one at a time per participant; the
   * camera only in video calls.
   */
  async produce(engagementId: string, who: CallParticipant, req: { transportId: string; kind: MediaKind; rtpParameters: MediasoupObject; source?: MediaSource }): Promise<ProducerInfo> {
    const call = this.assertActive(engagementId);
    if (who.role === 'supervisor') throw new ForbiddenError(SUPERVISOR_ONLY_LISTENS);
    const source: MediaSource = req.source ?? defaultSource(req.kind);
    if (!sourceFits(req.kind, source)) {
      throw new InvalidPayloadError(req.kind === 'audio' ? 'An audio producer carries the microphone (source mic).' : 'A video producer carries the camera or the screen (source camera or screen).');
    }
    if (source === 'camera' && call.snapshot.kind !== 'video') throw new ForbiddenError('This is an audio call: no camera (sharing your screen is allowed).');
    const screen = source === 'screen';
    if (screen && !call.reserveScreen(who.peerId)) throw new InvalidStateError('You are already sharing your screen.');
    try {
      const { producerId } = await this.assertSfu().produce(engagementId, who.peerId, { transportId: req.transportId, kind: req.kind, rtpParameters: req.rtpParameters, source });
      const info: ProducerInfo = { id: producerId, peerId: who.peerId, kind: req.kind, paused: false, source };
      call.addProducer(info);
      this.log.info({ eid: engagementId, event: 'media/produce', peerId: who.peerId, kind: req.kind, source }, 'producer added');
      return info;
    } finally {
      if (screen) call.screenStarted(who.peerId);
    }
  }

  /** Ends one of the caller's own producers (stop sharing the screen); returns it, for the caller to tell the others. */
  async closeProducer(engagementId: string, who: CallParticipant, producerId: string): Promise<ProducerInfo> {
    const call = this.assertActive(engagementId);
    if (who.role === 'supervisor') throw new ForbiddenError(SUPERVISOR_ONLY_LISTENS);
    const producer = call.producer(producerId);
    if (!producer || producer.peerId !== who.peerId) throw new ForbiddenError('Only your own producer can be closed.');
    // Forgotten first: the SFU's producer/closed notification then finds nothing left to announce.
    call.removeProducer(producerId);
    try {
      await this.assertSfu().closeProducer(engagementId, who.peerId, producerId);
    } catch (err) {
      call.addProducer(producer);
      throw err;
    }
    this.log.info({ eid: engagementId, event: 'media/close-producer', peerId: who.peerId, kind: producer.kind, source: producer.source }, 'producer closed');
    return producer;
  }

  /**
   * New ICE parameters for one of the caller's own transports (the SFU knows whose it is), and the
   * ICE servers again with a fresh TURN credential: the join's may have expired (TURN_TTL_S), and a
   * restart that has to allocate a new relay with it would be refused (401).
   */
  async restartIce(engagementId: string, who: CallParticipant, transportId: string): Promise<ClientResults['media/restart-ice']> {
    this.assertActive(engagementId);
    try {
      const { iceParameters } = await this.assertSfu().restartIce(engagementId, who.peerId, transportId);
      this.log.info({ eid: engagementId, event: 'media/restart-ice', peerId: who.peerId, transportId }, 'ICE restarted');
      return { iceParameters, iceServers: this.ice.iceServersFor(`${who.peerId}@${engagementId}`, new Date()) };
    } catch (err) {
      if (err instanceof SfuRequestError && err.httpStatus === 404) throw new NotFoundError('This transport is not one of yours in this call; join the call again.');
      throw err;
    }
  }

  /** Only a producer of this engagement's call, and not the caller's own. */
  async consume(engagementId: string, who: CallParticipant, req: { transportId: string; producerId: string; rtpCapabilities: MediasoupObject }): Promise<ClientResults['media/consume']> {
    const call = this.assertActive(engagementId);
    const producer = call.producer(req.producerId);
    if (!producer) throw new ForbiddenError('This producer is not part of your engagement’s call.');
    if (producer.peerId === who.peerId) throw new ForbiddenError('A participant does not consume its own producer.');
    if (who.role === 'supervisor' && producer.kind !== 'audio') throw new ForbiddenError('A supervisor listens in: audio only.');
    return this.assertSfu().consume(engagementId, who.peerId, req);
  }

  async resumeConsumer(engagementId: string, who: CallParticipant, consumerId: string): Promise<ClientResults['media/resume']> {
    this.assertActive(engagementId);
    await this.assertSfu().resumeConsumer(engagementId, who.peerId, consumerId);
    return {};
  }

  async setPaused(engagementId: string, who: CallParticipant, producerId: string, paused: boolean): Promise<ClientResults['media/pause']> {
    const call = this.assertActive(engagementId);
    if (who.role === 'supervisor') throw new ForbiddenError(SUPERVISOR_ONLY_LISTENS);
    const producer = call.producer(producerId);
    if (!producer || producer.peerId !== who.peerId) throw new ForbiddenError('Only your own producer can be paused.');
    await this.assertSfu().setProducerPaused(engagementId, who.peerId, producerId, paused);
    producer.paused = paused;
    return {};
  }

  // ───────── what the SFU tells without an order ─────────

  private onSfuNotification(n: SfuNotification): void {
    switch (n.type) {
      case 'worker/died':
        for (const id of n.engagementIds) this.mediaLost(id, n.pid, 'worker-died');
        return;
      case 'room/closed':
        if (n.reason === 'worker-died') this.mediaLost(n.engagementId, undefined, 'worker-died');
        return;
      case 'room/speaker':
        if (this.calls.get(n.engagementId)?.snapshot.status === 'active') {
          this.bus.emit('notice', { event: MEDIA_EV.speaker, payload: { engagementId: n.engagementId, peerId: n.peerId } });
        }
        return;
      case 'producer/closed': {
        // Closed on the SFU's side (its transport went): the others stop consuming it.
        const gone = this.calls.get(n.engagementId)?.removeProducer(n.producerId);
        if (gone) this.bus.emit('notice', { event: MEDIA_EV.producerClosed, payload: { engagementId: n.engagementId, producerId: gone.id, peerId: gone.peerId } });
        return;
      }
      default:
        return;
    }
  }

  /**
   * The SFU room of an active call died with its worker (the SFU reports it twice: worker/died and
   * room/closed; one reconnect goes out until someone joins again). The call goes on: its producers
   * are forgotten and every participant is told to join again, which lands on a live worker.
   */
  private mediaLost(engagementId: string, workerPid: number | undefined, reason: MediaReconnectReason): void {
    const call = this.calls.get(engagementId);
    if (!call || call.snapshot.status !== 'active' || call.mediaLost) return;
    call.mediaLost = true;
    const gone = call.forgetAllProducers();
    this.log.warn({ eid: engagementId, event: 'media/reconnect', workerPid, reason, producers: gone.length }, 'the call lost its SFU media; its participants join again');
    this.bus.emit('notice', { event: MEDIA_EV.reconnect, payload: { engagementId, reason } });
  }

  /**
   * After the SFU's event stream (re)connects: an active call whose room the SFU no longer has lost
   * its media while nobody was listening (the stream was down, the SFU restarted).
   */
  private async checkRooms(): Promise<void> {
    const sfu = this.sfu;
    if (!sfu) return;
    for (const call of [...this.calls.values()]) {
      if (call.snapshot.status !== 'active' || !call.roomExpected || call.mediaLost) continue;
      try {
        await sfu.room(call.engagementId);
      } catch (err) {
        if (err instanceof SfuRequestError && err.httpStatus === 404) this.mediaLost(call.engagementId, undefined, 'room-lost');
        else this.log.warn({ err, eid: call.engagementId }, 'could not check the call’s SFU room');
      }
    }
  }

  /** One timeline row per listen (engagements.call stays as it is), then a media/state hint so open timelines fetch it. */
  private async recordListen(engagementId: string, call: Call, who: CallParticipant): Promise<void> {
    await this.engagements.recordCallChange(engagementId, { type: 'call.listen', actor: 'supervisor', detail: { name: who.name, peerId: who.peerId, kind: call.snapshot.kind }, call: call.snapshot.kind ?? 'off', requireActive: true });
    this.log.info({ eid: engagementId, event: 'call.listen', peerId: who.peerId }, 'a supervisor listens in');
    this.bus.emit('state', call.view());
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
    return this.serialize(this.queues, engagementId, () => this.applyNow(engagementId, action, actor, detail));
  }

  /** Runs `fn` after whatever runs under `key` in `queues` (a failure of the one before does not stop it). */
  private serialize<T>(queues: Map<string, Promise<unknown>>, key: string, fn: () => Promise<T>): Promise<T> {
    const prev = queues.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    queues.set(key, run);
    void run.finally(() => {
      if (queues.get(key) === run) queues.delete(key);
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
