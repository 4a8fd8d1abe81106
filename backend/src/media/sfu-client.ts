import {
  SFU_PATHS,
  type ConsumeResponse,
  type CreateTransportResponse,
  type EmptyResponse,
  type ErrorResponse,
  type MediaKind,
  type MediasoupObject,
  type ProduceResponse,
  type SfuJoinResponse,
} from '@engage/protocol';
import { DomainError } from '../common/errors';

/** The SFU answered with an error, or could not be reached. */
export class SfuRequestError extends DomainError {
  constructor(
    readonly httpStatus: number,
    readonly sfuCode: string,
    message: string,
  ) {
    // A refusal by the SFU of what the client asked (bad parameters) is the client's; a media server at
    // capacity is `overloaded` (try again shortly); anything else is ours.
    const overloaded = httpStatus === 503 && sfuCode === 'overloaded';
    super(
      httpStatus === 400 ? 'invalid_payload' : overloaded ? 'overloaded' : 'internal',
      httpStatus === 400 ? 400 : overloaded ? 503 : 502,
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

  produce(engagementId: string, peerId: string, body: { transportId: string; kind: MediaKind; rtpParameters: MediasoupObject }): Promise<ProduceResponse> {
    return this.post(`${SFU_PATHS.peer(engagementId, peerId)}/produce`, body);
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

  private async post<T>(path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
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
