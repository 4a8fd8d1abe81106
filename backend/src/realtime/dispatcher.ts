import { Injectable } from '@nestjs/common';
import { DOC_EV, EV, LIMITS, PROXY_EV, assertUnreachable, clientSchemas, isClientEvent, type Ack, type ClientEvent } from '@engage/protocol';
import { InvalidPayloadError, PayloadTooLargeError, RateLimitedError, UnknownEventError, describeZodError } from '../common/errors';
import { toAck } from '../common/socket-ack';
import { MetricsService } from '../metrics/metrics.service';
import { ChatHandler } from './handlers/chat.handler';
import { CobrowseHandler } from './handlers/cobrowse.handler';
import { DocumentsHandler } from './handlers/documents.handler';
import { EngagementHandler } from './handlers/engagement.handler';
import { MediaHandler } from './handlers/media.handler';
import { ProxyHandler } from './handlers/proxy.handler';
import { QueueHandler } from './handlers/queue.handler';
import { DOMAIN_OF, type EventsOf, type Inbound } from './inbound';
import type { SocketContext } from './socket-context';

/** A socket sending this many refused events in a row is cut off: a flood costs it the connection. */
const FLOOD_CUTOFF = 500;

/** Events that stream (recorder batches, the agent's pointer and control input): the record bucket. */
const STREAMED: ReadonlySet<string> = new Set([EV.cobrowseRecord, EV.cobrowsePointer, EV.cobrowseControlInput, PROXY_EV.input, PROXY_EV.pointer, DOC_EV.stroke]);

type AckFn = (reply: Ack<unknown>) => void;

/**
 * Every inbound socket event goes through here: rate limit → name check → schema validation →
 * the handler of its domain (which authorizes) → one acknowledgement.
 */
@Injectable()
export class Dispatcher {
  private readonly refusedInARow = new WeakMap<SocketContext, number>();

  constructor(
    private readonly chat: ChatHandler,
    private readonly engagement: EngagementHandler,
    private readonly queue: QueueHandler,
    private readonly cobrowse: CobrowseHandler,
    private readonly metrics: MetricsService,
    private readonly media: MediaHandler,
    private readonly proxy: ProxyHandler,
    private readonly documents: DocumentsHandler,
  ) {}

  async dispatch(ctx: SocketContext, event: unknown, args: unknown[]): Promise<void> {
    const ack: AckFn | undefined = typeof args.at(-1) === 'function' ? (args.at(-1) as AckFn) : undefined;
    const payload = args[0];
    const name = typeof event === 'string' ? event : String(event);
    const reply = await toAck(() => this.run(ctx, name, ack === undefined || args.length > 1 ? payload : undefined));
    if (!reply.ok) this.refused(ctx, name, reply.error.code);
    else this.refusedInARow.delete(ctx);
    if (!reply.ok && reply.error.code === 'internal') ctx.log.error({ event: name }, 'event failed');
    if (!reply.ok && reply.error.code === 'unknown_event') ctx.emit(EV.sessionError, { code: reply.error.code, message: reply.error.message });
    try {
      ack?.(reply);
    } catch (err) {
      ctx.log.warn({ err, event: name }, 'ack callback threw');
    }
  }

  private async run(ctx: SocketContext, name: string, payload: unknown): Promise<unknown> {
    // The recorder streams far more often than anyone chats: it has its own bucket.
    const wait = STREAMED.has(name) ? ctx.recordBucket.take() : ctx.bucket.take();
    if (wait > 0) throw new RateLimitedError(Math.round(wait * 1000) / 1000);
    if (!isClientEvent(name)) throw new UnknownEventError(name);
    const msg = validate(name, payload);
    const started = performance.now();
    try {
      return await this.route(ctx, msg);
    } finally {
      ctx.log.debug({ event: name, eid: (msg.payload as { engagementId?: string }).engagementId, ms: Math.round(performance.now() - started) }, 'handled');
    }
  }

  private route(ctx: SocketContext, msg: Inbound): Promise<unknown> {
    const domain = DOMAIN_OF[msg.event];
    switch (domain) {
      case 'chat':
        return this.chat.handle(ctx, msg as Inbound<EventsOf<'chat'>>);
      case 'engagement':
        return this.engagement.handle(ctx, msg as Inbound<EventsOf<'engagement'>>);
      case 'queue':
        return this.queue.handle(ctx, msg as Inbound<EventsOf<'queue'>>);
      case 'cobrowse':
        return this.cobrowse.handle(ctx, msg as Inbound<EventsOf<'cobrowse'>>);
      case 'media':
        return this.media.handle(ctx, msg as Inbound<EventsOf<'media'>>);
      case 'proxy':
        return this.proxy.handle(ctx, msg as Inbound<EventsOf<'proxy'>>);
      case 'doc':
        return this.documents.handle(ctx, msg as Inbound<EventsOf<'doc'>>);
      default:
        return assertUnreachable(domain);
    }
  }

  private refused(ctx: SocketContext, event: string, code: string): void {
    this.metrics.rejected.inc({ code });
    const n = (this.refusedInARow.get(ctx) ?? 0) + 1;
    this.refusedInARow.set(ctx, n);
    if (code !== 'internal') ctx.log.debug({ event, code }, 'event refused');
    if (n >= FLOOD_CUTOFF) {
      ctx.log.warn({ refused: n }, 'disconnecting a flooding socket');
      ctx.emit(EV.sessionError, { code: 'rate_limited', message: 'Too many refused requests; disconnected.' });
      ctx.disconnect();
    }
  }
}

/** Runs the event's schema; an over-long chat body is `payload_too_large`, anything else bad `invalid_payload`. */
export function validate<E extends ClientEvent>(event: E, payload: unknown): Inbound<E> {
  if (event === EV.chatSend && typeof payload === 'object' && payload !== null) {
    const body = (payload as { body?: unknown }).body;
    if (typeof body === 'string' && body.length > LIMITS.chatBodyMaxChars) throw new PayloadTooLargeError(`A message has ${LIMITS.chatBodyMaxChars} characters at most.`);
  }
  const result = clientSchemas[event].safeParse(payload ?? {});
  if (!result.success) throw new InvalidPayloadError(`Invalid ${event} payload: ${describeZodError(result.error)}`);
  return { event, payload: result.data } as Inbound<E>;
}
