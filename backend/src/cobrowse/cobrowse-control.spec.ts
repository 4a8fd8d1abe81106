import { EV, type CobrowseView, type ControlInput } from '@engage/protocol';
import { ForbiddenError, InvalidPayloadError, InvalidStateError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { validate } from '../realtime/dispatcher';
import { controlTransition } from './cobrowse-control';
import { CONTROL_REQUEST_TIMEOUT_MS } from './cobrowse-limits';
import { cobrowseEid, cobrowseEngagement, cobrowseParties, cobrowseServiceFixture } from '../testing/cobrowse-service';

configureLogging('silent');

const eid = cobrowseEid;
const { customer, agent, otherAgent, supervisor } = cobrowseParties;
const engagement = cobrowseEngagement;

const click: ControlInput = { type: 'click', nodeId: 12, x: 40, y: 80 };

function setup() {
  const journal: string[] = [];
  const t = cobrowseServiceFixture({ beforePersist: (change) => void journal.push(`persist ${change.type}`) });
  const states: CobrowseView[] = [];
  const inputs: ControlInput[] = [];
  const pointers: Array<{ x: number; y: number; visible: boolean; agentName: string }> = [];
  t.bus.on('state', (v) => {
    states.push(v);
    journal.push(`broadcast ${v.status}/${v.control}`);
  });
  t.bus.on('remoteInput', (m) => inputs.push(m.input));
  t.bus.on('pointer', (p) => pointers.push(p));
  const granted = async () => {
    await t.active();
    await t.service.requestControl(agent, engagement());
    await t.service.respondControl(customer, engagement(), true);
  };
  return { service: t.service, rows: t.rows, journal, states, inputs, pointers, engagementBus: t.engagementBus, active: t.active, granted };
}

afterEach(() => jest.useRealTimers());

describe('remote control: the consent machine', () => {
  it('goes none → requesting → granted → none, and only while sharing is active', () => {
    expect(controlTransition('active', 'none', { type: 'request' })).toEqual({ next: 'requesting', audit: 'cobrowse.control_requested' });
    expect(controlTransition('active', 'requesting', { type: 'request' })).toBeNull();
    expect(controlTransition('active', 'requesting', { type: 'allow' })).toEqual({ next: 'granted', audit: 'cobrowse.control_granted' });
    expect(controlTransition('active', 'requesting', { type: 'decline' })).toEqual({ next: 'none', audit: 'cobrowse.control_declined' });
    expect(controlTransition('active', 'granted', { type: 'revoke', by: 'customer' })).toEqual({ next: 'none', audit: 'cobrowse.control_revoked' });
    expect(controlTransition('active', 'none', { type: 'revoke', by: 'customer' })).toBeNull();
    expect(controlTransition('active', 'granted', { type: 'expire' })).toBeNull();
    expect(() => controlTransition('paused', 'none', { type: 'request' })).toThrow(InvalidStateError);
    expect(() => controlTransition('off', 'none', { type: 'request' })).toThrow(InvalidStateError);
    expect(() => controlTransition('active', 'none', { type: 'allow' })).toThrow(InvalidStateError);
    expect(() => controlTransition('active', 'granted', { type: 'request' })).toThrow(InvalidStateError);
  });
});

describe('CobrowseService: remote control', () => {
  it('request → grant, each audit row persisted before its broadcast', async () => {
    const t = setup();
    await t.granted();
    expect(t.service.view(eid)).toMatchObject({ status: 'active', control: 'granted' });
    expect(t.journal.slice(-4)).toEqual([
      'persist cobrowse.control_requested',
      'broadcast active/requesting',
      'persist cobrowse.control_granted',
      'broadcast active/granted',
    ]);
    expect(t.rows.slice(-2).map((r) => [r.actor, r.mode])).toEqual([
      ['agent', 'direct'],
      ['customer', 'direct'],
    ]);
  });

  it('cannot be asked before sharing is active, nor by anyone but the assigned agent', async () => {
    const t = setup();
    await expect(t.service.requestControl(agent, engagement())).rejects.toThrow(InvalidStateError);
    await t.active();
    expect(() => t.service.requestControl(otherAgent, engagement())).toThrow(ForbiddenError);
    expect(() => t.service.requestControl(supervisor, engagement())).toThrow(ForbiddenError);
    expect(() => t.service.requestControl(customer, engagement())).toThrow(ForbiddenError);
    await t.service.requestControl(agent, engagement());
    expect(() => t.service.respondControl(agent, engagement(), true)).toThrow(ForbiddenError);
  });

  it('expires after 30 s without an answer (fake timers)', async () => {
    jest.useFakeTimers();
    const t = setup();
    await t.active();
    await t.service.requestControl(agent, engagement());
    await jest.advanceTimersByTimeAsync(CONTROL_REQUEST_TIMEOUT_MS - 1);
    expect(t.service.view(eid).control).toBe('requesting');
    await jest.advanceTimersByTimeAsync(1);
    expect(t.service.view(eid).control).toBe('none');
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.control_expired', actor: 'system' });
    expect(t.states.at(-1)).toMatchObject({ status: 'active', control: 'none' });
  });

  it('a granted request does not expire later', async () => {
    jest.useFakeTimers();
    const t = setup();
    await t.granted();
    await jest.advanceTimersByTimeAsync(CONTROL_REQUEST_TIMEOUT_MS * 2);
    expect(t.service.view(eid).control).toBe('granted');
  });

  it('declined → none, audited', async () => {
    const t = setup();
    await t.active();
    await t.service.requestControl(agent, engagement());
    expect(await t.service.respondControl(customer, engagement(), false)).toMatchObject({ control: 'none' });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.control_declined', actor: 'customer' });
  });

  it('relays input only from the agent holding an active grant', async () => {
    const t = setup();
    await t.active();
    expect(() => t.service.controlInput(agent, eid, click)).toThrow(InvalidStateError);
    await t.service.requestControl(agent, engagement());
    expect(() => t.service.controlInput(agent, eid, click)).toThrow(InvalidStateError);
    await t.service.respondControl(customer, engagement(), true);
    t.service.controlInput(agent, eid, click);
    expect(() => t.service.controlInput(otherAgent, eid, click)).toThrow(ForbiddenError);
    expect(() => t.service.controlInput(supervisor, eid, click)).toThrow(ForbiddenError);
    expect(() => t.service.controlInput(customer, eid, click)).toThrow(ForbiddenError);
    expect(t.inputs).toEqual([click]);
  });

  it('the customer revokes at any moment: input is refused from the moment the revoke arrives', async () => {
    const t = setup();
    await t.granted();
    const revoking = t.service.revokeControl(customer, engagement());
    expect(() => t.service.controlInput(agent, eid, click)).toThrow(InvalidStateError);
    expect(await revoking).toMatchObject({ status: 'active', control: 'none' });
    expect(t.rows.at(-1)).toMatchObject({ type: 'cobrowse.control_revoked', actor: 'customer', detail: { by: 'customer' } });
    expect(t.inputs).toEqual([]);
  });

  it('stop revokes control first, with its own audit row', async () => {
    const t = setup();
    await t.granted();
    const view = await t.service.stop(agent, engagement());
    expect(view).toMatchObject({ status: 'off', control: 'none' });
    expect(t.rows.slice(-2).map((r) => r.type)).toEqual(['cobrowse.control_revoked', 'cobrowse.stopped']);
    expect(() => t.service.controlInput(agent, eid, click)).toThrow();
    expect(t.inputs).toEqual([]);
  });

  it('a protected page (pause) revokes control', async () => {
    const t = setup();
    await t.granted();
    await t.service.page(customer, engagement(), { url: 'https://shop.test/account/security', title: 'Security', protected: true });
    expect(t.service.view(eid)).toMatchObject({ status: 'paused', control: 'none' });
    expect(t.rows.slice(-2).map((r) => r.type)).toEqual(['cobrowse.control_revoked', 'cobrowse.paused']);
  });

  it('the engagement ending revokes control', async () => {
    const t = setup();
    await t.granted();
    t.engagementBus.emit('changed', { ...engagement('ended') });
    await new Promise((r) => setImmediate(r));
    expect(t.rows.slice(-2).map((r) => r.type)).toEqual(['cobrowse.control_revoked', 'cobrowse.stopped']);
  });

  it('relays the pointer only from the agent co-browsing, only while active', async () => {
    const t = setup();
    expect(() => t.service.pointer(agent, eid, { x: 1, y: 2, visible: true })).toThrow(ForbiddenError);
    await t.service.request(agent, engagement());
    expect(() => t.service.pointer(agent, eid, { x: 1, y: 2, visible: true })).toThrow(InvalidStateError);
    await t.service.respond(customer, engagement(), true);
    t.service.pointer(agent, eid, { x: 10, y: 20, visible: true });
    expect(() => t.service.pointer(otherAgent, eid, { x: 1, y: 2, visible: true })).toThrow(ForbiddenError);
    expect(() => t.service.pointer(customer, eid, { x: 1, y: 2, visible: true })).toThrow(ForbiddenError);
    expect(t.pointers).toEqual([{ engagementId: eid, x: 10, y: 20, visible: true, agentName: 'Alex' }]);
  });
});

describe('cobrowse/control-input schema', () => {
  const ok = (input: unknown) => validate(EV.cobrowseControlInput, { engagementId: eid, input });
  it.each<ControlInput>([
    { type: 'click', nodeId: 3, x: 10.5, y: 20 },
    { type: 'text', nodeId: 3, value: 'Leave it with the neighbour' },
    { type: 'key', nodeId: 3, key: 'Enter' },
    { type: 'scroll', nodeId: null, x: 0, y: 900 },
    { type: 'scroll', nodeId: 7, x: 0, y: 10 },
    { type: 'select', nodeId: 9, value: 'blue' },
  ])('accepts %j', (input) => {
    expect(ok(input).payload).toEqual({ engagementId: eid, input });
  });
  it.each([
    ['an unknown type', { type: 'eval', nodeId: 1, code: 'alert(1)' }],
    ['a missing node', { type: 'click', x: 1, y: 1 }],
    ['a negative node id', { type: 'text', nodeId: -1, value: 'x' }],
    ['a fractional node id', { type: 'text', nodeId: 1.5, value: 'x' }],
    ['a text too long', { type: 'text', nodeId: 1, value: 'x'.repeat(2001) }],
    ['a key outside the list', { type: 'key', nodeId: 1, key: 'F5' }],
    ['a null node for a click', { type: 'click', nodeId: null, x: 1, y: 1 }],
    ['coordinates that are not numbers', { type: 'scroll', nodeId: null, x: 'top', y: 0 }],
    ['an infinite coordinate', { type: 'click', nodeId: 1, x: Infinity, y: 0 }],
  ])('refuses %s', (_why, input) => {
    expect(() => ok(input)).toThrow(InvalidPayloadError);
  });
  it('validates the pointer too', () => {
    expect(() => validate(EV.cobrowsePointer, { engagementId: eid, x: 1, y: 2 })).toThrow(InvalidPayloadError);
    expect(validate(EV.cobrowsePointer, { engagementId: eid, x: 1, y: 2, visible: false }).payload).toMatchObject({ visible: false });
  });
});
