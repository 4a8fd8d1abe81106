import http from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import type { Server } from 'socket.io';
import { WebSocket } from 'ws';
import { EngageIoAdapter } from './socket-io.adapter';

/** A raw WebSocket client of the socket.io endpoint: what it negotiated and how many bytes came in. */
async function rawClient(port: number): Promise<{ ws: WebSocket; extensions: string; bytesIn: () => number; messages: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: true });
  const messages: string[] = [];
  let socket: NetSocket | undefined;
  let extensions = '';
  ws.on('upgrade', (res) => {
    socket = res.socket as NetSocket;
    extensions = String(res.headers['sec-websocket-extensions'] ?? '');
  });
  ws.on('message', (d) => {
    const text = d.toString();
    messages.push(text);
    if (text.startsWith('0{')) ws.send('40'); // engine.io open → join the main namespace
    if (text === '2') ws.send('3'); // ping → pong
  });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  return { ws, extensions, bytesIn: () => socket?.bytesRead ?? 0, messages };
}

describe('EngageIoAdapter', () => {
  let httpServer: http.Server;
  let io: Server;
  let port: number;

  beforeEach(async () => {
    httpServer = http.createServer();
    io = new EngageIoAdapter(httpServer as never).createIOServer(0);
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    port = (httpServer.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await io.close();
  });

  it('negotiates permessage-deflate: client context kept (the recorder), none on the server side', async () => {
    const c = await rawClient(port);
    expect(c.extensions).toMatch(/^permessage-deflate/);
    expect(c.extensions).toContain('server_no_context_takeover');
    expect(c.extensions).toContain('server_max_window_bits=13');
    expect(c.extensions).not.toContain('client_no_context_takeover');
    c.ws.close();
  });

  it('reads what the client sends compressed, message after message', async () => {
    const got: unknown[] = [];
    io.on('connection', (s) => s.on('cobrowse/record', (batch: unknown) => got.push(batch)));
    const c = await rawClient(port);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (c.messages.some((m) => m.startsWith('40'))) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    for (let n = 0; n < 30; n++) c.ws.send(`42${JSON.stringify(['cobrowse/record', { seq: n, events: [{ type: 3, data: { source: 1, positions: [{ x: n, y: n * 2, id: 4, timeOffset: 0 }] } }] }])}`, { compress: true });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => got.length === 30 && (clearInterval(check), resolve()), 5);
    });
    expect((got[29] as { seq: number }).seq).toBe(29);
    c.ws.close();
  });

  it('sends acks and ordinary messages uncompressed and deflates only very large ones', async () => {
    const row = (i: number) => ({ type: 3, data: { source: 0, texts: [{ id: i, value: `row ${i} of the orders table, shipped` }], adds: [], removes: [] }, timestamp: 1_700_000_000_000 + i });
    io.on('connection', (s) => {
      for (let n = 0; n < 20; n++) s.emit('cobrowse/events', Array.from({ length: 40 }, (_, i) => row(n * 40 + i)));
      s.emit('cobrowse/checkpoint', Array.from({ length: 2000 }, (_, i) => row(i)));
    });
    const c = await rawClient(port);
    const before = c.bytesIn();
    const small = () => c.messages.filter((m) => m.startsWith('42["cobrowse/events"'));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => small().length === 20 && (clearInterval(check), resolve()), 5);
    });
    const afterSmall = c.bytesIn();
    const smallPlain = small().reduce((n, m) => n + Buffer.byteLength(m), 0);
    // 4 KB batches travel as they are (no deflate call per message on the server).
    expect(afterSmall - before).toBeGreaterThanOrEqual(smallPlain);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => c.messages.some((m) => m.startsWith('42["cobrowse/checkpoint"')) && (clearInterval(check), resolve()), 5);
    });
    const big = Buffer.byteLength(c.messages.find((m) => m.startsWith('42["cobrowse/checkpoint"'))!);
    expect(big).toBeGreaterThan(64 * 1024);
    expect(c.bytesIn() - afterSmall).toBeLessThan(big / 4);
    c.ws.close();
  });
});
