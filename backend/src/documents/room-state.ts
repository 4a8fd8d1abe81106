import { Injectable } from '@nestjs/common';
import type { CalculatorState, DocParty, DocViewState, VideoSyncState } from '@engage/protocol';

/** The live part of a room (single node, like the other modes): who presents, where, the video and the calculator. */
export interface LiveRoom {
  presenter: DocParty;
  view: DocViewState;
  video: VideoSyncState | null;
  calculator: CalculatorState;
}

const fresh = (): LiveRoom => ({
  presenter: 'agent',
  view: { documentId: null, page: 1, zoom: 1, scrollX: 0, scrollY: 0 },
  video: null,
  calculator: { input: '', result: null, ok: true, by: null },
});

/** In-memory rooms per engagement; forgotten when the engagement ends. */
@Injectable()
export class DocRoomState {
  private readonly rooms = new Map<string, LiveRoom>();

  get(engagementId: string): LiveRoom {
    let r = this.rooms.get(engagementId);
    if (!r) {
      r = fresh();
      this.rooms.set(engagementId, r);
    }
    return r;
  }

  update(engagementId: string, change: Partial<LiveRoom>): LiveRoom {
    const next = { ...this.get(engagementId), ...change };
    this.rooms.set(engagementId, next);
    return next;
  }

  forget(engagementId: string): void {
    this.rooms.delete(engagementId);
  }
}
