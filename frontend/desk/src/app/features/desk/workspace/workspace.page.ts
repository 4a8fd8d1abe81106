import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { EngagementView } from '@engage/protocol';
import { ClockService } from '../../../core/clock.service';
import { describeError } from '../../../core/errors';
import { formatDuration, formatTime } from '../../../core/format';
import { EngagementListItemComponent } from '../../../shared/ui/engagement-list-item.component';
import { SplitViewComponent } from '../../../shared/ui/split-view.component';
import { DeskStore } from '../data/desk.store';
import { InvitePanelComponent } from './invite-panel.component';
import { JoinByCodePanelComponent } from './join-by-code-panel.component';

/** Agent workspace: queue, invitations, join by code and my engagements on the left, the open chat on the right. */
@Component({
  selector: 'app-workspace-page',
  imports: [SplitViewComponent, InvitePanelComponent, JoinByCodePanelComponent, EngagementListItemComponent],
  template: `
    <h1 class="visually-hidden">Live desk</h1>
    <div appSplitView sidebarLabel="Queue and engagements" [hasSelection]="store.selectedId() !== null">
      <section class="panel" aria-labelledby="queue-title">
        <h2 id="queue-title" class="panel-title">
          Queue
          @if (store.queue().length) {
            <span class="count">{{ store.queue().length }}<span class="visually-hidden"> waiting</span></span>
          }
        </h2>
        @if (acceptError()) {
          <p class="form-error" role="alert">{{ acceptError() }}</p>
        }
        @if (store.queueError()) {
          <p class="form-error" role="alert">{{ store.queueError() }}</p>
        }
        <ul class="list" aria-live="polite">
          @for (e of store.queue(); track e.id) {
            <li class="item queue-item" data-testid="queue-item" [attr.data-engagement-id]="e.id">
              <div class="item-main">
                <span class="item-title">{{ e.customerName || 'Visitor' }}</span>
                <span class="item-sub">{{ e.channel === 'invite' ? 'Invitation' : pageLabel(e) }}</span>
              </div>
              <span class="wait" data-testid="waiting-time"><span class="visually-hidden">Waiting </span>{{ waited(e) }}</span>
              <button
                type="button"
                class="btn primary small"
                data-testid="accept"
                [disabled]="accepting() === e.id"
                (click)="accept(e)"
                [attr.aria-label]="'Accept ' + (e.customerName || 'visitor')"
              >
                {{ accepting() === e.id ? 'Accepting…' : 'Accept' }}
              </button>
            </li>
          } @empty {
            <li class="empty-state" data-testid="queue-empty">{{ store.queueLoaded() ? 'No one is waiting.' : 'Loading the queue…' }}</li>
          }
        </ul>
      </section>

      <app-invite-panel />

      <app-join-by-code-panel />

      <section class="panel" aria-labelledby="mine-title">
        <h2 id="mine-title" class="panel-title">My engagements</h2>
        <ul class="list">
          @for (e of store.mine(); track e.id) {
            <li appEngagementListItem testid="engagement-item" [engagement]="e" [link]="['/desk/e', e.id]" [selected]="store.selectedId() === e.id">
              {{ e.state === 'requested' ? 'Invited' : 'Since' }} {{ time(e.acceptedAt || e.createdAt) }}
            </li>
          } @empty {
            <li class="empty-state">{{ store.queueLoaded() ? 'No open engagements. Accept someone from the queue.' : 'Loading…' }}</li>
          }
        </ul>
      </section>
    </div>
  `,
  styleUrl: './workspace.page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkspacePage {
  protected readonly store = inject(DeskStore);
  readonly #clock = inject(ClockService);
  readonly #router = inject(Router);
  protected readonly accepting = signal<string | null>(null);
  protected readonly acceptError = signal('');
  protected readonly time = formatTime;

  protected waited(e: EngagementView): string {
    return formatDuration(this.#clock.now() - Date.parse(e.createdAt));
  }

  protected pageLabel(e: EngagementView): string {
    if (!e.pageUrl) return 'Website chat';
    try {
      const u = new URL(e.pageUrl);
      return u.host + (u.pathname === '/' ? '' : u.pathname);
    } catch {
      return e.pageUrl;
    }
  }

  protected async accept(e: EngagementView): Promise<void> {
    this.accepting.set(e.id);
    this.acceptError.set('');
    try {
      const engagement = await this.store.accept(e.id);
      await this.#router.navigate(['/desk/e', engagement.id]);
    } catch (err) {
      this.acceptError.set(describeError(err));
    } finally {
      this.accepting.set(null);
    }
  }
}
