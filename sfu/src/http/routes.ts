import type { types } from 'mediasoup';
import type { z } from 'zod';
import { BadRequestError } from '../errors';
import type { RoomRegistry } from '../media/room-registry';
import {
  connectTransportRequestSchema,
  consumeRequestSchema,
  createTransportRequestSchema,
  produceRequestSchema,
  sfuJoinRequestSchema,
  type ConsumeResponse,
  type CreateTransportResponse,
  type EmptyResponse,
  type ProduceResponse,
  type RestartIceResponse,
  type RoomInfo,
  type SfuJoinResponse,
} from '@engage/protocol';

export interface RouteContext {
  params: Record<string, string>;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Names of the pattern's groups, in order. */
  names: string[];
  handle(ctx: RouteContext): Promise<unknown>;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new BadRequestError(result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

function route(method: Route['method'], path: string, handle: Route['handle']): Route {
  const names: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), names, handle };
}

/** Finds the route for a request and decodes its path parameters. */
export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
    return { route: r, params };
  }
  return pathMatched ? 'method' : undefined;
}

const EMPTY: EmptyResponse = {};

/** The orders the backend gives the SFU. Every route needs the bearer secret. */
export function controlRoutes(rooms: RoomRegistry): Route[] {
  const peerOf = (p: Record<string, string>) => rooms.assert(p['engagementId']).assertPeer(p['peerId']);
  return [
    route('GET', '/rooms/:engagementId', async ({ params }): Promise<RoomInfo> => rooms.assert(params['engagementId']).info()),
    route('POST', '/rooms/:engagementId/close', async ({ params }): Promise<EmptyResponse> => {
      rooms.assert(params['engagementId']).close('closed');
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/join', async ({ params, body }): Promise<SfuJoinResponse> => {
      const req = parse(sfuJoinRequestSchema, body);
      const room = await rooms.getOrCreate(params['engagementId']);
      const peer = await room.getOrCreatePeer(params['peerId']);
      if (req.rtpCapabilities) peer.rtpCapabilities = req.rtpCapabilities as types.RtpCapabilities;
      return { routerRtpCapabilities: room.rtpCapabilities, producers: room.producers(peer.id) };
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/close', async ({ params }): Promise<EmptyResponse> => {
      peerOf(params).close();
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/transports', async ({ params, body }): Promise<CreateTransportResponse> => {
      const req = parse(createTransportRequestSchema, body);
      return peerOf(params).createTransport(req.direction);
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/transports/:transportId/connect', async ({ params, body }): Promise<EmptyResponse> => {
      const req = parse(connectTransportRequestSchema, body);
      await peerOf(params).connectTransport(params['transportId'], req.dtlsParameters as unknown as types.DtlsParameters);
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/transports/:transportId/restart-ice', async ({ params }): Promise<RestartIceResponse> => {
      const iceParameters = await peerOf(params).restartIce(params['transportId']);
      return { iceParameters: iceParameters as unknown as RestartIceResponse['iceParameters'] };
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/produce', async ({ params, body }): Promise<ProduceResponse> => {
      const req = parse(produceRequestSchema, body);
      const producer = await peerOf(params).produce(req.transportId, req.kind, req.rtpParameters as unknown as types.RtpParameters, req.appData);
      return { producerId: producer.id };
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/consume', async ({ params, body }): Promise<ConsumeResponse> => {
      const req = parse(consumeRequestSchema, body);
      return peerOf(params).consume(req.transportId, req.producerId, req.rtpCapabilities as types.RtpCapabilities | undefined);
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/consumers/:consumerId/resume', async ({ params }): Promise<EmptyResponse> => {
      await peerOf(params).resumeConsumer(params['consumerId']);
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/consumers/:consumerId/close', async ({ params }): Promise<EmptyResponse> => {
      peerOf(params).closeConsumer(params['consumerId']);
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/producers/:producerId/pause', async ({ params }): Promise<EmptyResponse> => {
      await peerOf(params).pauseProducer(params['producerId']);
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/producers/:producerId/resume', async ({ params }): Promise<EmptyResponse> => {
      await peerOf(params).resumeProducer(params['producerId']);
      return EMPTY;
    }),
    route('POST', '/rooms/:engagementId/peers/:peerId/producers/:producerId/close', async ({ params }): Promise<EmptyResponse> => {
      peerOf(params).closeProducer(params['producerId']);
      return EMPTY;
    }),
  ];
}
