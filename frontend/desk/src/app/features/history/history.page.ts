import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { EngagementView } from '@engage/protocol';
import { describeError } from '../../core/errors';
import { formatDateTime, formatDuration } from '../../core/format';
import { EngagementListItemComponent } from '../../shared/ui/engagement-list-item.component';
import { SplitViewComponent } from '../../shared/ui/split-view.component';
import { DeskStore } from '../desk/data/desk.store';
import { HistorySelection } from './history-selection';

/** Past engagements; one opens with its transcript. */
@Component({
  selector: 'app-history-page',
  imports: [SplitViewComponent, EngagementListItemComponent],
  providers: [HistorySelection],
  template: `
    <h1 class="visually-hidden">History</h1>
    <div appSplitView sidebarLabel="Past engagements" [hasSelection]="selection.id() !== null">
      <section class="panel" aria-labelledby="history-title">
        <div class="panel-head">
          <h2 id="history-title" class="panel-title">Past engagements</h2>
          <button type="button" class="btn ghost small" (click)="load()" [disabled]="loading()">Refresh</button>
        </div>
        @if (error()) {
          <p class="form-error" role="alert">{{ error() }}</p>
        }
        <ul class="list">
          @for (e of items(); track e.id) {
            <li appEngagementListItem testid="history-item" [engagement]="e" [link]="['/desk/history', e.id]" [selected]="selection.id() === e.id" [badge]="false">
              {{ when(e) }} · {{ length(e) }}{{ e.agent ? ' · ' + e.agent.displayName : '' }}
            </li>
          } @empty {
            <li class="empty-state">{{ loading() ? 'Loading…' : 'No past engagements yet.' }}</li>
          }
        </ul>
      </section>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HistoryPage {
  readonly #store = inject(DeskStore);
  protected readonly selection = inject(HistorySelection);
  protected readonly items = signal<EngagementView[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal('');

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    this.loading.set(true);
    this.error.set('');
    try {
      const list = await this.#store.listEnded();
      this.items.set([...list].sort((a, b) => (b.endedAt ?? b.createdAt).localeCompare(a.endedAt ?? a.createdAt)));
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.loading.set(false);
    }
  }

  protected when(e: EngagementView): string {
    return formatDateTime(e.endedAt ?? e.createdAt);
  }

  protected length(e: EngagementView): string {
    if (!e.endedAt) return '';
    return formatDuration(Date.parse(e.endedAt) - Date.parse(e.acceptedAt ?? e.createdAt));
  }
}
