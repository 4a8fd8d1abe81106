import { Injectable } from '@nestjs/common';
import { EV, MEDIA_EV, PROXY_EV, assertUnreachable, type ClientResults } from '@engage/protocol';
import { isStaff } from '../../auth/principal';
import { ForbiddenError } from '../../common/errors';
import { CobrowseService } from '../../cobrowse/cobrowse.service';
import { EngagementsService } from '../../engagements/engagements.service';
import { CallsService } from '../../media/calls.service';
import { isProxyParticipant } from '../../proxy/proxy-party';
import { ProxyService } from '../../proxy/proxy.service';
import { assertMayAccept, assertMayView, endReasonFor, participantRole } from '../access';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type EngagementEvent = EventsOf<'engagement'>;

@Injectable()
export class EngagementHandler implements DomainHandler<'engagement'> {
  constructor(
    private readonly engagements: EngagementsService,
    private readonly cobrowse: CobrowseService,
    private readonly calls: CallsService,
    private readonly proxy: ProxyService,
  ) {}

  async handle(ctx: SocketContext, msg: Inbound<EngagementEvent>): Promise<ClientResults[EngagementEvent]> {
    const id = msg.payload.engagementId;
    switch (msg.event) {
      case 'engagement/join': {
        const view = await this.engagements.view(id);
        assertMayView(ctx.principal, view);
        ctx.joinEngagement(id);
        // A desk that (re)joins shows the co-browse state as it is now.
        ctx.emit(EV.cobrowseState, this.cobrowse.view(id));
        ctx.emit(MEDIA_EV.state, this.calls.view(id));
        ctx.emit(PROXY_EV.state, this.proxy.view(id));
        // The shared page as it is now, even if it is at rest and paints nothing new — to the two
        // parties only, who are the ones live frames go to (staff watching the room get none).
        const frame = isProxyParticipant(ctx.principal, view.agent?.id ?? null) ? this.proxy.latestFrame(id) : undefined;
        if (frame) ctx.emit(PROXY_EV.frame, frame);
        const dialog = this.proxy.dialogFor(id, ctx.principal);
        if (dialog) ctx.emit(PROXY_EV.dialog, dialog);
        return { engagement: view };
      }
      case 'engagement/leave':
        if (!isStaff(ctx.principal)) throw new ForbiddenError('A customer stays in their engagement.');
        ctx.leaveEngagement(id);
        ctx.leaveWatchers(id);
        return {};
      case 'engagement/accept': {
        assertMayAccept(ctx.principal);
        if (!isStaff(ctx.principal)) throw new ForbiddenError();
        const engagement = await this.engagements.accept(id, ctx.principal);
        ctx.joinEngagement(id);
        return { engagement };
      }
      case 'engagement/end': {
        const reason = endReasonFor(ctx.principal, await this.engagements.view(id));
        const actor = isStaff(ctx.principal) ? 'agent' : 'customer';
        return { engagement: await this.engagements.end(id, reason, actor) };
      }
      case 'engagement/show-mode': {
        // Only the two participants switch what they show; a supervisor watches.
        const by = participantRole(ctx.principal, await this.engagements.view(id));
        const { mode } = msg.payload;
        const { entry } = await this.engagements.recordModeShown(id, by, mode);
        ctx.log.info({ eid: id, event: msg.event, mode, by }, 'mode shown');
        ctx.toOthers(id, EV.engagementModeShown, { engagementId: id, mode, by, entry });
        return { entry };
      }
      default:
        return assertUnreachable(msg);
    }
  }
}
