import type { DOC_EV, MEDIA_EV, PROXY_EV } from '@engage/protocol';

/**
 * The catalog's names of the events the lift listens to, checked against libs/protocol by the
 * compiler (a renamed event fails the type check here). They are not imported as values because
 * media.ts, proxy.ts and documents.ts build their zod schemas at module level, and esbuild would
 * pull zod into the widget (~95 KB gzip over its budget).
 */
export const LIFT_EV: { callState: typeof MEDIA_EV.state; proxyState: typeof PROXY_EV.state; docRoom: typeof DOC_EV.room } = {
  callState: 'media/state',
  proxyState: 'proxy/state',
  docRoom: 'doc/room',
};
