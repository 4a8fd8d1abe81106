import { Injectable } from '@nestjs/common';
import type { EngagementView } from '@engage/protocol';

/**
 * In-memory views of the engagements that are not ended, kept by EngagementsService (the only
 * writer of engagement state), so per-message authorization and queue snapshots need no query.
 * Single-node: with several nodes this becomes a shared cache.
 */
@Injectable()
export class LiveEngagements {
  private readonly views = new Map<string, EngagementView>();

  get(id: string): EngagementView | undefined {
    return this.views.get(id);
  }

  /** Stores the view, or forgets it once ended. */
  put(view: EngagementView): void {
    if (view.state === 'ended') this.views.delete(view.id);
    else this.views.set(view.id, view);
  }

  /** Chat commits move lastSeq forward without going through the state machine. */
  bumpLastSeq(id: string, seq: number): void {
    const v = this.views.get(id);
    if (v && seq > v.lastSeq) this.views.set(id, { ...v, lastSeq: seq });
  }

  setReadSeq(id: string, role: 'customer' | 'agent', seq: number): void {
    const v = this.views.get(id);
    if (v) this.views.set(id, { ...v, readSeq: { ...v.readSeq, [role]: seq } });
  }

  /** Waiting engagements (oldest first) and active ones. */
  snapshot(): { queue: EngagementView[]; live: EngagementView[] } {
    const all = [...this.views.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { queue: all.filter((v) => v.state === 'requested'), live: all.filter((v) => v.state === 'active') };
  }

  get size(): number {
    return this.views.size;
  }
}
