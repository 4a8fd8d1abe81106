import { Injectable } from '@nestjs/common';
import type { CallView, ServerPayloads } from '@engage/protocol';
import { EventEmitter } from 'node:events';

/** What the call domain tells an engagement's sockets without a client asking (from the SFU's notifications). */
export type MediaNotice = {
  [E in 'media/producer-closed' | 'media/reconnect' | 'media/speaker']: { event: E; payload: ServerPayloads[E] };
}['media/producer-closed' | 'media/reconnect' | 'media/speaker'];

export interface MediaBusEvents {
  /** A call state changed and the change is committed; listeners broadcast it to the engagement. */
  state: [view: CallView];
  /** To every socket of the engagement (payload.engagementId): its call lost its media, who speaks, a producer ended. */
  notice: [notice: MediaNotice];
}

/** Decouples the call domain from the socket layer that broadcasts its changes. */
@Injectable()
export class MediaBus extends EventEmitter<MediaBusEvents> {}
