import { Injectable } from '@nestjs/common';
import { assertUnreachable, type ClientPayload, type ClientResults, type ControlInput, type RecordedEvent } from '@engage/protocol';
import { CobrowseService } from '../../cobrowse/cobrowse.service';
import { RateLimitedError } from '../../common/errors';
import { EngagementsService } from '../../engagements/engagements.service';
import type { DomainHandler, EventsOf, Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';

type CobrowseEvent = EventsOf<'cobrowse'>;

@Injectable()
export class CobrowseHandler implements DomainHandler<'cobrowse'> {
  constructor(
    private readonly cobrowse: CobrowseService,
    private readonly engagements: EngagementsService,
  ) {}

  async handle(ctx: SocketContext, msg: Inbound<CobrowseEvent>): Promise<ClientResults[CobrowseEvent]> {
    const id = msg.payload.engagementId;
    switch (msg.event) {
      case 'cobrowse/record':
        // No await before the relay: batches leave in the order the socket delivered them.
        return this.record(ctx, msg.payload);
      case 'cobrowse/request':
        return { cobrowse: await this.cobrowse.request(ctx.principal, await this.engagements.view(id)) };
      case 'cobrowse/respond':
        return { cobrowse: await this.cobrowse.respond(ctx.principal, await this.engagements.view(id), msg.payload.accept) };
      case 'cobrowse/stop':
        return { cobrowse: await this.cobrowse.stop(ctx.principal, await this.engagements.view(id)) };
      case 'cobrowse/page':
        return { cobrowse: await this.cobrowse.page(ctx.principal, await this.engagements.view(id), msg.payload) };
      case 'cobrowse/watch': {
        const view = await this.engagements.view(id);
        // Join and read the checkpoint in the same tick, so no batch falls between the two.
        const result = this.cobrowse.watch(ctx.principal, view);
        ctx.joinWatchers(id);
        ctx.log.debug({ eid: id, event: msg.event, status: result.cobrowse.status, checkpoint: result.checkpoint.length }, 'watching');
        return result;
      }
      case 'cobrowse/unwatch':
        ctx.leaveWatchers(id);
        return {};
      case 'cobrowse/pointer':
        // Synchronous like record: pointer moves and inputs leave in the order they arrived.
        this.cobrowse.pointer(ctx.principal, id, msg.payload);
        return {};
      case 'cobrowse/control-input':
        this.cobrowse.controlInput(ctx.principal, id, msg.payload.input as ControlInput);
        return {};
      case 'cobrowse/control-note':
        this.cobrowse.controlNote(ctx.principal, id, msg.payload.message);
        return {};
      case 'cobrowse/images-missing':
        this.cobrowse.imagesMissing(ctx.principal, id, msg.payload.images);
        return {};
      case 'cobrowse/control-request':
        return { cobrowse: await this.cobrowse.requestControl(ctx.principal, await this.engagements.view(id)) };
      case 'cobrowse/control-respond':
        return { cobrowse: await this.cobrowse.respondControl(ctx.principal, await this.engagements.view(id), msg.payload.accept) };
      case 'cobrowse/control-revoke':
        return { cobrowse: await this.cobrowse.revokeControl(ctx.principal, await this.engagements.view(id)) };
      default:
        return assertUnreachable(msg);
    }
  }

  private record(ctx: SocketContext, payload: ClientPayload<'cobrowse/record'>): ClientResults['cobrowse/record'] {
    this.cobrowse.assertMayRecord(ctx.principal, payload.engagementId);
    const sizes = payload.events.map((e) => JSON.stringify(e).length);
    const wait = ctx.recordBytes.take(sizes.reduce((a, b) => a + b, 0));
    if (wait > 0) throw new RateLimitedError(Math.round(wait * 1000) / 1000);
    return { accepted: this.cobrowse.record(payload.engagementId, payload.events as RecordedEvent[], sizes) };
  }
}
