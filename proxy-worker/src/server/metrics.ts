// Prometheus metrics of the worker: sessions, frames, frame bytes, blocked requests, memory.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly sessionsActive = new Gauge({ name: 'proxy_sessions_active', help: 'Open proxy sessions', registers: [this.registry] });
  readonly sessionsTotal = new Counter({ name: 'proxy_sessions_total', help: 'Sessions created', registers: [this.registry] });
  readonly sessionsClosed = new Counter({ name: 'proxy_sessions_closed_total', help: 'Sessions ended, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly frames = new Counter({ name: 'proxy_frames_total', help: 'Screencast frames sent', registers: [this.registry] });
  readonly frameBytes = new Counter({ name: 'proxy_frame_bytes_total', help: 'JPEG bytes of screencast frames', registers: [this.registry] });
  readonly blocked = new Counter({ name: 'proxy_blocked_total', help: 'Requests refused by the URL policy', registers: [this.registry] });
  readonly firstFrame = new Histogram({
    name: 'proxy_first_frame_seconds',
    help: 'Session create request to first frame',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly browserMemory = new Gauge({ name: 'proxy_browser_rss_bytes', help: 'RSS of the Chromium process tree', registers: [this.registry] });
  readonly warmIdle = new Gauge({ name: 'proxy_warm_pool_idle', help: 'Pre-created contexts waiting', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'proxy_worker_' });
  }
}
