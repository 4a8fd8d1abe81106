import { EngageSocket, RequestError } from '@engage/chat-client';
import { EV, LIMITS } from '@engage/protocol';
import { io, type Socket } from 'socket.io-client';
import { loginAgent, openAsCustomer } from './support/api';
import { startPlatform, type Platform } from './support/platform';

function connectRaw(url: string, opts: { token?: string; origin?: string }): Socket {
  return io(url, {
    transports: ['websocket'],
    reconnection: false,
    auth: opts.token ? { token: opts.token } : {},
    extraHeaders: opts.origin ? { origin: opts.origin } : {},
  });
}

function refusal(socket: Socket): Promise<{ code?: string; message: string }> {
  return new Promise((resolve, reject) => {
    socket.on('connect', () => reject(new Error('the server accepted a connection it should refuse')));
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) =>
      resolve({ code: err.data?.code, message: err.data?.message ?? err.message }),
    );
  });
}

function connected(s: EngageSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = s.onStatus((st, err) => {
      if (st === 'connected') {
        queueMicrotask(() => off());
        resolve();
      }
      if (st === 'refused') reject(err);
    });
  });
}

async function failure(p: Promise<unknown>): Promise<RequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  throw new Error('the request succeeded but should have been refused');
}

describe('hostile input is refused clearly and hurts no one else', () => {
  let platform: Platform;
  let a: Awaited<ReturnType<typeof openAsCustomer>>;
  let b: Awaited<ReturnType<typeof openAsCustomer>>;
  let sa: EngageSocket;

  beforeAll(async () => {
    platform = await startPlatform({ CHAT_RATE_PER_S: '50', CHAT_BURST: '100' });
    a = await openAsCustomer(platform.url, platform.demoUrl, 'Customer A');
    b = await openAsCustomer(platform.url, platform.demoUrl, 'Customer B');
    sa = EngageSocket.connect({ url: platform.url, token: a.customerToken, websocketOnly: true });
    await connected(sa);
  });
  afterAll(async () => {
    sa?.close();
    await platform?.stop();
  });

  it('refuses a socket without a token', async () => {
    const r = await refusal(connectRaw(platform.url, { origin: platform.demoUrl }));
    expect(r.code).toBe('unauthorized');
    expect(r.message.length).toBeGreaterThan(10);
  });

  it('refuses a forged token', async () => {
    const r = await refusal(connectRaw(platform.url, { token: `${a.customerToken.slice(0, -4)}AAAA`, origin: platform.demoUrl }));
    expect(r.code).toBe('unauthorized');
  });

  it('refuses a foreign Origin even with a valid token', async () => {
    const r = await refusal(connectRaw(platform.url, { token: a.customerToken, origin: 'http://evil.example' }));
    expect(r.code).toBe('origin_not_allowed');
  });

  it('refuses opening an engagement from a foreign Origin over REST', async () => {
    const res = await fetch(`${platform.url}/api/engagements/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ customerName: 'Mallory' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'origin_not_allowed' });
  });

  it("keeps customer A out of B's engagement", async () => {
    const history = await failure(sa.request(EV.chatHistory, { engagementId: b.engagement.id, afterSeq: 0 }));
    expect(history.code).toBe('forbidden');
    const post = await failure(sa.request(EV.chatSend, { engagementId: b.engagement.id, clientId: 'x-1', body: 'hi B' }));
    expect(post.code).toBe('forbidden');
    const join = await failure(sa.request(EV.engagementJoin, { engagementId: b.engagement.id }));
    expect(join.code).toBe('forbidden');
    const rest = await fetch(`${platform.url}/api/engagements/${b.engagement.id}`, { headers: { authorization: `Bearer ${a.customerToken}` } });
    expect(rest.status).toBe(403);
    const rows = await platform.query('SELECT 1 FROM chat_messages WHERE engagement_id = $1', [b.engagement.id]);
    expect(rows).toHaveLength(0);
  });

  it('answers an oversized message and a malformed payload with codes, and keeps the socket', async () => {
    const big = await failure(sa.request(EV.chatSend, { engagementId: a.engagement.id, clientId: 'big-1', body: 'x'.repeat(LIMITS.chatBodyMaxChars + 1) }));
    expect(big.code).toBe('payload_too_large');
    expect(big.message).toMatch(/\d/);
    const bad = await failure(sa.request(EV.chatSend, { engagementId: 'not-a-uuid', clientId: '', body: 42 } as never));
    expect(bad.code).toBe('invalid_payload');
    const ok = await sa.request(EV.chatSend, { engagementId: a.engagement.id, clientId: 'ok-1', body: 'still here' });
    expect(ok.seq).toBeGreaterThan(0);
  });

  it('closes a connection that sends a frame over the size cap, and only that one', async () => {
    const raw = connectRaw(platform.url, { token: a.customerToken, origin: platform.demoUrl });
    await new Promise<void>((resolve) => raw.on('connect', () => resolve()));
    const closed = new Promise<string>((resolve) => raw.on('disconnect', (reason) => resolve(reason)));
    raw.emit(EV.chatSend, { engagementId: a.engagement.id, clientId: 'huge', body: 'y'.repeat(LIMITS.socketMaxFrameBytes * 2) });
    expect(await closed).toBe('transport close');
    const ok = await sa.request(EV.chatSend, { engagementId: a.engagement.id, clientId: 'ok-2', body: 'others are fine' });
    expect(ok.seq).toBeGreaterThan(0);
  });

  it('throttles a flood of 1,000 messages per second while another engagement is served', async () => {
    const { token } = await loginAgent(platform.url);
    const agent = EngageSocket.connect({ url: platform.url, token, websocketOnly: true });
    await connected(agent);
    await agent.request(EV.engagementAccept, { engagementId: b.engagement.id });
    const sb = EngageSocket.connect({ url: platform.url, token: b.customerToken, websocketOnly: true });
    await connected(sb);

    const flood: Promise<unknown>[] = [];
    const codes = new Map<string, number>();
    const start = Date.now();
    const latencies: number[] = [];
    let i = 0;
    const timer = setInterval(() => {
      for (let k = 0; k < 10; k++, i++) {
        flood.push(
          sa.request(EV.chatSend, { engagementId: a.engagement.id, clientId: `flood-${i}`, body: `flood ${i}` }).then(
            () => codes.set('ok', (codes.get('ok') ?? 0) + 1),
            (e: RequestError) => codes.set(e.code, (codes.get(e.code) ?? 0) + 1),
          ),
        );
      }
    }, 10);
    // Meanwhile customer B talks to the agent at a normal pace.
    for (let n = 0; n < 40; n++) {
      const t0 = Date.now();
      await sb.request(EV.chatSend, { engagementId: b.engagement.id, clientId: `b-${n}`, body: `normal ${n}` });
      latencies.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 25));
    }
    while (Date.now() - start < 1000) await new Promise((r) => setTimeout(r, 20));
    clearInterval(timer);
    await Promise.all(flood);

    expect(i).toBeGreaterThanOrEqual(900);
    expect(codes.get('rate_limited') ?? 0).toBeGreaterThan(i / 2);
    expect(codes.get('ok') ?? 0).toBeLessThanOrEqual(200);
    // B was served throughout: every message stored, none slowed to a crawl.
    const stored = await platform.query('SELECT 1 FROM chat_messages WHERE engagement_id = $1', [b.engagement.id]);
    expect(stored).toHaveLength(40);
    latencies.sort((x, y) => x - y);
    expect(latencies[Math.floor(latencies.length * 0.95)]).toBeLessThan(500);
    agent.close();
    sb.close();
  });
});
