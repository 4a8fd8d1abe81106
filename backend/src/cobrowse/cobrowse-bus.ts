import { Injectable } from '@nestjs/common';
import type { CobrowseView, RecordedEvent } from '@engage/protocol';
import { EventEmitter } from 'node:events';

export interface CobrowseBusEvents {
  /** A co-browse transition is committed (audit row + engagement mode); send it to the engagement room. */
  state: [view: CobrowseView];
  /** A batch of the customer's recording; relay it to the watchers, in order. */
  events: [batch: { engagementId: string; events: RecordedEvent[] }];
  /** Ask the customer's recorder for a fresh full snapshot. */
  snapshotNeeded: [engagementId: string];
}

/** Decouples the co-browse domain from the socket layer that delivers it. */
@Injectable()
export class CobrowseBus extends EventEmitter<CobrowseBusEvents> {}
