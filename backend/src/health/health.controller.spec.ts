import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import type { CallsService } from '../media/calls.service';
import { MetricsService } from '../metrics/metrics.service';
import { HealthController } from './health.controller';
import { SfuLink } from './sfu-link';

/** A response that records what the controller answered. */
function recorder() {
  const got: { code: number; body?: unknown } = { code: 200 };
  const res = {
    status(code: number) {
      got.code = code;
      return res;
    },
    json(body: unknown) {
      got.body = body;
      return res;
    },
  };
  return { res: res as unknown as Response, got };
}

describe('HealthController', () => {
  const noSfu = { sfuEventStream: undefined } as unknown as CallsService;

  it('says the SFU link is off without an SFU, and exports that as the gauge', async () => {
    const metrics = new MetricsService();
    const link = new SfuLink(noSfu, metrics);
    const ds = { query: jest.fn().mockResolvedValue([{ '?column?': 1 }]) } as unknown as DataSource;
    const { res, got } = recorder();
    await new HealthController(ds, link).health(res);
    expect(got).toEqual({ code: 200, body: { status: 'ok', db: 'up', sfu: { events: 'off', since: expect.any(String) } } });
    const text = await metrics.registry.metrics();
    expect(text).toContain('engage_sfu_events_state{state="off"} 1');
    expect(text).toContain('engage_sfu_events_state{state="connected"} 0');
  });

  it('answers 503 for a database out of reach, and still tells the SFU link', async () => {
    const since = new Date('2026-01-02T03:04:05.000Z');
    const calls = { sfuEventStream: { state: { state: 'connected', since } } } as unknown as CallsService;
    const ds = { query: jest.fn().mockRejectedValue(new Error('connection refused')) } as unknown as DataSource;
    const { res, got } = recorder();
    await new HealthController(ds, new SfuLink(calls, new MetricsService())).health(res);
    expect(got).toEqual({ code: 503, body: { status: 'degraded', db: 'down', sfu: { events: 'connected', since: since.toISOString() } } });
  });

  it('calls a closed stream off', () => {
    const calls = { sfuEventStream: { state: { state: 'closed', since: new Date() } } } as unknown as CallsService;
    expect(new SfuLink(calls, new MetricsService()).view().events).toBe('off');
  });
});
