/**
 * Voice/video calls: the socket events between clients and the backend (`media/*`), and the SFU
 * control API the backend speaks to the SFU. mediasoup's own JSON objects (capabilities, RTP and
 * DTLS parameters, ICE candidates) are relayed opaquely: mediasoup validates their inner shape.
 */
import { z } from 'zod';
import { MEDIA_EV } from './media-events';

/** A mediasoup JSON object (RtpCapabilities, RtpParameters, DtlsParameters, IceParameters…), relayed as is. */
export type MediasoupObject = Record<string, unknown>;
export type MediaKind = 'audio' | 'video';

// ───────────────────────────── socket events (client ⇄ backend) ─────────────────────────────


export const CALL_STATUSES = ['off', 'offered', 'active'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export interface CallView {
  engagementId: string;
  status: CallStatus;
  /** audio or video while offered or active. */
  kind: MediaKind | null;
  /** Who offered (shown to the customer). */
  offeredBy: string | null;
  /** Why the last call or offer ended, in words for people. */
  reason: string | null;
  since: string | null;
}

/** An ICE server handed to browsers (RTCIceServer). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** What a producer carries: the microphone, the camera, or a shared screen/tab (video, in any call). */
export const MEDIA_SOURCES = ['mic', 'camera', 'screen'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

/** What a producer of `kind` carries when nothing is said: the microphone for audio, the camera for video. */
export function defaultSource(kind: MediaKind): MediaSource {
  return kind === 'audio' ? 'mic' : 'camera';
}

/** Whether `source` fits a producer of `kind`: mic is audio; camera and screen are video. */
export function sourceFits(kind: MediaKind, source: MediaSource): boolean {
  return (source === 'mic') === (kind === 'audio');
}

export interface ProducerInfo {
  id: string;
  peerId: string;
  kind: MediaKind;
  paused: boolean;
  /** mic for audio, camera or screen for video. */
  source: MediaSource;
}

/** Why media/reconnect went out: the room's SFU worker died, or the SFU no longer has the room (it restarted). */
export type MediaReconnectReason = 'worker-died' | 'room-lost';

/** Who a peer is in a call; a supervisor only listens (consumes audio, produces nothing). */
export type CallRole = 'customer' | 'agent' | 'supervisor';

// The media events join the shared catalog: ClientResults and ServerPayloads (events.ts) are
// extended here, clientSchemas (schemas.ts) spreads mediaClientSchemas.
declare module './events' {
  interface ClientResults {
    'media/offer': { call: CallView };
    'media/respond': { call: CallView };
    'media/end': { call: CallView };
    'media/join': { routerRtpCapabilities: MediasoupObject; iceServers: IceServer[]; producers: ProducerInfo[]; peerId: string };
    'media/transport': CreateTransportResponse;
    'media/connect': Record<string, never>;
    'media/produce': ProduceResponse;
    'media/consume': ConsumeResponse;
    'media/resume': Record<string, never>;
    'media/pause': Record<string, never>;
    /** iceServers: the same servers as at join with a fresh TURN credential (the join's may have expired); apply before restarting ICE. */
    'media/restart-ice': { iceParameters: MediasoupObject; iceServers: IceServer[] };
    'media/close-producer': Record<string, never>;
    'media/leave': Record<string, never>;
  }
  interface ServerPayloads {
    'media/state': CallView;
    'media/new-producer': { engagementId: string; producer: ProducerInfo };
    'media/producer-closed': { engagementId: string; producerId: string; peerId: string };
    'media/reconnect': { engagementId: string; reason: MediaReconnectReason };
    'media/speaker': { engagementId: string; peerId: string | null };
  }
}

const engagementId = z.string().uuid();
const id = z.string().min(1).max(128);
/** mediasoup validates the inner shape of parameters itself; here we only check they are objects. */
const mediasoupObject = z.record(z.string(), z.unknown());
const kind = z.enum(['audio', 'video']);

/** Runtime schemas of the client→server media events. */
export const mediaClientSchemas = {
  [MEDIA_EV.offer]: z.object({ engagementId, kind }),
  [MEDIA_EV.respond]: z.object({ engagementId, accept: z.boolean() }),
  [MEDIA_EV.end]: z.object({ engagementId }),
  [MEDIA_EV.join]: z.object({ engagementId }),
  [MEDIA_EV.transport]: z.object({ engagementId, direction: z.enum(['send', 'recv']) }),
  [MEDIA_EV.connect]: z.object({ engagementId, transportId: id, dtlsParameters: mediasoupObject }),
  /** source defaults to mic for audio and camera for video. */
  [MEDIA_EV.produce]: z.object({ engagementId, transportId: id, kind, rtpParameters: mediasoupObject, source: z.enum(MEDIA_SOURCES).optional() }),
  [MEDIA_EV.consume]: z.object({ engagementId, transportId: id, producerId: id, rtpCapabilities: mediasoupObject }),
  [MEDIA_EV.resume]: z.object({ engagementId, consumerId: id }),
  [MEDIA_EV.pause]: z.object({ engagementId, producerId: id, paused: z.boolean() }),
  [MEDIA_EV.restartIce]: z.object({ engagementId, transportId: id }),
  [MEDIA_EV.closeProducer]: z.object({ engagementId, producerId: id }),
  [MEDIA_EV.leave]: z.object({ engagementId }),
} as const;

// ───────────────────────────── SFU control API (backend → SFU) ─────────────────────────────
// Paths are relative to the SFU's base URL; every request but /health and /metrics carries
// `Authorization: Bearer <SFU_SECRET>`; bodies and answers are JSON.

export const SFU_PATHS = {
  health: '/health',
  metrics: '/metrics',
  /** GET: server-sent events, one `SfuNotification` per `data:` line. */
  events: '/events',
  /** GET: the room's peers and producers. POST .../close: end the engagement's media. */
  room: (engagementId: string) => `/rooms/${encodeURIComponent(engagementId)}`,
  peer: (engagementId: string, peerId: string) => `/rooms/${encodeURIComponent(engagementId)}/peers/${encodeURIComponent(peerId)}`,
} as const;

/** POST /rooms/:engagementId/peers/:peerId/join — get-or-create the room, then the peer. */
export const sfuJoinRequestSchema = z.object({ rtpCapabilities: mediasoupObject.optional() }).strict();
export type SfuJoinRequest = z.infer<typeof sfuJoinRequestSchema>;
export interface SfuJoinResponse {
  routerRtpCapabilities: MediasoupObject;
  /** Producers of the other peers, for the backend to offer to the new one. */
  producers: ProducerInfo[];
}

/** POST .../peers/:peerId/transports */
export const createTransportRequestSchema = z.object({ direction: z.enum(['send', 'recv']) }).strict();
export type CreateTransportRequest = z.infer<typeof createTransportRequestSchema>;
export interface CreateTransportResponse {
  id: string;
  iceParameters: MediasoupObject;
  iceCandidates: MediasoupObject[];
  dtlsParameters: MediasoupObject;
}

/** POST .../peers/:peerId/transports/:transportId/connect */
export const connectTransportRequestSchema = z.object({ dtlsParameters: mediasoupObject }).strict();
export type ConnectTransportRequest = z.infer<typeof connectTransportRequestSchema>;

/** POST .../peers/:peerId/produce — `appData.source` (mic, camera, screen) says what it carries; mic/camera by kind when absent. */
export const produceRequestSchema = z
  .object({
    transportId: id,
    kind,
    rtpParameters: mediasoupObject,
    appData: mediasoupObject.optional(),
  })
  .strict();
export type ProduceRequest = z.infer<typeof produceRequestSchema>;
export interface ProduceResponse {
  producerId: string;
}

/** POST .../peers/:peerId/transports/:transportId/restart-ice — new ICE parameters for the same transport. */
export interface RestartIceResponse {
  iceParameters: MediasoupObject;
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
  kind: MediaKind;
  rtpParameters: MediasoupObject;
  producerPaused: boolean;
}

/** POST .../producers/:producerId/{pause,resume,close}, .../consumers/:consumerId/{resume,close}, .../close */
export type EmptyResponse = Record<string, never>;

export interface RoomInfo {
  engagementId: string;
  /** pid of the mediasoup worker carrying the room (operators, and the tests that kill it). */
  workerPid: number;
  peers: { id: string; transports: number; producers: ProducerInfo[]; consumers: number }[];
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  workers: number;
  workersWanted: number;
  rooms: number;
  /** pids of the live mediasoup workers (not secret: /health is unauthenticated). */
  workerPids: number[];
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
  | { type: 'worker/died'; pid: number; engagementIds: string[] }
  /**
   * The room's speaker changed: the dominant one (mediasoup ActiveSpeakerObserver on every audio
   * producer) while it is audible, else the loudest audible one; null when nobody is heard
   * for 1.2 s (AudioLevelObserver: nobody above -70 dBov on average; ActiveSpeakerObserver has no silence).
   */
  | { type: 'room/speaker'; engagementId: string; peerId: string | null };

/** Why a room closed: ordered by the backend, its worker died (recreate it), or the SFU stops. */
export type RoomCloseReason = 'closed' | 'worker-died' | 'shutdown';
