import type { ClientEvent, ClientPayload, ClientResults } from '@engage/protocol';
import type { SocketContext } from './socket-context';

/** A validated client→server message, discriminated by its event name. */
export type Inbound<E extends ClientEvent = ClientEvent> = { [K in E]: { event: K; payload: ClientPayload<K> } }[E];

export type Domain = 'chat' | 'engagement' | 'queue' | 'cobrowse' | 'media' | 'proxy' | 'doc';
export type EventsOf<D extends Domain> = Extract<ClientEvent, `${D}/${string}`>;

/** One handler per domain; each ends its switch with assertUnreachable. */
export interface DomainHandler<D extends Domain> {
  handle(ctx: SocketContext, msg: Inbound<EventsOf<D>>): Promise<ClientResults[EventsOf<D>]>;
}

/** Which handler serves each event (a Record over the union: a new event is a type error here). */
export const DOMAIN_OF: Record<ClientEvent, Domain> = {
  'chat/send': 'chat',
  'chat/history': 'chat',
  'chat/typing': 'chat',
  'chat/read': 'chat',
  'engagement/join': 'engagement',
  'engagement/leave': 'engagement',
  'engagement/accept': 'engagement',
  'engagement/end': 'engagement',
  'engagement/show-mode': 'engagement',
  'queue/subscribe': 'queue',
  'cobrowse/request': 'cobrowse',
  'cobrowse/respond': 'cobrowse',
  'cobrowse/stop': 'cobrowse',
  'cobrowse/page': 'cobrowse',
  'cobrowse/record': 'cobrowse',
  'cobrowse/watch': 'cobrowse',
  'cobrowse/unwatch': 'cobrowse',
  'cobrowse/pointer': 'cobrowse',
  'cobrowse/control-request': 'cobrowse',
  'cobrowse/control-respond': 'cobrowse',
  'cobrowse/control-revoke': 'cobrowse',
  'cobrowse/control-input': 'cobrowse',
  'cobrowse/control-note': 'cobrowse',
  'cobrowse/images-missing': 'cobrowse',
  'media/offer': 'media',
  'media/respond': 'media',
  'media/end': 'media',
  'media/join': 'media',
  'media/transport': 'media',
  'media/connect': 'media',
  'media/produce': 'media',
  'media/consume': 'media',
  'media/resume': 'media',
  'media/pause': 'media',
  'media/restart-ice': 'media',
  'media/close-producer': 'media',
  'media/leave': 'media',
  'proxy/start': 'proxy',
  'proxy/device': 'proxy',
  'proxy/input': 'proxy',
  'proxy/navigate': 'proxy',
  'proxy/control': 'proxy',
  'proxy/stop': 'proxy',
  'proxy/dialog-answer': 'proxy',
  'proxy/pointer': 'proxy',
  'doc/open': 'doc',
  'doc/annotations': 'doc',
  'doc/view': 'doc',
  'doc/present': 'doc',
  'doc/annotate': 'doc',
  'doc/erase': 'doc',
  'doc/stroke': 'doc',
  'doc/field': 'doc',
  'doc/field-policy': 'doc',
  'doc/sign': 'doc',
  'doc/export': 'doc',
  'doc/video': 'doc',
  'doc/calc': 'doc',
};
