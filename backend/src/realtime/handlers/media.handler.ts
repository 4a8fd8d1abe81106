import { Injectable } from '@nestjs/common';
import { MEDIA_EV, assertUnreachable, type ClientResults, type EngagementView, type ProducerInfo } from '@engage/protocol';
import type { Principal } from '../../auth/principal';
import { createLogger } from '../../common/logger';
import { EngagementsService } from '../../engagements/engagements.service';
import { CallsService, type CallParticipant } from '../../media/calls.service';
import { callRole } from '../access';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type MediaEvent = EventsOf<'media'>;

/** The SFU peer of a participant: one per role and person, derived from the token (never chosen by the client). */
export function callParticipant(p: Principal, view: EngagementView): CallParticipant {
  const role = callRole(p, view);
  const userId = 'userId' in p ? p.userId : 'unknown';
  return { role, peerId: role === 'customer' ? 'customer' : `${role}-${userId}`, name: p.name };
}

/** Calls: offer/answer/end, then the media signalling, each authorized for the caller's own engagement. */
@Injectable()
export class MediaHandler implements DomainHandler<'media'> {
  private readonly log = createLogger('media-handler');
  /** Supervisors listening in, by socket id: their SFU peers close when the socket goes. */
  private readonly listening = new Map<string, Map<string, CallParticipant>>();
  /** The socket that joined each listening peer last (engagement id + peer id): a reload's late disconnect leaves the new one alone. */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly calls: CallsService,
    private readonly engagements: EngagementsService,
  ) {}

  async handle(ctx: SocketContext, msg: Inbound<MediaEvent>): Promise<ClientResults[MediaEvent]> {
    const id = msg.payload.engagementId;
    // The customer, the assigned agent and listening supervisors; anyone else is refused here.
    const who = callParticipant(ctx.principal, await this.engagements.view(id));
    switch (msg.event) {
      case 'media/offer':
        return { call: await this.calls.offer(id, who, msg.payload.kind) };
      case 'media/respond':
        return { call: await this.calls.respond(id, who, msg.payload.accept) };
      case 'media/end':
        return { call: await this.calls.end(id, who) };
      case 'media/join': {
        // Registered before the join runs: a socket that goes meanwhile still closes the peer the join makes.
        if (who.role === 'supervisor') this.remember(ctx.id, id, who);
        let outcome: Awaited<ReturnType<CallsService['join']>>;
        try {
          outcome = await this.calls.join(id, who);
        } catch (err) {
          if (who.role === 'supervisor') this.forget(ctx.id, id, who);
          throw err;
        }
        // Listening means hearing the call's news too (new producers, reconnect), even without engagement/join.
        if (who.role === 'supervisor') ctx.joinEngagement(id);
        // The caller's former peer (a reload, a rejoin) is gone: the others stop consuming its producers.
        this.announceClosed(ctx, id, outcome.closed);
        return outcome.joined;
      }
      case 'media/leave': {
        if (who.role === 'supervisor') {
          // A page that listened before another took over the same peer (a reload) does not end the new listen.
          const owner = this.owners.get(`${id}|${who.peerId}`);
          if (owner !== undefined && owner !== ctx.id) return {};
          this.forget(ctx.id, id, who);
        }
        this.announceClosed(ctx, id, await this.calls.leave(id, who));
        return {};
      }
      case 'media/transport':
        return this.calls.createTransport(id, who, msg.payload.direction);
      case 'media/connect':
        return this.calls.connectTransport(id, who, msg.payload.transportId, msg.payload.dtlsParameters);
      case 'media/produce': {
        const { transportId, kind, rtpParameters, source } = msg.payload;
        const producer = await this.calls.produce(id, who, { transportId, kind, rtpParameters, source });
        // Announced to the other participants of this engagement only.
        ctx.toOthers(id, MEDIA_EV.newProducer, { engagementId: id, producer });
        return { producerId: producer.id };
      }
      case 'media/consume': {
        const { transportId, producerId, rtpCapabilities } = msg.payload;
        return this.calls.consume(id, who, { transportId, producerId, rtpCapabilities });
      }
      case 'media/resume':
        return this.calls.resumeConsumer(id, who, msg.payload.consumerId);
      case 'media/pause':
        return this.calls.setPaused(id, who, msg.payload.producerId, msg.payload.paused);
      case 'media/restart-ice':
        return this.calls.restartIce(id, who, msg.payload.transportId);
      case 'media/close-producer': {
        const producer = await this.calls.closeProducer(id, who, msg.payload.producerId);
        this.announceClosed(ctx, id, [producer]);
        return {};
      }
      default:
        return assertUnreachable(msg);
    }
  }

  /**
   * The socket is gone: the calls its supervisor listened to (or was joining: the leave waits for
   * that join) close its SFU peer. The customer and agent rejoin on reload instead.
   */
  async socketClosed(socketId: string): Promise<void> {
    const calls = this.listening.get(socketId);
    if (!calls) return;
    this.listening.delete(socketId);
    const mine = [...calls].filter(([engagementId, who]) => this.owners.get(`${engagementId}|${who.peerId}`) === socketId);
    for (const [engagementId, who] of mine) this.owners.delete(`${engagementId}|${who.peerId}`);
    await Promise.all(
      mine.map(([engagementId, who]) =>
        this.calls.leave(engagementId, who).catch((err: unknown) => this.log.warn({ err, eid: engagementId, peerId: who.peerId }, 'could not close a supervisor’s SFU peer')),
      ),
    );
  }

  private remember(socketId: string, engagementId: string, who: CallParticipant): void {
    const calls = this.listening.get(socketId) ?? new Map<string, CallParticipant>();
    calls.set(engagementId, who);
    this.listening.set(socketId, calls);
    this.owners.set(`${engagementId}|${who.peerId}`, socketId);
  }

  /** Unregisters a listen of this socket (it left, or its join failed); another socket's newer listen of the same peer stays. */
  private forget(socketId: string, engagementId: string, who: CallParticipant): void {
    const calls = this.listening.get(socketId);
    if (calls?.get(engagementId)?.peerId === who.peerId) calls.delete(engagementId);
    if (calls?.size === 0) this.listening.delete(socketId);
    const key = `${engagementId}|${who.peerId}`;
    if (this.owners.get(key) === socketId) this.owners.delete(key);
  }

  private announceClosed(ctx: SocketContext, engagementId: string, producers: ProducerInfo[]): void {
    for (const p of producers) ctx.toOthers(engagementId, MEDIA_EV.producerClosed, { engagementId, producerId: p.id, peerId: p.peerId });
  }
}
