import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EngagementView, ProxyDevice, ProxyDialog, ProxyDriver, ProxyFrame, ProxyInput, ProxyNavigateCommand, ProxySessionOptions, ProxyView } from '@engage/protocol';
import type { Principal } from '../auth/principal';
import { CobrowseService } from '../cobrowse/cobrowse.service';
import { DomainError, ForbiddenError, InvalidStateError } from '../common/errors';
import { createLogger } from '../common/logger';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService, type Actor } from '../engagements/engagements.service';
import { ProxyBus } from './proxy-bus';
import { isProxyParty } from './proxy-party';
import { ProxyPool } from './proxy-pool';
import type { RemoteCloseReason, RemoteSession } from './remote-session';
import { WorkerRequestError } from './worker-link';

/** The desktop the shared browser has until the customer reports a device. */
const DEFAULT_DEVICE: ProxyDevice = { width: 1280, height: 800, deviceScaleFactor: 1, isMobile: false, hasTouch: false };

interface Running {
  view: ProxyView;
  session: RemoteSession | undefined;
  agentId: string | null;
  /** How each side is named to the other ("Waiting for Carla…", the pointer's label). */
  names: Record<ProxyDriver, string>;
  /** The page's open dialog, text included (the view carries only who must answer it). */
  dialog: ProxyDialog | undefined;
}

const other = (who: ProxyDriver): ProxyDriver => (who === 'agent' ? 'customer' : 'agent');

/** A worker frame as the browsers get it (page size in whole CSS pixels). */
const toFrame = (engagementId: string, f: NonNullable<RemoteSession['lastFrame']>): ProxyFrame => ({
  engagementId,
  seq: f.seq,
  data: f.data,
  width: Math.round(f.metadata.deviceWidth),
  height: Math.round(f.metadata.deviceHeight),
});

/** Why direct co-browse stopped when the agent started browsing together while it ran. */
export const SWITCHED_TO_PROXY = 'The agent switched to browsing together.';

export function stoppedReason(reason: RemoteCloseReason | 'agent' | 'customer' | 'engagement-ended' | 'switched-to-direct'): string {
  switch (reason) {
    case 'switched-to-direct':
      return 'The agent switched to the customer’s page.';
    case 'agent':
      return 'The agent stopped browsing together.';
    case 'customer':
      return 'The customer stopped browsing together.';
    case 'engagement-ended':
      return 'The engagement ended.';
    case 'max-duration':
      return 'The shared browser reached its time limit.';
    case 'memory':
    case 'crashed':
    case 'unresponsive':
      return 'The page stopped responding; start again.';
    default:
      return 'The shared browser stopped; start again.';
  }
}

/**
 * Proxy co-browse of engagements: one shared browser per engagement, placed on a proxy worker by
 * the pool. Start and stop are persisted (engagement_events proxy.started / proxy.stopped,
 * engagements.mode) before they are broadcast; one participant drives at a time.
 */
@Injectable()
export class ProxyService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger('proxy');
  private readonly running = new Map<string, Running>();
  private readonly stopped = new Map<string, ProxyView>();
  /** The last device each engagement's customer reported. */
  private readonly devices = new Map<string, ProxyDevice>();
  private readonly onEngagementChanged = (v: EngagementView) => {
    if (v.state === 'ended' && this.running.has(v.id)) void this.end(v.id, 'system', 'engagement-ended');
  };
  private offBeforeDirect: (() => void) | undefined;
  private dialogSeq = 0;

  constructor(
    private readonly pool: ProxyPool,
    private readonly engagements: EngagementsService,
    private readonly engagementBus: EngagementBus,
    private readonly bus: ProxyBus,
    private readonly cobrowse: CobrowseService,
  ) {}

  onModuleInit(): void {
    this.engagementBus.on('changed', this.onEngagementChanged);
    // The agent asking for the customer's page while browsing together: the shared browser stops first.
    this.offBeforeDirect = this.cobrowse.beforeRequest(async (id) => {
      if (this.running.has(id)) await this.end(id, 'agent', 'switched-to-direct');
    });
  }

  /** Shared browsers do not survive a restart: engagements left in mode 'proxy' go back to none. */
  async onApplicationBootstrap(): Promise<void> {
    await this.engagements.clearMode('proxy', { type: 'proxy.stopped', detail: { reason: 'restart' } });
  }

  onModuleDestroy(): void {
    this.engagementBus.off('changed', this.onEngagementChanged);
    this.offBeforeDirect?.();
    for (const r of this.running.values()) r.session?.close();
    this.running.clear();
  }

  view(engagementId: string): ProxyView {
    return this.running.get(engagementId)?.view ?? this.stopped.get(engagementId) ?? off(engagementId, null, null, null);
  }

  setDevice(engagementId: string, who: ProxyDriver, device: ProxyDevice): void {
    if (who !== 'customer') throw new ForbiddenError('Only the customer reports the device.');
    this.devices.set(engagementId, device);
  }

  async start(e: EngagementView, who: ProxyDriver, url: string, device?: ProxyDevice): Promise<ProxyView> {
    const id = e.id;
    if (device && who === 'customer') this.devices.set(id, device);
    if (this.running.has(id)) throw new InvalidStateError('Browsing together is already running.');
    if (e.state !== 'active') throw new InvalidStateError(e.state === 'ended' ? 'This engagement has ended.' : 'Accept this engagement first.');
    // Only the agent switches modes.
    if (who !== 'agent' && (e.mode === 'direct' || e.mode === 'document')) throw new InvalidStateError('Stop the current co-browse mode first.');
    const entry: Running = {
      view: { engagementId: id, status: 'starting', url, title: null, driver: who, blockedReason: null, reason: null, dialog: null },
      session: undefined,
      agentId: e.agent?.id ?? null,
      names: { agent: e.agent?.displayName ?? 'the agent', customer: e.customerName || 'the customer' },
      dialog: undefined,
    };
    this.running.set(id, entry);
    // The browser is placed, and the page opened in it, while the start is being persisted (nothing of
    // it is shown before both are done): the database commit is off the path to the first frame.
    const opening = this.pool.open(this.options(id));
    opening.catch(() => undefined);
    const opened = opening.then((s) => s.navigate({ action: 'goto', url }));
    opened.catch(() => undefined);
    try {
      // Switching from direct co-browse: it stops first, with its own audit row (the document room
      // has no session to stop; proxy.started moves the mode on from it).
      if (who === 'agent' && (e.mode === 'direct' || this.cobrowse.view(id).status !== 'off')) await this.cobrowse.stopForSwitch(id, SWITCHED_TO_PROXY, 'proxy');
      const from = e.mode === 'none' ? {} : { switchedFrom: e.mode };
      await this.engagements.recordModeChange(id, { type: 'proxy.started', actor: who, detail: { url, ...from }, mode: 'proxy', requireActive: true });
    } catch (err) {
      this.running.delete(id);
      void opening.then((s) => s.close(), () => undefined);
      throw err;
    }
    this.stopped.delete(id);
    this.publish(entry);
    let session: RemoteSession;
    try {
      session = await opening;
    } catch (err) {
      await this.finish(id, 'system', (err as Error).message, { reason: 'placement-failed' });
      throw err;
    }
    if (this.running.get(id) !== entry) {
      // Stopped (or the engagement ended) while the browser was starting.
      session.close();
      return this.view(id);
    }
    entry.session = session;
    entry.view = { ...entry.view, status: 'running' };
    this.follow(id, entry, session);
    this.publish(entry);
    void opened.then((result) => this.noteNavigation(id, entry, result)).catch(() => undefined);
    return entry.view;
  }

  async input(engagementId: string, who: ProxyDriver, input: ProxyInput): Promise<void> {
    const r = this.assertRunning(engagementId);
    if (r.view.driver !== who) throw new ForbiddenError('Take control first.');
    await r.session!.input(input);
  }

  async navigate(e: EngagementView, _who: ProxyDriver, command: ProxyNavigateCommand): Promise<ProxyView> {
    const r = this.assertRunning(e.id);
    this.noteNavigation(e.id, r, await r.session!.navigate(command));
    return this.view(e.id);
  }

  /** A refused navigation is shown with its reason (while the same browser still runs). */
  private noteNavigation(id: string, r: Running, result: Awaited<ReturnType<RemoteSession['navigate']>>): void {
    if (result.ok || this.running.get(id) !== r) return;
    r.view = { ...r.view, blockedReason: result.reason };
    this.publish(r);
  }

  async takeControl(engagementId: string, who: ProxyDriver): Promise<ProxyView> {
    const r = this.assertRunning(engagementId);
    if (r.view.driver === who) return r.view;
    await this.engagements.recordModeChange(engagementId, { type: 'proxy.control', actor: who, detail: { driver: who }, mode: 'proxy', requireActive: true });
    r.view = { ...r.view, driver: who };
    // An open dialog follows control: the new driver answers it.
    if (r.dialog) r.view = { ...r.view, dialog: { id: r.dialog.id, for: who, name: r.names[who], type: r.dialog.type } };
    this.publish(r);
    this.sendDialog(r);
    return r.view;
  }

  /** The driver's answer to the page's open dialog; the page continues. */
  async answerDialog(engagementId: string, who: ProxyDriver, dialogId: number, accept: boolean, text?: string): Promise<ProxyView> {
    const r = this.assertRunning(engagementId);
    if (r.view.driver !== who) throw new ForbiddenError('Only the participant in control answers the page’s dialog; take control first.');
    const d = r.dialog;
    if (!d || d.id !== dialogId) throw new InvalidStateError('That dialog of the page is no longer open.');
    try {
      await r.session!.answerDialog(accept, d.type === 'prompt' && accept ? (text ?? '') : undefined);
    } catch (err) {
      // Gone on the worker meanwhile (the page went away, or a double click answered it): nothing is left to answer.
      // Any other failure leaves the dialog open and shown, to be answered again.
      if (!(err instanceof WorkerRequestError && err.code === 'no-dialog')) {
        this.log.warn({ eid: engagementId, event: 'proxy/dialog-answer', err: (err as Error).message }, 'dialog answer not delivered');
        throw new DomainError('internal', 502, 'The shared browser did not take the answer; try again.');
      }
    }
    if (this.running.get(engagementId) === r && r.dialog?.id === d.id) this.clearDialog(r);
    this.log.info({ eid: engagementId, event: 'proxy/dialog-answer', who, type: d.type, accept }, 'dialog answered');
    return this.view(engagementId);
  }

  /** The open dialog of the page if `principal` is the one to answer it (a driver's desk or page that (re)joins gets it again). */
  dialogFor(engagementId: string, principal: Principal): ProxyDialog | null {
    const r = this.running.get(engagementId);
    if (!r?.dialog) return null;
    return isProxyParty(principal, r.view.driver, r.agentId) ? r.dialog : null;
  }

  /**
   * The newest frame of the running shared page, for a desk or join page that (re)joins: a page at rest
   * paints nothing new until it changes, so without it a reloaded viewer would stay blank.
   */
  latestFrame(engagementId: string): ProxyFrame | null {
    const r = this.running.get(engagementId);
    const f = r?.view.status === 'running' ? r.session?.lastFrame : undefined;
    return f ? toFrame(engagementId, f) : null;
  }

  /** A participant's pointer over the shared page (normalized), shown to the other participant only; never injected into the page. */
  pointer(engagementId: string, who: ProxyDriver, at: { x: number; y: number; visible: boolean }): void {
    const r = this.running.get(engagementId);
    if (!r) throw new InvalidStateError('Browsing together is not running.');
    this.bus.emit('pointer', { engagementId, from: who, name: r.names[who], x: at.x, y: at.y, visible: at.visible }, other(who), r.agentId);
  }

  async stop(engagementId: string, who: ProxyDriver): Promise<ProxyView> {
    if (!this.running.has(engagementId)) throw new InvalidStateError('Browsing together is not running.');
    return this.end(engagementId, who, who);
  }

  // ───────── internals ─────────

  private options(engagementId: string): ProxySessionOptions {
    const d = this.devices.get(engagementId) ?? DEFAULT_DEVICE;
    const clamp = (n: number) => Math.min(3840, Math.max(200, Math.round(n)));
    return {
      viewport: { width: clamp(d.width), height: clamp(d.height), deviceScaleFactor: Math.min(4, Math.max(1, d.deviceScaleFactor)), isMobile: d.isMobile, hasTouch: d.hasTouch },
      ...(d.locale ? { locale: d.locale } : {}),
      ...(d.timezone ? { timezoneId: d.timezone } : {}),
    };
  }

  private follow(id: string, entry: Running, session: RemoteSession): void {
    const relay = (f: NonNullable<RemoteSession['lastFrame']>) => this.bus.emit('frame', toFrame(id, f), entry.agentId);
    session.on('frame', relay);
    // Frames that came while the start was still being persisted: the newest is shown now (a page at
    // rest paints no other until something changes).
    if (session.lastFrame) relay(session.lastFrame);
    // Refusals happen for background requests too (Chromium's own, a page's trackers): one is shown
    // only when the page itself ends on the worker's refusal page (about:blank right after it).
    let lastBlocked: { reason: string; at: number } | undefined;
    session.on('blocked', (b) => (lastBlocked = { reason: b.reason, at: Date.now() }));
    const onNavigated = (n: { url: string; title: string }) => {
      if (this.running.get(id) !== entry) return;
      if (n.url === 'about:blank') {
        if (lastBlocked && Date.now() - lastBlocked.at < 5_000 && entry.view.blockedReason !== lastBlocked.reason) {
          entry.view = { ...entry.view, blockedReason: lastBlocked.reason };
          this.publish(entry);
        }
        return;
      }
      entry.view = { ...entry.view, url: n.url, title: n.title, blockedReason: null };
      this.publish(entry);
    };
    session.on('navigated', onNavigated);
    // The start page may have loaded while the start was being persisted.
    if (session.lastNavigated) onNavigated(session.lastNavigated);
    session.on('dialog', (d) => {
      if (this.running.get(id) !== entry) return;
      const driver = entry.view.driver ?? 'agent';
      entry.dialog = { engagementId: id, id: ++this.dialogSeq, type: d.type, message: d.message, defaultValue: d.defaultValue };
      entry.view = { ...entry.view, dialog: { id: entry.dialog.id, for: driver, name: entry.names[driver], type: d.type } };
      this.log.info({ eid: id, event: 'proxy/dialog', type: d.type, for: driver }, 'dialog of the page to the driver');
      this.publish(entry);
      this.sendDialog(entry);
    });
    session.on('dialog-closed', () => {
      if (this.running.get(id) === entry && entry.dialog) this.clearDialog(entry);
    });
    session.once('closed', ({ reason, detail }) => {
      if (this.running.get(id) !== entry || reason === 'closed') return;
      this.log.warn({ eid: id, event: 'proxy/closed', reason, detail }, 'shared browser ended');
      void this.end(id, 'system', reason).catch((err: unknown) => this.log.error({ err, eid: id }, 'could not record the end of a shared browser'));
    });
  }

  private async end(id: string, actor: Actor, why: Parameters<typeof stoppedReason>[0]): Promise<ProxyView> {
    return this.finish(id, actor, stoppedReason(why), { reason: why });
  }

  private async finish(id: string, actor: Actor, reason: string, detail: Record<string, unknown>): Promise<ProxyView> {
    const entry = this.running.get(id);
    if (!entry) return this.view(id);
    this.running.delete(id);
    entry.session?.close();
    const last = off(id, entry.view.url, entry.view.title, reason);
    this.stopped.set(id, last);
    try {
      await this.engagements.recordModeChange(id, { type: 'proxy.stopped', actor, detail: { ...detail, url: entry.view.url }, mode: 'none', requireActive: false });
    } finally {
      this.log.info({ eid: id, event: 'proxy.stopped', actor, reason }, 'browsing together stopped');
      this.bus.emit('state', last);
    }
    return last;
  }

  private assertRunning(engagementId: string): Running {
    const r = this.running.get(engagementId);
    if (!r || !r.session) throw new InvalidStateError(r ? 'The shared browser is still starting.' : 'Browsing together is not running.');
    return r;
  }

  private sendDialog(entry: Running): void {
    if (entry.dialog && entry.view.driver) this.bus.emit('dialog', entry.dialog, entry.view.driver, entry.agentId);
  }

  private clearDialog(entry: Running): void {
    entry.dialog = undefined;
    entry.view = { ...entry.view, dialog: null };
    this.publish(entry);
  }

  private publish(entry: Running): void {
    this.bus.emit('state', entry.view);
  }
}

function off(engagementId: string, url: string | null, title: string | null, reason: string | null): ProxyView {
  return { engagementId, status: 'off', url, title, driver: null, blockedReason: null, reason, dialog: null };
}
