import type { EngagementView, ProxyView } from '@engage/protocol';
import { EventEmitter } from 'node:events';
import type { CobrowseService } from '../cobrowse/cobrowse.service';
import { configureLogging } from '../common/logger';
import type { EngagementBus } from '../engagements/engagement-bus';
import type { EngagementsService } from '../engagements/engagements.service';
import { ProxyBus } from './proxy-bus';
import type { ProxyPool } from './proxy-pool';
import type { RemoteSession } from './remote-session';
import { ProxyService } from './proxy.service';

configureLogging('silent');

const engagement = (over: Partial<EngagementView> = {}): EngagementView => ({
  id: 'e1',
  state: 'active',
  channel: 'widget',
  customerName: 'C',
  pageUrl: null,
  agent: { id: 'a1', displayName: 'A' },
  createdAt: '',
  acceptedAt: null,
  endedAt: null,
  endReason: null,
  call: 'off',
  mode: 'none',
  lastSeq: 0,
  readSeq: { customer: 0, agent: 0 },
  ...over,
});

/** A placed browser as the pool hands it out. */
class FakeSession extends EventEmitter {
  readonly close = jest.fn();
  readonly navigate = jest.fn(async () => ({ ok: true as const, url: 'https://example.com/' }));
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function service(persist: () => Promise<void>) {
  const session = new FakeSession();
  const order: string[] = [];
  const pool = {
    open: jest.fn(async () => {
      order.push('open');
      return session as unknown as RemoteSession;
    }),
  };
  const engagements = {
    recordModeChange: jest.fn(async () => {
      order.push('persist');
      await persist();
      order.push('persisted');
    }),
  };
  const bus = new ProxyBus();
  const states: ProxyView[] = [];
  bus.on('state', (v) => states.push(v));
  const cobrowse = { view: () => ({ status: 'off' }), beforeRequest: () => () => undefined };
  const svc = new ProxyService(pool as unknown as ProxyPool, engagements as unknown as EngagementsService, new EventEmitter() as unknown as EngagementBus, bus, cobrowse as unknown as CobrowseService);
  return { svc, session, pool, order, states };
}

describe('ProxyService.start', () => {
  it('places the browser while the start is being persisted, and shows it running only once both are done', async () => {
    const commit = deferred();
    const { svc, pool, order, states } = service(() => commit.promise);
    const started = svc.start(engagement(), 'agent', 'https://example.com/');
    await new Promise((r) => setImmediate(r));
    // The worker is asked before the database has committed the start.
    expect(pool.open).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['open', 'persist']);
    expect(states).toEqual([]);
    commit.resolve();
    const view = await started;
    expect(view.status).toBe('running');
    expect(states.map((s) => s.status)).toEqual(['starting', 'running']);
  });

  it('closes the placed browser when the start cannot be persisted', async () => {
    const { svc, session, states } = service(() => Promise.reject(new Error('engagement ended meanwhile')));
    await expect(svc.start(engagement(), 'agent', 'https://example.com/')).rejects.toThrow('engagement ended meanwhile');
    await new Promise((r) => setImmediate(r));
    expect(session.close).toHaveBeenCalledTimes(1);
    expect(states).toEqual([]);
    expect(svc.view('e1').status).toBe('off');
  });
});
