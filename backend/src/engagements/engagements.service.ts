import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { LIMITS, type CallState, type CobrowseMode, type CustomerSession, type EndReason, type EngagementDetail, type EngagementState, type EngagementView, type InviteResponse, type ChatMessage, type ShareCodeResponse, type ShownMode, type TimelineEntry } from '@engage/protocol';
import { DataSource, type EntityManager } from 'typeorm';
import { TokensService } from '../auth/tokens.service';
import { isStaff, type Principal, type StaffPrincipal } from '../auth/principal';
import { ChatMessageEntity } from '../chat/chat-message.entity';
import { ConflictError, ForbiddenError, InvalidStateError, NotFoundError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { queryReturning } from '../database/returning';
import { EngagementBus } from './engagement-bus';
import { EngagementEventEntity } from './engagement-event.entity';
import { transition, type StateAction } from './engagement-state';
import { toEngagementView, toTimelineEntry } from './engagement-view';
import { EngagementEntity } from './engagement.entity';
import { INVITE_TTL_MS, randomInviteCode } from './invite-code';
import { LiveEngagements } from './live-engagements';

export type Actor = 'customer' | 'agent' | 'supervisor' | 'system';

/** One co-browse transition to persist: its audit row and the engagement's mode afterwards. */
export interface ModeChange {
  type: string;
  actor: Actor;
  detail: Record<string, unknown>;
  mode: CobrowseMode;
  /** Refuse unless the engagement is active (starting or resuming a mode). */
  requireActive: boolean;
}

/** One call transition to persist: its audit row (call.offered/accepted/declined/ended) and engagements.call afterwards. */
export interface CallChange {
  type: string;
  actor: Actor;
  detail: Record<string, unknown>;
  call: CallState;
  /** Refuse unless the engagement is active (offering or accepting). */
  requireActive: boolean;
}

export const DETAIL_MESSAGES_MAX = 1000;
/** Timeline rows only staff see (GET /engagements/:id of the customer leaves them out). */
export const STAFF_ONLY_EVENTS: ReadonlySet<string> = new Set(['call.listen']);

const FREE_CODE_SQL = {
  invite: `SELECT 1 FROM engagements WHERE invite_code = $1 AND invite_redeemed_at IS NULL AND invite_expires_at > now()`,
  share: `SELECT 1 FROM engagements WHERE share_code = $1 AND share_code_redeemed_at IS NULL AND share_code_expires_at > now()`,
} as const;

/**
 * The engagement state machine applied to the database. Every change is written (row + timeline
 * event, one transaction) before the bus announces it for broadcasting.
 */
@Injectable()
export class EngagementsService implements OnApplicationBootstrap {
  private readonly log = createLogger('engagements');

  constructor(
    private readonly ds: DataSource,
    private readonly live: LiveEngagements,
    private readonly bus: EngagementBus,
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
  ) {}

  /** Loads the live engagements into memory at boot. */
  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.ds.getRepository(EngagementEntity).find({ where: [{ state: 'requested' }, { state: 'active' }], relations: { agent: true } });
    for (const r of rows) this.live.put(toEngagementView(r, r.agent?.displayName ?? null));
    this.log.info({ live: rows.length }, 'live engagements loaded');
  }

  /** Widget: a site visitor asks for help. */
  async open(input: { customerName?: string; pageUrl?: string }): Promise<CustomerSession> {
    const name = input.customerName ?? 'Visitor';
    const view = await this.ds.transaction(async (m) => {
      const e = await this.insert(m, { channel: 'widget', state: 'requested', customerName: name, pageUrl: input.pageUrl ?? null });
      await this.record(m, e.id, 'engagement.requested', 'customer', { channel: 'widget', pageUrl: e.pageUrl });
      return toEngagementView(e, null);
    });
    this.announce(view);
    return { engagement: view, customerToken: this.tokens.signCustomer({ role: 'customer', engagementId: view.id, name }) };
  }

  /** Agent: creates an active engagement assigned to them, reachable with a 6-digit code. */
  async invite(agent: StaffPrincipal, input: { customerName?: string }): Promise<InviteResponse> {
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    const { view, code } = await this.ds.transaction(async (m) => {
      const code = await this.freeCode(m, 'invite');
      const now = new Date();
      const e = await this.insert(m, {
        channel: 'invite',
        state: 'active',
        customerName: input.customerName ?? 'Guest',
        pageUrl: null,
        agentId: agent.userId,
        acceptedAt: now,
        inviteCode: code,
        inviteExpiresAt: expiresAt,
      });
      await this.record(m, e.id, 'engagement.invited', 'agent', { agentId: agent.userId, expiresAt: expiresAt.toISOString() });
      return { view: toEngagementView(e, agent.name), code };
    });
    this.announce(view);
    return { engagement: view, code, joinUrl: `${this.config.get('publicUrl')}/join/${code}`, expiresAt: expiresAt.toISOString() };
  }

  /** Customer: redeems an invitation code, once. */
  async join(input: { code: string; customerName?: string }): Promise<CustomerSession> {
    const view = await this.ds.transaction(async (m) => {
      const rows = await queryReturning<{ id: string }>(
        m,
        `UPDATE engagements SET invite_redeemed_at = now(), customer_name = COALESCE($2, customer_name), last_activity_at = now()
         WHERE invite_code = $1 AND invite_redeemed_at IS NULL AND invite_expires_at > now() AND state <> 'ended' RETURNING id`,
        [input.code, input.customerName ?? null],
      );
      if (rows.length === 0) throw new NotFoundError('This code is unknown, already used or expired.');
      const e = await m.findOneOrFail(EngagementEntity, { where: { id: rows[0].id }, relations: { agent: true } });
      await this.record(m, e.id, 'engagement.joined', 'customer', { channel: 'invite' });
      return toEngagementView(e, null);
    });
    this.announce(view);
    return { engagement: view, customerToken: this.tokens.signCustomer({ role: 'customer', engagementId: view.id, name: view.customerName }) };
  }

  /**
   * Customer pressed "Share this page": a fresh 6-digit code (replacing any earlier one), single use,
   * valid for LIMITS.shareCodeTtlMs. Pressing is the customer's consent to share this tab.
   */
  async issueShareCode(engagementId: string): Promise<ShareCodeResponse> {
    const expiresAt = new Date(Date.now() + LIMITS.shareCodeTtlMs);
    const code = await this.ds.transaction(async (m) => {
      const e = await m.findOne(EngagementEntity, { where: { id: engagementId }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw new NotFoundError('No such engagement.');
      if (e.state === 'ended') throw new InvalidStateError('This conversation has ended. Start a new one to share your page.');
      const code = await this.freeCode(m, 'share');
      await m.update(EngagementEntity, { id: engagementId }, { shareCode: code, shareCodeExpiresAt: expiresAt, shareCodeRedeemedAt: null, lastActivityAt: new Date() });
      await this.record(m, engagementId, 'cobrowse.code_created', 'customer', { expiresAt: expiresAt.toISOString() });
      return code;
    });
    this.log.info({ eid: engagementId, event: 'cobrowse/code', expiresAt }, 'share code issued');
    return { code, expiresAt: expiresAt.toISOString() };
  }

  /** Customer pressed Cancel: their unused code stops working. Returns whether there was one. */
  async cancelShareCode(engagementId: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const rows = await queryReturning<{ id: string }>(
        m,
        `UPDATE engagements SET share_code = NULL, share_code_expires_at = NULL WHERE id = $1 AND share_code IS NOT NULL AND share_code_redeemed_at IS NULL RETURNING id`,
        [engagementId],
      );
      if (rows.length) await this.record(m, engagementId, 'cobrowse.code_cancelled', 'customer', {});
      return rows.length > 0;
    });
  }

  /**
   * Agent redeems a customer's share code, once: the engagement is theirs afterwards (accepted if it
   * was waiting). Refuses, without using the code up, when another agent already has the customer.
   */
  async redeemShareCode(code: string, agent: StaffPrincipal): Promise<EngagementView> {
    const view = await this.ds.transaction(async (m) => {
      const rows = await queryReturning<{ id: string }>(
        m,
        `UPDATE engagements SET share_code_redeemed_at = now(), last_activity_at = now()
         WHERE share_code = $1 AND share_code_redeemed_at IS NULL AND share_code_expires_at > now() AND state <> 'ended' RETURNING id`,
        [code],
      );
      if (rows.length === 0) throw await this.shareCodeRefusal(m, code);
      const e = await m.findOneOrFail(EngagementEntity, { where: { id: rows[0].id } });
      if (e.state === 'active' && e.agentId !== agent.userId) throw new ConflictError('This customer is already with another agent. Ask that agent to co-browse, or the customer to end that conversation first.');
      await this.record(m, e.id, 'cobrowse.code_redeemed', 'agent', { agentId: agent.userId });
      if (e.state === 'requested') {
        const next = transition(e, { type: 'accept', agentId: agent.userId });
        e.state = next.state;
        e.agentId = next.agentId;
        e.acceptedAt = new Date();
        await m.update(EngagementEntity, { id: e.id }, { state: e.state, agentId: e.agentId, acceptedAt: e.acceptedAt });
        await this.record(m, e.id, 'engagement.accepted', 'agent', { agentId: agent.userId, via: 'code' });
      }
      return toEngagementView(e, agent.name);
    });
    this.log.info({ eid: view.id, event: 'cobrowse/code-redeem', agentId: agent.userId }, 'share code redeemed');
    this.announce(view);
    return view;
  }

  /** Why a share code did not work, in words the agent can act on. */
  private async shareCodeRefusal(m: EntityManager, code: string): Promise<Error> {
    const again = 'Ask the customer to press "Share this page" again and read you the new code.';
    const rows: Array<{ used: boolean; expired: boolean; ended: boolean }> = await m.query(
      `SELECT share_code_redeemed_at IS NOT NULL AS used, share_code_expires_at <= now() AS expired, state = 'ended' AS ended
       FROM engagements WHERE share_code = $1 ORDER BY share_code_expires_at DESC LIMIT 1`,
      [code],
    );
    const r = rows[0];
    if (!r) return new NotFoundError('No customer has this code. Check the six digits with the customer and try again.');
    if (r.used) return new ConflictError(`This code has already been used; each code works once. ${again}`);
    if (r.ended) return new InvalidStateError(`This customer’s conversation has ended. ${again}`);
    return new InvalidStateError(`This code has expired (codes last ${LIMITS.shareCodeTtlMs / 60_000} minutes). ${again}`);
  }

  accept(id: string, agent: StaffPrincipal): Promise<EngagementView> {
    return this.change(id, { type: 'accept', agentId: agent.userId }, 'agent', agent.name);
  }

  end(id: string, reason: EndReason, actor: Actor): Promise<EngagementView> {
    return this.change(id, { type: 'end', reason }, actor);
  }

  /** Stores a read receipt (never moves backwards, never beyond the last message). */
  async markRead(id: string, role: 'customer' | 'agent', seq: number): Promise<number> {
    const column = role === 'customer' ? 'customer_read_seq' : 'agent_read_seq';
    const rows = await queryReturning<{ seq: number }>(
      this.ds,
      `UPDATE engagements SET ${column} = GREATEST(${column}, LEAST($2::int, last_seq)) WHERE id = $1 RETURNING ${column} AS seq`,
      [id, seq],
    );
    if (rows.length === 0) throw new NotFoundError('No such engagement.');
    this.live.setReadSeq(id, role, rows[0].seq);
    this.bus.emit('read', { engagementId: id, role, seq: rows[0].seq });
    return rows[0].seq;
  }

  async list(p: StaffPrincipal, q: { state?: EngagementState; limit: number }): Promise<EngagementView[]> {
    const qb = this.ds.getRepository(EngagementEntity).createQueryBuilder('e').leftJoinAndSelect('e.agent', 'agent').orderBy('e.created_at', 'DESC').limit(q.limit);
    if (q.state) qb.andWhere('e.state = :state', { state: q.state });
    if (p.role === 'agent') qb.andWhere(`(e.state = 'requested' OR e.agent_id = :me)`, { me: p.userId });
    const rows = await qb.getMany();
    return rows.map((r) => toEngagementView(r, r.agent?.displayName ?? null));
  }

  async detail(id: string, p: Principal): Promise<EngagementDetail> {
    const e = await this.ds.getRepository(EngagementEntity).findOne({ where: { id }, relations: { agent: true } });
    if (!e) throw new NotFoundError('No such engagement.');
    if (!this.maySee(p, e)) throw new ForbiddenError('This engagement is not yours.');
    const [messages, events] = await Promise.all([
      this.ds.getRepository(ChatMessageEntity).find({ where: { engagementId: id }, order: { seq: 'ASC' }, take: DETAIL_MESSAGES_MAX }),
      this.ds.getRepository(EngagementEventEntity).find({ where: { engagementId: id }, order: { id: 'ASC' } }),
    ]);
    // A supervisor listening in is staff business: not in the customer's copy of the timeline.
    const visible = isStaff(p) ? events : events.filter((ev) => !STAFF_ONLY_EVENTS.has(ev.type));
    return { engagement: toEngagementView(e, e.agent?.displayName ?? null), messages: messages.map(toChatMessage), timeline: visible.map(toTimelineEntry) };
  }

  /** A view of any engagement: from memory when live, else from the database. */
  async view(id: string): Promise<EngagementView> {
    const cached = this.live.get(id);
    if (cached) return cached;
    const e = await this.ds.getRepository(EngagementEntity).findOne({ where: { id }, relations: { agent: true } });
    if (!e) throw new NotFoundError('No such engagement.');
    return toEngagementView(e, e.agent?.displayName ?? null);
  }

  /** Ids of live engagements idle for longer than `seconds`. */
  async idleSince(seconds: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM engagements WHERE state IN ('requested', 'active') AND last_activity_at < now() - make_interval(secs => $1) LIMIT 500`,
      [seconds],
    );
    return rows.map((r) => r.id);
  }

  private maySee(p: Principal, e: EngagementEntity): boolean {
    if (!isStaff(p)) return p.engagementId === e.id;
    if (p.role === 'agent') return e.agentId === p.userId || e.state === 'requested';
    return true;
  }

  private async change(id: string, action: StateAction, actor: Actor, agentName?: string): Promise<EngagementView> {
    const view = await this.ds.transaction(async (m) => {
      const e = await m.findOne(EngagementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw new NotFoundError('No such engagement.');
      const next = transition(e, action);
      const now = new Date();
      e.state = next.state;
      e.agentId = next.agentId;
      e.lastActivityAt = now;
      if (action.type === 'accept') e.acceptedAt = now;
      if (action.type === 'end') {
        e.endedAt = now;
        e.endReason = action.reason;
        // Ending an engagement ends whatever co-browse mode it ran, and its call.
        e.mode = 'none';
        e.call = 'off';
      }
      await m.update(EngagementEntity, { id }, { state: e.state, agentId: e.agentId, acceptedAt: e.acceptedAt, endedAt: e.endedAt, endReason: e.endReason, mode: e.mode, call: e.call, lastActivityAt: now });
      await this.record(m, id, action.type === 'accept' ? 'engagement.accepted' : 'engagement.ended', actor, action.type === 'accept' ? { agentId: action.agentId } : { reason: action.reason });
      return toEngagementView(e, agentName ?? (await this.agentNameOf(m, e)));
    });
    this.log.info({ eid: id, state: view.state, reason: view.endReason, actor }, 'engagement changed');
    this.announce(view);
    return view;
  }

  /**
   * Persists one co-browse transition in one transaction: the audit row (engagement_events) and
   * engagements.mode. Announces engagement/updated only when the mode changed. Callers broadcast
   * their own state after this resolves.
   */
  async recordModeChange(id: string, change: ModeChange): Promise<EngagementView> {
    const { view, modeChanged } = await this.ds.transaction(async (m) => {
      const e = await m.findOne(EngagementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw new NotFoundError('No such engagement.');
      if (change.requireActive && e.state !== 'active') throw new InvalidStateError(e.state === 'ended' ? 'This engagement has ended.' : 'Accept this engagement first.');
      const modeChanged = e.mode !== change.mode;
      if (e.state !== 'ended') {
        e.mode = change.mode;
        e.lastActivityAt = new Date();
        await m.update(EngagementEntity, { id }, { mode: e.mode, lastActivityAt: e.lastActivityAt });
      }
      await this.record(m, id, change.type, change.actor, change.detail);
      return { view: toEngagementView(e, await this.agentNameOf(m, e)), modeChanged: modeChanged && e.state !== 'ended' };
    });
    if (modeChanged) this.announce(view);
    return view;
  }

  /**
   * A participant put a mode that already runs (or the chat alone) in front of them: one timeline
   * row, `mode.shown`. engagements.mode says which co-browse mode runs, so it changes only for the
   * document room, which has no session of its own to stop: the agent bringing the documents in
   * front (with nothing else running) makes the mode `document`, the agent leaving them makes it
   * `none` again (so that another mode can start). A customer's switch changes no mode.
   */
  async recordModeShown(id: string, actor: 'customer' | 'agent', mode: ShownMode): Promise<{ entry: TimelineEntry; engagement: EngagementView }> {
    const { entry, view, modeChanged } = await this.ds.transaction(async (m) => {
      const e = await m.findOne(EngagementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw new NotFoundError('No such engagement.');
      if (e.state !== 'active') throw new InvalidStateError(e.state === 'ended' ? 'This engagement has ended.' : 'Accept this engagement first.');
      const next: CobrowseMode = actor !== 'agent' ? e.mode : mode === 'document' ? (e.mode === 'none' ? 'document' : e.mode) : e.mode === 'document' ? 'none' : e.mode;
      const modeChanged = next !== e.mode;
      e.mode = next;
      e.lastActivityAt = new Date();
      await m.update(EngagementEntity, { id }, { mode: e.mode, lastActivityAt: e.lastActivityAt });
      const rows: Array<{ id: string; at: Date }> = await m.query(
        `INSERT INTO engagement_events (engagement_id, type, actor, detail) VALUES ($1, 'mode.shown', $2, $3::jsonb) RETURNING id, at`,
        [id, actor, JSON.stringify({ mode })],
      );
      const entry: TimelineEntry = { id: Number(rows[0].id), engagementId: id, type: 'mode.shown', actor, detail: { mode }, at: new Date(rows[0].at).toISOString() };
      return { entry, view: toEngagementView(e, await this.agentNameOf(m, e)), modeChanged };
    });
    if (modeChanged) this.announce(view);
    return { entry, engagement: view };
  }

  /**
   * Persists one call transition in one transaction: the audit row (engagement_events) and
   * engagements.call. Announces engagement/updated only when the call column changed.
   */
  async recordCallChange(id: string, change: CallChange): Promise<EngagementView> {
    const { view, callChanged } = await this.ds.transaction(async (m) => {
      const e = await m.findOne(EngagementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw new NotFoundError('No such engagement.');
      if (change.requireActive && e.state !== 'active') throw new InvalidStateError(e.state === 'ended' ? 'This engagement has ended.' : 'Accept this engagement first.');
      const callChanged = e.call !== change.call && e.state !== 'ended';
      if (callChanged) {
        e.call = change.call;
        e.lastActivityAt = new Date();
        await m.update(EngagementEntity, { id }, { call: e.call, lastActivityAt: e.lastActivityAt });
      }
      await this.record(m, id, change.type, change.actor, change.detail);
      return { view: toEngagementView(e, await this.agentNameOf(m, e)), callChanged };
    });
    if (callChanged) this.announce(view);
    return view;
  }

  /**
   * Sets every live engagement running `mode` back to 'none', with an audit row each: in-memory
   * sessions (direct co-browse) do not survive a restart. Returns the ids changed.
   */
  async clearMode(mode: Exclude<CobrowseMode, 'none'>, audit: { type: string; detail: Record<string, unknown> }): Promise<string[]> {
    const ids = await this.ds.transaction(async (m) => {
      const rows = await queryReturning<{ id: string }>(m, `UPDATE engagements SET mode = 'none' WHERE mode = $1 AND state <> 'ended' RETURNING id`, [mode]);
      for (const r of rows) await this.record(m, r.id, audit.type, 'system', audit.detail);
      return rows.map((r) => r.id);
    });
    for (const id of ids) {
      const v = this.live.get(id);
      if (v) this.announce({ ...v, mode: 'none' });
    }
    return ids;
  }

  private async agentNameOf(m: EntityManager, e: EngagementEntity): Promise<string | null> {
    if (!e.agentId) return null;
    const cached = this.live.get(e.id)?.agent;
    if (cached?.id === e.agentId) return cached.displayName;
    const rows: Array<{ display_name: string }> = await m.query('SELECT display_name FROM users WHERE id = $1', [e.agentId]);
    return rows[0]?.display_name ?? null;
  }

  private announce(view: EngagementView): void {
    this.live.put(view);
    this.bus.emit('changed', view);
  }

  private async insert(m: EntityManager, fields: Partial<EngagementEntity>): Promise<EngagementEntity> {
    const now = new Date();
    const e = m.create(EngagementEntity, {
      agentId: null,
      acceptedAt: null,
      endedAt: null,
      endReason: null,
      call: 'off',
      mode: 'none',
      lastSeq: 0,
      customerReadSeq: 0,
      agentReadSeq: 0,
      inviteCode: null,
      inviteExpiresAt: null,
      inviteRedeemedAt: null,
      shareCode: null,
      shareCodeExpiresAt: null,
      shareCodeRedeemedAt: null,
      createdAt: now,
      lastActivityAt: now,
      ...fields,
    });
    return m.save(e);
  }

  private async record(m: EntityManager, engagementId: string, type: string, actor: Actor, detail: Record<string, unknown>): Promise<void> {
    await m.query('INSERT INTO engagement_events (engagement_id, type, actor, detail) VALUES ($1, $2, $3, $4::jsonb)', [engagementId, type, actor, JSON.stringify(detail)]);
  }

  /** A 6-digit code no live invitation (or share code, by `kind`) holds right now. */
  private async freeCode(m: EntityManager, kind: 'invite' | 'share'): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const code = randomInviteCode();
      const taken: unknown[] = await m.query(FREE_CODE_SQL[kind], [code]);
      if (taken.length === 0) return code;
    }
    throw new ConflictError(kind === 'invite' ? 'No free invitation code right now; try again.' : 'No free code right now; please try again.');
  }
}

export function toChatMessage(m: ChatMessageEntity): ChatMessage {
  return { engagementId: m.engagementId, seq: m.seq, clientId: m.clientId, sender: { role: m.senderRole, name: m.senderName }, body: m.body, sentAt: m.sentAt.toISOString() };
}
