import type { EngagementView } from '@engage/protocol';
import { TokensService } from '../auth/tokens.service';
import { InvalidStateError, NotFoundError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.schema';
import { startTestDatabase } from '../database/test-database';
import { EngagementBus } from './engagement-bus';
import { EngagementsService } from './engagements.service';
import { LiveEngagements } from './live-engagements';

configureLogging('silent');
jest.setTimeout(60_000);

describe('EngagementsService (real PostgreSQL)', () => {
  let env: Awaited<ReturnType<typeof startTestDatabase>>;
  let service: EngagementsService;
  let bus: EngagementBus;
  let agent: { role: 'agent'; userId: string; name: string };
  const tokens = new TokensService('t'.repeat(40));

  beforeAll(async () => {
    env = await startTestDatabase();
    const config = new AppConfig(loadConfig({ PUBLIC_URL: 'http://desk.test' }, { cwd: '/', repoRoot: '/' }));
    bus = new EngagementBus();
    service = new EngagementsService(env.db.dataSource, new LiveEngagements(), bus, tokens, config);
    const [u] = await env.db.dataSource.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ('a@x.test', 'Alex', 'agent', 'x') RETURNING id`);
    agent = { role: 'agent', userId: u.id, name: 'Alex' };
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('persists each change with a timeline event before announcing it', async () => {
    const seen: Array<{ view: EngagementView; events: number }> = [];
    const session = await service.open({ customerName: 'Carla', pageUrl: 'http://shop.test/a' });
    expect(tokens.verify(session.customerToken)).toEqual({ role: 'customer', engagementId: session.engagement.id, name: 'Carla' });
    const id = session.engagement.id;
    bus.on('changed', (view) => {
      // Announced after commit: the row already holds the new state.
      void env.db.dataSource.query('SELECT state FROM engagements WHERE id = $1', [view.id]).then((r: Array<{ state: string }>) => seen.push({ view, events: r[0].state === view.state ? 1 : 0 }));
    });
    const accepted = await service.accept(id, agent);
    expect(accepted).toMatchObject({ state: 'active', agent: { id: agent.userId, displayName: 'Alex' } });
    await expect(service.accept(id, agent)).rejects.toBeInstanceOf(InvalidStateError);
    const ended = await service.end(id, 'customer', 'customer');
    expect(ended).toMatchObject({ state: 'ended', endReason: 'customer' });
    const detail = await service.detail(id, agent);
    expect(detail.timeline.map((t) => t.type)).toEqual(['engagement.requested', 'engagement.accepted', 'engagement.ended']);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.every((s) => s.events === 1)).toBe(true);
  });

  it('shows a supervisor listening in to staff only', async () => {
    const session = await service.open({ customerName: 'Lena' });
    const id = session.engagement.id;
    await service.accept(id, agent);
    await service.recordCallChange(id, { type: 'call.listen', actor: 'supervisor', detail: { name: 'Sam' }, call: 'off', requireActive: true });
    expect((await service.detail(id, agent)).timeline.map((t) => t.type)).toEqual(['engagement.requested', 'engagement.accepted', 'call.listen']);
    const customer = tokens.verify(session.customerToken);
    expect((await service.detail(id, customer)).timeline.map((t) => t.type)).toEqual(['engagement.requested', 'engagement.accepted']);
  });

  it('redeems an invitation code exactly once', async () => {
    const invite = await service.invite(agent, { customerName: 'Ivan' });
    expect(invite.code).toMatch(/^\d{6}$/);
    expect(invite.joinUrl).toBe(`http://desk.test/join/${invite.code}`);
    expect(invite.engagement).toMatchObject({ state: 'active', channel: 'invite' });
    const joined = await service.join({ code: invite.code, customerName: 'Ivy' });
    expect(joined.engagement).toMatchObject({ id: invite.engagement.id, customerName: 'Ivy' });
    await expect(service.join({ code: invite.code })).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.join({ code: '000000' === invite.code ? '000001' : '000000' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records a mode shown as one timeline row, after the others; only the document room moves the mode', async () => {
    const invite = await service.invite(agent, { customerName: 'Mo' });
    const id = invite.engagement.id;
    const announced: string[] = [];
    const onChanged = (v: EngagementView) => v.id === id && announced.push(v.mode);
    bus.on('changed', onChanged);
    const { entry, engagement } = await service.recordModeShown(id, 'agent', 'proxy');
    expect(entry).toMatchObject({ engagementId: id, type: 'mode.shown', actor: 'agent', detail: { mode: 'proxy' } });
    expect(Date.parse(entry.at)).not.toBeNaN();
    expect(engagement.mode).toBe('none');
    await service.recordModeShown(id, 'customer', 'chat');
    // The agent brings the documents in front: the engagement is in document mode; a customer's switch changes nothing.
    expect((await service.recordModeShown(id, 'agent', 'document')).engagement.mode).toBe('document');
    expect((await service.recordModeShown(id, 'customer', 'chat')).engagement.mode).toBe('document');
    // The agent leaves them: no mode, so that another can start.
    expect((await service.recordModeShown(id, 'agent', 'proxy')).engagement.mode).toBe('none');
    // Another mode running stays the mode whatever is shown.
    await env.db.dataSource.query(`UPDATE engagements SET mode = 'proxy' WHERE id = $1`, [id]);
    expect((await service.recordModeShown(id, 'agent', 'document')).engagement.mode).toBe('proxy');
    expect((await service.recordModeShown(id, 'agent', 'chat')).engagement.mode).toBe('proxy');
    bus.off('changed', onChanged);
    expect(announced).toEqual(['document', 'none']);
    const detail = await service.detail(id, agent);
    expect(detail.timeline.map((t) => [t.type, t.actor, t.detail['mode'] ?? null])).toEqual([
      ['engagement.invited', 'agent', null],
      ['mode.shown', 'agent', 'proxy'],
      ['mode.shown', 'customer', 'chat'],
      ['mode.shown', 'agent', 'document'],
      ['mode.shown', 'customer', 'chat'],
      ['mode.shown', 'agent', 'proxy'],
      ['mode.shown', 'agent', 'document'],
      ['mode.shown', 'agent', 'chat'],
    ]);
    expect(detail.timeline[1].id).toBe(entry.id);
    await expect(service.recordModeShown('00000000-0000-4000-8000-000000000000', 'agent', 'chat')).rejects.toBeInstanceOf(NotFoundError);
    const waiting = await service.open({});
    await expect(service.recordModeShown(waiting.engagement.id, 'customer', 'chat')).rejects.toThrow('Accept this engagement first.');
    await service.end(id, 'agent', 'agent');
    await expect(service.recordModeShown(id, 'agent', 'direct')).rejects.toThrow('This engagement has ended.');
    expect((await service.detail(id, agent)).timeline.filter((t) => t.type === 'mode.shown')).toHaveLength(7);
  });

  it('stores read receipts without going backwards or past the last message', async () => {
    const { engagement } = await service.open({});
    await env.db.dataSource.query('UPDATE engagements SET last_seq = 5 WHERE id = $1', [engagement.id]);
    expect(await service.markRead(engagement.id, 'customer', 3)).toBe(3);
    expect(await service.markRead(engagement.id, 'customer', 2)).toBe(3);
    expect(await service.markRead(engagement.id, 'customer', 99)).toBe(5);
    await expect(service.markRead('00000000-0000-4000-8000-000000000000', 'agent', 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists the queue and own engagements for agents', async () => {
    const other = { role: 'agent' as const, userId: '00000000-0000-4000-8000-000000000001', name: 'Nobody' };
    const list = await service.list(other, { limit: 50 });
    expect(list.every((v) => v.state === 'requested')).toBe(true);
    const all = await service.list({ role: 'supervisor', userId: agent.userId, name: 'S' }, { limit: 50 });
    expect(all.length).toBeGreaterThan(list.length);
  });
});
