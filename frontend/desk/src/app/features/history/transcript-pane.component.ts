import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { API, type EngagementDetail } from '@engage/protocol';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../core/errors';
import { endReasonLabel, formatDateTime, formatTime } from '../../core/format';
import { PaneHeaderComponent } from '../../shared/ui/pane-header.component';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';
import { HistorySelection } from './history-selection';

/** The stored transcript of one engagement, read-only. */
@Component({
  selector: 'app-transcript-pane',
  imports: [PaneHeaderComponent, StateBadgeComponent],
  template: `
    @let d = detail();
    <header appPaneHeader backLink="/desk/history" backLabel="History" [title]="d?.engagement?.customerName || (loading() ? 'Loading…' : 'Visitor')">
      @if (d) {
        <p class="pane-sub">
          {{ formatDateTime(d.engagement.createdAt) }}
          @if (d.engagement.agent) {
            · with {{ d.engagement.agent.displayName }}
          }
          @if (d.engagement.endReason) {
            · {{ endReason() }}
          }
        </p>
      }
      @if (d) {
        <app-state-badge [state]="d.engagement.state" testid="engagement-state" />
      }
    </header>
    @if (error()) {
      <p class="pane-error" role="alert">{{ error() }}</p>
    }
    <div class="transcript" tabindex="0" [attr.aria-label]="'Transcript'" role="region">
      @if (d) {
        @for (m of d.messages; track m.seq) {
          <div class="t-msg" [class.system]="m.sender.role === 'system'" [class.agent]="m.sender.role === 'agent'" data-testid="transcript-message">
            <time [attr.datetime]="m.sentAt">{{ time(m.sentAt) }}</time>
            <span class="t-who">{{ m.sender.role === 'system' ? '' : m.sender.name || m.sender.role }}</span>
            <span class="t-body">{{ m.body }}</span>
          </div>
        } @empty {
          <p class="hint">No messages were exchanged.</p>
        }
      }
    </div>
  `,
  styles: `
    .transcript { flex: 1; min-height: 0; overflow-y: auto; padding: 16px 20px; background: var(--surface); }
    .t-msg { display: grid; grid-template-columns: 5.5rem 9rem 1fr; gap: 12px; padding: 8px 0; border-bottom: 1px solid var(--border); }
    .t-msg time { white-space: nowrap; color: var(--muted); font-size: 0.8125rem; font-variant-numeric: tabular-nums; }
    .t-who { font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
    .t-msg.agent .t-who { color: var(--primary); }
    .t-msg.system { color: var(--muted); font-style: italic; }
    .t-body { white-space: pre-wrap; overflow-wrap: anywhere; }
    .hint { color: var(--muted); }
    @media (max-width: 720px) {
      .t-msg { grid-template-columns: auto 1fr; }
      .t-body { grid-column: 1 / -1; }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pane' },
})
export class TranscriptPaneComponent {
  readonly id = input.required<string>();
  readonly #http = inject(HttpClient);
  readonly #selection = inject(HistorySelection);
  protected readonly detail = signal<EngagementDetail | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal('');
  protected readonly time = formatTime;
  protected readonly formatDateTime = formatDateTime;
  protected readonly endReason = computed(() => endReasonLabel(this.detail()?.engagement.endReason ?? null));

  constructor() {
    effect((onCleanup) => {
      const id = this.id();
      let current = true;
      this.#selection.id.set(id);
      this.detail.set(null);
      this.error.set('');
      this.loading.set(true);
      firstValueFrom(this.#http.get<EngagementDetail>(API.engagement(id)))
        .then((d) => current && this.detail.set(d))
        .catch((err: unknown) => current && this.error.set(describeError(err)))
        .finally(() => current && this.loading.set(false));
      onCleanup(() => {
        current = false;
        this.#selection.id.set(null);
      });
    });
  }
}
