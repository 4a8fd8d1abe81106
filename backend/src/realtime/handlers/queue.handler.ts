import { Injectable } from '@nestjs/common';
import { assertUnreachable, type ClientResults, type EngagementView } from '@engage/protocol';
import { isStaff, type Principal } from '../../auth/principal';
import { ForbiddenError } from '../../common/errors';
import { LiveEngagements } from '../../engagements/live-engagements';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type QueueEvent = EventsOf<'queue'>;

/** What one staff member sees: the whole queue; live = all (supervisors, admins) or their own (agents). */
export function queueFor(p: Principal, snap: { queue: EngagementView[]; live: EngagementView[] }): { queue: EngagementView[]; live: EngagementView[] } {
  if (!isStaff(p)) return { queue: [], live: [] };
  if (p.role === 'agent') return { queue: snap.queue, live: snap.live.filter((v) => v.agent?.id === p.userId) };
  return snap;
}

@Injectable()
export class QueueHandler implements DomainHandler<'queue'> {
  constructor(private readonly live: LiveEngagements) {}

  async handle(ctx: SocketContext, msg: Inbound<QueueEvent>): Promise<ClientResults[QueueEvent]> {
    switch (msg.event) {
      case 'queue/subscribe':
        if (!isStaff(ctx.principal)) throw new ForbiddenError('The queue is for staff.');
        ctx.joinStaff();
        return queueFor(ctx.principal, this.live.snapshot());
      default:
        return assertUnreachable(msg.event);
    }
  }
}
