import { API, EV, type Ack, type ClientResults, type CustomerSession, type LoginResponse } from '@engage/protocol';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { percentile, progress, report } from './report';
import { startBackend, startPostgres } from './services';

const ENGAGEMENTS = 200;
const STEP_MS = 6000;
const WARMUP_MS = 1000;
const RATES = [1000, 2000, 4000, 6000];
const OVERLOAD_RATE = 8000;
const P99_TARGET_MS = 50;

interface Pair {
  engagementId: string;
  customer: Socket;
  agent: Socket;
}

interface StepResult {
  rate: number;
  latencies: number[];
  sent: number;
  acked: number;
  refused: number;
  undelivered: number;
  ackedIds: string[];
}

async function post<T>(url: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], auth: { token }, extraHeaders: { origin: url }, reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function request<E extends keyof ClientResults>(s: Socket, ev: E, payload: unknown): Promise<Ack<ClientResults[E]>> {
  return new Promise((resolve) => s.emit(ev, payload, (a: Ack<ClientResults[E]>) => resolve(a)));
}

async function setUp(url: string): Promise<Pair[]> {
  const login = await post<LoginResponse>(`${url}${API.login}`, { email: 'agent@demo.test', password: 'agent-demo-1' }, {});
  const control = await connect(url, login.token);
  const pairs: Pair[] = [];
  for (let i = 0; i < ENGAGEMENTS; i++) {
    const s = await post<CustomerSession>(`${url}${API.openEngagement}`, { customerName: `Bench ${i}` }, { origin: url });
    const accepted = await request(control, EV.engagementAccept, { engagementId: s.engagement.id });
    if (!accepted.ok) throw new Error(`accept: ${accepted.error.message}`);
    const [customer, agent] = await Promise.all([connect(url, s.customerToken), connect(url, login.token)]);
    const joined = await request(agent, EV.engagementJoin, { engagementId: s.engagement.id });
    if (!joined.ok) throw new Error(`join: ${joined.error.message}`);
    pairs.push({ engagementId: s.engagement.id, customer, agent });
  }
  control.close();
  return pairs;
}

/** Offers `rate` messages/s spread over every engagement for STEP_MS; measures send → delivered to the agent. */
async function step(pairs: Pair[], rate: number, tag: string): Promise<StepResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let acked = 0;
  let refused = 0;
  const ackedIds: string[] = [];
  const onMessage = (m: { clientId: string }) => {
    const t = sentAt.get(m.clientId);
    if (t === undefined) return;
    sentAt.delete(m.clientId);
    if (t >= 0) latencies.push(performance.now() - t);
  };
  for (const p of pairs) p.agent.on(EV.chatMessage, onMessage);
  const start = performance.now();
  let sent = 0;
  let n = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      if (elapsed >= STEP_MS) {
        clearInterval(timer);
        return resolve();
      }
      const due = Math.floor((elapsed / 1000) * rate);
      while (sent < due) {
        const p = pairs[n++ % pairs.length];
        const clientId = `${tag}-${sent}`;
        // Messages in the warm-up are sent but not measured (-1).
        sentAt.set(clientId, elapsed < WARMUP_MS ? -1 : performance.now());
        sent++;
        p.customer.emit(EV.chatSend, { engagementId: p.engagementId, clientId, body: `bench ${clientId}` }, (a: Ack<ClientResults['chat/send']>) => {
          if (a.ok) {
            acked++;
            ackedIds.push(clientId);
          } else {
            refused++;
            sentAt.delete(clientId);
          }
        });
      }
    }, 2);
  });
  await new Promise((r) => setTimeout(r, 2000));
  for (const p of pairs) p.agent.off(EV.chatMessage, onMessage);
  const undelivered = [...sentAt.values()].filter((t) => t >= 0).length;
  // A message never delivered counts as slower than anything measured.
  for (let i = 0; i < undelivered; i++) latencies.push(Number.POSITIVE_INFINITY);
  latencies.sort((a, b) => a - b);
  return { rate, latencies, sent, acked, refused, undelivered, ackedIds };
}

export async function benchChat(): Promise<void> {
  const pg = await startPostgres();
  const backend = await startBackend({ DATABASE_URL: pg.url, SEED_DEMO: 'true', CHAT_RATE_PER_S: '100', CHAT_BURST: '200' });
  try {
    progress(`chat: ${ENGAGEMENTS} engagements on ${backend.url}`);
    const pairs = await setUp(backend.url);
    let best = 0;
    let at4000: StepResult | null = null;
    for (const rate of RATES) {
      const r = await step(pairs, rate, `r${rate}`);
      const p99 = percentile(r.latencies, 99);
      progress(`chat: ${rate}/s offered → p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, refused ${r.refused}, undelivered ${r.undelivered}`);
      if (p99 <= P99_TARGET_MS && r.refused === 0) best = rate;
      if (rate === 4000) at4000 = r;
    }
    const over = await step(pairs, OVERLOAD_RATE, 'over');
    progress(`chat: overload ${OVERLOAD_RATE}/s → p99 ${percentile(over.latencies, 99).toFixed(1)} ms, acked ${over.acked}, refused ${over.refused}`);

    const db = new Client({ connectionString: pg.url });
    await db.connect();
    const stored = await db.query<{ n: string }>('SELECT count(*) AS n FROM chat_messages WHERE client_id = ANY($1)', [over.ackedIds]);
    await db.end();
    const lost = over.ackedIds.length - Number(stored.rows[0].n);

    report('chat.persisted_msgs_per_s', best, 'msgs/s', { engagements: ENGAGEMENTS, p99_target_ms: P99_TARGET_MS });
    if (at4000) {
      report('chat.send_to_deliver_ms.p50', percentile(at4000.latencies, 50), 'ms', { rate: 4000 });
      report('chat.send_to_deliver_ms.p99', percentile(at4000.latencies, 99), 'ms', { rate: 4000 });
    }
    report('chat.overload_p99_ms', percentile(over.latencies, 99), 'ms', { offered: OVERLOAD_RATE, acked: over.acked, refused: over.refused });
    report('chat.overload_lost', lost, 'msgs', { acked: over.ackedIds.length });
    for (const p of pairs) {
      p.customer.close();
      p.agent.close();
    }
  } finally {
    await backend.stop();
    await pg.stop();
  }
}
