import { Injectable } from '@nestjs/common';
import type { EngagementView } from '@engage/protocol';
import { EventEmitter } from 'node:events';

export interface EngagementBusEvents {
  /** An engagement changed and the change is committed; listeners broadcast it. */
  changed: [view: EngagementView];
  /** A read receipt was stored. */
  read: [change: { engagementId: string; role: 'customer' | 'agent'; seq: number }];
}

/** Decouples the engagement domain from the socket layer that broadcasts its changes. */
@Injectable()
export class EngagementBus extends EventEmitter<EngagementBusEvents> {}
