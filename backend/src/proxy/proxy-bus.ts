import { Injectable } from '@nestjs/common';
import type { ProxyDialog, ProxyDriver, ProxyFrame, ProxyPeerPointer, ProxyView } from '@engage/protocol';
import { EventEmitter } from 'node:events';

export interface ProxyBusEvents {
  /** The shared browser's state of an engagement changed (committed); broadcast to its room. */
  state: [view: ProxyView];
  /** A frame of the shared page; relayed to the engagement's two participants, never queued. */
  frame: [frame: ProxyFrame, agentId: string | null];
  /** The page's dialog, to the participant in control (`to`) only. */
  dialog: [dialog: ProxyDialog, to: ProxyDriver, agentId: string | null];
  /** A participant's pointer, to the other participant (`to`) only, never queued. */
  pointer: [pointer: ProxyPeerPointer, to: ProxyDriver, agentId: string | null];
}

/** Decouples proxy co-browse from the socket layer that broadcasts it. */
@Injectable()
export class ProxyBus extends EventEmitter<ProxyBusEvents> {}
