import type { EngagementView } from '@engage/protocol';

/**
 * An engagement as the realtime layer sees it, for unit specs: active, on the widget channel, with
 * customer Carla and agent Alex (id `u-agent`); `over` changes any field.
 */
export function engagementView(over: Partial<EngagementView> = {}): EngagementView {
  return {
    id: 'e1',
    state: 'active',
    channel: 'widget',
    customerName: 'Carla',
    pageUrl: null,
    agent: { id: 'u-agent', displayName: 'Alex' },
    createdAt: new Date(0).toISOString(),
    acceptedAt: new Date(0).toISOString(),
    endedAt: null,
    endReason: null,
    call: 'off',
    mode: 'none',
    lastSeq: 0,
    readSeq: { customer: 0, agent: 0 },
    ...over,
  };
}
