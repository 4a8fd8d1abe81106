import { Injectable } from '@nestjs/common';
import type { ProxyFrame, ProxyView } from '@engage/protocol';
import { EventEmitter } from 'node:events';

export interface ProxyBusEvents {
  /** The shared browser's state of an engagement changed (committed); broadcast to its room. */
  state: [view: ProxyView];
  /** A frame of the shared page; relayed to the engagement's two participants, never queued. */
  frame: [frame: ProxyFrame, agentId: string | null];
}

/** Decouples proxy co-browse from the socket layer that broadcasts it. */
@Injectable()
export class ProxyBus extends EventEmitter<ProxyBusEvents> {}
