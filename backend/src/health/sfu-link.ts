import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { CallsService } from '../media/calls.service';
import { MetricsService } from '../metrics/metrics.service';

/** The backend's link to the SFU's event stream (worker deaths → media/reconnect, speakers). */
export type SfuLinkState = 'connected' | 'connecting' | 'unauthorized' | 'off';
export const SFU_LINK_STATES: readonly SfuLinkState[] = ['connected', 'connecting', 'unauthorized', 'off'];

export interface SfuLinkView {
  /** `off`: no SFU configured (calls are unavailable); `connecting` also covers the waits between retries. */
  events: SfuLinkState;
  /** ISO time the link entered this state. */
  since: string;
}

/**
 * Tells /health and /metrics whether the SFU's event stream is open. Without it, a dead SFU worker
 * is never turned into media/reconnect, so this is what an operator looks at when calls freeze.
 */
@Injectable()
export class SfuLink {
  /** When `off` began: this backend started without an SFU. */
  readonly #startedAt = new Date();

  constructor(
    private readonly calls: CallsService,
    metrics: MetricsService,
  ) {
    // One series per state, 1 for the current one (the Prometheus way to export an enum).
    const gauge: Gauge<'state'> = new Gauge({
      name: 'engage_sfu_events_state',
      help: "The backend's link to the SFU event stream: 1 for the current state (connected, connecting, unauthorized, off)",
      labelNames: ['state'] as const,
      registers: [metrics.registry],
      collect: () => {
        const now = this.view().events;
        for (const state of SFU_LINK_STATES) gauge.set({ state }, state === now ? 1 : 0);
      },
    });
  }

  view(): SfuLinkView {
    const stream = this.calls.sfuEventStream;
    if (!stream) return { events: 'off', since: this.#startedAt.toISOString() };
    const { state, since } = stream.state;
    return { events: state === 'closed' ? 'off' : state, since: since.toISOString() };
  }
}
