import type { ServerPayloads, ServerEvent } from '@engage/protocol';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { TokenBucket } from './token-bucket';

export const STAFF_ROOM = 'staff';
export const engagementRoom = (id: string) => `eng:${id}`;

/** What a handler may do with the socket it serves; the gateway implements it over socket.io. */
export interface SocketContext {
  readonly id: string;
  readonly principal: Principal;
  readonly log: Logger;
  /** Chat and everything else. */
  readonly bucket: TokenBucket;
  /** cobrowse/record batches, and their bytes. */
  readonly recordBucket: TokenBucket;
  readonly recordBytes: TokenBucket;
  /** Engagement rooms the server has put this socket in. */
  readonly engagements: ReadonlySet<string>;
  joinEngagement(id: string): void;
  leaveEngagement(id: string): void;
  joinStaff(): void;
  /** The co-browse viewers' room of an engagement (cobrowse/events). */
  joinWatchers(engagementId: string): void;
  leaveWatchers(engagementId: string): void;
  /** Emits to the other members of an engagement room. */
  toOthers<E extends ServerEvent>(engagementId: string, event: E, payload: ServerPayloads[E]): void;
  emit<E extends ServerEvent>(event: E, payload: ServerPayloads[E]): void;
  disconnect(): void;
}
