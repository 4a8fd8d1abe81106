import type { EngagementView, TimelineEntry } from '@engage/protocol';
import type { EngagementEventEntity } from './engagement-event.entity';
import type { EngagementEntity } from './engagement.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toEngagementView(e: EngagementEntity, agentName: string | null): EngagementView {
  return {
    id: e.id,
    state: e.state,
    channel: e.channel,
    customerName: e.customerName,
    pageUrl: e.pageUrl,
    agent: e.agentId ? { id: e.agentId, displayName: agentName ?? e.agent?.displayName ?? 'Agent' } : null,
    createdAt: e.createdAt.toISOString(),
    acceptedAt: iso(e.acceptedAt),
    endedAt: iso(e.endedAt),
    endReason: e.endReason,
    call: e.call,
    mode: e.mode,
    lastSeq: e.lastSeq,
    readSeq: { customer: e.customerReadSeq, agent: e.agentReadSeq },
  };
}

export function toTimelineEntry(ev: EngagementEventEntity): TimelineEntry {
  return { id: Number(ev.id), engagementId: ev.engagementId, type: ev.type, actor: ev.actor as TimelineEntry['actor'], detail: ev.detail, at: ev.at.toISOString() };
}
