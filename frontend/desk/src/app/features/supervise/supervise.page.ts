import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import type { EngagementView } from '@engage/protocol';
import { ClockService } from '../../core/clock.service';
import { formatDuration } from '../../core/format';
import { EngagementListItemComponent } from '../../shared/ui/engagement-list-item.component';
import { SplitViewComponent } from '../../shared/ui/split-view.component';
import { DeskStore } from '../desk/data/desk.store';

/** Every live engagement, for supervisors; one opens read-only. */
@Component({
  selector: 'app-supervise-page',
  imports: [SplitViewComponent, EngagementListItemComponent],
  template: `
    <h1 class="visually-hidden">Supervise</h1>
    <div appSplitView sidebarLabel="Live engagements" [hasSelection]="store.selectedId() !== null">
      <section class="panel" aria-labelledby="live-title">
        <h2 id="live-title" class="panel-title">Live engagements</h2>
        <p class="panel-note">{{ store.queue().length }} waiting in the queue · {{ store.live().length }} live</p>
        <ul class="list">
          @for (e of store.live(); track e.id) {
            <li appEngagementListItem testid="live-item" [engagement]="e" [link]="['/desk/supervise', e.id]" [selected]="store.selectedId() === e.id">
              {{ e.agent ? e.agent.displayName : 'Unassigned' }} · {{ since(e) }}
            </li>
          } @empty {
            <li class="empty-state">{{ store.queueLoaded() ? 'No live engagements right now.' : 'Loading…' }}</li>
          }
        </ul>
      </section>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SupervisePage {
  protected readonly store = inject(DeskStore);
  readonly #clock = inject(ClockService);

  protected since(e: EngagementView): string {
    return formatDuration(this.#clock.now() - Date.parse(e.acceptedAt ?? e.createdAt));
  }
}
