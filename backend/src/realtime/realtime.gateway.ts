import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { EV, type ServerEvent, type ServerPayloads } from '@engage/protocol';
import type { Server, Socket } from 'socket.io';
import { isStaff, type Principal } from '../auth/principal';
import { TokensService } from '../auth/tokens.service';
import { OverloadedError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Broadcaster } from './broadcaster';
import { Dispatcher } from './dispatcher';
import { MediaHandler } from './handlers/media.handler';
import { authenticateHandshake, handshakeError } from './handshake';
import { STAFF_ROOM, engagementRoom, type SocketContext } from './socket-context';
import { TokenBucket } from './token-bucket';
import { CobrowseService } from '../cobrowse/cobrowse.service';
import { RECORD_BURST, RECORD_BYTES_BURST, RECORD_BYTES_PER_S, RECORD_RATE_PER_S, watchersRoom } from '../cobrowse/cobrowse-limits';

/** Socket.io entry point: authenticates handshakes, builds a context per socket, hands events to the Dispatcher. */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server!: Server;
  private readonly log = createLogger('realtime');
  private closing = false;

  constructor(
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
    private readonly dispatcher: Dispatcher,
    private readonly broadcaster: Broadcaster,
    private readonly metrics: MetricsService,
    private readonly cobrowse: CobrowseService,
    private readonly media: MediaHandler,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      try {
        if (this.closing) throw new OverloadedError(2);
        socket.data.principal = authenticateHandshake(socket.handshake, this.tokens, this.config.get('allowedOrigins'));
        next();
      } catch (err) {
        this.log.info({ origin: socket.handshake.headers.origin, code: handshakeError(err).data.code }, 'handshake refused');
        next(handshakeError(err));
      }
    });
    this.broadcaster.attach(server);
    this.log.info('socket.io ready');
  }

  handleConnection(socket: Socket): void {
    const principal = socket.data.principal as Principal | undefined;
    if (!principal) return void socket.disconnect(true);
    const ctx = this.contextOf(socket, principal);
    if (!isStaff(principal)) {
      ctx.joinEngagement(principal.engagementId);
      // A customer on a new page learns whether to resume recording (no new consent needed).
      ctx.emit(EV.cobrowseState, this.cobrowse.view(principal.engagementId));
    }
    this.metrics.sockets.inc({ role: principal.role });
    socket.onAny((event: unknown, ...args: unknown[]) => void this.dispatcher.dispatch(ctx, event, args));
    ctx.log.info('connected');
  }

  handleDisconnect(socket: Socket): void {
    const principal = socket.data.principal as Principal | undefined;
    if (principal) this.metrics.sockets.dec({ role: principal.role });
    // A supervisor listening in stops with its socket.
    void this.media.socketClosed(socket.id);
  }

  /** Refuses new sockets and disconnects the connected ones (first step of shutdown). */
  disconnectAll(): void {
    this.closing = true;
    this.server?.disconnectSockets(true);
  }

  private contextOf(socket: Socket, principal: Principal): SocketContext {
    const engagements = new Set<string>();
    const log = createLogger('socket', { sid: socket.id, role: principal.role, ...(isStaff(principal) ? { userId: principal.userId } : { eid: principal.engagementId }) });
    return {
      id: socket.id,
      principal,
      log,
      bucket: new TokenBucket(this.config.get('chatRatePerS'), this.config.get('chatBurst')),
      recordBucket: new TokenBucket(RECORD_RATE_PER_S, RECORD_BURST),
      recordBytes: new TokenBucket(RECORD_BYTES_PER_S, RECORD_BYTES_BURST),
      engagements,
      joinEngagement(id) {
        engagements.add(id);
        void socket.join(engagementRoom(id));
      },
      leaveEngagement(id) {
        engagements.delete(id);
        void socket.leave(engagementRoom(id));
      },
      joinStaff() {
        void socket.join(STAFF_ROOM);
      },
      joinWatchers(id) {
        void socket.join(watchersRoom(id));
      },
      leaveWatchers(id) {
        void socket.leave(watchersRoom(id));
      },
      toOthers<E extends ServerEvent>(id: string, event: E, payload: ServerPayloads[E]) {
        socket.to(engagementRoom(id)).emit(event as string, payload);
      },
      emit<E extends ServerEvent>(event: E, payload: ServerPayloads[E]) {
        socket.emit(event as string, payload);
      },
      disconnect() {
        socket.disconnect(true);
      },
    };
  }
}
