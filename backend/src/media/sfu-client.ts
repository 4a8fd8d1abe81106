import {
  SFU_PATHS,
  type ConsumeResponse,
  type CreateTransportResponse,
  type EmptyResponse,
  type ErrorResponse,
  type MediaKind,
  type MediaSource,
  type MediasoupObject,
  type ProduceResponse,
  type RestartIceResponse,
  type RoomInfo,
  type SfuJoinResponse,
} from '@engage/protocol';
import { DomainError } from '../common/errors';
import { SfuEventStream } from './sfu-events';

/** The SFU answered with an error, or could not be reached. */
export class SfuRequestError extends DomainError {
  constructor(
    readonly httpStatus: number,
    readonly sfuCode: string,
    message: string,
  ) {
    // A refusal by the SFU of what the client asked (bad parameters, a transport or consumer it does
    // not have) is the client's; a media server at capacity is `overloaded` (try again shortly);
    // anything else is ours.
    const overloaded = httpStatus === 503 && sfuCode === 'overloaded';
    super(
      httpStatus === 400 ? 'invalid_payload' : httpStatus === 404 ? 'not_found' : overloaded ? 'overloaded' : 'internal',
      httpStatus === 400 ? 400 : httpStatus === 404 ? 404 : overloaded ? 503 : 502,
      overloaded ? 'The media server is at capacity; try the call again in a moment.' : `SFU: ${message}`,
      overloaded ? 5 : undefined,
    );
  }
}

/** Nest token of the SfuClient; null when no SFU is configured (calls unavailable). */
export const SFU_CLIENT = Symbol('SFU_CLIENT');

/** What the backend orders the SFU (its control API, bearer secret). Stateless: one HTTP request per order. */
export class SfuClient {
  constructor(
    private readonly baseUrl: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  join(engagementId: string, peerId: string): Promise<SfuJoinResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/join`, {});
  }

  createTransport(engagementId: string, peerId: string, direction: 'send' | 'recv'): Promise<CreateTransportResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/transports`, { direction });
  }

  connectTransport(engagementId: string, peerId: string, transportId: string, dtlsParameters: MediasoupObject): Promise<EmptyResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/transports/${encodeURIComponent(transportId)}/connect`, { dtlsParameters });
  }

  produce(engagementId: string, peerId: string, body: { transportId: string; kind: MediaKind; rtpParameters: MediasoupObject; source: MediaSource }): Promise<ProduceResponse> {
    const { source, ...rest } = body;
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/produce`, { ...rest, appData: { source } });
  }

  restartIce(engagementId: string, peerId: string, transportId: string): Promise<RestartIceResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/transports/${encodeURIComponent(transportId)}/restart-ice`, {});
  }

  /** Closes one producer; one that is already gone is fine. */
  async closeProducer(engagementId: string, peerId: string, producerId: string): Promise<void> {
    await this.ignoreNotFound(this.post(`${SFU_PATHS.peer(engagementId, peerId)}/producers/${encodeURIComponent(producerId)}/close`, {}));
  }

  /** The engagement's room (its worker, peers, producers); SfuRequestError 404 when the SFU has none. */
  room(engagementId: string): Promise<RoomInfo> {
    return this.request('GET', SFU_PATHS.room(engagementId), undefined);
  }

  /** Opens GET /events: the SFU's notifications (worker deaths, speakers…), reconnecting until closed. */
  openEvents(): SfuEventStream {
    return SfuEventStream.open(this.baseUrl, this.secret);
  }

  consume(engagementId: string, peerId: string, body: { transportId: string; producerId: string; rtpCapabilities: MediasoupObject }): Promise<ConsumeResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/consume`, body);
  }

  resumeConsumer(engagementId: string, peerId: string, consumerId: string): Promise<EmptyResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/consumers/${encodeURIComponent(consumerId)}/resume`, {});
  }

  setProducerPaused(engagementId: string, peerId: string, producerId: string, paused: boolean): Promise<EmptyResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/producers/${encodeURIComponent(producerId)}/${paused ? 'pause' : 'resume'}`, {});
  }

  /** Closes a peer; a peer (or room) that is already gone is fine. */
  async closePeer(engagementId: string, peerId: string): Promise<void> {
    await this.ignoreNotFound(this.post(`${SFU_PATHS.peer(engagementId, peerId)}/close`, {}));
  }

  /** Closes the engagement's room; a room that is already gone is fine. */
  async closeRoom(engagementId: string): Promise<void> {
    await this.ignoreNotFound(this.post(`${SFU_PATHS.room(engagementId)}/close`, {}));
  }

  private async ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!(err instanceof SfuRequestError && err.httpStatus === 404)) throw err;
    }
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request('POST', path, body);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.secret}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        body: method === 'POST' ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SfuRequestError(503, 'unreachable', `the media server is unreachable (${err instanceof Error ? err.message : String(err)})`);
    }
    const json = (await res.json().catch(() => ({}))) as T | ErrorResponse;
    if (!res.ok) {
      const e = (json as ErrorResponse).error ?? { code: 'unknown', message: `HTTP ${res.status}` };
      throw new SfuRequestError(res.status, e.code, e.message);
    }
    return json as T;
  }
}
