import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { LIMITS } from '@engage/protocol';
import type { Server, ServerOptions } from 'socket.io';

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
    });
  }
}
