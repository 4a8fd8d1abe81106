import { Injectable } from '@nestjs/common';
import type { CobrowseView, RecordedEvent, ServerPayloads } from '@engage/protocol';
import { EventEmitter } from 'node:events';

export interface CobrowseBusEvents {
  /** A co-browse transition is committed (audit row + engagement mode); send it to the engagement room. */
  state: [view: CobrowseView];
  /** A batch of the customer's recording; relay it to the watchers, in order. */
  events: [batch: { engagementId: string; events: RecordedEvent[] }];
  /** Ask the customer's recorder for a fresh full snapshot. */
  snapshotNeeded: [engagementId: string];
  /** The agent's pointer; to the customer's sockets only. */
  pointer: [at: ServerPayloads['cobrowse/remote-pointer']];
  /** One input of the agent holding control; to the customer's sockets only. */
  remoteInput: [msg: ServerPayloads['cobrowse/remote-input']];
  /** Images the agent's replay could not load; to the customer's sockets only. */
  imagesWanted: [msg: ServerPayloads['cobrowse/images-wanted']];
  /** The customer's page refused an input; to the watchers. */
  controlNotice: [msg: ServerPayloads['cobrowse/control-notice']];
}

/** Decouples the co-browse domain from the socket layer that delivers it. */
@Injectable()
export class CobrowseBus extends EventEmitter<CobrowseBusEvents> {}
