import { Injectable } from '@nestjs/common';
import { EV, assertUnreachable, type ClientResults } from '@engage/protocol';
import { ChatService } from '../../chat/chat.service';
import { ForbiddenError } from '../../common/errors';
import { EngagementsService } from '../../engagements/engagements.service';
import { assertMayChat, participantRole } from '../access';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type ChatEvent = EventsOf<'chat'>;

@Injectable()
export class ChatHandler implements DomainHandler<'chat'> {
  constructor(
    private readonly chat: ChatService,
    private readonly engagements: EngagementsService,
  ) {}

  async handle(ctx: SocketContext, msg: Inbound<ChatEvent>): Promise<ClientResults[ChatEvent]> {
    const view = await this.engagements.view(msg.payload.engagementId);
    switch (msg.event) {
      case 'chat/send': {
        const role = assertMayChat(ctx.principal, view);
        return this.chat.send({ ...msg.payload, role, name: ctx.principal.name });
      }
      case 'chat/history':
        if (!ctx.engagements.has(view.id)) throw new ForbiddenError('Join this engagement first.');
        return this.chat.history(view.id, msg.payload.afterSeq);
      case 'chat/typing': {
        const role = participantRole(ctx.principal, view);
        if (view.state !== 'ended') ctx.toOthers(view.id, EV.chatTypingChanged, { engagementId: view.id, role, name: ctx.principal.name, typing: msg.payload.typing });
        return {};
      }
      case 'chat/read': {
        const role = participantRole(ctx.principal, view);
        await this.engagements.markRead(view.id, role, msg.payload.seq);
        return {};
      }
      default:
        return assertUnreachable(msg);
    }
  }
}
