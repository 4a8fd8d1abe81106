import { ChatSession, EngageSocket, memoryStore } from '@engage/chat-client';
import { EV } from '@engage/protocol';
import { loginAgent, openAsCustomer } from './support/api';
import { startPlatform, type Platform } from './support/platform';

const TOTAL = 500;

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('chat loses nothing when the backend is killed mid-burst', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('stores every acknowledged message once, resends the rest, and both sides agree on the order', async () => {
    const session = await openAsCustomer(platform.url, platform.demoUrl, 'Burst Customer');
    const { token } = await loginAgent(platform.url);
    const agentSocket = EngageSocket.connect({ url: platform.url, token, websocketOnly: true });
    const customerSocket = EngageSocket.connect({ url: platform.url, token: session.customerToken, websocketOnly: true });
    await until('agent connected', () => agentSocket.connected, 10_000);
    await agentSocket.request(EV.engagementAccept, { engagementId: session.engagement.id });
    const agent = ChatSession.create({ socket: agentSocket, engagementId: session.engagement.id, role: 'agent' });
    const customer = ChatSession.create({ socket: customerSocket, engagementId: session.engagement.id, role: 'customer', storage: memoryStore() });
    await until('customer connected', () => customerSocket.connected, 10_000);
    await customer.sync();

    const sent: string[] = [];
    for (let i = 0; i < TOTAL; i++) sent.push(customer.send(`burst message ${i}`));

    // Kill the backend once a part of the burst is acknowledged and the rest is still on its way.
    await until('first acknowledgements', () => customer.messages().length >= 60, 30_000);
    expect(await platform.kill('SIGKILL')).toBeNull();
    const ackedBeforeKill = new Set(customer.messages().map((m) => m.clientId));
    const unackedAtKill = customer.pending().length;
    expect(unackedAtKill).toBeGreaterThan(0);
    expect(ackedBeforeKill.size).toBeLessThan(TOTAL);

    await platform.restart();
    await until('every message acknowledged', () => customer.pending().length === 0 && customer.messages().length === TOTAL, 90_000);
    await until('agent caught up', () => agent.messages().length === TOTAL, 30_000);

    const rows = await platform.query<{ client_id: string; seq: number }>(
      'SELECT client_id, seq FROM chat_messages WHERE engagement_id = $1 ORDER BY seq',
      [session.engagement.id],
    );
    // Exactly once: all 500 client ids, none twice, nothing else.
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.client_id))).toEqual(new Set(sent));
    for (const id of ackedBeforeKill) expect(rows.some((r) => r.client_id === id)).toBe(true);
    // Both sides show the server's order.
    const dbOrder = rows.map((r) => r.client_id);
    expect(customer.messages().map((m) => m.clientId)).toEqual(dbOrder);
    expect(agent.messages().map((m) => m.clientId)).toEqual(dbOrder);
    expect(customer.pending().filter((p) => p.status === 'failed')).toEqual([]);

    agent.close();
    customer.close();
    agentSocket.close();
    customerSocket.close();
  });
});
