import type { Ack } from '@engage/protocol';
import pino from 'pino';
import type { Principal } from '../auth/principal';
import type { Dispatcher } from '../realtime/dispatcher';
import type { SocketContext } from '../realtime/socket-context';
import { TokenBucket } from '../realtime/token-bucket';

/**
 * A socket as handlers and the dispatcher see it, for unit specs: in the room of `engagementId`,
 * every room and emit method a jest.fn, and rate buckets whose clock stands still (nothing refills,
 * so a burst is exactly what may pass).
 */
export function fakeSocketContext(
  principal: Principal,
  opts: { engagementId: string; id?: string; burst?: number; recordBurst?: number; recordBytesBurst?: number },
) {
  return {
    id: opts.id ?? 's1',
    principal,
    log: pino({ level: 'silent' }),
    bucket: new TokenBucket(1, opts.burst ?? 100, () => 0),
    recordBucket: new TokenBucket(1, opts.recordBurst ?? 100, () => 0),
    recordBytes: new TokenBucket(1, opts.recordBytesBurst ?? 1e9, () => 0),
    engagements: new Set([opts.engagementId]),
    joinEngagement: jest.fn(),
    leaveEngagement: jest.fn(),
    joinStaff: jest.fn(),
    joinWatchers: jest.fn(),
    leaveWatchers: jest.fn(),
    toOthers: jest.fn(),
    emit: jest.fn(),
    disconnect: jest.fn(),
  } satisfies SocketContext;
}

/** Sends one event through the dispatcher as socket.io delivers it (payload, then ack) and resolves with the ack. */
export async function dispatchForAck(dispatcher: Dispatcher, ctx: SocketContext, event: unknown, payload?: unknown): Promise<Ack<unknown>> {
  let reply: Ack<unknown> | undefined;
  await dispatcher.dispatch(ctx, event, [payload, (r: Ack<unknown>) => (reply = r)]);
  return reply!;
}
