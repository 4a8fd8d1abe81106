import { Injectable } from '@nestjs/common';
import type { ServerEvent, ServerPayloads } from '@engage/protocol';
import type { Server } from 'socket.io';
import type { Principal } from '../auth/principal';
import { engagementRoom } from '../realtime/socket-context';

/** Who receives a document message: the customer sees customer-only values, staff do not. */
export type Audience = 'customer' | 'staff';

/** One message to an engagement's room, shaped per audience (undefined = not for that audience). */
export interface DocMessage<E extends ServerEvent = ServerEvent> {
  engagementId: string;
  event: E;
  payloadFor: (audience: Audience) => ServerPayloads[E] | undefined;
  /** The sending socket, left out ("to the others"). */
  except?: string;
}

/**
 * Sends document-room messages to the sockets of an engagement's room, each shaped for its
 * audience (customer-only field values never reach staff sockets). Attached to socket.io by the
 * Broadcaster.
 */
@Injectable()
export class DocumentBus {
  private server: Server | undefined;

  attach(server: Server): void {
    this.server = server;
  }

  send<E extends ServerEvent>(msg: DocMessage<E>): void {
    const server = this.server;
    if (!server) return;
    const cache = new Map<Audience, ServerPayloads[E] | undefined>();
    for (const id of server.of('/').adapter.rooms.get(engagementRoom(msg.engagementId)) ?? []) {
      if (id === msg.except) continue;
      const socket = server.of('/').sockets.get(id);
      const principal = socket?.data.principal as Principal | undefined;
      if (!socket || !principal) continue;
      const audience: Audience = principal.role === 'customer' ? 'customer' : 'staff';
      if (!cache.has(audience)) cache.set(audience, msg.payloadFor(audience));
      const payload = cache.get(audience);
      if (payload !== undefined) socket.emit(msg.event as string, payload);
    }
  }
}
