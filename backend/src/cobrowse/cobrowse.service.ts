import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { CobrowseStatus, CobrowseView, ControlInput, ControlStatus, EngagementView, MissingImage, RecordedEvent } from '@engage/protocol';
import { isStaff, type Principal } from '../auth/principal';
import { ForbiddenError, InvalidStateError, RateLimitedError } from '../common/errors';
import { createLogger } from '../common/logger';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService, type Actor } from '../engagements/engagements.service';
import { Checkpoint } from './checkpoint';
import { CobrowseBus } from './cobrowse-bus';
import { TokenBucket } from '../realtime/token-bucket';
import { CONTROL_REQUEST_TIMEOUT_MS, MISSING_IMAGES_BURST, MISSING_IMAGES_PER_S, REQUEST_TIMEOUT_MS, SNAPSHOT_ASK_INTERVAL_MS } from './cobrowse-limits';
import { controlTransition, type ControlAction } from './cobrowse-control';
import { modeOf, transition, type CobrowseAction } from './cobrowse-state';

type Page = { url: string; title: string };

/** The in-memory co-browse of one engagement (single node, like LiveEngagements). */
class Session {
  status: CobrowseStatus = 'off';
  agentName: string | null = null;
  /** The agent who asked to co-browse: the only one whose pointer and input are relayed. */
  agentId: string | null = null;
  control: ControlStatus = 'none';
  controlTimer: NodeJS.Timeout | undefined;
  reason: string | null = null;
  page: Page | null = null;
  since: string | null = null;
  /** The last non-protected page reported while paused; shown again on resume. */
  pageWhilePaused: Page | null = null;
  /** Transitions queued that leave `active`: recording is refused from the moment they arrive. */
  closing = 0;
  /** Revocations of control queued: input is refused from the moment they arrive. */
  controlClosing = 0;
  timer: NodeJS.Timeout | undefined;
  lastSnapshotAskAt = Number.NEGATIVE_INFINITY;
  readonly checkpoint = new Checkpoint();
  /** Images the agent's replay asks the customer's page for (cobrowse/images-missing), counted one by one. */
  readonly missingImages = new TokenBucket(MISSING_IMAGES_PER_S, MISSING_IMAGES_BURST);
  /** Transitions of one engagement run one after the other. */
  chain: Promise<unknown> = Promise.resolve();

  constructor(readonly engagementId: string) {}

  view(): CobrowseView {
    return { engagementId: this.engagementId, status: this.status, control: this.control, agentName: this.agentName, reason: this.reason, page: this.page, since: this.since };
  }

  clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.clearControlTimer();
  }

  clearControlTimer(): void {
    clearTimeout(this.controlTimer);
    this.controlTimer = undefined;
  }
}

/**
 * Direct co-browse: consent state per engagement, the customer's recording relayed to viewers,
 * and a rolling checkpoint for late viewers. Every transition is persisted (audit row + engagement
 * mode) before the bus announces it.
 */
@Injectable()
export class CobrowseService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger('cobrowse');
  private readonly sessions = new Map<string, Session>();
  /** Other modes that stop before the agent asks for the customer's page (ProxyService registers one). */
  private readonly beforeRequestHooks = new Set<(engagementId: string) => Promise<void>>();
  private readonly onEngagementChanged = (v: EngagementView) => {
    if (v.state === 'ended') void this.engagementEnded(v.id);
  };

  constructor(
    private readonly engagements: EngagementsService,
    private readonly bus: CobrowseBus,
    private readonly engagementBus: EngagementBus,
  ) {}

  onModuleInit(): void {
    this.engagementBus.on('changed', this.onEngagementChanged);
  }

  /** Sessions lived in memory: after a restart no engagement is still in direct mode. */
  async onApplicationBootstrap(): Promise<void> {
    const ids = await this.engagements.clearMode('direct', { type: 'cobrowse.stopped', detail: { reason: 'The server restarted; the agent has to ask again.' } });
    if (ids.length) this.log.info({ count: ids.length }, 'direct co-browse sessions ended by the restart');
  }

  onModuleDestroy(): void {
    this.engagementBus.off('changed', this.onEngagementChanged);
    for (const s of this.sessions.values()) s.clearTimer();
  }

  /** The current co-browse state of an engagement (off when it never had one). */
  view(engagementId: string): CobrowseView {
    return this.sessions.get(engagementId)?.view() ?? new Session(engagementId).view();
  }

  /** The assigned agent asks the customer to share their page. */
  request(p: Principal, v: EngagementView): Promise<CobrowseView> {
    if (isStaff(p) && p.role === 'agent' && v.state === 'requested') throw new InvalidStateError('Accept this engagement before asking to co-browse.');
    if (!isStaff(p) || p.role !== 'agent' || v.agent?.id !== p.userId) throw new ForbiddenError('Only the agent assigned to this engagement may ask to see the customer’s page.');
    if (v.state !== 'active') throw new InvalidStateError(v.state === 'ended' ? 'This engagement has ended.' : 'Accept this engagement before asking to co-browse.');
    const ask = () =>
      this.apply(v.id, { type: 'request' }, 'agent', 'cobrowse/request', { agentId: p.userId }, (s) => {
        s.agentName = p.name;
        s.agentId = p.userId;
      });
    // Switching to the customer's page stops the mode that runs first (its own audit row), then asks.
    if (this.view(v.id).status !== 'off' || this.beforeRequestHooks.size === 0) return ask();
    return Promise.all([...this.beforeRequestHooks].map((hook) => hook(v.id))).then(ask);
  }

  /**
   * Registers work that runs before the agent asks for the customer's page while nothing of it is
   * shared (another mode stopping first). Returns the unregistration.
   */
  beforeRequest(hook: (engagementId: string) => Promise<void>): () => void {
    this.beforeRequestHooks.add(hook);
    return () => this.beforeRequestHooks.delete(hook);
  }

  /**
   * The agent switched to another mode: direct co-browse (or its pending request) stops first,
   * persisted as cobrowse.stopped with `reason`. Does nothing when it is off.
   */
  stopForSwitch(engagementId: string, reason: string, to: 'proxy' | 'document'): Promise<CobrowseView> {
    if (!this.sessions.has(engagementId)) return Promise.resolve(this.view(engagementId));
    return this.apply(engagementId, { type: 'stop', by: 'agent' }, 'agent', 'cobrowse/switch', { reason, switchedTo: to }, (s) => {
      s.reason = reason;
    });
  }

  /** The customer accepts (also: resumes after a protected page) or declines. */
  respond(p: Principal, v: EngagementView, accept: boolean): Promise<CobrowseView> {
    this.assertCustomer(p, v.id, 'Only the customer answers a co-browse request.');
    if (accept && v.state !== 'active') throw new InvalidStateError('This engagement has ended.');
    return this.apply(v.id, { type: accept ? 'accept' : 'decline' }, 'customer', 'cobrowse/respond', {}, (s, audit) => {
      if (audit === 'cobrowse.resumed') s.page = s.pageWhilePaused;
    });
  }

  /**
   * An agent redeemed the customer's share code (EngagementsService.redeemShareCode assigned them):
   * sharing starts active at once, the customer's press of "Share this page" being the consent.
   */
  startByCode(p: Principal, v: EngagementView): Promise<CobrowseView> {
    if (!isStaff(p) || p.role !== 'agent' || v.agent?.id !== p.userId) throw new ForbiddenError('Only the agent who entered the code co-browses with it.');
    if (v.state !== 'active') throw new InvalidStateError('This engagement has ended.');
    return this.apply(v.id, { type: 'grant' }, 'customer', 'cobrowse/code-redeem', { via: 'code', agentId: p.userId }, (s) => {
      s.agentName = p.name;
      s.agentId = p.userId;
    });
  }

  /** The customer or the assigned agent ends sharing (or the request) at once. */
  stop(p: Principal, v: EngagementView): Promise<CobrowseView> {
    const by = this.participant(p, v, 'Only the customer and the assigned agent stop co-browsing.');
    return this.apply(v.id, { type: 'stop', by }, by, 'cobrowse/stop', {});
  }

  /** The customer reports the page it is on. A protected page pauses sharing until they allow it again. */
  page(p: Principal, v: EngagementView, page: Page & { protected: boolean }): Promise<CobrowseView> {
    this.assertCustomer(p, v.id, 'Only the customer reports their page.');
    if (page.protected) return this.apply(v.id, { type: 'protect' }, 'customer', 'cobrowse/page', {});
    const s = this.session(v.id);
    return this.serialized(s, async () => {
      const next = { url: page.url, title: page.title };
      if (s.status === 'paused') s.pageWhilePaused = next;
      if (s.status === 'active' && (s.page?.url !== next.url || s.page?.title !== next.title)) {
        s.page = next;
        this.log.info({ eid: v.id, event: 'cobrowse/page' }, 'page changed');
        this.bus.emit('state', s.view());
      }
      return s.view();
    });
  }

  /** The agent who co-browses asks to control the page; the customer answers in the widget. */
  requestControl(p: Principal, v: EngagementView): Promise<CobrowseView> {
    this.assertSharingAgent(p, v, 'Only the agent co-browsing this engagement may ask for control.');
    return this.applyControl(v.id, { type: 'request' }, 'agent', 'cobrowse/control-request', { agentId: isStaff(p) ? p.userId : null });
  }

  /** The customer allows or declines remote control. */
  respondControl(p: Principal, v: EngagementView, accept: boolean): Promise<CobrowseView> {
    this.assertCustomer(p, v.id, 'Only the customer answers a request for control.');
    if (accept && v.state !== 'active') throw new InvalidStateError('This engagement has ended.');
    return this.applyControl(v.id, { type: accept ? 'allow' : 'decline' }, 'customer', 'cobrowse/control-respond', {});
  }

  /** The customer takes back control, or the agent releases it; effective at once. */
  revokeControl(p: Principal, v: EngagementView): Promise<CobrowseView> {
    const by = this.participant(p, v, 'Only the customer and the assigned agent end remote control.');
    const s = this.sessions.get(v.id);
    // Inputs stop being relayed now, before the audit row is written.
    if (s && s.control !== 'none') s.controlClosing++;
    return this.applyControl(v.id, { type: 'revoke', by }, by, 'cobrowse/control-revoke', {}).finally(() => {
      if (s) s.controlClosing = Math.max(0, s.controlClosing - 1);
    });
  }

  /** The agent's pointer: relayed to the customer only from the agent co-browsing, while active. */
  pointer(p: Principal, engagementId: string, at: { x: number; y: number; visible: boolean }): void {
    const s = this.sessions.get(engagementId);
    if (!isStaff(p) || p.role !== 'agent' || !s || s.agentId !== p.userId) throw new ForbiddenError('Only the agent co-browsing this engagement points on the page.');
    if (s.status !== 'active' || s.closing > 0) throw new InvalidStateError('Co-browse is not active.');
    this.bus.emit('pointer', { engagementId, ...at, agentName: s.agentName ?? 'Agent' });
  }

  /** One input of the agent holding control, relayed to the customer's page only (synchronous: order kept). */
  controlInput(p: Principal, engagementId: string, input: ControlInput): void {
    const s = this.sessions.get(engagementId);
    if (!isStaff(p) || p.role !== 'agent' || !s || s.agentId !== p.userId) throw new ForbiddenError('Only the agent holding control sends input.');
    if (s.status !== 'active' || s.closing > 0 || s.control !== 'granted' || s.controlClosing > 0) throw new InvalidStateError('You do not have control of this page.');
    this.bus.emit('remoteInput', { engagementId, input });
  }

  /** The customer's page refused an input: the note goes to the viewers. */
  controlNote(p: Principal, engagementId: string, message: string): void {
    this.assertCustomer(p, engagementId, 'Only the customer reports on remote control.');
    const s = this.sessions.get(engagementId);
    if (!s || s.status !== 'active') throw new InvalidStateError('Co-browse is not active.');
    this.bus.emit('controlNotice', { engagementId, message });
  }

  /**
   * Images the co-browsing agent's replay could not load (they need the customer's cookies): relayed
   * to the customer's page only, which inlines those it may (never masked or private ones).
   * Synchronous like pointer; a flood past the per-session image budget is refused as rate_limited.
   */
  imagesMissing(p: Principal, engagementId: string, images: MissingImage[]): void {
    const s = this.sessions.get(engagementId);
    if (!isStaff(p) || p.role !== 'agent' || !s || s.agentId !== p.userId) throw new ForbiddenError('Only the agent co-browsing this engagement asks the customer’s page for images.');
    if (s.status !== 'active' || s.closing > 0) throw new InvalidStateError('Co-browse is not active.');
    const wait = s.missingImages.take(images.length);
    if (wait > 0) throw new RateLimitedError(Math.round(wait * 1000) / 1000);
    this.log.debug({ eid: engagementId, event: 'cobrowse/images-missing', count: images.length }, 'asking the customer’s page for images');
    this.bus.emit('imagesWanted', { engagementId, images: images.map((i) => ({ nodeId: i.nodeId, url: i.url })) });
  }

  /** Throws unless `p` is the customer of this engagement and sharing is active right now. */
  assertMayRecord(p: Principal, engagementId: string): void {
    this.assertCustomer(p, engagementId, 'Only the customer of this engagement shares their page.');
    const s = this.sessions.get(engagementId);
    const status = s?.status ?? 'off';
    if (status === 'active' && s && s.closing === 0) return;
    if (status === 'paused') throw new InvalidStateError('Co-browse is paused on a private page; nothing is shared until the customer allows it again.');
    if (status === 'active') throw new InvalidStateError('Co-browse is stopping; nothing more is shared.');
    throw new InvalidStateError('Co-browse is not on for this engagement; nothing is shared until the customer accepts a request.');
  }

  /**
   * Relays one batch (already authorized by assertMayRecord, same tick) to the watchers and adds
   * it to the checkpoint. Synchronous, so batches leave in the order they arrived.
   */
  record(engagementId: string, events: RecordedEvent[], sizes: number[]): number {
    const s = this.sessions.get(engagementId);
    if (!s || s.status !== 'active' || s.closing > 0) throw new InvalidStateError('Co-browse is not on for this engagement.');
    events.forEach((e, i) => s.checkpoint.add(e, sizes[i]));
    this.bus.emit('events', { engagementId, events });
    if (s.checkpoint.overgrown) this.askSnapshot(s, 'checkpoint overgrown');
    return events.length;
  }

  /**
   * A viewer starts watching: the agent assigned, supervisors and admins (any status; the viewer
   * shows it). Returns the checkpoint; asks the customer for a full snapshot when it has none.
   */
  watch(p: Principal, v: EngagementView): { cobrowse: CobrowseView; checkpoint: RecordedEvent[] } {
    if (!isStaff(p)) throw new ForbiddenError('Customers do not watch co-browse.');
    if (p.role === 'agent' && v.agent?.id !== p.userId) throw new ForbiddenError('This engagement is assigned to another agent.');
    const s = this.sessions.get(v.id);
    if (!s) return { cobrowse: this.view(v.id), checkpoint: [] };
    if (s.status === 'active' && !s.checkpoint.hasFullSnapshot) this.askSnapshot(s, 'viewer joined without a snapshot');
    return { cobrowse: s.view(), checkpoint: s.status === 'active' ? s.checkpoint.snapshot() : [] };
  }

  private async engagementEnded(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    try {
      if (s.status !== 'off' || s.closing > 0) await this.apply(id, { type: 'stop', by: 'system' }, 'system', 'engagement/ended', {});
    } catch (err) {
      this.log.error({ err, eid: id, event: 'engagement/ended' }, 'could not stop co-browse of an ended engagement');
    } finally {
      s.clearTimer();
      s.checkpoint.clear();
      this.sessions.delete(id);
    }
  }

  /**
   * Runs one transition: decide → persist (audit row + mode) → update memory → announce. Actions
   * that leave `active` close the recording gate immediately, before the write.
   */
  private apply(
    id: string,
    action: CobrowseAction,
    actor: Actor,
    event: string,
    detail: Record<string, unknown>,
    onCommit?: (s: Session, audit: string) => void,
  ): Promise<CobrowseView> {
    const s = this.session(id);
    const leavesActive = action.type === 'protect' || action.type === 'stop' || action.type === 'decline';
    if (leavesActive) s.closing++;
    return this.serialized(s, async () => {
      // A protected page is never remembered, not even for the resume.
      if (action.type === 'protect') s.pageWhilePaused = null;
      const t = transition(s.status, action);
      if (!t) return s.view();
      const reasonDetail = t.reason && t.next === 'off' ? { reason: t.reason } : {};
      if (t.next !== 'active' && s.control !== 'none') {
        // Leaving active (stop, pause, end) takes control away first, with its own audit row.
        await this.engagements.recordModeChange(id, { type: 'cobrowse.control_revoked', actor, detail: { by: 'system', why: t.audit }, mode: modeOf(s.status), requireActive: false });
        s.control = 'none';
        s.clearControlTimer();
      }
      await this.engagements.recordModeChange(id, { type: t.audit, actor, detail: { ...reasonDetail, ...detail }, mode: modeOf(t.next), requireActive: t.next === 'active' || t.next === 'requesting' });
      const from = s.status;
      s.status = t.next;
      s.reason = t.reason;
      s.since = new Date().toISOString();
      if (t.next !== 'active') s.checkpoint.clear();
      if (t.next === 'paused') s.page = null;
      if (t.next === 'off') {
        s.page = null;
        s.pageWhilePaused = null;
      }
      s.clearTimer();
      if (t.next === 'requesting') s.timer = setTimeout(() => void this.expire(id), REQUEST_TIMEOUT_MS).unref();
      if (t.next === 'off') s.agentId = null;
      onCommit?.(s, t.audit);
      this.log.info({ eid: id, event, from, to: t.next, audit: t.audit, actor }, 'co-browse changed');
      const view = s.view();
      this.bus.emit('state', view);
      return view;
    }).finally(() => {
      if (leavesActive) s.closing--;
    });
  }

  /** Runs one remote-control transition: decide → persist the audit row → update memory → announce. */
  private applyControl(id: string, action: ControlAction, actor: Actor, event: string, detail: Record<string, unknown>): Promise<CobrowseView> {
    const s = this.session(id);
    return this.serialized(s, async () => {
      const t = controlTransition(s.status, s.control, action);
      if (!t) return s.view();
      const by = action.type === 'revoke' ? { by: action.by } : {};
      await this.engagements.recordModeChange(id, { type: t.audit, actor, detail: { ...detail, ...by }, mode: modeOf(s.status), requireActive: t.next !== 'none' });
      const from = s.control;
      s.control = t.next;
      s.clearControlTimer();
      if (t.next === 'requesting') s.controlTimer = setTimeout(() => void this.expireControl(id), CONTROL_REQUEST_TIMEOUT_MS).unref();
      this.log.info({ eid: id, event, from, to: t.next, audit: t.audit, actor }, 'remote control changed');
      const view = s.view();
      this.bus.emit('state', view);
      return view;
    });
  }

  private async expireControl(id: string): Promise<void> {
    try {
      await this.applyControl(id, { type: 'expire' }, 'system', 'cobrowse/control-expire', {});
    } catch (err) {
      this.log.error({ err, eid: id, event: 'cobrowse/control-expire' }, 'could not expire a request for control');
    }
  }

  private assertSharingAgent(p: Principal, v: EngagementView, message: string): void {
    if (!isStaff(p) || p.role !== 'agent' || v.agent?.id !== p.userId) throw new ForbiddenError(message);
    if (v.state !== 'active') throw new InvalidStateError('This engagement has ended.');
  }

  private async expire(id: string): Promise<void> {
    try {
      await this.apply(id, { type: 'expire' }, 'system', 'cobrowse/expire', {});
    } catch (err) {
      this.log.error({ err, eid: id, event: 'cobrowse/expire' }, 'could not expire a co-browse request');
    }
  }

  private askSnapshot(s: Session, why: string): void {
    const now = Date.now();
    if (now - s.lastSnapshotAskAt < SNAPSHOT_ASK_INTERVAL_MS) return;
    s.lastSnapshotAskAt = now;
    this.log.debug({ eid: s.engagementId, event: 'cobrowse/snapshot-needed', why, ...s.checkpoint.size }, 'asking for a full snapshot');
    this.bus.emit('snapshotNeeded', s.engagementId);
  }

  private serialized<T>(s: Session, work: () => Promise<T>): Promise<T> {
    const run = s.chain.then(work);
    s.chain = run.catch(() => undefined);
    return run;
  }

  private session(id: string): Session {
    let s = this.sessions.get(id);
    if (!s) {
      s = new Session(id);
      this.sessions.set(id, s);
    }
    return s;
  }

  private assertCustomer(p: Principal, engagementId: string, message: string): void {
    if (isStaff(p) || p.engagementId !== engagementId) throw new ForbiddenError(message);
  }

  private participant(p: Principal, v: EngagementView, message: string): 'customer' | 'agent' {
    if (!isStaff(p)) {
      if (p.engagementId !== v.id) throw new ForbiddenError(message);
      return 'customer';
    }
    if (p.role === 'agent' && v.agent?.id === p.userId) return 'agent';
    throw new ForbiddenError(message);
  }
}
