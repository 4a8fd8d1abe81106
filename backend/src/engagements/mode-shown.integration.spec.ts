/**
 * engagement/show-mode through the real app: socket.io, validation, permissions, the audit row,
 * the relay to the other side, and the document room's mode (embedded PostgreSQL).
 */
import { EV, type Ack, type EngagementView, type ServerPayloads, type TimelineEntry } from '@engage/protocol';
import type { Socket } from 'socket.io-client';
import { TokensService } from '../auth/tokens.service';
import { configureLogging } from '../common/logger';
import { startTestApp, type StaffPrincipal, type TestApp } from '../testing/test-app';
import { EngagementsService } from './engagements.service';

configureLogging('silent');
jest.setTimeout(120_000);

describe('engagement/show-mode over sockets and real PostgreSQL', () => {
  let t: TestApp;
  let env: TestApp['env'];
  let engagements: EngagementsService;
  let tokens: TokensService;
  let staff: Record<'agent' | 'other' | 'supervisor', StaffPrincipal>;

  beforeAll(async () => {
    t = await startTestApp({ dataDirPrefix: 'engage-modes-' });
    env = t.env;
    engagements = t.app.get(EngagementsService);
    tokens = t.app.get(TokensService);
    staff = await t.addStaff([
      ['agent', 'agent', 'Alex Agent'],
      ['other', 'agent', 'Bo Agent'],
      ['supervisor', 'supervisor', 'Sam Supervisor'],
    ] as const);
  });

  afterAll(() => t?.close());

  const connect = (token: string): Promise<Socket> => t.connect(token);
  const send = <T>(s: Socket, event: string, payload: unknown): Promise<Ack<T>> => t.send<T>(s, event, payload);
  const ok = <T>(s: Socket, event: string, payload: unknown): Promise<T> => t.ok<T>(s, event, payload);

  /** The next `event` this socket receives (or a timeout). */
  function next<E extends keyof ServerPayloads>(s: Socket, event: E, ms = 5000): Promise<ServerPayloads[E]> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
      s.once(event as string, (p: ServerPayloads[E]) => {
        clearTimeout(t);
        resolve(p);
      });
    });
  }

  async function joined(): Promise<{ id: string; agent: Socket; customer: Socket }> {
    const inv = await engagements.invite(staff.agent as never, { customerName: 'Carla' });
    const session = await engagements.join({ code: inv.code, customerName: 'Carla' });
    const id = inv.engagement.id;
    const agent = await connect(tokens.signStaff(staff.agent));
    const customer = await connect(session.customerToken);
    await ok(agent, EV.engagementJoin, { engagementId: id });
    await ok(customer, EV.engagementJoin, { engagementId: id });
    return { id, agent, customer };
  }

  it('records the switch, answers the row, and tells the other side (who follows)', async () => {
    const { id, agent, customer } = await joined();
    const told = next(customer, EV.engagementModeShown);
    const { entry } = await ok<{ entry: TimelineEntry }>(agent, EV.engagementShowMode, { engagementId: id, mode: 'proxy' });
    expect(entry).toMatchObject({ engagementId: id, type: 'mode.shown', actor: 'agent', detail: { mode: 'proxy' } });
    expect(await told).toEqual({ engagementId: id, mode: 'proxy', by: 'agent', entry });

    // The customer's own switch is theirs, and the agent hears of it.
    const agentTold = next(agent, EV.engagementModeShown);
    await ok(customer, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect(await agentTold).toMatchObject({ engagementId: id, mode: 'chat', by: 'customer', entry: { actor: 'customer' } });

    const rows = await env.db.dataSource.query(`SELECT type, actor, detail FROM engagement_events WHERE engagement_id = $1 AND type = 'mode.shown' ORDER BY id`, [id]);
    expect(rows).toEqual([
      { type: 'mode.shown', actor: 'agent', detail: { mode: 'proxy' } },
      { type: 'mode.shown', actor: 'customer', detail: { mode: 'chat' } },
    ]);
  });

  it('moves the engagement in and out of document mode for the agent only, announcing it', async () => {
    const { id, agent, customer } = await joined();
    const updated = next(customer, EV.engagementUpdated);
    await ok(agent, EV.engagementShowMode, { engagementId: id, mode: 'document' });
    expect(((await updated) as EngagementView).mode).toBe('document');
    await ok(customer, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect((await engagements.view(id)).mode).toBe('document');
    const back = next(customer, EV.engagementUpdated);
    await ok(agent, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect(((await back) as EngagementView).mode).toBe('none');
  });

  it('refuses bad input, outsiders, a supervisor and an ended engagement with a code and a sentence, writing nothing', async () => {
    const { id, agent } = await joined();
    const bad = await send(agent, EV.engagementShowMode, { engagementId: id, mode: 'everything' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(bad.ok === false && bad.error.message.length).toBeGreaterThan(5);
    expect(await send(agent, EV.engagementShowMode, { engagementId: 'not-a-uuid', mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    const other = await connect(tokens.signStaff(staff.other));
    expect(await send(other, EV.engagementShowMode, { engagementId: id, mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const supervisor = await connect(tokens.signStaff(staff.supervisor));
    const watching = await send(supervisor, EV.engagementShowMode, { engagementId: id, mode: 'chat' });
    expect(watching).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Supervisors watch engagements read-only.' } });
    const stranger = await engagements.open({ customerName: 'Mallory' });
    const mallory = await connect(stranger.customerToken);
    expect(await send(mallory, EV.engagementShowMode, { engagementId: id, mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await ok(agent, EV.engagementEnd, { engagementId: id });
    expect(await send(agent, EV.engagementShowMode, { engagementId: id, mode: 'chat' })).toMatchObject({ ok: false, error: { code: 'invalid_state', message: 'This engagement has ended.' } });
    const rows = await env.db.dataSource.query(`SELECT 1 FROM engagement_events WHERE engagement_id = $1 AND type = 'mode.shown'`, [id]);
    expect(rows).toHaveLength(0);
  });
});
