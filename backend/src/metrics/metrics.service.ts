import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics of the backend, in their own registry. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly activeEngagements = new Gauge({ name: 'engage_live_engagements', help: 'Engagements requested or active', labelNames: ['state'] as const, registers: [this.registry] });
  readonly messages = new Counter({ name: 'engage_chat_messages_total', help: 'Chat messages stored', labelNames: ['sender'] as const, registers: [this.registry] });
  readonly sockets = new Gauge({ name: 'engage_sockets', help: 'Connected sockets', labelNames: ['role'] as const, registers: [this.registry] });
  readonly persistLatency = new Histogram({
    name: 'engage_chat_persist_seconds',
    help: 'Time from receiving a chat message to its commit',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private queueDepthSource: () => number = () => 0;
  readonly writeQueueDepth: Gauge = new Gauge({
    name: 'engage_chat_write_queue_depth',
    help: 'Chat messages accepted and not yet committed',
    registers: [this.registry],
    collect: (): void => this.writeQueueDepth.set(this.queueDepthSource()),
  });
  readonly rejected = new Counter({ name: 'engage_socket_rejections_total', help: 'Socket requests refused', labelNames: ['code'] as const, registers: [this.registry] });

  /** Where the write queue depth is read at scrape time. */
  setWriteQueueDepthSource(source: () => number): void {
    this.queueDepthSource = source;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
