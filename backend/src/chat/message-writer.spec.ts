import type { ChatMessage } from '@engage/protocol';
import pino from 'pino';
import { OverloadedError } from '../common/errors';
import { startTestDatabase } from '../database/test-database';
import { MessageWriter, type NewMessage } from './message-writer';

jest.setTimeout(60_000);

describe('MessageWriter (real PostgreSQL)', () => {
  let env: Awaited<ReturnType<typeof startTestDatabase>>;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    env = await startTestDatabase();
  });
  afterAll(async () => {
    await env?.stop();
  });

  async function newEngagement(): Promise<string> {
    const rows: Array<{ id: string }> = await env.db.dataSource.query(`INSERT INTO engagements (state, channel, customer_name) VALUES ('active', 'widget', 'C') RETURNING id`);
    return rows[0].id;
  }
  const msg = (engagementId: string, clientId: string, body = `m ${clientId}`): NewMessage => ({ engagementId, clientId, senderRole: 'customer', senderName: 'C', body });

  it('stores a burst in few batches with increasing seqs and updates last_seq', async () => {
    const writer = await MessageWriter.create({ connectionString: env.url, queueMax: 5000, log });
    const eid = await newEngagement();
    const committed: ChatMessage[][] = [];
    writer.on('committed', (m) => committed.push(m));
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => writer.write(msg(eid, `c${i}`))));
    expect(results.map((r) => r.message.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    // Group commit: far fewer transactions than messages.
    expect(committed.length).toBeLessThan(50);
    expect(committed.flat().map((m) => m.seq)).toEqual(results.map((r) => r.message.seq));
    const [{ last_seq, n }] = await env.db.dataSource.query('SELECT last_seq, (SELECT count(*)::int FROM chat_messages WHERE engagement_id = $1) AS n FROM engagements WHERE id = $1', [eid]);
    expect(last_seq).toBe(500);
    expect(n).toBe(500);
    await writer.close();
  });

  it('answers a duplicate client id with the stored seq, in flight and after commit', async () => {
    const writer = await MessageWriter.create({ connectionString: env.url, queueMax: 100, log });
    const eid = await newEngagement();
    const [a, b] = await Promise.all([writer.write(msg(eid, 'same', 'first')), writer.write(msg(eid, 'same', 'second'))]);
    expect(a).toMatchObject({ duplicate: false, message: { seq: 1, body: 'first' } });
    expect(b).toMatchObject({ duplicate: true, message: { seq: 1, body: 'first' } });
    const c = await writer.write(msg(eid, 'same', 'third'));
    expect(c).toMatchObject({ duplicate: true, message: { seq: 1, body: 'first' } });
    // The duplicate consumed a number: the next seq leaves a gap (documented).
    const d = await writer.write(msg(eid, 'next'));
    expect(d.message.seq).toBeGreaterThan(1);
    await writer.close();
  });

  it('continues numbering from MAX(seq) in a new writer (restart)', async () => {
    const eid = await newEngagement();
    const w1 = await MessageWriter.create({ connectionString: env.url, queueMax: 100, log });
    await w1.write(msg(eid, 'a'));
    await w1.write(msg(eid, 'b'));
    await w1.close();
    const w2 = await MessageWriter.create({ connectionString: env.url, queueMax: 100, log });
    expect((await w2.write(msg(eid, 'c'))).message.seq).toBe(3);
    expect((await w2.write(msg(eid, 'a'))).duplicate).toBe(true);
    await w2.close();
  });

  it('answers overloaded beyond WRITE_QUEUE_MAX instead of queuing, and recovers', async () => {
    const writer = await MessageWriter.create({ connectionString: env.url, queueMax: 10, log });
    const eid = await newEngagement();
    const attempts = Array.from({ length: 30 }, (_, i) => writer.write(msg(eid, `o${i}`)).then(
      (r) => ({ ok: true as const, seq: r.message.seq }),
      (err: unknown) => ({ ok: false as const, err }),
    ));
    const settled = await Promise.all(attempts);
    const refused = settled.filter((s) => !s.ok);
    expect(settled.filter((s) => s.ok)).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.err).toBeInstanceOf(OverloadedError);
      expect((r.err as OverloadedError).toBody()).toMatchObject({ code: 'overloaded', retryAfter: 1 });
    }
    expect(writer.depth).toBe(0);
    expect((await writer.write(msg(eid, 'after'))).duplicate).toBe(false);
    await writer.close();
  });

  it('drains pending messages on close, emits closed once and then refuses', async () => {
    const writer = await MessageWriter.create({ connectionString: env.url, queueMax: 1000, log });
    const eid = await newEngagement();
    const closed = jest.fn();
    writer.on('closed', closed);
    const pending = Array.from({ length: 200 }, (_, i) => writer.write(msg(eid, `d${i}`)));
    const c1 = writer.close();
    const c2 = writer.close();
    expect(c1).toBe(c2);
    await c1;
    await expect(Promise.all(pending)).resolves.toHaveLength(200);
    expect(closed).toHaveBeenCalledTimes(1);
    await expect(writer.write(msg(eid, 'late'))).rejects.toBeInstanceOf(OverloadedError);
    const [{ n }] = await env.db.dataSource.query('SELECT count(*)::int AS n FROM chat_messages WHERE engagement_id = $1', [eid]);
    expect(n).toBe(200);
  });
});
