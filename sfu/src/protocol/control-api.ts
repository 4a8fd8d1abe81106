/**
 * The SFU control API spoken by the backend (the only caller). Kept here until the lead moves it
 * into libs/protocol. Paths are relative to the SFU's base URL; every request but /health and
 * /metrics carries `Authorization: Bearer <SFU_SECRET>`; bodies and answers are JSON.
 */
import { z } from 'zod';
import type { types } from 'mediasoup';

export const SFU_PATHS = {
  health: '/health',
  metrics: '/metrics',
  /** GET: server-sent events, one `SfuNotification` per `data:` line. */
  events: '/events',
  /** GET: the room's peers and producers. POST .../close: end the engagement's media. */
  room: (engagementId: string) => `/rooms/${encodeURIComponent(engagementId)}`,
  peer: (engagementId: string, peerId: string) => `/rooms/${encodeURIComponent(engagementId)}/peers/${encodeURIComponent(peerId)}`,
} as const;

const id = z.string().min(1).max(128);
/** mediasoup validates the inner shape of parameters itself; here we only check they are objects. */
const mediasoupObject = z.record(z.string(), z.unknown());

/** POST /rooms/:engagementId/peers/:peerId/join — get-or-create the room, then the peer. */
export const joinRequestSchema = z.object({ rtpCapabilities: mediasoupObject.optional() }).strict();
export type JoinRequest = z.infer<typeof joinRequestSchema>;
export interface JoinResponse {
  routerRtpCapabilities: types.RtpCapabilities;
  /** Producers of the other peers, for the backend to offer to the new one. */
  producers: ProducerInfo[];
}

/** POST .../peers/:peerId/transports */
export const createTransportRequestSchema = z.object({ direction: z.enum(['send', 'recv']) }).strict();
export type CreateTransportRequest = z.infer<typeof createTransportRequestSchema>;
export interface CreateTransportResponse {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

/** POST .../peers/:peerId/transports/:transportId/connect */
export const connectTransportRequestSchema = z.object({ dtlsParameters: mediasoupObject }).strict();
export type ConnectTransportRequest = z.infer<typeof connectTransportRequestSchema>;

/** POST .../peers/:peerId/produce */
export const produceRequestSchema = z
  .object({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters: mediasoupObject,
    appData: mediasoupObject.optional(),
  })
  .strict();
export type ProduceRequest = z.infer<typeof produceRequestSchema>;
export interface ProduceResponse {
  producerId: string;
}

/** POST .../peers/:peerId/consume — the consumer starts paused; resume it once the client has it. */
export const consumeRequestSchema = z
  .object({
    transportId: id,
    producerId: id,
    /** Defaults to the capabilities given at join. */
    rtpCapabilities: mediasoupObject.optional(),
  })
  .strict();
export type ConsumeRequest = z.infer<typeof consumeRequestSchema>;
export interface ConsumeResponse {
  id: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  producerPaused: boolean;
}

/** POST .../producers/:producerId/{pause,resume,close}, .../consumers/:consumerId/{resume,close}, .../close */
export type EmptyResponse = Record<string, never>;

export interface ProducerInfo {
  id: string;
  peerId: string;
  kind: types.MediaKind;
  paused: boolean;
}

export interface RoomInfo {
  engagementId: string;
  peers: { id: string; transports: number; producers: ProducerInfo[]; consumers: number }[];
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  workers: number;
  workersWanted: number;
  rooms: number;
}

/** Error answer of every route. */
export interface ErrorResponse {
  error: { code: string; message: string };
}

/** Pushed to the backend on GET /events: things that happen in the SFU without an order. */
export type SfuNotification =
  | { type: 'room/closed'; engagementId: string; reason: RoomCloseReason }
  | { type: 'peer/closed'; engagementId: string; peerId: string }
  | { type: 'producer/closed'; engagementId: string; peerId: string; producerId: string }
  | { type: 'consumer/closed'; engagementId: string; peerId: string; consumerId: string; reason: 'producer-closed' | 'transport-closed' }
  | { type: 'consumer/paused' | 'consumer/resumed'; engagementId: string; peerId: string; consumerId: string }
  | { type: 'worker/died'; pid: number; engagementIds: string[] };

/** Why a room closed: ordered by the backend, its worker died (recreate it), or the SFU stops. */
export type RoomCloseReason = 'closed' | 'worker-died' | 'shutdown';
