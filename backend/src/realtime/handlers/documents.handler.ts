import { Injectable } from '@nestjs/common';
import { assertUnreachable, type ClientResults } from '@engage/protocol';
import { DocumentRoomService } from '../../documents/document-room.service';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type DocEvent = EventsOf<'doc'>;

/**
 * The document room. Every event is authorized against the engagement by the room service: the
 * customer and the assigned agent write; supervisors may only open the room and read annotations.
 */
@Injectable()
export class DocumentsHandler implements DomainHandler<'doc'> {
  constructor(private readonly room: DocumentRoomService) {}

  async handle(ctx: SocketContext, msg: Inbound<DocEvent>): Promise<ClientResults[DocEvent]> {
    const p = ctx.principal;
    switch (msg.event) {
      case 'doc/open': {
        const result = await this.room.open(p, msg.payload.engagementId);
        // Authorized above: staff opening the room get its broadcasts too.
        ctx.joinEngagement(msg.payload.engagementId);
        return result;
      }
      case 'doc/annotations':
        return this.room.annotations(p, msg.payload.engagementId, msg.payload.documentId);
      case 'doc/view':
        return this.room.setView(p, msg.payload.engagementId, msg.payload.view, ctx.id);
      case 'doc/present':
        return this.room.present(p, msg.payload.engagementId, ctx.id);
      case 'doc/annotate':
        return this.room.annotate(p, msg.payload, ctx.id);
      case 'doc/erase':
        return this.room.erase(p, msg.payload, ctx.id);
      case 'doc/stroke':
        return this.room.stroke(p, msg.payload, ctx.id);
      case 'doc/field':
        return this.room.setField(p, msg.payload, ctx.id);
      case 'doc/field-policy':
        return this.room.setFieldPolicy(p, msg.payload, ctx.id);
      case 'doc/sign':
        return this.room.sign(p, msg.payload, ctx.id);
      case 'doc/export':
        ctx.log.info({ eid: msg.payload.engagementId, event: msg.event, complete: msg.payload.complete }, 'export');
        return this.room.export(p, msg.payload, ctx.id);
      case 'doc/video':
        return this.room.video(p, msg.payload, ctx.id);
      case 'doc/calc':
        return this.room.calc(p, msg.payload, ctx.id);
      default:
        return assertUnreachable(msg);
    }
  }
}
