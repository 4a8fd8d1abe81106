/**
 * Shared-browser frames through the real app: a stand-in proxy worker sends JPEG bytes as binary
 * control messages, the backend relays them to the engagement's participants as socket.io binary
 * attachments (bytes, not base64), and a malformed binary message is ignored (embedded PostgreSQL).
 */
import { encodeWorkerFrame, EV, PROXY_EV, PROXY_WORKER_EV, type ProxyFrame } from '@engage/protocol';
import jpeg from 'jpeg-js';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { TokensService } from '../auth/tokens.service';
import { configureLogging } from '../common/logger';
import { EngagementsService } from '../engagements/engagements.service';
import { startTestApp, type StaffPrincipal, type TestApp } from '../testing/test-app';

configureLogging('silent');
jest.setTimeout(120_000);

const SECRET = 'a-proxy-secret-of-enough-length';
const metadata = { offsetTop: 0, pageScaleFactor: 1, deviceWidth: 1280.4, deviceHeight: 799.6, scrollOffsetX: 0, scrollOffsetY: 0 };

/** A stand-in worker: registers, creates one session, answers navigations; the test sends its frames. */
async function fakeWorker() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: (info: { req: { headers: { authorization?: string } } }) => info.req.headers.authorization === `Bearer ${SECRET}` });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let link: WebSocket | undefined;
  wss.on('connection', (ws) => {
    link = ws;
    ws.send(JSON.stringify({ type: PROXY_WORKER_EV.Capacity, workerId: 'w1', maxSessions: 2, active: 0, draining: false }));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { type: string; rid: number };
      const result = msg.type === PROXY_WORKER_EV.SessionCreate ? { sessionId: 's1' } : msg.type === PROXY_WORKER_EV.SessionNavigate ? { ok: true, url: 'https://example.com/' } : undefined;
      ws.send(JSON.stringify({ type: PROXY_WORKER_EV.Reply, rid: msg.rid, ok: true, result }));
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/control`,
    send: (data: Uint8Array) => link!.send(data, { binary: true }),
    close: () => new Promise<void>((r) => wss.close(() => r())),
  };
}

function jpegOf(w: number, h: number): Uint8Array {
  return new Uint8Array(jpeg.encode({ data: Buffer.alloc(w * h * 4, 0x60), width: w, height: h }, 60).data);
}

describe('proxy frames over the worker link and sockets (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let worker: Awaited<ReturnType<typeof fakeWorker>>;
  let staff: Record<'agent' | 'supervisor', StaffPrincipal>;

  beforeAll(async () => {
    worker = await fakeWorker();
    t = await startTestApp({ dataDirPrefix: 'engage-proxy-frames-', settings: { PROXY_WORKERS: worker.url, PROXY_SECRET: SECRET } });
    staff = await t.addStaff([
      ['agent', 'agent', 'Alex Agent'],
      ['supervisor', 'supervisor', 'Sam Supervisor'],
    ] as const);
  });

  afterAll(async () => {
    await t?.close();
    await worker?.close();
  });

  function frames(s: Socket): ProxyFrame[] {
    const out: ProxyFrame[] = [];
    s.on(PROXY_EV.frame, (f: ProxyFrame) => out.push(f));
    return out;
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  }

  it('relays the JPEG bytes as a binary attachment to both participants, and ignores a malformed binary message', async () => {
    const engagements = t.app.get(EngagementsService);
    const tokens = t.app.get(TokensService);
    const inv = await engagements.invite(staff.agent as never, { customerName: 'Carla' });
    const session = await engagements.join({ code: inv.code, customerName: 'Carla' });
    const id = inv.engagement.id;
    const agent = await t.connect(tokens.signStaff(staff.agent));
    const customer = await t.connect(session.customerToken);
    await t.ok(agent, EV.engagementJoin, { engagementId: id });
    await t.ok(customer, EV.engagementJoin, { engagementId: id });
    const atAgent = frames(agent);
    const atCustomer = frames(customer);

    await t.ok(agent, PROXY_EV.start, { engagementId: id, url: 'https://example.com/' });
    const jpg = jpegOf(64, 40);
    // Bytes that are not a frame (wrong kind, then a frame header that is not JSON) change nothing.
    worker.send(Uint8Array.from([0x07, 1, 2, 3, 4, 5]));
    worker.send(Uint8Array.from([0x01, 0, 0, 0, 3, 0x7b, 0x7b, 0x7b, 0xff, 0xd8]));
    worker.send(encodeWorkerFrame({ sessionId: 's1', seq: 1, metadata }, jpg));
    await until(() => atAgent.length === 1 && atCustomer.length === 1, 'the frame at both participants');

    for (const f of [atAgent[0], atCustomer[0]]) {
      expect(f).toMatchObject({ engagementId: id, seq: 1, width: 1280, height: 800 });
      // socket.io-client in Node hands a binary attachment over as a Buffer: the JPEG itself, not base64
      expect(Buffer.isBuffer(f.data)).toBe(true);
      expect(Buffer.from(f.data as Uint8Array).equals(Buffer.from(jpg))).toBe(true);
    }
    // a frame for a session this backend does not know goes nowhere
    worker.send(encodeWorkerFrame({ sessionId: 'other', seq: 2, metadata }, jpg));
    worker.send(encodeWorkerFrame({ sessionId: 's1', seq: 3, metadata }, jpg));
    await until(() => atAgent.length === 2, 'the next frame');
    expect(atAgent.map((f) => f.seq)).toEqual([1, 3]);

    // Joining again (a reloaded desk) brings the newest frame at once, to the parties only: live frames
    // never go to staff watching the room, so neither does this one.
    const reloaded = await t.connect(tokens.signStaff(staff.agent));
    const atReloaded = frames(reloaded);
    await t.ok(reloaded, EV.engagementJoin, { engagementId: id });
    await until(() => atReloaded.length === 1, 'the newest frame at the reloaded desk');
    expect(atReloaded[0]).toMatchObject({ engagementId: id, seq: 3 });
    const supervisor = await t.connect(tokens.signStaff(staff.supervisor));
    const atSupervisor = frames(supervisor);
    await t.ok(supervisor, EV.engagementJoin, { engagementId: id });
    worker.send(encodeWorkerFrame({ sessionId: 's1', seq: 4, metadata }, jpg));
    await until(() => atAgent.length === 3 && atReloaded.length === 2, 'the next live frame');
    expect(atSupervisor).toEqual([]);
    await t.ok(agent, PROXY_EV.stop, { engagementId: id });
  });
});
