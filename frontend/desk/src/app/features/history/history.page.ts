import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import type { EngagementView } from '@engage/protocol';
import { describeError } from '../../core/errors';
import { formatDateTime, formatDuration } from '../../core/format';
import { DeskStore } from '../desk/data/desk.store';
import { HistorySelection } from './history-selection';

/** Past engagements; one opens with its transcript. */
@Component({
  selector: 'app-history-page',
  imports: [RouterOutlet, RouterLink],
  providers: [HistorySelection],
  template: `
    <h1 class="visually-hidden">History</h1>
    <div class="split" [class.has-selection]="selection.id() !== null">
      <aside class="sidebar" aria-label="Past engagements">
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
              <li>
                <a
                  class="item link-item"
                  data-testid="history-item"
                  [attr.data-engagement-id]="e.id"
                  [routerLink]="['/desk/history', e.id]"
                  [class.selected]="selection.id() === e.id"
                  [attr.aria-current]="selection.id() === e.id ? 'true' : null"
                >
                  <div class="item-main">
                    <span class="item-title">{{ e.customerName || 'Visitor' }}</span>
                    <span class="item-sub">{{ when(e) }} · {{ length(e) }}{{ e.agent ? ' · ' + e.agent.displayName : '' }}</span>
                  </div>
                </a>
              </li>
            } @empty {
              <li class="empty-state">{{ loading() ? 'Loading…' : 'No past engagements yet.' }}</li>
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
