import { Injectable } from '@nestjs/common';
import type { CallView } from '@engage/protocol';
import { EventEmitter } from 'node:events';

export interface MediaBusEvents {
  /** A call state changed and the change is committed; listeners broadcast it to the engagement. */
  state: [view: CallView];
}

/** Decouples the call domain from the socket layer that broadcasts its changes. */
@Injectable()
export class MediaBus extends EventEmitter<MediaBusEvents> {}
