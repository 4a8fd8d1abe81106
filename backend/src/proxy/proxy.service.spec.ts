import type { EngagementView, ProxyDialog, ProxyDriver, ProxyPeerPointer, ProxyView } from '@engage/protocol';
import { EventEmitter } from 'node:events';
import type { CobrowseService } from '../cobrowse/cobrowse.service';
import { configureLogging } from '../common/logger';
import type { EngagementBus } from '../engagements/engagement-bus';
import type { EngagementsService } from '../engagements/engagements.service';
import { ProxyBus } from './proxy-bus';
import type { ProxyPool } from './proxy-pool';
import type { RemoteSession } from './remote-session';
import { ProxyService } from './proxy.service';
import { WorkerRequestError } from './worker-link';
import { engagementView } from '../testing/engagement-view';

configureLogging('silent');

const engagement = (over: Partial<EngagementView> = {}): EngagementView => engagementView({ agent: { id: 'a1', displayName: 'A' }, customerName: 'C', ...over });

/** A placed browser as the pool hands it out. */
class FakeSession extends EventEmitter {
  lastFrame: { seq: number; data: Uint8Array; metadata: { deviceWidth: number; deviceHeight: number } } | undefined;
  lastNavigated: { url: string; title: string } | undefined;
  readonly close = jest.fn();
  readonly navigate = jest.fn(async () => ({ ok: true as const, url: 'https://example.com/' }));
  readonly answerDialog = jest.fn(async (_accept: boolean, _text?: string) => undefined);
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
  const dialogs: Array<{ dialog: ProxyDialog; to: ProxyDriver }> = [];
  bus.on('dialog', (dialog, to) => dialogs.push({ dialog, to }));
  const pointers: Array<{ pointer: ProxyPeerPointer; to: ProxyDriver }> = [];
  bus.on('pointer', (pointer, to) => pointers.push({ pointer, to }));
  return { svc, session, pool, order, states, dialogs, pointers };
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

  it('shows the frame that came while the start was being persisted as soon as it runs, then every new one', async () => {
    const commit = deferred();
    const { svc, session, states } = service(() => commit.promise);
    const frames: Array<{ seq: number; width: number; to: string | null }> = [];
    (svc as unknown as { bus: ProxyBus }).bus.on('frame', (f, to) => frames.push({ seq: f.seq, width: f.width, to }));
    const started = svc.start(engagement(), 'agent', 'https://example.com/');
    await new Promise((r) => setImmediate(r));
    // The page painted once (about:blank at rest) before the start was committed: nobody sees it yet.
    session.lastFrame = { seq: 1, data: new Uint8Array([0xff, 0xd8]), metadata: { deviceWidth: 1280.2, deviceHeight: 800 } };
    session.emit('frame', session.lastFrame);
    expect(frames).toEqual([]);
    commit.resolve();
    await started;
    expect(states.map((s) => s.status)).toEqual(['starting', 'running']);
    expect(frames).toEqual([{ seq: 1, width: 1280, to: 'a1' }]);
    session.emit('frame', { seq: 2, data: new Uint8Array([0xff, 0xd8]), metadata: { deviceWidth: 1280, deviceHeight: 800 } });
    expect(frames.map((f) => f.seq)).toEqual([1, 2]);
  });

  it('hands the newest frame to a viewer that (re)joins while the page rests, and none before the session runs', async () => {
    const commit = deferred();
    const { svc, session } = service(() => commit.promise);
    const started = svc.start(engagement(), 'agent', 'https://example.com/');
    await new Promise((r) => setImmediate(r));
    session.lastFrame = { seq: 3, data: new Uint8Array([0xff, 0xd8]), metadata: { deviceWidth: 390.4, deviceHeight: 844 } };
    // Not running yet (the start is being saved): nothing to show.
    expect(svc.latestFrame('e1')).toBeNull();
    commit.resolve();
    await started;
    expect(svc.latestFrame('e1')).toEqual({ engagementId: 'e1', seq: 3, data: session.lastFrame.data, width: 390, height: 844 });
    expect(svc.latestFrame('e2')).toBeNull();
  });

  it('opens the start page as soon as the browser is placed, and shows what it did once the start is persisted', async () => {
    const commit = deferred();
    const { svc, session, states } = service(() => commit.promise);
    session.navigate.mockImplementationOnce(async () => {
      // The page loads while the database commits: its navigation comes before anyone follows it.
      session.lastNavigated = { url: 'https://example.com/', title: 'Example' };
      session.emit('navigated', session.lastNavigated);
      return { ok: true as const, url: 'https://example.com/' };
    });
    const started = svc.start(engagement(), 'agent', 'https://example.com/');
    await new Promise((r) => setImmediate(r));
    expect(session.navigate).toHaveBeenCalledWith({ action: 'goto', url: 'https://example.com/' });
    expect(states).toEqual([]);
    commit.resolve();
    await started;
    expect(svc.view('e1')).toMatchObject({ status: 'running', url: 'https://example.com/', title: 'Example', blockedReason: null });
    expect(session.navigate).toHaveBeenCalledTimes(1);
  });

  it('shows why the start page was refused, once the start is persisted', async () => {
    const commit = deferred();
    const { svc, session } = service(() => commit.promise);
    session.navigate.mockImplementationOnce(async () => ({ ok: false, reason: 'blocked: private address 10.0.0.1' }) as never);
    const started = svc.start(engagement(), 'agent', 'http://10.0.0.1/');
    await new Promise((r) => setImmediate(r));
    expect(svc.view('e1').blockedReason).toBeNull();
    commit.resolve();
    await started;
    await new Promise((r) => setImmediate(r));
    expect(svc.view('e1')).toMatchObject({ status: 'running', blockedReason: 'blocked: private address 10.0.0.1' });
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

describe('ProxyService: the page\'s dialogs go to the driver', () => {
  const running = async () => {
    const t = service(async () => undefined);
    await t.svc.start(engagement({ customerName: 'Carla', agent: { id: 'a1', displayName: 'Alex' } }), 'agent', 'https://example.com/');
    return t;
  };

  it('sends the dialog to the driver only, shows everyone who must answer, and relays the answer', async () => {
    const { svc, session, states, dialogs } = await running();
    session.emit('dialog', { type: 'prompt', message: 'Your name?', defaultValue: 'anon' });
    expect(dialogs).toEqual([{ to: 'agent', dialog: expect.objectContaining({ engagementId: 'e1', type: 'prompt', message: 'Your name?', defaultValue: 'anon' }) }]);
    const id = dialogs[0].dialog.id;
    expect(states.at(-1)?.dialog).toEqual({ id, for: 'agent', name: 'Alex', type: 'prompt' });
    // The view that goes to the room carries no text of the dialog.
    expect(JSON.stringify(states.at(-1))).not.toContain('Your name?');

    await expect(svc.answerDialog('e1', 'customer', id, true, 'x')).rejects.toMatchObject({ code: 'forbidden', message: 'Only the participant in control answers the page’s dialog; take control first.' });
    expect(session.answerDialog).not.toHaveBeenCalled();
    await expect(svc.answerDialog('e1', 'agent', id + 1, true, 'x')).rejects.toMatchObject({ code: 'invalid_state' });

    const view = await svc.answerDialog('e1', 'agent', id, true, 'Ada');
    expect(session.answerDialog).toHaveBeenCalledWith(true, 'Ada');
    expect(view.dialog).toBeNull();
    expect(states.at(-1)?.dialog).toBeNull();
    // Answered once: a second answer is stale.
    await expect(svc.answerDialog('e1', 'agent', id, true, 'Ada')).rejects.toMatchObject({ code: 'invalid_state', message: 'That dialog of the page is no longer open.' });
  });

  it('moves an open dialog to the new driver when control passes', async () => {
    const { svc, session, states, dialogs } = await running();
    session.emit('dialog', { type: 'confirm', message: 'Sure?', defaultValue: '' });
    await svc.takeControl('e1', 'customer');
    expect(dialogs.map((d) => d.to)).toEqual(['agent', 'customer']);
    expect(dialogs[1].dialog).toEqual(dialogs[0].dialog);
    expect(states.at(-1)).toMatchObject({ driver: 'customer', dialog: { for: 'customer', name: 'Carla', type: 'confirm' } });
    // A driver that (re)joins gets the dialog again; nobody else does.
    expect(svc.dialogFor('e1', { role: 'customer', engagementId: 'e1', name: 'Carla' })).toEqual(dialogs[0].dialog);
    expect(svc.dialogFor('e1', { role: 'agent', userId: 'a1', name: 'Alex' })).toBeNull();
    await expect(svc.answerDialog('e1', 'agent', dialogs[0].dialog.id, true)).rejects.toMatchObject({ code: 'forbidden' });
    await svc.answerDialog('e1', 'customer', dialogs[0].dialog.id, false);
    // A confirm carries no text; cancel dismisses.
    expect(session.answerDialog).toHaveBeenCalledWith(false, undefined);
  });

  it('clears the dialog when the page closes it by itself, and tolerates a dialog already gone on the worker', async () => {
    const { svc, session, states, dialogs } = await running();
    session.emit('dialog', { type: 'alert', message: 'Hi', defaultValue: '' });
    session.emit('dialog-closed');
    expect(states.at(-1)?.dialog).toBeNull();
    session.emit('dialog', { type: 'alert', message: 'Again', defaultValue: '' });
    // The worker could not be reached: the dialog stays open and shown, to be answered again.
    session.answerDialog.mockRejectedValueOnce(new WorkerRequestError('timeout', 'the proxy worker did not answer'));
    await expect(svc.answerDialog('e1', 'agent', dialogs[1].dialog.id, true)).rejects.toMatchObject({ code: 'internal', message: 'The shared browser did not take the answer; try again.' });
    expect(svc.view('e1').dialog).toMatchObject({ id: dialogs[1].dialog.id, for: 'agent' });
    session.answerDialog.mockRejectedValueOnce(new WorkerRequestError('no-dialog', 'session has no open dialog'));
    await expect(svc.answerDialog('e1', 'agent', dialogs[1].dialog.id, true)).resolves.toMatchObject({ dialog: null });
  });
});

describe('ProxyService: pointers', () => {
  it('relays a pointer to the other participant only, labelled with the sender\'s name', async () => {
    const { svc, pointers } = service(async () => undefined);
    expect(() => svc.pointer('e1', 'customer', { x: 0.5, y: 0.5, visible: true })).toThrow('Browsing together is not running.');
    await svc.start(engagement({ customerName: 'Carla', agent: { id: 'a1', displayName: 'Alex' } }), 'agent', 'https://example.com/');
    svc.pointer('e1', 'customer', { x: 0.25, y: 0.75, visible: true });
    svc.pointer('e1', 'agent', { x: 0.1, y: 0.2, visible: false });
    expect(pointers).toEqual([
      { to: 'agent', pointer: { engagementId: 'e1', from: 'customer', name: 'Carla', x: 0.25, y: 0.75, visible: true } },
      { to: 'customer', pointer: { engagementId: 'e1', from: 'agent', name: 'Alex', x: 0.1, y: 0.2, visible: false } },
    ]);
  });
});
