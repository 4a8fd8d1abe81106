import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { LIMITS } from '@engage/protocol';
import type { Server, ServerOptions } from 'socket.io';

/**
 * WebSocket permessage-deflate (RFC 7692), so the recorder's batches travel compressed. Browsers
 * compress everything they send once it is negotiated, with context takeover: a batch of rrweb events
 * compresses against the batches before it (a fraction of compressing each alone); the server only
 * inflates, one 32 KB window per socket that sends.
 * The server's own sending stays (almost) uncompressed, on purpose: with context takeover ws ignores
 * `threshold` and deflates every message, acks and chat lines included, each through the zlib
 * thread pool, and the chat bench stalled at 6,000 messages/s; shared-browser frames (JPEG, tens of
 * KB) are not worth a deflate per viewer either (engine.io ignores socket.compress(false) on
 * WebSocket). So: no server context takeover (then the threshold holds), and only messages of 64 KB
 * and more (full snapshots, checkpoints, long histories) are deflated, with a small state (an 8 KB
 * window, memLevel 7: (1 << 15) + (1 << 16) = 96 KB while it runs) at a cheap level.
 */
export const PER_MESSAGE_DEFLATE = {
  threshold: 64 * 1024,
  serverNoContextTakeover: true,
  serverMaxWindowBits: 13,
  zlibDeflateOptions: { level: 3, memLevel: 7 },
} as const;

/**
 * socket.io with our limits. CORS reflects any origin on purpose: the handshake middleware then
 * refuses a foreign Origin with a readable `origin_not_allowed` instead of an opaque network error.
 */
export class EngageIoAdapter extends IoAdapter {
  constructor(app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      maxHttpBufferSize: LIMITS.socketMaxFrameBytes,
      cors: { origin: true, credentials: false },
      pingInterval: 20_000,
      pingTimeout: 20_000,
      connectTimeout: 10_000,
      perMessageDeflate: PER_MESSAGE_DEFLATE,
    });
  }
}
