import { Injectable } from '@nestjs/common';
import { assertUnreachable, type ClientResults } from '@engage/protocol';
import { EngagementsService } from '../../engagements/engagements.service';
import { ProxyService } from '../../proxy/proxy.service';
import { participantRole } from '../access';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type ProxyEvent = EventsOf<'proxy'>;

/** Browse together: only the customer and the assigned agent of the engagement take part. */
@Injectable()
export class ProxyHandler implements DomainHandler<'proxy'> {
  constructor(
    private readonly proxy: ProxyService,
    private readonly engagements: EngagementsService,
  ) {}

  async handle(ctx: SocketContext, msg: Inbound<ProxyEvent>): Promise<ClientResults[ProxyEvent]> {
    const id = msg.payload.engagementId;
    const view = await this.engagements.view(id);
    const who = participantRole(ctx.principal, view);
    switch (msg.event) {
      case 'proxy/start':
        ctx.log.info({ eid: id, event: msg.event, who }, 'browse together');
        return { proxy: await this.proxy.start(view, who, msg.payload.url, msg.payload.device) };
      case 'proxy/device':
        this.proxy.setDevice(id, who, msg.payload.device);
        return {};
      case 'proxy/input':
        await this.proxy.input(id, who, msg.payload.input);
        return {};
      case 'proxy/navigate':
        return { proxy: await this.proxy.navigate(view, who, msg.payload.command) };
      case 'proxy/control':
        return { proxy: await this.proxy.takeControl(id, who) };
      case 'proxy/stop':
        return { proxy: await this.proxy.stop(id, who) };
      case 'proxy/dialog-answer':
        return { proxy: await this.proxy.answerDialog(id, who, msg.payload.dialogId, msg.payload.accept, msg.payload.text) };
      case 'proxy/pointer':
        this.proxy.pointer(id, who, msg.payload);
        return {};
      default:
        return assertUnreachable(msg);
    }
  }
}
