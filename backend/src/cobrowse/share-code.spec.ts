import type { CobrowseView } from '@engage/protocol';
import { TokensService } from '../auth/tokens.service';
import { ConflictError, ForbiddenError, InvalidStateError, NotFoundError } from '../common/errors';
import { configureLogging } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.schema';
import { startTestDatabase } from '../database/test-database';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService } from '../engagements/engagements.service';
import { LiveEngagements } from '../engagements/live-engagements';
import { CobrowseBus } from './cobrowse-bus';
import { CobrowseService } from './cobrowse.service';
import { ShareCodeService, TooManyCodeAttemptsError } from './share-code.service';

configureLogging('silent');
jest.setTimeout(60_000);

type Agent = { role: 'agent'; userId: string; name: string };

describe('share codes ("Share this page" without a chat) over real PostgreSQL', () => {
  let env: Awaited<ReturnType<typeof startTestDatabase>>;
  let engagements: EngagementsService;
  let cobrowse: CobrowseService;
  let codes: ShareCodeService;
  let bus: CobrowseBus;
  let alex: Agent;
  let sam: Agent;
  const tokens = new TokensService('t'.repeat(40));

  beforeAll(async () => {
    env = await startTestDatabase();
    const config = new AppConfig(loadConfig({ PUBLIC_URL: 'http://desk.test' }, { cwd: '/', repoRoot: '/' }));
    const engagementBus = new EngagementBus();
    bus = new CobrowseBus();
    engagements = new EngagementsService(env.db.dataSource, new LiveEngagements(), engagementBus, tokens, config);
    cobrowse = new CobrowseService(engagements, bus, engagementBus);
    cobrowse.onModuleInit();
    codes = new ShareCodeService(engagements, cobrowse);
    const users: Array<{ id: string; display_name: string }> = await env.db.dataSource.query(
      `INSERT INTO users (email, display_name, role, password_hash) VALUES ('a@x.test', 'Alex', 'agent', 'x'), ('s@x.test', 'Sam', 'agent', 'x') RETURNING id, display_name`,
    );
    alex = { role: 'agent', userId: users[0].id, name: users[0].display_name };
    sam = { role: 'agent', userId: users[1].id, name: users[1].display_name };
  });
  afterAll(async () => {
    cobrowse?.onModuleDestroy();
    await env?.stop();
  });

  const customerOf = async (name: string) => {
    const s = await engagements.open({ customerName: name });
    return { id: s.engagement.id, principal: tokens.verify(s.customerToken) };
  };
  const audit = async (id: string) =>
    (await env.db.dataSource.query<Array<{ type: string; actor: string; detail: Record<string, unknown> }>>(
      `SELECT type, actor, detail FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'cobrowse.%' ORDER BY id`,
      [id],
    )).map((r) => ({ type: r.type, actor: r.actor, detail: r.detail }));

  it('issues a 6-digit code valid for 20 minutes; redeeming it assigns the agent and starts co-browse active', async () => {
    const c = await customerOf('Dana');
    const before = Date.now();
    const issued = await codes.issue(c.principal);
    expect(issued.code).toMatch(/^\d{6}$/);
    const ttl = Date.parse(issued.expiresAt) - before;
    expect(ttl).toBeGreaterThan(19.9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(20 * 60_000 + 1000);

    const states: CobrowseView[] = [];
    const onState = (v: CobrowseView) => v.engagementId === c.id && states.push(v);
    bus.on('state', onState);
    const res = await codes.redeem(alex, issued.code);
    bus.off('state', onState);
    expect(res.engagement).toMatchObject({ id: c.id, state: 'active', agent: { id: alex.userId, displayName: 'Alex' }, mode: 'direct' });
    expect(res.cobrowse).toMatchObject({ status: 'active', agentName: 'Alex' });
    expect(states.map((s) => s.status)).toEqual(['active']);
    expect(await audit(c.id)).toEqual([
      { type: 'cobrowse.code_created', actor: 'customer', detail: { expiresAt: issued.expiresAt } },
      { type: 'cobrowse.code_redeemed', actor: 'agent', detail: { agentId: alex.userId } },
      { type: 'cobrowse.accepted', actor: 'customer', detail: { via: 'code', agentId: alex.userId } },
    ]);
    // The customer may record now, without having answered any request.
    expect(() => cobrowse.assertMayRecord(c.principal, c.id)).not.toThrow();

    // Single use: the same code again is refused with a sentence, by anyone.
    await expect(codes.redeem(alex, issued.code)).rejects.toThrow(/already been used/);
    await expect(codes.redeem(sam, issued.code)).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses wrong, expired and cancelled codes with sentences a person can act on', async () => {
    const c = await customerOf('Eve');
    const { code } = await codes.issue(c.principal);
    const wrong = code === '000000' ? '000001' : '000000';
    await expect(codes.redeem(sam, wrong)).rejects.toThrow(/No customer has this code/);
    await expect(codes.redeem(sam, wrong)).rejects.toBeInstanceOf(NotFoundError);

    await env.db.dataSource.query(`UPDATE engagements SET share_code_expires_at = now() - interval '1 second' WHERE id = $1`, [c.id]);
    const expired = codes.redeem(sam, code);
    await expect(expired).rejects.toBeInstanceOf(InvalidStateError);
    await expect(codes.redeem(sam, code)).rejects.toThrow(/expired/);
    expect((await engagements.view(c.id)).state).toBe('requested');

    // A new code replaces the old one; cancelling it makes it unknown.
    const fresh = await codes.issue(c.principal);
    await codes.cancel(c.principal);
    await expect(codes.redeem(sam, fresh.code)).rejects.toThrow(/No customer has this code/);
    expect((await audit(c.id)).map((a) => a.type)).toEqual(['cobrowse.code_created', 'cobrowse.code_created', 'cobrowse.code_cancelled']);
  });

  it('lets only agents redeem, only customers issue, and never takes a customer from another agent', async () => {
    const c = await customerOf('Finn');
    await expect(codes.issue(alex)).rejects.toBeInstanceOf(ForbiddenError);
    const { code } = await codes.issue(c.principal);
    await expect(codes.redeem(c.principal, code)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(codes.redeem({ role: 'supervisor', userId: alex.userId, name: 'Pat' }, code)).rejects.toBeInstanceOf(ForbiddenError);

    await engagements.accept(c.id, sam);
    await expect(codes.redeem(alex, code)).rejects.toThrow(/already with another agent/);
    // Refused without using the code up: the agent who has the customer can still use it.
    const res = await codes.redeem(sam, code);
    expect(res.cobrowse.status).toBe('active');
  });

  it('refuses codes of an ended engagement and issuing for one', async () => {
    const c = await customerOf('Gus');
    const { code } = await codes.issue(c.principal);
    await engagements.end(c.id, 'customer', 'customer');
    await expect(codes.redeem(sam, code)).rejects.toThrow(/conversation has ended/);
    await expect(codes.issue(c.principal)).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('rate-limits code attempts per agent', async () => {
    const limited = new ShareCodeService(engagements, cobrowse);
    const lee = { ...alex, userId: '00000000-0000-4000-8000-000000000001' };
    for (let i = 0; i < 10; i++) await expect(limited.redeem(lee, '999999')).rejects.toBeInstanceOf(NotFoundError);
    const eleventh = limited.redeem(lee, '999999');
    await expect(eleventh).rejects.toBeInstanceOf(TooManyCodeAttemptsError);
    await expect(limited.redeem(lee, '999999')).rejects.toMatchObject({ status: 429, retryAfter: expect.any(Number) });
  });
});
