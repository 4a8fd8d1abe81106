import { Injectable } from '@nestjs/common';
import { MEDIA_EV, assertUnreachable, type ClientResults, type EngagementView } from '@engage/protocol';
import type { Principal } from '../../auth/principal';
import { EngagementsService } from '../../engagements/engagements.service';
import { CallsService, type CallParticipant } from '../../media/calls.service';
import { participantRole } from '../access';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type MediaEvent = EventsOf<'media'>;

/** The SFU peer of a participant: one per role and person, derived from the token. */
export function callParticipant(p: Principal, view: EngagementView): CallParticipant {
  const role = participantRole(p, view);
  return { role, peerId: role === 'customer' ? 'customer' : `agent-${'userId' in p ? p.userId : 'unknown'}`, name: p.name };
}

/** Calls: offer/answer/end, then the media signalling, each authorized for the caller's own engagement. */
@Injectable()
export class MediaHandler implements DomainHandler<'media'> {
  constructor(
    private readonly calls: CallsService,
    private readonly engagements: EngagementsService,
  ) {}

  async handle(ctx: SocketContext, msg: Inbound<MediaEvent>): Promise<ClientResults[MediaEvent]> {
    const id = msg.payload.engagementId;
    // Only the customer and the assigned agent take part; anyone else is refused here.
    const who = callParticipant(ctx.principal, await this.engagements.view(id));
    switch (msg.event) {
      case 'media/offer':
        return { call: await this.calls.offer(id, who, msg.payload.kind) };
      case 'media/respond':
        return { call: await this.calls.respond(id, who, msg.payload.accept) };
      case 'media/end':
        return { call: await this.calls.end(id, who) };
      case 'media/join':
        return this.calls.join(id, who);
      case 'media/transport':
        return this.calls.createTransport(id, who, msg.payload.direction);
      case 'media/connect':
        return this.calls.connectTransport(id, who, msg.payload.transportId, msg.payload.dtlsParameters);
      case 'media/produce': {
        const { transportId, kind, rtpParameters } = msg.payload;
        const producer = await this.calls.produce(id, who, { transportId, kind, rtpParameters });
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
      default:
        return assertUnreachable(msg);
    }
  }
}
