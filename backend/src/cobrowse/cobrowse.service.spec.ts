import type { CobrowseView, RecordedEvent } from '@engage/protocol';
import type { Principal } from '../auth/principal';
import { ForbiddenError, InvalidStateError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { RRWEB_FULL_SNAPSHOT, RRWEB_META } from './checkpoint';
import { CHECKPOINT_SOFT_EVENTS, REQUEST_TIMEOUT_MS, SNAPSHOT_ASK_INTERVAL_MS } from './cobrowse-limits';
import { cobrowseEid, cobrowseEngagement, cobrowseParties, cobrowseServiceFixture } from '../testing/cobrowse-service';

configureLogging('silent');

const eid = cobrowseEid;
const { customer, agent, otherAgent, supervisor } = cobrowseParties;
const otherCustomer: Principal = { role: 'customer', engagementId: '00000000-0000-4000-8000-000000000009', name: 'Eve' };
const admin: Principal = { role: 'admin', userId: 'u-admin', name: 'Ada' };
const engagement = cobrowseEngagement;

const ev = (type: number, n = 0): RecordedEvent => ({ type, timestamp: n, data: { n } });

/** A focused fake of EngagementsService.recordModeChange that logs into the same journal as the bus. */
function setup() {
  const journal: string[] = [];
  let failNext = false;
  let hold = false;
  let release: (() => void) | undefined;
  const { service, bus, store, rows, engagementBus, active } = cobrowseServiceFixture({
    beforePersist: async (change) => {
      if (release === undefined && hold) await new Promise<void>((r) => (release = r));
      if (failNext) {
        failNext = false;
        throw new InvalidStateError('This engagement has ended.');
      }
      journal.push(`persist ${change.type} ${change.mode}`);
    },
  });
  const states: CobrowseView[] = [];
  const batches: RecordedEvent[][] = [];
  let asks = 0;
  bus.on('state', (v) => {
    states.push(v);
    journal.push(`broadcast ${v.status}`);
  });
  bus.on('events', (b) => batches.push(b.events));
  bus.on('snapshotNeeded', () => asks++);
  return {
    service,
    bus,
    store,
    rows,
    journal,
    states,
    batches,
    engagementBus,
    asks: () => asks,
    active,
    failNext: () => (failNext = true),
    hold: () => {
      hold = true;
      return () => {
        hold = false;
        release?.();
      };
    },
    record: (events: RecordedEvent[]) => {
      service.assertMayRecord(customer, eid);
      return service.record(eid, events, events.map((e) => JSON.stringify(e).length));
    },
  };
}

afterEach(() => jest.useRealTimers());

describe('CobrowseService: transitions', () => {
  it('request → accept → active, each persisted (audit row + mode) before it is broadcast', async () => {
    const t = setup();
    expect(t.service.view(eid)).toMatchObject({ status: 'off', agentName: null, page: null });
    const requesting = await t.service.request(agent, engagement());
    expect(requesting).toMatchObject({ status: 'requesting', agentName: 'Alex', reason: null });
    const active = await t.service.respond(customer, engagement(), true);
    expect(active).toMatchObject({ status: 'active', agentName: 'Alex' });
    expect(t.journal).toEqual(['persist cobrowse.requested none', 'broadcast requesting', 'persist cobrowse.accepted direct', 'broadcast active']);
    expect(t.rows.map((r) => r.actor)).toEqual(['agent', 'customer']);
    expect(t.rows[0].detail).toEqual({ agentId: 'u-agent' });
  });

  it('declined → off with the sentence, audit cobrowse.declined', async () => {
    const t = setup();
    await t.service.request(agent, engagement());
    expect(await t.service.respond(customer, engagement(), false)).toMatchObject({ status: 'off', reason: 'The customer declined.' });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.declined', actor: 'customer', mode: 'none', detail: { reason: 'The customer declined.' } });
  });

  it('expires after 60 s without an answer (fake timers)', async () => {
    jest.useFakeTimers();
    const t = setup();
    await t.service.request(agent, engagement());
    await jest.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(t.service.view(eid).status).toBe('requesting');
    await jest.advanceTimersByTimeAsync(1);
    expect(t.service.view(eid)).toMatchObject({ status: 'off', reason: 'No answer from the customer.' });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.expired', actor: 'system' });
    expect(t.states.at(-1)?.status).toBe('off');
  });

  it('an answered request does not expire later', async () => {
    jest.useFakeTimers();
    const t = setup();
    await t.active();
    await jest.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS * 2);
    expect(t.service.view(eid).status).toBe('active');
    expect(t.rows.map((r) => r.type)).toEqual(['cobrowse.requested', 'cobrowse.accepted']);
  });

  it('a protected page pauses (page hidden, checkpoint dropped); only an explicit accept resumes', async () => {
    const t = setup();
    await t.active();
    await t.service.page(customer, engagement(), { url: 'https://shop.test/cart', title: 'Cart', protected: false });
    expect(t.service.view(eid).page).toEqual({ url: 'https://shop.test/cart', title: 'Cart' });
    t.record([ev(RRWEB_META), ev(RRWEB_FULL_SNAPSHOT)]);
    const paused = await t.service.page(customer, engagement(), { url: 'https://shop.test/pay', title: 'Pay', protected: true });
    expect(paused).toMatchObject({ status: 'paused', page: null });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.paused', mode: 'direct' });
    expect(t.service.watch(supervisor, engagement()).checkpoint).toEqual([]);
    // An unprotected page while paused keeps it paused.
    expect(await t.service.page(customer, engagement(), { url: 'https://shop.test/done', title: 'Done', protected: false })).toMatchObject({ status: 'paused', page: null });
    expect(() => t.record([ev(3)])).toThrow(InvalidStateError);
    const resumed = await t.service.respond(customer, engagement(), true);
    expect(resumed).toMatchObject({ status: 'active', page: { url: 'https://shop.test/done', title: 'Done' } });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.resumed', actor: 'customer' });
  });

  it('stop by the customer or the agent → off with who stopped; stop when off changes nothing', async () => {
    const t = setup();
    await t.active();
    expect(await t.service.stop(customer, engagement())).toMatchObject({ status: 'off', reason: 'Stopped by the customer.' });
    await t.active();
    expect(await t.service.stop(agent, engagement())).toMatchObject({ status: 'off', reason: 'Stopped by the agent.' });
    expect(t.rows.filter((r) => r.type === 'cobrowse.stopped').map((r) => r.actor)).toEqual(['customer', 'agent']);
    const count = t.rows.length;
    expect(await t.service.stop(agent, engagement())).toMatchObject({ status: 'off' });
    expect(t.rows).toHaveLength(count);
  });

  it('the engagement ending turns co-browse off', async () => {
    const t = setup();
    await t.active();
    t.engagementBus.emit('changed', { ...engagement('ended'), endReason: 'agent' });
    await new Promise((r) => setImmediate(r));
    expect(t.states.at(-1)).toMatchObject({ status: 'off', reason: 'The engagement ended.' });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.stopped', actor: 'system', mode: 'none' });
    expect(t.service.view(eid).status).toBe('off');
  });

  it('a failed write changes nothing and broadcasts nothing', async () => {
    const t = setup();
    t.failNext();
    await expect(t.service.request(agent, engagement())).rejects.toBeInstanceOf(InvalidStateError);
    expect(t.service.view(eid).status).toBe('off');
    expect(t.states).toEqual([]);
  });

  it('refuses recording from the moment a pause arrives, before its write completes', async () => {
    const t = setup();
    await t.active();
    const release = t.hold();
    const pausing = t.service.page(customer, engagement(), { url: 'https://shop.test/pay', title: 'Pay', protected: true });
    expect(() => t.record([ev(3)])).toThrow(InvalidStateError);
    release();
    await pausing;
    expect(t.service.view(eid).status).toBe('paused');
  });

  it('refuses request/accept on engagements that are not active, and nonsense answers', async () => {
    const t = setup();
    await expect(async () => t.service.request(agent, engagement('requested'))).rejects.toThrow('Accept this engagement before asking to co-browse.');
    await expect(t.service.respond(customer, engagement(), true)).rejects.toBeInstanceOf(InvalidStateError);
    await t.active();
    await expect(t.service.request(agent, engagement())).rejects.toBeInstanceOf(InvalidStateError);
  });
});

describe('CobrowseService: who may do what', () => {
  it('only the assigned agent requests', async () => {
    const t = setup();
    for (const p of [customer, otherAgent, supervisor, admin]) expect(() => t.service.request(p, engagement())).toThrow(ForbiddenError);
    await expect(t.service.request(agent, engagement())).resolves.toMatchObject({ status: 'requesting' });
  });

  it('only the customer answers and reports pages; staff and other customers are refused', async () => {
    const t = setup();
    await t.service.request(agent, engagement());
    for (const p of [agent, supervisor, otherCustomer]) {
      expect(() => t.service.respond(p, engagement(), true)).toThrow(ForbiddenError);
      expect(() => t.service.page(p, engagement(), { url: 'https://x.test/', title: '', protected: false })).toThrow(ForbiddenError);
    }
  });

  it('only the customer records, and only while active', async () => {
    const t = setup();
    expect(() => t.service.assertMayRecord(customer, eid)).toThrow(/not on for this engagement/);
    await t.service.request(agent, engagement());
    expect(() => t.service.assertMayRecord(customer, eid)).toThrow(InvalidStateError);
    await t.service.respond(customer, engagement(), true);
    for (const p of [agent, supervisor, admin, otherCustomer]) expect(() => t.service.assertMayRecord(p, eid)).toThrow(ForbiddenError);
    expect(() => t.service.assertMayRecord(customer, eid)).not.toThrow();
    expect(t.record([ev(3, 1), ev(3, 2)])).toBe(2);
    expect(t.batches).toEqual([[ev(3, 1), ev(3, 2)]]);
  });

  it('the assigned agent, supervisors and admins watch (any status); customers and other agents do not', async () => {
    const t = setup();
    for (const p of [agent, supervisor, admin]) expect(t.service.watch(p, engagement())).toEqual({ cobrowse: expect.objectContaining({ status: 'off' }), checkpoint: [] });
    for (const p of [customer, otherAgent]) expect(() => t.service.watch(p, engagement())).toThrow(ForbiddenError);
  });

  it('supervisors may not stop; the customer and the assigned agent may', async () => {
    const t = setup();
    await t.active();
    for (const p of [supervisor, otherAgent, otherCustomer]) expect(() => t.service.stop(p, engagement())).toThrow(ForbiddenError);
  });
});

describe('CobrowseService: checkpoint and snapshots', () => {
  it('a watcher gets the checkpoint; without a full snapshot the customer is asked for one', async () => {
    const t = setup();
    await t.active();
    t.record([ev(3, 1)]);
    expect(t.service.watch(supervisor, engagement())).toMatchObject({ cobrowse: { status: 'active' }, checkpoint: [ev(3, 1)] });
    expect(t.asks()).toBe(1);
    t.record([ev(RRWEB_META, 2), ev(RRWEB_FULL_SNAPSHOT, 3), ev(3, 4)]);
    expect(t.service.watch(agent, engagement()).checkpoint.map((e) => e.timestamp)).toEqual([2, 3, 4]);
    expect(t.asks()).toBe(1);
  });

  it('asks for a snapshot when the checkpoint overgrows, at most once per 5 s', async () => {
    jest.useFakeTimers();
    const t = setup();
    await t.active();
    t.record([ev(RRWEB_META), ev(RRWEB_FULL_SNAPSHOT)]);
    for (let i = 0; i < CHECKPOINT_SOFT_EVENTS / 500; i++) t.record(Array.from({ length: 500 }, (_, j) => ev(3, j)));
    expect(t.asks()).toBe(1);
    t.record([ev(3)]);
    expect(t.asks()).toBe(1);
    jest.advanceTimersByTime(SNAPSHOT_ASK_INTERVAL_MS);
    t.record([ev(3)]);
    expect(t.asks()).toBe(2);
    t.record([ev(RRWEB_META), ev(RRWEB_FULL_SNAPSHOT)]);
    jest.advanceTimersByTime(SNAPSHOT_ASK_INTERVAL_MS);
    t.record([ev(3)]);
    expect(t.asks()).toBe(2);
  });

  it('drops the checkpoint when stopped', async () => {
    const t = setup();
    await t.active();
    t.record([ev(RRWEB_META), ev(RRWEB_FULL_SNAPSHOT)]);
    await t.service.stop(agent, engagement());
    await t.active();
    expect(t.service.watch(agent, engagement()).checkpoint).toEqual([]);
  });
});

describe('CobrowseService: switching to and from other modes', () => {
  it('stopForSwitch stops sharing with the switch as its reason, closing the recording gate before the write', async () => {
    const t = setup();
    await t.active();
    const release = t.hold();
    const stopping = t.service.stopForSwitch(eid, 'The agent switched to browsing together.', 'proxy');
    // Nothing more of the page is relayed from the moment the switch arrives.
    expect(() => t.record([ev(3)])).toThrow(InvalidStateError);
    release();
    expect(await stopping).toMatchObject({ status: 'off', reason: 'The agent switched to browsing together.' });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.stopped', actor: 'agent', mode: 'none', detail: { reason: 'The agent switched to browsing together.', switchedTo: 'proxy' } });
    expect(t.journal.slice(-2)).toEqual(['persist cobrowse.stopped none', 'broadcast off']);
  });

  it('stopForSwitch does nothing when nothing is shared', async () => {
    const t = setup();
    expect(await t.service.stopForSwitch(eid, 'x', 'proxy')).toMatchObject({ status: 'off' });
    expect(t.rows).toEqual([]);
    expect(t.states).toEqual([]);
  });

  it('the agent’s request runs the registered hooks (another mode stopping) first, then asks the customer', async () => {
    const t = setup();
    const order: string[] = [];
    const off = t.service.beforeRequest(async (id) => {
      order.push(`hook ${id === eid}`);
      await new Promise((r) => setImmediate(r));
      order.push('hook done');
    });
    t.bus.on('state', (v) => order.push(`state ${v.status}`));
    await t.service.request(agent, engagement());
    expect(order).toEqual(['hook true', 'hook done', 'state requesting']);
    // A repeat while the request is pending stops nothing more.
    await t.service.request(agent, engagement());
    expect(order.filter((o) => o.startsWith('hook'))).toHaveLength(2);
    off();
  });

  it('a hook that fails leaves co-browse off and nothing written', async () => {
    const t = setup();
    t.service.beforeRequest(async () => {
      throw new InvalidStateError('The shared browser could not stop.');
    });
    await expect(t.service.request(agent, engagement())).rejects.toThrow('The shared browser could not stop.');
    expect(t.service.view(eid).status).toBe('off');
    expect(t.rows).toEqual([]);
  });
});
