import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import type { EngagementView } from '@engage/protocol';
import { ClockService } from '../../core/clock.service';
import { formatDuration } from '../../core/format';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';
import { DeskStore } from '../desk/data/desk.store';

/** Every live engagement, for supervisors; one opens read-only. */
@Component({
  selector: 'app-supervise-page',
  imports: [RouterOutlet, RouterLink, StateBadgeComponent],
  template: `
    <h1 class="visually-hidden">Supervise</h1>
    <div class="split" [class.has-selection]="store.selectedId() !== null">
      <aside class="sidebar" aria-label="Live engagements">
        <section class="panel" aria-labelledby="live-title">
          <h2 id="live-title" class="panel-title">Live engagements</h2>
          <p class="panel-note">{{ store.queue().length }} waiting in the queue · {{ store.live().length }} live</p>
          <ul class="list">
            @for (e of store.live(); track e.id) {
              <li>
                <a
                  class="item link-item"
                  data-testid="live-item"
                  [attr.data-engagement-id]="e.id"
                  [routerLink]="['/desk/supervise', e.id]"
                  [class.selected]="store.selectedId() === e.id"
                  [attr.aria-current]="store.selectedId() === e.id ? 'true' : null"
                >
                  <div class="item-main">
                    <span class="item-title">{{ e.customerName || 'Visitor' }}</span>
                    <span class="item-sub">{{ e.agent ? e.agent.displayName : 'Unassigned' }} · {{ since(e) }}</span>
                  </div>
                  <app-state-badge [state]="e.state" />
                </a>
              </li>
            } @empty {
              <li class="empty-state">{{ store.queueLoaded() ? 'No live engagements right now.' : 'Loading…' }}</li>
            }
          </ul>
        </section>
      </aside>
      <section class="main-pane">
        <router-outlet />
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
